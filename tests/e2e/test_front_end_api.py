"""What a front-end developer does, against the app served by gunicorn from another process (as deployed):
follow resolve/'s bundle_url to the bundle's exact bytes."""
from __future__ import annotations

import hashlib
import json
import os
import urllib.request
from contextlib import contextmanager

import pytest
from django.core.management import call_command

from publishing.management.commands.seed_demo import DEMO_HOST
from tests.e2e.browser.app_server import start as start_app_server

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("committed_db")]


@contextmanager
def environment(**values):
    previous = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@pytest.fixture(scope="module")
def media_root(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="module")
def app_served(django_db_setup, media_root, tmp_path_factory):
    """gunicorn on the test database, its bundle storage the filesystem under `media_root` (defaults otherwise)."""
    with environment(MEDIA_ROOT=str(media_root)):
        server = start_app_server(django_db_setup, tmp_path_factory.mktemp("front-end-server"), workers=1)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def demo(settings, media_root):
    """seed_demo's tenant, published into the storage the server reads."""
    settings.STORAGES = {**settings.STORAGES, "bundles": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(media_root), "base_url": settings.BUNDLE_BASE_URL},
    }}
    call_command("seed_demo", force=True, stdout=open(os.devnull, "w"))  # noqa: SIM115


def fetch(url: str, **headers) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_live_bundle_url__resolved_on_the_served_app__exact_bytes_of_its_sha256(app_served, demo):
    status, _, body = fetch(f"{app_served.url}/api/v1/resolve/?host={DEMO_HOST}")
    assert status == 200, body
    bundle_url = json.loads(body)["bundle_url"]
    sha256 = bundle_url.rsplit("/", 1)[1].removesuffix(".json")

    status, headers, document = fetch(app_served.url + bundle_url)

    assert status == 200, (document, app_served.log_errors())
    assert hashlib.sha256(document).hexdigest() == sha256
    assert json.loads(document)["schema"] == "theme-config.bundle.v1"
    assert headers["Content-Type"] == "application/json"
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert headers["ETag"] == f'"{sha256}"'
    assert fetch(app_served.url + bundle_url, **{"If-None-Match": f'"{sha256}"'})[0] == 304
    status, headers, css = fetch(app_served.url + bundle_url.removesuffix(".json") + ".css")
    assert status == 200 and css.startswith(b":root{") and headers["Content-Type"] == "text/css; charset=utf-8"
