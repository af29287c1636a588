"""Stores a bundle's two objects, immutable, under content-addressed keys through Django `STORAGES`.

Keys are `bundles/{tenant_id}/{theme_id}/{sha256}.json` and `.css`, the sha256 of the JSON
document naming both. An object whose key already holds exactly its bytes is left as it is (the
upload is skipped); a key holding other bytes (a write cut short before this module wrote
atomically, a tampered object) is replaced, since the key names the content and nothing else can
belong there. Because the key is the content's hash, uploading the same bundle twice, or from two
workers at once, is harmless. The backend is `STORAGES["bundles"]` when configured (filesystem by
default, S3 or GCS through django-storages), else `default_storage`.

Every write is atomic, so a failure leaves nothing under the final key: on the filesystem the
bytes go to a hidden temporary file beside the key, are flushed to disk and renamed over it; S3
and GCS make an object visible only once it is complete. A storage that refuses the write raises
`BundleStorageError` with a code the publish job keeps: `STORAGE_FULL` (no space or quota left:
free some, then publish again) or `STORAGE_UNAVAILABLE` (read-only, unreachable, refusing access).
"""
from __future__ import annotations

import errno
import hashlib
import logging
import os
import tempfile
from contextlib import suppress
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import InvalidStorageError, Storage, default_storage, storages

from publishing.bundles.build import Bundle
from publishing.errors import PublishingErrorCode
from themeconfig.platform.errors import DomainError

logger = logging.getLogger(__name__)
STORAGE_ALIAS = "bundles"
# What a filesystem (or a network one) says when the bytes do not fit: space, quota, file size.
_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


class BundleStorageError(DomainError):
    """The bundle storage refused a write or a read; `code` says whether it is full or unavailable."""

    def __init__(self, code: PublishingErrorCode, message: str, *, key: str) -> None:
        super().__init__(code, message, http_status=503, extra={"key": key})
        self.key = key


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
    """Writes whichever of the bundle's objects is missing or wrong; the stylesheet first, so that
    once the document exists everything it needs does too. Raises BundleStorageError."""
    storage = storage if storage is not None else bundle_storage()
    json_key, css_key = bundle_keys(tenant_id, theme_id, bundle.sha256)
    css_written = _put(storage, css_key, bundle.css_bytes, bundle.css_sha256)
    json_written = _put(storage, json_key, bundle.json_bytes, bundle.sha256)
    return UploadResult(
        json_url=storage.url(json_key), css_url=storage.url(css_key), skipped=not (css_written or json_written)
    )


def _put(storage: Storage, key: str, data: bytes, sha256: str) -> bool:
    """True if this call wrote `key`; False if it already held exactly `data`."""
    try:
        if storage.exists(key):
            found = _stored_sha256(storage, key)
            if found == sha256:
                return False
            logger.warning("bundle object %s holds bytes with sha256 %s, not %s: replacing it", key, found, sha256)
        local_path = _local_path(storage, key)
        if local_path is not None:
            _write_file_atomically(local_path, data, storage)
        else:
            _save_object(storage, key, data, sha256)
        return True
    except BundleStorageError:
        raise
    except OSError as error:
        raise _refused(key, error) from error
    except Exception as error:  # noqa: BLE001 - a remote backend's own errors (botocore, google-cloud)
        logger.exception("bundle storage failed on %s", key)
        raise _refused(key, error) from error


def _refused(key: str, error: Exception) -> BundleStorageError:
    # The OS's words only (strerror), never str(error): that names paths on the server.
    reason = error.strerror if isinstance(error, OSError) and error.strerror else type(error).__name__
    if isinstance(error, OSError) and error.errno in _FULL_ERRNOS:
        return BundleStorageError(
            PublishingErrorCode.STORAGE_FULL,
            f"The bundle storage is full ({reason}) while writing {key}: free space there, then publish again.",
            key=key)
    return BundleStorageError(
        PublishingErrorCode.STORAGE_UNAVAILABLE,
        f"The bundle storage refused {key} ({reason}): make it writable and reachable, then publish again.",
        key=key)


def _local_path(storage: Storage, key: str) -> str | None:
    """The file behind `key` when the storage is a local filesystem; None for remote object stores."""
    try:
        return storage.path(key)
    except NotImplementedError:
        return None


def _write_file_atomically(path: str, data: bytes, storage: Storage) -> None:
    """A hidden temporary file in the key's directory, flushed to disk, then renamed over the key:
    readers see the old object or the whole new one, and a failure (a full disk) leaves only the
    temporary file, which is removed."""
    directory = os.path.dirname(path)
    directory_mode = getattr(storage, "directory_permissions_mode", None)
    os.makedirs(directory, mode=directory_mode if directory_mode is not None else 0o777, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(path)}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        file_mode = getattr(storage, "file_permissions_mode", None)
        os.chmod(temporary, file_mode if file_mode is not None else 0o644)
        os.replace(temporary, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(temporary)
        raise
    # The rename itself survives a power cut once the directory is on disk too.
    directory_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(directory_fd)
    finally:
        os.close(directory_fd)


def _save_object(storage: Storage, key: str, data: bytes, sha256: str) -> None:
    """An object store's PUT is atomic already. A storage that never overwrites (e.g. S3 with
    `file_overwrite` off) saves under a fresh name when the key exists: a wrong object is deleted
    first, and when another upload won the race for the key, its object is checked instead."""
    if not getattr(storage, "file_overwrite", False) and storage.exists(key):
        storage.delete(key)
    saved_as = storage.save(key, ContentFile(data))
    if saved_as != key:
        storage.delete(saved_as)
        found = _stored_sha256(storage, key)
        if found != sha256:
            raise BundleStorageError(
                PublishingErrorCode.STORAGE_UNAVAILABLE,
                f"The bundle storage keeps other bytes under {key} than were written: check the bucket's settings.",
                key=key)


def _stored_sha256(storage: Storage, key: str) -> str:
    digest = hashlib.sha256()
    with storage.open(key, "rb") as stored:
        for chunk in stored.chunks():
            digest.update(chunk)
    return digest.hexdigest()
