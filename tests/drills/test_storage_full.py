"""Fault drill: the bundle storage's disk fills up under a real publishing worker, then space is freed.

A real `celery worker` writes bundles to a 64 KiB tmpfs (STORAGES["bundles"] through
BUNDLE_STORAGE_OPTIONS). With the disk full, a publish fails at once with STORAGE_FULL, shown by
the API's job and on the admin Publish page, and nothing is left under the bundle's keys (before
writes were atomic, a 0-byte stylesheet stayed there and poisoned every later publish). Freed, the
same draft publishes and its stored bytes are the bundle's. A corrupt object already under a key
(what the old code left behind) is replaced. Two tenants: the other never sees the first's job.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import time

import pytest
from django.test import Client

from publishing.bundles.build import build_bundle, bundle_inputs
from publishing.bundles.storage import bundle_keys
from publishing.errors import PublishingErrorCode
from publishing.models import ThemePublication
from tests.celery_worker import celery_worker
from tests.e2e.test_publishing import previewable_version
from tests.factories.admin_staff import make_staff, sign_in
from tests.factories.tenancy import ApiClientFactory
from tests.tmpfs import files_under, fill, mounted_tmpfs
from themeconfig import services
from themeconfig.admin.workspace import page_url
from themeconfig.platform.tenant_context import tenant_context

pytestmark = [pytest.mark.usefixtures("committed_db"), pytest.mark.slow]


@pytest.fixture(scope="module")
def disk_root(tmp_path_factory):
    with mounted_tmpfs(tmp_path_factory.mktemp("drill") / "bundles", size="64k") as root:
        yield root


@pytest.fixture(scope="module")
def worker(disk_root, django_db_setup):
    """One worker for the module, storing bundles on the tmpfs."""
    options = json.dumps({"location": str(disk_root), "base_url": "/media/"})
    with celery_worker(django_db_setup, name="storage-drill", env={"BUNDLE_STORAGE_OPTIONS": options}) as running:
        yield running


@pytest.fixture
def disk(disk_root, settings):
    """The 64 KiB tmpfs as STORAGES["bundles"] here too, emptied after the test."""
    settings.STORAGES = {**settings.STORAGES, "bundles": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(disk_root), "base_url": "/media/"}}}
    yield disk_root
    for entry in disk_root.iterdir():
        shutil.rmtree(entry) if entry.is_dir() else entry.unlink()


class Tenant:
    """A tenant with an owner signed in to admin and an admin API key, and a theme with a draft."""

    def __init__(self, name: str):
        self.staff = make_staff(name, username=f"{name.lower()}_{{role}}")
        self.id = self.staff.tenant.id
        with tenant_context(self.id):
            self.auth = {"HTTP_AUTHORIZATION": f"Bearer {ApiClientFactory(role='admin').secret}"}
        owner = self.staff.principals["owner"]
        self.theme = services.theme_create(principal=owner, name=f"{name} lake")
        self.version = previewable_version(owner, self.theme.pk, title=f"{name} rooms")
        self.admin = Client()
        sign_in(self.admin, self.staff, "owner")

    def bundle(self):
        with tenant_context(self.id):
            return build_bundle(**bundle_inputs(self.version.pk))

    def keys(self) -> tuple[str, str]:
        return bundle_keys(self.id, self.theme.pk, self.bundle().sha256)


def call(client: Client, method: str, path: str, auth: dict, body: dict | None = None):
    response = getattr(client, method)(path, json.dumps(body) if body is not None else None,
                                       content_type="application/json", **auth)
    assert response.status_code < 500, (method, path, response.status_code, response.content[:500])
    return response


def publish(tenant: Tenant, *, theme_version: int, worker, timeout: float = 30) -> dict:
    """Asks for the publish through the API and polls the job until it ends."""
    client = Client()
    asked = call(client, "post", f"/api/v1/versions/{tenant.version.pk}/publish/", tenant.auth,
                 {"version": theme_version})
    assert asked.status_code == 202, asked.content
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = call(client, "get", f"/api/v1/publish-jobs/{asked.json()['id']}/", tenant.auth).json()
        if job["status"] in ("succeeded", "failed"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job did not end: {job}\n{worker.log()[-3000:]}")


def stored(disk, key: str) -> bytes:
    return (disk / key).read_bytes()


def test_storage_full__publish_then_space_freed__storage_full_shown_then_the_same_draft_publishes(disk, worker):
    lake, other = Tenant("Lake"), Tenant("Hill")
    json_key, css_key = lake.keys()
    (disk / json_key).parent.mkdir(parents=True)
    filler = fill(disk)

    failed = publish(lake, theme_version=1, worker=worker)

    assert (failed["status"], failed["error_code"]) == ("failed", PublishingErrorCode.STORAGE_FULL), failed
    assert files_under(disk) == {}  # no 0-byte or partial object under the keys, no temporary file
    publish_page = page_url("admin", "version", "publish", lake.version.pk)
    page = lake.admin.get(f"{publish_page}?job={failed['id']}")
    assert page.status_code == 200 and PublishingErrorCode.STORAGE_FULL in page.content.decode()
    polled = lake.admin.get(f"{publish_page}?job={failed['id']}&format=json").json()["job"]
    assert polled["error_code"] == PublishingErrorCode.STORAGE_FULL
    # The other tenant sees neither the job nor the page.
    assert call(Client(), "get", f"/api/v1/publish-jobs/{failed['id']}/", other.auth).status_code == 404
    assert other.admin.get(f"{publish_page}?job={failed['id']}").status_code in (302, 403, 404)

    filler.unlink()
    done = publish(lake, theme_version=1, worker=worker)

    assert done["status"] == "succeeded", done
    bundle = lake.bundle()
    assert hashlib.sha256(stored(disk, json_key)).hexdigest() == bundle.sha256 == done["bundle_sha256"]
    assert stored(disk, css_key) == bundle.css_bytes
    assert sorted(files_under(disk)) == sorted([json_key, css_key])
    with tenant_context(lake.id):
        assert ThemePublication.objects.get(theme_id=lake.theme.pk, is_active=True).bundle_sha256 == bundle.sha256


def test_storage_full__corrupt_objects_already_under_the_keys__replaced_and_published(disk, worker):
    lake = Tenant("Lake")
    json_key, css_key = lake.keys()
    (disk / css_key).parent.mkdir(parents=True)
    (disk / css_key).write_bytes(b"")  # what a full disk left before writes were atomic
    (disk / json_key).write_bytes(b'{"truncated":')

    done = publish(lake, theme_version=1, worker=worker)

    assert done["status"] == "succeeded", done
    bundle = lake.bundle()
    assert stored(disk, json_key) == bundle.json_bytes and stored(disk, css_key) == bundle.css_bytes
    assert sorted(files_under(disk)) == sorted([json_key, css_key])
