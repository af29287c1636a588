"""Stores a bundle's two objects, immutable, under content-addressed keys through Django `STORAGES`.

Keys are `bundles/{tenant_id}/{theme_id}/{sha256}.json` and `.css`, the sha256 of the JSON
document naming both. An object is written once and never overwritten: when its key exists, the
upload is skipped after checking that the stored bytes are the bundle's (a mismatch means a
corrupt or tampered object, and raises `BundleIntegrityError` rather than publishing it). Because
the key is the content's hash, uploading the same bundle twice, or from two workers at once, is
harmless. The backend is `STORAGES["bundles"]` when configured (filesystem by default, S3 or GCS
through django-storages), else `default_storage`.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import InvalidStorageError, Storage, default_storage, storages

from publishing.bundles import Bundle

STORAGE_ALIAS = "bundles"


class BundleIntegrityError(RuntimeError):
    """An object already stored under a bundle's key holds other bytes than the bundle."""

    def __init__(self, key: str, *, expected_sha256: str, actual_sha256: str) -> None:
        super().__init__(f"{key} holds bytes with sha256 {actual_sha256}, not {expected_sha256}: "
                         "a corrupt object, left as it is for inspection")
        self.key = key
        self.expected_sha256 = expected_sha256
        self.actual_sha256 = actual_sha256


@dataclass(frozen=True)
class UploadResult:
    """Where the two objects are; `skipped` when both were already there (nothing written)."""

    json_url: str
    css_url: str
    skipped: bool


def bundle_keys(tenant_id: str, theme_id: str, sha256: str) -> tuple[str, str]:
    """(json_key, css_key) of the bundle whose JSON document has this sha256."""
    prefix = f"bundles/{tenant_id}/{theme_id}/{sha256}"
    return f"{prefix}.json", f"{prefix}.css"


def bundle_storage() -> Storage:
    """`STORAGES["bundles"]` if the settings have it, else the default storage."""
    try:
        return storages[STORAGE_ALIAS]
    except InvalidStorageError:
        return default_storage


def upload_bundle(bundle: Bundle, *, tenant_id: str, theme_id: str, storage: Storage | None = None) -> UploadResult:
    """Writes whichever of the bundle's objects is missing; the stylesheet first, so that once the
    document exists everything it needs does too."""
    storage = storage if storage is not None else bundle_storage()
    json_key, css_key = bundle_keys(tenant_id, theme_id, bundle.sha256)
    css_written = _put_once(storage, css_key, bundle.css_bytes, bundle.css_sha256)
    json_written = _put_once(storage, json_key, bundle.json_bytes, bundle.sha256)
    return UploadResult(
        json_url=storage.url(json_key), css_url=storage.url(css_key), skipped=not (css_written or json_written)
    )


def _put_once(storage: Storage, key: str, data: bytes, sha256: str) -> bool:
    """True if this call wrote `key`; False if it already held exactly `data`."""
    if storage.exists(key):
        _verify(storage, key, sha256)
        return False
    saved_as = storage.save(key, ContentFile(data))
    if saved_as != key:
        # Another upload wrote the key between our check and our save, and a storage that never
        # overwrites (the filesystem) saved ours under a fresh name: drop ours, check theirs.
        storage.delete(saved_as)
        _verify(storage, key, sha256)
        return False
    return True


def _verify(storage: Storage, key: str, sha256: str) -> None:
    digest = hashlib.sha256()
    with storage.open(key, "rb") as stored:
        for chunk in stored.chunks():
            digest.update(chunk)
    if digest.hexdigest() != sha256:
        raise BundleIntegrityError(key, expected_sha256=sha256, actual_sha256=digest.hexdigest())
