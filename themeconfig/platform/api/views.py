"""problem+json for errors under /api/ (unknown routes included, DEBUG or not); Django's pages elsewhere."""
import sys
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils.html import escape
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt

from themeconfig.platform.api.exceptions import problem_response
from themeconfig.platform.api.paths import is_api_path
from themeconfig.platform.database_faults import database_fault, database_fault_error, mark, unavailable_page
from themeconfig.platform.encryption import EncryptionKeyError
from themeconfig.platform.endpoints import tenant_free
from themeconfig.platform.errors import CoreErrorCode, DomainError


def _not_found(request: HttpRequest) -> HttpResponse:
    return problem_response(
        DomainError(CoreErrorCode.NOT_FOUND, "No such resource.", http_status=404), instance=request.path
    )


@tenant_free  # nothing to bind a tenant for
@csrf_exempt  # answers 404 to every method; a CSRF failure page would hide that
def api_route_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """The last route under /api/: what no API route matched, for every method.

    Being a route, it also keeps CommonMiddleware's APPEND_SLASH away from /api/ (a redirect loses
    a POST's body, and with DEBUG on it raises): a missing slash is a 404 that names the route.
    """
    if not request.path_info.endswith("/") and _is_api_route(request.path_info + "/"):
        return problem_response(
            DomainError(
                CoreErrorCode.NOT_FOUND,
                f"No such resource; API paths end in a slash: {request.path}/",
                http_status=404,
            ),
            instance=request.path,
        )
    return _not_found(request)


def _is_api_route(path: str) -> bool:
    try:
        return resolve(path).func is not api_route_not_found
    except Resolver404:
        return False


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_path(request.path):
        return problem_response(
            DomainError(CoreErrorCode.MALFORMED_REQUEST, "The request is malformed.", http_status=400),
            instance=request.path,
        )
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_path(request.path):
        return problem_response(
            DomainError(CoreErrorCode.PERMISSION_DENIED, "You do not have permission to do this.", http_status=403),
            instance=request.path,
        )
    return defaults.permission_denied(request, exception)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api_path(request.path):
        return _not_found(request)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls handler500 inside its `except`: the exception is still at hand. A database that
    # is down or too slow is a 503 to retry, wherever it failed (middleware included), not a 500.
    if fault := database_fault(sys.exc_info()[1]):
        if is_api_path(request.path):
            return mark(problem_response(database_fault_error(fault), instance=request.path), fault)
        return unavailable_page(fault)
    if isinstance(error := sys.exc_info()[1], EncryptionKeyError):  # a key removed too early (README)
        if is_api_path(request.path):
            return problem_response(error.as_problem(), instance=request.path)
        return HttpResponse(
            "<!doctype html><title>Service unavailable</title><h1>Service unavailable</h1>"
            f"<p>{escape(str(error))}</p>", status=503, content_type="text/html; charset=utf-8")
    if is_api_path(request.path):
        return problem_response(
            DomainError(CoreErrorCode.INTERNAL, "An unexpected error occurred.", http_status=500),
            instance=request.path,
        )
    return defaults.server_error(request)
