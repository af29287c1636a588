"""Production settings: secrets and hosts must come from the environment."""
import sys

from cryptography.fernet import Fernet

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")  # noqa: F405  (no default: refuse to start without one)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")  # noqa: F405
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])  # noqa: F405

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)  # noqa: F405
SECURE_REDIRECT_EXEMPT = [r"^api/v1/health/$", r"^api/v1/health/worker/$", r"^api/v1/ready/$"]
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)  # noqa: F405
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"
DATABASE_SSLMODE = env("DATABASE_SSLMODE", default="require")  # noqa: F405
# verify-full (or verify-ca) checks the server's certificate against this CA file; a URL's own
# `?sslmode=…&sslrootcert=…` wins over both.
DATABASE_SSLROOTCERT = env("DATABASE_SSLROOTCERT", default="")  # noqa: F405
if DATABASE_SSLROOTCERT and not Path(DATABASE_SSLROOTCERT).is_file():  # noqa: F405
    sys.exit(f"DATABASE_SSLROOTCERT={DATABASE_SSLROOTCERT} is not a readable file (needed for sslmode={DATABASE_SSLMODE})")
for _alias in DATABASES.values():  # noqa: F405
    _alias["OPTIONS"].setdefault("sslmode", DATABASE_SSLMODE)
    if DATABASE_SSLROOTCERT:
        _alias["OPTIONS"].setdefault("sslrootcert", DATABASE_SSLROOTCERT)
    _alias["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)  # noqa: F405
STORAGES["staticfiles"]["BACKEND"] = "whitenoise.storage.CompressedManifestStaticFilesStorage"  # noqa: F405

# Secrets at rest: no dev fallback here. A one-line message, not a traceback, when they are missing.
if not FIELD_ENCRYPTION_KEYS:  # noqa: F405
    sys.exit("FIELD_ENCRYPTION_KEYS is not set: give one or more Fernet keys, newest first (README, Encryption keys)")
try:
    [Fernet(_key) for _key in FIELD_ENCRYPTION_KEYS]  # noqa: F405
except ValueError:
    sys.exit("FIELD_ENCRYPTION_KEYS holds a value that is not a Fernet key (urlsafe base64 of 32 bytes)")
