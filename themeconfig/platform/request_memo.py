"""Values computed once per HTTP request: what a page, its header, tabs and columns ask for again
and again (the people an audit column names, the layout preset registry) without a request object
at hand. Keyed by the request id RequestIdMiddleware sets; outside a request nothing is kept."""
from __future__ import annotations

import contextvars
from collections.abc import Callable
from typing import Any, TypeVar

from themeconfig.platform.logging import request_id_var

T = TypeVar("T")
NO_REQUEST = "-"  # request_id_var's default

_memo: contextvars.ContextVar[tuple[str, dict[str, Any]] | None] = contextvars.ContextVar("request_memo", default=None)


def request_memo() -> dict[str, Any] | None:
    """This request's memo (a dict to keep values in), or None outside a request."""
    request_id = request_id_var.get()
    if request_id == NO_REQUEST:
        return None
    current = _memo.get()
    if current is None or current[0] != request_id:
        current = (request_id, {})
        _memo.set(current)
    return current[1]


def once_per_request(key: str, compute: Callable[[], T]) -> T:
    """`compute()`'s value, computed at most once per request under `key` (every call outside a request)."""
    memo = request_memo()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    value: T = memo[key]
    return value
