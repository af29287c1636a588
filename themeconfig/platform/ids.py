"""Prefixed, time-sortable identifiers: `thm_` + 22 Crockford base32 characters.

The 22 characters are 10 for the 48-bit millisecond timestamp (as in a ULID) and 12
random ones (60 bits), so ids sort by creation time. They are not a truncated ULID:
python-ulid is monotonic within a millisecond by incrementing the *end* of its random
part, which truncation would cut off, giving duplicates.
"""
from __future__ import annotations

import re
import secrets
import time
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models
from ulid import ULID

PREFIXES = frozenset(
    {
        "tnt", "prp", "thm", "thv", "thp", "cnb", "nvc", "bfc", "emt", "lpk",
        "lpr", "pvt", "ais", "ait", "aic", "bkt", "apk", "mbr", "inv", "pbj", "whk", "aij", "exj", "pbr",
        "rfl", "rfa", "rol", "sch",
    }
)
ID_LENGTH = 26
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_ID_RE = re.compile(r"^([a-z]{3})_([0-9A-HJKMNP-TV-Z]{22})$")


def new_id(prefix: str) -> str:
    """A new id with `prefix` (one of PREFIXES)."""
    if prefix not in PREFIXES:
        raise ValueError(f"unknown id prefix {prefix!r}")
    return f"{prefix}_{_encode(time.time_ns() // 1_000_000, 10)}{_random_chars(12)}"


def _encode(value: int, length: int) -> str:
    chars = []
    for _ in range(length):
        value, digit = divmod(value, 32)
        chars.append(_CROCKFORD[digit])
    return "".join(reversed(chars))


def _random_chars(length: int) -> str:
    return _encode(secrets.randbits(5 * length), length)


def new_event_id() -> str:
    """A plain 26-character ULID, as outbox `event_id`s are."""
    return str(ULID())


def is_valid_id(value: object, prefix: str | None = None) -> bool:
    """True when `value` is a well-formed id (with `prefix`, when given)."""
    if not isinstance(value, str):
        return False
    match = _ID_RE.match(value)
    if match is None or match.group(1) not in PREFIXES:
        return False
    # The first timestamp character can only be 0-7 (48 bits in 50).
    if match.group(2)[0] not in _CROCKFORD[:8]:
        return False
    return prefix is None or match.group(1) == prefix


def validate_id(value: object, prefix: str | None = None) -> str:
    if not is_valid_id(value, prefix):
        expected = f"{prefix}_" if prefix else "a prefixed id"
        raise ValidationError(
            "%(value)r is not %(expected)s followed by 22 Crockford base32 characters.",
            code="invalid_id",
            params={"value": value, "expected": expected},
        )
    return value  # type: ignore[return-value]


if TYPE_CHECKING:  # django-stubs' fields are generic (set type, get type); Django's are not
    _TextField = models.TextField[str, str]
else:
    _TextField = models.TextField


class PrefixedIdField(_TextField):
    """A `text` id column holding `<prefix>_<22 chars>`; generates one when primary key."""

    def __init__(self, *args: Any, prefix: str, **kwargs: Any) -> None:
        if prefix not in PREFIXES:
            raise ValueError(f"unknown id prefix {prefix!r}")
        self.prefix = prefix
        if kwargs.get("primary_key"):
            kwargs.setdefault("default", _IdFactory(prefix))
            kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["prefix"] = self.prefix
        if isinstance(kwargs.get("default"), _IdFactory):
            del kwargs["default"]
        kwargs.pop("editable", None)
        return name, path, args, kwargs

    def validate(self, value: Any, model_instance: models.Model | None) -> None:
        super().validate(value, model_instance)
        if value is not None:
            validate_id(value, self.prefix)

    def formfield(self, **kwargs: Any) -> Any:  # type: ignore[override]  # the form class comes in kwargs
        from django import forms

        return super().formfield(**{"form_class": forms.CharField, "widget": forms.TextInput, **kwargs})


class _IdFactory:
    """A picklable, comparable default that makes a new id for one prefix."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def __call__(self) -> str:
        return new_id(self.prefix)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _IdFactory) and other.prefix == self.prefix

    def __hash__(self) -> int:
        return hash(self.prefix)
