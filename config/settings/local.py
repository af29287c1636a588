"""Developer defaults: DEBUG on, everything on localhost."""
from .base import *  # noqa: F403

DEBUG = env.bool("DJANGO_DEBUG", default=True)  # noqa: F405
