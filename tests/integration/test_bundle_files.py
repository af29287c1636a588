"""Published bundles served by the app when the bundle storage is its filesystem (publishing/bundles/files.py):
resolve/'s bundle_url is followed to the exact bytes, immutable and public; every key that is
malformed, missing or not the bundle it names is the same 404; S3/GCS get no route."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from django.core.management import call_command
from storages.backends.s3 import S3Storage

from publishing.bundles.files import IMMUTABLE, bundle_routes, served_prefix
from publishing.management.commands.seed_demo import DEMO_HOST

pytestmark = pytest.mark.usefixtures("committed_db")


@pytest.fixture
def bundles_root(tmp_path, settings):
    """STORAGES["bundles"] as the base settings make it (served under /media/), in a temporary directory."""
    root = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES, "bundles": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(root), "base_url": "/media/"},
    }}
    return root


@pytest.fixture
def published(bundles_root, client):
    """The demo tenant with its published theme; its resolved bundle_url."""
    call_command("seed_demo", force=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
    answer = client.get("/api/v1/resolve/", {"host": DEMO_HOST})
    assert answer.status_code == 200, answer.content
    return answer.json()["bundle_url"]


def sha256_of(url: str) -> str:
    return url.rsplit("/", 1)[1].split(".")[0]


def file_of(root: Path, url: str) -> Path:
    return root / url.removeprefix("/media/")


def not_found_alike(response) -> None:
    assert response.status_code == 404
    assert response.content == b"Not found\n"
    assert response["Cache-Control"] == "no-store"
    assert "ETag" not in response


def test_bundle_file__resolve_bundle_url_followed__exact_bytes_immutable_and_public(published, bundles_root, client):
    assert published.startswith("/media/bundles/") and published.endswith(".json")

    response = client.get(published)

    assert response.status_code == 200
    assert hashlib.sha256(response.content).hexdigest() == sha256_of(published)
    assert response.content == file_of(bundles_root, published).read_bytes()
    assert response["Content-Type"] == "application/json"
    assert response["Content-Length"] == str(len(response.content))
    assert response["Cache-Control"] == IMMUTABLE
    assert response["ETag"] == f'"{sha256_of(published)}"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "Set-Cookie" not in response and "Cookie" not in response.get("Vary", "")


def test_bundle_file__stylesheet_beside_the_document__css_with_its_own_sha256(published, bundles_root, client):
    css_url = published.removesuffix(".json") + ".css"

    response = client.get(css_url)

    assert response.status_code == 200
    assert response.content == file_of(bundles_root, css_url).read_bytes()
    assert response.content.startswith(b":root{")
    assert response["Content-Type"] == "text/css; charset=utf-8"
    assert response["ETag"] == f'"{hashlib.sha256(response.content).hexdigest()}"'
    assert response["Cache-Control"] == IMMUTABLE


def test_bundle_file__if_none_match__304_without_body_or_content_type(published, client):
    etag = f'"{sha256_of(published)}"'
    for header in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        response = client.get(published, HTTP_IF_NONE_MATCH=header)
        assert response.status_code == 304, header
        assert response.content == b"" and "Content-Type" not in response, response.headers
        assert response["ETag"] == etag and response["Cache-Control"] == IMMUTABLE
    assert client.get(published, HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_bundle_file__head__headers_of_get_no_body(published, client):
    got = client.get(published)

    head = client.head(published)

    assert head.status_code == 200 and head.content == b""
    for header in ("Content-Type", "Content-Length", "ETag", "Cache-Control", "X-Content-Type-Options"):
        assert head[header] == got[header], header


def test_bundle_file__credentials_sent__same_public_answer(published, client):
    plain = client.get(published)

    with_credentials = client.get(published, HTTP_AUTHORIZATION="Bearer tck.not-a-key", HTTP_X_TENANT_ID="tnt_x",
                                  HTTP_COOKIE="sessionid=forged")

    assert with_credentials.status_code == 200 and with_credentials.content == plain.content


def test_bundle_file__writes__405(published, client):
    assert client.post(published, data=b"{}", content_type="application/json").status_code == 405
    assert client.delete(published).status_code == 405


def test_bundle_file__malformed_or_traversing_keys__one_404(published, bundles_root, client):
    sha = sha256_of(published)
    base = published.rsplit("/", 1)[0]
    tenant_id, theme_id = base.split("/")[-2:]
    (bundles_root / "secret.txt").write_bytes(b"not a bundle")
    for path in (
        f"{base}/{sha}.txt",
        f"{base}/{sha.upper()}.json",
        f"{base}/{sha[:-1]}.json",
        f"{base}/{sha}.json/",
        f"{base}/x/{sha}.json",
        f"{base}/",
        f"/media/bundles/{tenant_id}/",
        f"/media/bundles/{theme_id}/{tenant_id}/{sha}.json",
        f"/media/bundles/{tenant_id}/{theme_id}/../{theme_id}/{sha}.json",
        f"/media/bundles/{tenant_id}/{theme_id}/%2e%2e/%2e%2e/%2e%2e/secret.txt",
        f"/media/bundles/{tenant_id}/{theme_id}/..%2f..%2f..%2fsecret.txt",
        "/media/bundles/../secret.txt",
        f"{published}%0A",
        f"{base}/%0A{sha}.json",
        f"{published}%00",
        f"/media/bundles/tnt_{'I' * 22}/{theme_id}/{sha}.json",
        f"/media/bundles/{tenant_id}/{theme_id}/{'0' * 64}.json",  # well-formed, not stored
    ):
        not_found_alike(client.get(path))


def test_bundle_file__document_bytes_not_its_sha256__404_for_document_and_stylesheet(published, bundles_root, client):
    css_url = published.removesuffix(".json") + ".css"
    stored = file_of(bundles_root, published)
    stored.write_bytes(stored.read_bytes().replace(b'"schema"', b'"schemo"'))

    not_found_alike(client.get(published))
    not_found_alike(client.get(css_url))
    not_found_alike(client.get(published, HTTP_IF_NONE_MATCH=f'"{sha256_of(published)}"'))


def test_bundle_file__stylesheet_without_its_document__404(published, bundles_root, client):
    file_of(bundles_root, published).unlink()

    not_found_alike(client.get(published.removesuffix(".json") + ".css"))


def test_bundle_routes__storage_kind__a_route_for_the_filesystem_only(bundles_root, settings):
    assert served_prefix() == "media/"
    assert [route.name for route in bundle_routes()] == ["bundle-file"]
    settings.STORAGES = {**settings.STORAGES, "bundles": {"BACKEND": "storages.backends.s3.S3Storage",
                                                          "OPTIONS": {"bucket_name": "b"}}}
    assert served_prefix(S3Storage(bucket_name="b")) is None
    assert bundle_routes() == []


ORIGIN = "https://www.harbourhouse.example"


def test_bundle_file__cross_origin_get__any_origin_reads_it_and_its_etag_without_credentials(published, client):
    for response in (client.get(published, HTTP_ORIGIN=ORIGIN),
                     client.get(published, HTTP_ORIGIN=ORIGIN, HTTP_IF_NONE_MATCH=f'"{sha256_of(published)}"'),
                     client.get(published.replace(sha256_of(published), "0" * 64), HTTP_ORIGIN=ORIGIN)):
        assert response.status_code in (200, 304, 404)
        assert response["Access-Control-Allow-Origin"] == "*"
        assert "ETag" in response["Access-Control-Expose-Headers"].split(", ")
        assert "Access-Control-Allow-Credentials" not in response


def test_bundle_file__preflight__204_get_and_head_with_if_none_match(published, client):
    response = client.options(published, HTTP_ORIGIN=ORIGIN, HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
                              HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-none-match")

    assert response.status_code == 204 and response.content == b""
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Access-Control-Allow-Methods"] == "GET, HEAD"
    assert "If-None-Match" in response["Access-Control-Allow-Headers"]
    assert int(response["Access-Control-Max-Age"]) > 0
    assert "Access-Control-Allow-Credentials" not in response and "Content-Type" not in response
    assert client.put(published, data=b"{}", content_type="application/json", HTTP_ORIGIN=ORIGIN).status_code == 405
