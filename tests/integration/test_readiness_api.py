"""/api/v1/ready/ checks the real database, Redis and a real Celery worker."""
import pytest

from tests.celery_worker import celery_worker

pytestmark = pytest.mark.django_db


def _checks(response):
    return {c["name"]: c["ok"] for c in response.json()["checks"]}


def test_ready__no_worker__503_naming_the_worker(client):
    response = client.get("/api/v1/ready/")
    assert response.status_code == 503
    assert _checks(response) == {"database": True, "redis": True, "worker": False}


def test_ready__worker_running__200(client, django_db_setup):
    with celery_worker(django_db_setup):
        response = client.get("/api/v1/ready/")
    assert response.status_code == 200, response.json()
    assert _checks(response) == {"database": True, "redis": True, "worker": True}


def test_ready__redis_down__503(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/api/v1/ready/")
    assert response.status_code == 503
    assert _checks(response)["redis"] is False
