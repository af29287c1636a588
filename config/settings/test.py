"""Test settings: the test database is created by tests/conftest.py the way bootstrap_db does."""
from .base import *  # noqa: F403

DEBUG = False
FIELD_ENCRYPTION_KEYS = FIELD_ENCRYPTION_KEYS or [FIELD_ENCRYPTION_DEV_KEY]  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TEST_DATABASE_NAME = env("TEST_DATABASE_NAME", default="theme_config_test")  # noqa: F405
CELERY_TASK_ALWAYS_EAGER = False
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
# A Redis database of its own, so a developer's running worker never answers the tests' pings.
REDIS_URL = env("TEST_REDIS_URL", default="redis://127.0.0.1:6379/15")  # noqa: F405
# Each pytest-xdist worker on a Redis database of its own (gw0 the given one, gw1 the one below, …):
# a Celery worker one of them starts must never take the other's tasks (they name rows of another
# test database). Subprocesses get the final URL and no PYTEST_XDIST_WORKER, so this applies once.
_xdist_worker = env("PYTEST_XDIST_WORKER", default="")  # noqa: F405
if _xdist_worker.startswith("gw") and _xdist_worker[2:].isdigit():
    _base, _, _db = REDIS_URL.rpartition("/")
    REDIS_URL = f"{_base}/{(int(_db or 0) - int(_xdist_worker[2:])) % 16}"
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CACHES["default"]["LOCATION"] = REDIS_URL  # noqa: F405
# Rate limits on, so every test runs through them, but far above what any test sends from one
# address or key; tests of the limits themselves set their own (tests/hostile/test_throttling.py).
THROTTLE_RATES = {scope: env(f"THROTTLE_{scope.upper()}_RATE", default="100000/min")  # noqa: F405
                  for scope in THROTTLE_RATES}  # noqa: F405
