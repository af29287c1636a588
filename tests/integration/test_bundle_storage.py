"""Bundle storage: content-addressed keys, written atomically once, a wrong object replaced, a full or
read-only disk a coded error that leaves nothing under the key; filesystem (a real tmpfs) and S3 (moto)."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from moto import mock_aws
from storages.backends.s3 import S3Storage

from publishing.bundles.build import build_bundle, bundle_inputs
from publishing.bundles.storage import BundleStorageError, bundle_keys, bundle_storage, upload_bundle
from publishing.errors import PublishingErrorCode
from tests.conftest import ROOT
from tests.tmpfs import files_under, fill, mounted_tmpfs
from tests.unit.themeconfig.validators import samples
from themeconfig import services
from themeconfig.models import Theme, ThemeVersion
from themeconfig.platform.ids import new_id
from themeconfig.platform.principal import Principal
from themeconfig.platform.tenant_context import tenant_context

BUCKET = "theme-config-bundles-test"


def pure_bundle(*, locales=("en",), primary="#0b5fff"):
    """A real bundle built from unsaved rows (the builder reads no database)."""
    theme = Theme(id=new_id("thm"), tenant_id=new_id("tnt"), default_locale="en", enabled_locales=list(locales),
                  fallback_chain=["en"])
    tokens = samples.valid_tokens()
    tokens["color"]["primary"] = primary
    version = ThemeVersion(id=new_id("thv"), tenant_id=theme.tenant_id, theme=theme, ordinal=1, tokens=tokens,
                           layout_selections={})
    bundle = build_bundle(version=version, theme=theme, content_blocks=[], navigation_configs=[], booking_flow=None,
                          email_theme=None, locale_packs=[], presets={})
    return bundle, theme.tenant_id, theme.pk


@pytest.fixture
def bundles_dir(tmp_path, settings):
    """STORAGES["bundles"] as the base settings make it, rooted in a temporary directory."""
    root = tmp_path / "bundles"
    settings.STORAGES = {**settings.STORAGES, "bundles": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(root), "base_url": "/media/bundles/"},
    }}
    return root


def read(path) -> bytes:
    return path.read_bytes()


# --- keys -----------------------------------------------------------------------------------------

def test_bundle_keys__tenant_theme_and_sha256__json_and_css_side_by_side():
    assert bundle_keys("tnt_A", "thm_B", "ab12") == ("bundles/tnt_A/thm_B/ab12.json", "bundles/tnt_A/thm_B/ab12.css")


@pytest.mark.slow
def test_settings__bundle_storage_env__backend_and_json_options(tmp_path):
    script = ("import django, json; django.setup(); from django.conf import settings; "
              "print(json.dumps(settings.STORAGES['bundles']))")

    def storages_with(**env):
        base = {k: v for k, v in os.environ.items() if not k.startswith("BUNDLE_STORAGE_")}
        result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                                env={**base, "DJANGO_SETTINGS_MODULE": "config.settings.test",
                                     "MEDIA_ROOT": str(tmp_path), **env})
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout.strip().splitlines()[-1])

    # Under MEDIA_ROOT, so a key bundles/{tenant}/{theme}/{sha}.json is served as /media/bundles/…
    assert storages_with() == {"BACKEND": "django.core.files.storage.FileSystemStorage",
                               "OPTIONS": {"location": str(tmp_path), "base_url": "/media/"}}
    options = {"bucket_name": "b", "querystring_auth": False, "object_parameters": {"CacheControl": "immutable"}}
    assert storages_with(BUNDLE_STORAGE_BACKEND="storages.backends.s3.S3Storage",
                         BUNDLE_STORAGE_OPTIONS=json.dumps(options)) == {
        "BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}
    assert storages_with(BUNDLE_STORAGE_BACKEND="storages.backends.gcloud.GoogleCloudStorage")["OPTIONS"] == {}


# --- the filesystem (the default) -----------------------------------------------------------------

@pytest.mark.django_db
def test_upload_bundle__version_built_from_rows__both_objects_under_their_keys(bundles_dir, tenant_factory):
    tenant = tenant_factory()
    operator = Principal.operator("t", tenant_id=tenant.id)
    theme = services.theme_create(principal=operator, name="Lake", default_locale="en", enabled_locales=["en", "ar"],
                                  fallback_chain=["en"])
    version = services.version_create(principal=operator, theme_id=theme.pk)
    services.locale_pack_put(principal=operator, version_id=version.pk, locale="en",
                             entries=samples.valid_default_entries())
    with tenant_context(tenant.id):
        bundle = build_bundle(**bundle_inputs(version.pk))

    result = upload_bundle(bundle, tenant_id=tenant.id, theme_id=theme.pk)

    key = f"bundles/{tenant.id}/{theme.pk}/{bundle.sha256}"
    assert read(bundles_dir / f"{key}.json") == bundle.json_bytes
    assert read(bundles_dir / f"{key}.css") == bundle.css_bytes
    assert (result.json_url, result.css_url, result.skipped) == (
        f"/media/bundles/{key}.json", f"/media/bundles/{key}.css", False)
    assert sorted(p.name for p in (bundles_dir / "bundles" / tenant.id / theme.pk).iterdir()) == [
        f"{bundle.sha256}.css", f"{bundle.sha256}.json"]


def test_upload_bundle__same_bundle_again__skipped_and_nothing_rewritten(bundles_dir):
    bundle, tenant_id, theme_id = pure_bundle()
    first = upload_bundle(bundle, tenant_id=tenant_id, theme_id=theme_id)
    json_path = bundles_dir / bundle_keys(tenant_id, theme_id, bundle.sha256)[0]
    os.utime(json_path, (1_000_000_000, 1_000_000_000))

    again = upload_bundle(bundle, tenant_id=tenant_id, theme_id=theme_id)

    assert again.skipped and not first.skipped
    assert (again.json_url, again.css_url) == (first.json_url, first.css_url)
    assert json_path.stat().st_mtime == 1_000_000_000  # not rewritten
    assert len(list(json_path.parent.iterdir())) == 2


def test_upload_bundle__another_bundle_of_the_theme__stored_beside_the_first(bundles_dir):
    bundle, tenant_id, theme_id = pure_bundle()
    other, _, _ = pure_bundle(primary="#222222")
    upload_bundle(bundle, tenant_id=tenant_id, theme_id=theme_id)
    upload_bundle(other, tenant_id=tenant_id, theme_id=theme_id)
    folder = bundles_dir / "bundles" / tenant_id / theme_id
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        f"{b.sha256}.{ext}" for b in (bundle, other) for ext in ("json", "css"))


@pytest.mark.parametrize("which", [0, 1], ids=["json", "css"])
def test_upload_bundle__existing_object_tampered__replaced_with_the_bundles_bytes(bundles_dir, which):
    bundle, tenant_id, theme_id = pure_bundle()
    upload_bundle(bundle, tenant_id=tenant_id, theme_id=theme_id)
    path = bundles_dir / bundle_keys(tenant_id, theme_id, bundle.sha256)[which]
    path.write_bytes(path.read_bytes().replace(b"#0b5fff", b"#ff0000"))

    assert upload_bundle(bundle, tenant_id=tenant_id, theme_id=theme_id).skipped is False

    assert path.read_bytes() == (bundle.json_bytes, bundle.css_bytes)[which]
    assert sorted(files_under(bundles_dir)) == sorted(bundle_keys(tenant_id, theme_id, bundle.sha256))


def test_upload_bundle__empty_file_left_under_the_key__replaced(bundles_dir):
    """What a full disk left behind before writes were atomic: a 0-byte stylesheet under its key."""
    bundle, tenant_id, theme_id = pure_bundle()
    json_key, css_key = bundle_keys(tenant_id, theme_id, bundle.sha256)
    (bundles_dir / css_key).parent.mkdir(parents=True)
    (bundles_dir / css_key).write_bytes(b"")

    upload_bundle(bundle, tenant_id=tenant_id, theme_id=theme_id)

    assert (bundles_dir / css_key).read_bytes() == bundle.css_bytes
    assert (bundles_dir / json_key).read_bytes() == bundle.json_bytes


# --- a disk that is full or read-only (a real tmpfs) ----------------------------------------------

@pytest.fixture
def small_disk(tmp_path, settings):
    """STORAGES["bundles"] on a 64 KiB tmpfs."""
    with mounted_tmpfs(tmp_path / "disk", size="64k") as root:
        settings.STORAGES = {**settings.STORAGES, "bundles": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root), "base_url": "/media/"}}}
        yield root


def test_upload_bundle__disk_full__storage_full_and_nothing_under_the_keys(small_disk):
    bundle, tenant_id, theme_id = pure_bundle()
    (small_disk / "bundles" / tenant_id / theme_id).mkdir(parents=True)
    filler = fill(small_disk)

    for _ in range(2):  # a retry meets the same full disk, and the same answer
        with pytest.raises(BundleStorageError) as info:
            upload_bundle(bundle, tenant_id=tenant_id, theme_id=theme_id)
        assert info.value.code == PublishingErrorCode.STORAGE_FULL
        assert files_under(small_disk) == {}  # no 0-byte or partial object, no temporary file

    filler.unlink()
    assert upload_bundle(bundle, tenant_id=tenant_id, theme_id=theme_id).skipped is False
    json_key, css_key = bundle_keys(tenant_id, theme_id, bundle.sha256)
    assert (small_disk / json_key).read_bytes() == bundle.json_bytes
    assert (small_disk / css_key).read_bytes() == bundle.css_bytes
    assert sorted(files_under(small_disk)) == sorted([json_key, css_key])


def test_upload_bundle__room_for_the_stylesheet_only__storage_full_and_no_document(small_disk):
    bundle, tenant_id, theme_id = pure_bundle()
    json_key, css_key = bundle_keys(tenant_id, theme_id, bundle.sha256)
    (small_disk / "bundles" / tenant_id / theme_id).mkdir(parents=True)
    filler = fill(small_disk)
    filler.write_bytes(b"\0" * (filler.stat().st_size - 4096))  # one page free: the stylesheet fits

    with pytest.raises(BundleStorageError) as info:
        upload_bundle(bundle, tenant_id=tenant_id, theme_id=theme_id)

    assert info.value.code == PublishingErrorCode.STORAGE_FULL and info.value.key == json_key
    assert files_under(small_disk) == {css_key: len(bundle.css_bytes)}


def test_upload_bundle__read_only_disk__storage_unavailable(tmp_path):
    bundle, tenant_id, theme_id = pure_bundle()
    with mounted_tmpfs(tmp_path / "disk", size="64k", read_only=True) as root:
        storage = FileSystemStorage(location=str(root), base_url="/media/")
        with pytest.raises(BundleStorageError) as info:
            upload_bundle(bundle, tenant_id=tenant_id, theme_id=theme_id, storage=storage)
        assert info.value.code == PublishingErrorCode.STORAGE_UNAVAILABLE
        assert str(root) not in info.value.message  # no server path in what tenant staff are shown
        assert files_under(root) == {}


def test_upload_bundle__stylesheet_lost__written_again_and_not_skipped(bundles_dir):
    bundle, tenant_id, theme_id = pure_bundle()
    upload_bundle(bundle, tenant_id=tenant_id, theme_id=theme_id)
    css_path = bundles_dir / bundle_keys(tenant_id, theme_id, bundle.sha256)[1]
    css_path.unlink()

    assert upload_bundle(bundle, tenant_id=tenant_id, theme_id=theme_id).skipped is False
    assert css_path.read_bytes() == bundle.css_bytes


def test_upload_bundle__lost_race_to_another_upload__one_object_per_key_with_the_bundles_bytes(tmp_path):
    class RacingStorage(FileSystemStorage):
        """The first exists() of each key answers as it did just before another worker saved it."""

        asked: set = set()

        def exists(self, name):
            if name not in self.asked:
                self.asked.add(name)
                return False
            return super().exists(name)

    storage = RacingStorage(location=str(tmp_path), base_url="/b/")
    bundle, tenant_id, theme_id = pure_bundle()
    json_key, css_key = bundle_keys(tenant_id, theme_id, bundle.sha256)
    FileSystemStorage(location=str(tmp_path)).save(json_key, ContentFile(bundle.json_bytes))
    FileSystemStorage(location=str(tmp_path)).save(css_key, ContentFile(bundle.css_bytes))

    upload_bundle(bundle, tenant_id=tenant_id, theme_id=theme_id, storage=storage)

    # The rename put the same bytes over theirs: no second name, nothing half-written.
    assert files_under(tmp_path) == {json_key: len(bundle.json_bytes), css_key: len(bundle.css_bytes)}
    assert (tmp_path / json_key).read_bytes() == bundle.json_bytes


def test_upload_bundle__no_bundles_storage_configured__default_storage(tmp_path, settings):
    settings.STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": str(tmp_path), "base_url": "/media/"}},
        "staticfiles": settings.STORAGES["staticfiles"],
    }
    assert bundle_storage() is default_storage
    bundle, tenant_id, theme_id = pure_bundle()
    result = upload_bundle(bundle, tenant_id=tenant_id, theme_id=theme_id)
    json_key, _ = bundle_keys(tenant_id, theme_id, bundle.sha256)
    assert (tmp_path / json_key).read_bytes() == bundle.json_bytes
    assert result.json_url == f"/media/{json_key}"


# --- S3 through django-storages (moto stands in for AWS) ------------------------------------------

@pytest.fixture
def s3(monkeypatch):
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        yield client


S3_OPTIONS = {"bucket_name": BUCKET, "region_name": "us-east-1", "querystring_auth": False,
              "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"}}


def test_upload_bundle__s3_storage__objects_written_once_with_their_types(s3):
    storage = S3Storage(**S3_OPTIONS)
    bundle, tenant_id, theme_id = pure_bundle(locales=("en", "he"))
    json_key, css_key = bundle_keys(tenant_id, theme_id, bundle.sha256)

    first = upload_bundle(bundle, tenant_id=tenant_id, theme_id=theme_id, storage=storage)

    stored_json = s3.get_object(Bucket=BUCKET, Key=json_key)
    stored_css = s3.get_object(Bucket=BUCKET, Key=css_key)
    assert stored_json["Body"].read() == bundle.json_bytes and stored_json["ContentType"] == "application/json"
    assert stored_css["Body"].read() == bundle.css_bytes and stored_css["ContentType"] == "text/css"
    assert stored_json["CacheControl"] == "public, max-age=31536000, immutable"
    assert first.json_url == f"https://{BUCKET}.s3.amazonaws.com/{json_key}" and not first.skipped
    assert first.css_url.endswith(f"/{css_key}")
    etag = stored_json["ETag"]

    again = upload_bundle(bundle, tenant_id=tenant_id, theme_id=theme_id, storage=storage)

    assert again.skipped and again.json_url == first.json_url
    assert s3.head_object(Bucket=BUCKET, Key=json_key)["ETag"] == etag
    assert s3.list_objects_v2(Bucket=BUCKET)["KeyCount"] == 2


def test_upload_bundle__s3_object_tampered__replaced(s3):
    storage = S3Storage(**S3_OPTIONS)
    bundle, tenant_id, theme_id = pure_bundle()
    json_key, _ = bundle_keys(tenant_id, theme_id, bundle.sha256)
    s3.put_object(Bucket=BUCKET, Key=json_key, Body=b'{"not":"this bundle"}')

    upload_bundle(bundle, tenant_id=tenant_id, theme_id=theme_id, storage=storage)

    assert s3.get_object(Bucket=BUCKET, Key=json_key)["Body"].read() == bundle.json_bytes


def test_upload_bundle__s3_never_overwriting_and_object_tampered__replaced(s3):
    storage = S3Storage(**S3_OPTIONS, file_overwrite=False)
    bundle, tenant_id, theme_id = pure_bundle()
    json_key, _ = bundle_keys(tenant_id, theme_id, bundle.sha256)
    s3.put_object(Bucket=BUCKET, Key=json_key, Body=b"")

    upload_bundle(bundle, tenant_id=tenant_id, theme_id=theme_id, storage=storage)

    assert s3.get_object(Bucket=BUCKET, Key=json_key)["Body"].read() == bundle.json_bytes
    assert s3.list_objects_v2(Bucket=BUCKET)["KeyCount"] == 2


def test_upload_bundle__s3_bucket_missing__storage_unavailable(s3):
    storage = S3Storage(**{**S3_OPTIONS, "bucket_name": "no-such-bucket"})
    bundle, tenant_id, theme_id = pure_bundle()
    with pytest.raises(BundleStorageError) as info:
        upload_bundle(bundle, tenant_id=tenant_id, theme_id=theme_id, storage=storage)
    assert info.value.code == PublishingErrorCode.STORAGE_UNAVAILABLE


def test_upload_bundle__s3_configured_in_storages__used_without_being_passed(s3, settings):
    settings.STORAGES = {**settings.STORAGES,
                         "bundles": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": S3_OPTIONS}}
    assert isinstance(bundle_storage(), S3Storage)
    bundle, tenant_id, theme_id = pure_bundle()
    upload_bundle(bundle, tenant_id=tenant_id, theme_id=theme_id)
    json_key, css_key = bundle_keys(tenant_id, theme_id, bundle.sha256)
    assert sorted(o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]) == sorted([css_key, json_key])
