"""Test settings: the test database is created by tests/conftest.py the way bootstrap_db does."""
from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TEST_DATABASE_NAME = env("TEST_DATABASE_NAME", default="theme_config_test")  # noqa: F405
CELERY_TASK_ALWAYS_EAGER = False
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
