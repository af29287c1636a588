"""Developer defaults: DEBUG on, everything on localhost."""
from .base import *  # noqa: F403

DEBUG = env.bool("DJANGO_DEBUG", default=True)  # noqa: F405
if DEBUG and not FIELD_ENCRYPTION_KEYS:  # noqa: F405
    FIELD_ENCRYPTION_KEYS = [FIELD_ENCRYPTION_DEV_KEY]  # noqa: F405
