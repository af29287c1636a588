"""problem+json for 404 and 500 under /api/; Django's pages elsewhere."""
from django.views import defaults

from themeconfig.platform.api.exceptions import problem_response
from themeconfig.platform.errors import CoreErrorCode, DomainError


def not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return problem_response(
            DomainError(CoreErrorCode.NOT_FOUND, "No such resource.", http_status=404), instance=request.path
        )
    return defaults.page_not_found(request, exception)


def server_error(request):
    if request.path.startswith("/api/"):
        return problem_response(
            DomainError(CoreErrorCode.INTERNAL, "An unexpected error occurred.", http_status=500),
            instance=request.path,
        )
    return defaults.server_error(request)
