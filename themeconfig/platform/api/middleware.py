"""Refuses API requests no view could honour, as problem+json, before any view or query runs."""
from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

from themeconfig.platform.api.exceptions import problem_response
from themeconfig.platform.api.paths import is_api_path
from themeconfig.platform.errors import CoreErrorCode, DomainError


class ApiRequestGuardMiddleware:
    """A NUL character in an /api/ path or query parameter is a 400, whatever the view.

    PostgreSQL text cannot hold NUL, so such a value can never match or be stored; handed on,
    it reaches the database as an error (a 500) wherever a view forgets to check it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if is_api_path(request.path_info) and _has_nul(request):
            return problem_response(
                DomainError(
                    CoreErrorCode.MALFORMED_REQUEST,
                    "The request contains a NUL character, which no parameter accepts.",
                    http_status=400,
                ),
                instance=request.path,
            )
        return self.get_response(request)


def _has_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path_info:
        return True
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists())
