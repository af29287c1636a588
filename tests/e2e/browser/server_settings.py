"""Settings of the browser tests' app server (app_server.py): the test settings, with static files collected into
this test session's directory and served by WhiteNoise under hashed names, as in production."""
from config.settings.test import *  # noqa: F403

STATIC_ROOT = env.path("BROWSER_STATIC_ROOT")  # noqa: F405
# Production's storage without its gzip/brotli copies (they double collectstatic's time and change
# nothing a browser test sees): a template naming a static file that does not exist fails here too.
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"  # noqa: F405
