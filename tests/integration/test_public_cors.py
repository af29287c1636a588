"""CORS on the public front-end reads (publishing/cors.py), as a browser on a guest site's own host
sends them: resolve/ readable from any origin without credentials, its ETag exposed, its preflight
answered; the authenticated API and the admin give no CORS headers at all, so browsers keep them
same-origin. (The bundle files: tests/integration/test_bundle_files.py; over HTTP against gunicorn:
tests/e2e/test_front_end_api.py.)"""
from __future__ import annotations

import pytest
from django.core.management import call_command

from publishing.management.commands.seed_demo import DEMO_HOST

pytestmark = pytest.mark.usefixtures("committed_db")

ORIGIN = "https://www.harbourhouse.example"
CORS_HEADERS = ("Access-Control-Allow-Origin", "Access-Control-Allow-Methods", "Access-Control-Allow-Headers",
                "Access-Control-Expose-Headers", "Access-Control-Allow-Credentials")


@pytest.fixture
def demo():
    call_command("seed_demo", force=True, stdout=open("/dev/null", "w"))  # noqa: SIM115


def assert_public_cors(response) -> None:
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response["Access-Control-Expose-Headers"].split(", ")
    assert "Access-Control-Allow-Credentials" not in response


def test_resolve__cross_origin__200_304_404_and_400_all_readable_with_their_etag(demo, client):
    found = client.get("/api/v1/resolve/", {"host": DEMO_HOST}, HTTP_ORIGIN=ORIGIN)
    assert found.status_code == 200
    assert_public_cors(found)
    again = client.get("/api/v1/resolve/", {"host": DEMO_HOST}, HTTP_ORIGIN=ORIGIN, HTTP_IF_NONE_MATCH=found["ETag"])
    assert again.status_code == 304
    assert_public_cors(again)
    for host, status in (("nobody.example", 404), ("", 400)):
        answer = client.get("/api/v1/resolve/", {"host": host}, HTTP_ORIGIN=ORIGIN)
        assert answer.status_code == status
        assert_public_cors(answer)


def test_resolve__preflight__204_without_reaching_the_lookup(client):
    response = client.options("/api/v1/resolve/?host=nobody.example", HTTP_ORIGIN=ORIGIN,
                              HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
                              HTTP_ACCESS_CONTROL_REQUEST_HEADERS="If-None-Match")

    assert response.status_code == 204 and response.content == b""
    assert_public_cors(response)
    assert response["Access-Control-Allow-Methods"] == "GET, HEAD"
    assert "If-None-Match" in response["Access-Control-Allow-Headers"]


def test_resolve__cookie_and_key_sent_cross_origin__the_same_anonymous_answer(demo, client):
    plain = client.get("/api/v1/resolve/", {"host": DEMO_HOST}, HTTP_ORIGIN=ORIGIN)

    credentialed = client.get("/api/v1/resolve/", {"host": DEMO_HOST}, HTTP_ORIGIN=ORIGIN,
                              HTTP_AUTHORIZATION="Bearer tck.not-a-key", HTTP_COOKIE="sessionid=forged")

    assert credentialed.status_code == 200 and credentialed.content == plain.content
    assert "Access-Control-Allow-Credentials" not in credentialed and "Set-Cookie" not in credentialed


@pytest.mark.parametrize("path", ["/api/v1/themes/", "/api/v1/layout-presets/", "/admin/", "/admin/login/"])
def test_authenticated_api_and_admin__cross_origin__no_cors_headers(demo, client, path):
    for response in (client.get(path, HTTP_ORIGIN=ORIGIN),
                     client.options(path, HTTP_ORIGIN=ORIGIN, HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
                                    HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization")):
        assert not [header for header in CORS_HEADERS if header in response], (path, response.headers)


def test_authenticated_api__a_live_key_cross_origin__answered_without_cors_headers(keyed_tenant_factory, client):
    keyed = keyed_tenant_factory(role="admin")

    response = client.get("/api/v1/themes/", HTTP_ORIGIN=ORIGIN, **keyed.auth)

    assert response.status_code == 200
    assert not [header for header in CORS_HEADERS if header in response], response.headers
