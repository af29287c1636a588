"""Production settings pass `check --deploy`; logs are JSON lines carrying the request id."""
from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from contextlib import contextmanager

import pytest

from tests.conftest import ROOT


def test_production_settings__check_deploy__no_warnings():
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="x" * 20 + "-a-long-random-production-secret-for-the-check-0123456789",
        DJANGO_ALLOWED_HOSTS="themes.example.com",
        FIELD_ENCRYPTION_KEYS="RDk1y6-cbcbNF1n2NUtXZqR4M3dlsRZUN0_BBqpUHmE=",
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


@contextmanager
def json_logging(capsys):
    """Logging configured from settings.LOGGING (root at INFO) onto the captured stderr; yields its lines.

    Reconfigured through Django's own configure_logging, so Django's DEFAULT_LOGGING is applied first
    exactly as at start-up; a handler it leaves behind writes to the same stderr and is counted.
    Configured inside the test body: pytest swaps stderr between a fixture's set-up and the test.
    """
    from django.conf import settings
    from django.utils.log import configure_logging

    configure_logging(settings.LOGGING_CONFIG, {**settings.LOGGING, "root": {"handlers": ["console"], "level": "INFO"}})
    capsys.readouterr()
    lines: list[str] = []
    try:
        yield lines
    finally:
        lines.extend(capsys.readouterr().err.splitlines())
        configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)


@pytest.mark.django_db
def test_logging__django_request_line__carries_the_requests_id_and_principals_tenant(
    client, keyed_tenant_factory, capsys,
):
    tenant = keyed_tenant_factory()
    with json_logging(capsys) as output:
        response = client.get(
            "/api/v1/layout-presets/", {"surface": "nowhere"}, HTTP_X_REQUEST_ID="req-logged-422", **tenant.auth,
        )
    assert response.status_code == 422
    lines = [json.loads(line) for line in output if "layout-presets" in line]
    assert len(lines) == 1, output
    assert lines[0]["logger"] == "django.request" and lines[0]["level"] == "WARNING"
    assert lines[0]["request_id"] == "req-logged-422" == response["X-Request-ID"]
    assert lines[0]["tenant_id"] == tenant.id


@pytest.mark.django_db
def test_logging__django_request_line_without_a_tenant__request_id_and_dash(client, capsys):
    with json_logging(capsys) as output:
        response = client.get("/api/v1/properties/", HTTP_X_REQUEST_ID="req-logged-401")
    assert response.status_code == 401
    (line,) = [json.loads(line) for line in output if "/api/v1/properties/" in line]
    assert line["request_id"] == "req-logged-401" and line["tenant_id"] == "-"


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
def test_logging__one_warning__one_json_line(client, settings, capsys, debug):
    settings.DEBUG = debug  # Django's own "django" console handler printed a second, plain copy when on
    with json_logging(capsys) as output:
        client.get("/api/v1/nothing-here/", HTTP_X_REQUEST_ID="req-logged-404")
    lines = [line for line in output if "nothing-here" in line]
    assert len(lines) == 1, output
    record = json.loads(lines[0])
    assert record["message"] == "Not Found: /api/v1/nothing-here/" and record["request_id"] == "req-logged-404"


def test_logging__record_with_a_foreign_request_attribute__dashes():
    from themeconfig.platform.logging import RequestIdFilter

    record = logging.LogRecord("django.server", logging.INFO, __file__, 1, "GET /", None, None)
    record.request = object()  # django.server passes the socket
    assert RequestIdFilter().filter(record) and (record.request_id, record.tenant_id) == ("-", "-")
