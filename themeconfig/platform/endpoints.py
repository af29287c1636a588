"""How a view tells the middleware what it is: tenant-free (no tenant context) or public (no caller
identity at all, a rate limit per client address). The middleware reads the marks; views, URL confs
and admin sites set them, so none of them imports the middleware.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

_View = TypeVar("_View", bound=Callable[..., Any])


def tenant_free(view: _View) -> _View:
    """Marks a view that must run outside any tenant context (the tenant picker, invitation links)."""
    view.tenant_free = True  # type: ignore[attr-defined]  # a mark on the view function
    return view


def public_endpoint(rate_scope: str) -> Callable[[_View], _View]:
    """Marks a public view (resolve/, the preview paths): no caller identity at all, and a rate limit
    per client address (THROTTLE_RATES[rate_scope]).

    PublicEndpointMiddleware drops the request's `Authorization` and cookies before the session and
    auth middleware see them, and TenantMiddleware builds no principal: whatever credentials come
    along, the answer is the anonymous one (no 401, no session read, so no `Vary: Cookie`).
    """

    def mark(view: _View) -> _View:
        view.tenant_free = True  # type: ignore[attr-defined]  # marks on the view function
        view.public_endpoint = rate_scope  # type: ignore[attr-defined]
        return view

    return mark
