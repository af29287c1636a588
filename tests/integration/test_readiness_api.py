"""/api/v1/ready/ checks the real database and Redis only; /api/v1/health/worker/ reports the Celery
workers for monitoring. The public sees words only."""
import json

import pytest

from tests.celery_worker import celery_worker

pytestmark = pytest.mark.django_db


def test_ready__no_worker__200_from_database_and_redis(client):
    """Issue 16: a missing worker took every web process out of rotation."""
    response = client.get("/api/v1/ready/")
    assert response.status_code == 200, response.json()
    assert response.json() == {"status": "ready", "checks": {"database": "ok", "redis": "ok"}}


def test_worker_health__no_worker__503_naming_the_worker(client):
    response = client.get("/api/v1/health/worker/")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "checks": {"worker": "down"}}


@pytest.mark.slow
def test_worker_health__worker_running__200(client, django_db_setup):
    with celery_worker(django_db_setup):
        response = client.get("/api/v1/health/worker/")
        ready = client.get("/api/v1/ready/")
    assert response.status_code == 200, response.json()
    assert response.json() == {"status": "ok", "checks": {"worker": "ok"}}
    assert ready.json() == {"status": "ready", "checks": {"database": "ok", "redis": "ok"}}


def test_ready__redis_down__503(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/api/v1/ready/")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"] == "down"


@pytest.mark.parametrize("path", ["/api/v1/ready/", "/api/v1/health/worker/"])
def test_probes__public__no_exception_text_nor_database_user(client, settings, path):
    """Finding 8: the public answer carried exception text and the database role name."""
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    body = client.get(path).json()
    text = json.dumps(body)
    assert set(body) == {"status", "checks"}
    assert "theme_config_app" not in text and "Error" not in text and "refused" not in text.lower()


def test_ready__superuser__sees_details(client, settings, user_factory):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    client.force_login(user_factory(is_superuser=True))
    details = {c["name"]: c for c in client.get("/api/v1/ready/").json()["details"]}
    assert details["database"]["detail"] == "theme_config_app" and not details["redis"]["ok"]


def test_worker_health__superuser__sees_why(client, user_factory):
    client.force_login(user_factory(is_superuser=True))
    (detail,) = client.get("/api/v1/health/worker/").json()["details"]
    assert detail["name"] == "worker" and not detail["ok"] and "no Celery worker answered" in detail["detail"]
