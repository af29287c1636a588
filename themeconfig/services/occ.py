"""Optimistic concurrency: an UPDATE carries `WHERE version = expected` and bumps `version`."""
from __future__ import annotations

from typing import Any

from django.db.models import F, Model

from themeconfig.errors import ThemeErrorCode
from themeconfig.platform.errors import DomainError, not_found


def version_conflict(what: str, expected: int, current: int) -> DomainError:
    return DomainError(
        ThemeErrorCode.VERSION_CONFLICT,
        f"The {what} changed since version {expected}; it is at version {current}. Reload, reapply, retry.",
        http_status=409, extra={"current_version": current},
    )


def check_expected_version(expected_version: object) -> int:
    if isinstance(expected_version, bool) or not isinstance(expected_version, int) or expected_version < 1:
        raise DomainError(
            ThemeErrorCode.PRECONDITION_REQUIRED,
            "Send the version you edited: an If-Match header with the ETag, or `version` in the body.",
            http_status=428,
        )
    return expected_version


def check_version(*, current: int, expected_version: object, what: str) -> None:
    """For a change made some other way than one UPDATE (a DELETE, say): 428 without, 409 when stale."""
    expected = check_expected_version(expected_version)
    if current != expected:
        raise version_conflict(what, expected, current)


def update_with_version(model: type[Model], *, pk: str, expected_version: int | None, values: dict[str, Any], what: str,
                        **filters: Any) -> int:
    """Applies `values` if the row is still at `expected_version`; returns the new version.

    404 when the row is gone (or filtered out), 409 with the current version when it moved on.
    """
    expected_version = check_expected_version(expected_version)
    # The default manager: generic over every versioned model (each one's `objects`).
    updated = model._default_manager.filter(pk=pk, version=expected_version, **filters).update(
        **values, version=F("version") + 1
    )
    if updated:
        return expected_version + 1
    current = model._default_manager.filter(pk=pk, **filters).values_list("version", flat=True).first()
    if current is None:
        raise not_found(what)
    raise version_conflict(what, expected_version, current)
