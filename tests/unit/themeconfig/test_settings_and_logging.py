"""Production settings pass `check --deploy`; logs are JSON lines carrying the request id."""
from __future__ import annotations

import json
import logging
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT


def test_production_settings__check_deploy__no_warnings():
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="x" * 20 + "-a-long-random-production-secret-for-the-check-0123456789",
        DJANGO_ALLOWED_HOSTS="themes.example.com",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings__no_secret_key__refuses_to_start():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SECRET_KEY"}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.production", DJANGO_ALLOWED_HOSTS="x.example.com")
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0 and "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_logging__json_line_with_request_id(client, capsys):
    from django.conf import settings
    from django.utils.log import configure_logging

    configure_logging(settings.LOGGING_CONFIG, {**settings.LOGGING, "root": {"handlers": ["console"], "level": "INFO"}})
    logger = logging.getLogger("themeconfig.test")

    from themeconfig.platform.logging import request_id_var

    token = request_id_var.set("req-42")
    try:
        logger.info("hello", extra={"path": "/x"})
    finally:
        request_id_var.reset(token)
        configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)
    line = [line for line in capsys.readouterr().err.splitlines() if '"hello"' in line][-1]
    record = json.loads(line)
    assert record["message"] == "hello" and record["request_id"] == "req-42" and record["level"] == "INFO"
    assert record["tenant_id"] == "-" and record["path"] == "/x"
