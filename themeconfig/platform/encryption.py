"""Secrets and personal data at rest: a rotatable Fernet key ring, an encrypted text field, keyed hashes.

Keys come from FIELD_ENCRYPTION_KEYS (comma-separated Fernet keys, newest first). The newest key
encrypts; every key decrypts, so a new key is added in front, `manage.py rotate_encryption_keys`
re-encrypts every value with it, and only then is the old key removed (README, *Encryption keys*).

A value that must be found by equality (an invitation by e-mail) keeps an HMAC-SHA256 beside its
ciphertext, keyed by a key derived from the newest Fernet key. Look-ups match the hash under every
key of the ring (`lookup_hashes`), so rows that rotation has not reached yet are still found.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core import checks
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.signals import setting_changed
from django.db import models
from django.dispatch import receiver

from themeconfig.platform.errors import CoreErrorCode, DomainError

if TYPE_CHECKING:  # django-stubs' fields are generic (set type, get type); Django's are not
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.expressions import Expression
    from django.db.models.lookups import Lookup

    _TextField = models.TextField[str, str]
else:
    _TextField = models.TextField

_HASH_CONTEXT = b"theme-config field lookup hash\x00"


class EncryptionKeyError(RuntimeError):
    """A stored value cannot be decrypted with any key of FIELD_ENCRYPTION_KEYS (a key was removed
    before `rotate_encryption_keys` finished, or the wrong keys are configured). Not a DomainError:
    no use case refuses anything, the deployment is wrong; handler500 answers 503 for the pages that
    need such a value (problem+json `as_problem()` on the API), and everything else keeps working."""

    def as_problem(self) -> DomainError:
        return DomainError(CoreErrorCode.ENCRYPTION_KEY_UNAVAILABLE, str(self), http_status=503)


@lru_cache(maxsize=1)
def _ring() -> tuple[MultiFernet, tuple[Fernet, ...], tuple[bytes, ...]]:
    keys = [key.strip() for key in settings.FIELD_ENCRYPTION_KEYS if key.strip()]
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty: set one or more Fernet keys (newest first)")
    try:
        fernets = tuple(Fernet(key) for key in keys)
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS holds a value that is not a Fernet key (urlsafe base64 of 32 bytes)") from exc
    hash_keys = tuple(hashlib.sha256(_HASH_CONTEXT + base64.urlsafe_b64decode(key)).digest() for key in keys)
    return MultiFernet(fernets), fernets, hash_keys


@receiver(setting_changed)
def _forget_ring(*, setting: str, **kwargs: Any) -> None:
    if setting == "FIELD_ENCRYPTION_KEYS":
        _ring.cache_clear()


def keys_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """System check (runserver, migrate, check): the key ring is usable."""
    try:
        _ring()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="themeconfig.E_ENCRYPTION_KEYS")]
    return []


def encrypt(value: str) -> str:
    return _ring()[0].encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _ring()[0].decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise EncryptionKeyError(
            "a stored secret cannot be decrypted with any key of FIELD_ENCRYPTION_KEYS "
            "(was a key removed before rotate_encryption_keys finished?)") from exc


def is_current(token: str) -> bool:
    """Whether `token` is already encrypted with the newest key (so rotation can skip it)."""
    try:
        _ring()[1][0].decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def rotate(token: str) -> str:
    """`token` re-encrypted with the newest key (EncryptionKeyError if no key of the ring opens it)."""
    try:
        return _ring()[0].rotate(token.encode()).decode()
    except InvalidToken as exc:
        raise EncryptionKeyError("a stored secret cannot be decrypted with any key of FIELD_ENCRYPTION_KEYS") from exc


def _hash(key: bytes, value: str) -> str:
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def lookup_hash(value: str) -> str:
    """The keyed hash stored beside a ciphertext (newest key)."""
    return _hash(_ring()[2][0], value)


def lookup_hashes(value: str) -> list[str]:
    """The value's hash under every key of the ring, for `__in` look-ups during a rotation."""
    return [_hash(key, value) for key in _ring()[2]]


class EncryptedTextField(_TextField):
    """Text stored as a Fernet token of the key ring; reads decrypt, writes encrypt (a new token each time).

    The database can neither compare nor index the clear value: filter on a keyed-hash column instead.
    """

    def get_lookup(self, lookup_name: str) -> type[Lookup[Any]] | None:
        # A filter on the ciphertext would silently match nothing (every write is a new token).
        if lookup_name != "isnull":
            raise FieldError(f"{self.name} is encrypted: filter on its keyed-hash column (lookup_hashes)")
        return super().get_lookup(lookup_name)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)

    def from_db_value(self, value: str | None, expression: Expression, connection: BaseDatabaseWrapper) -> str | None:
        if value is None or value == "":
            return value
        return decrypt(value)
