"""The project's URLs plus two views for bench/publish.py only, where resolve/ sits (after every API
route, before the /api/ catch-all), so all three go through the same middleware stack and URL
resolution work. Not a benchmark itself.

- `/api/v1/bench-bare/`: a bare JsonResponse view, reading nothing (the yardstick);
- `/api/v1/bench-drf-resolve/`: resolve/ as it was before its cache, a DRF view reading the read
  model for every request and answering through ResolutionSerializer (the figure to beat).
"""
from django.conf import settings
from django.http import JsonResponse
from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from config import urls as project_urls
from publishing import selectors
from publishing.serializers import ResolutionSerializer
from themeconfig.platform.errors import CoreErrorCode, DomainError

# The shape and size of a resolve/ answer, without reading anything.
_BODY = {
    "host": "h0000001.fill.example", "theme_id": "thm_0000000000000000000001",
    "publication_id": "thp_0000000000000000000001", "theme_version_id": "thv_0000000000000000000001",
    "bundle_url": "/media/bundles/tnt_0000000000000000000001/thm_0000000000000000000001/" + "0" * 64 + ".json",
    "bundle_sha256": "0" * 64, "published_at": "2026-12-02T00:00:00Z",
}


def bare_view(request):
    return JsonResponse(_BODY)


class DrfResolveApi(APIView):
    """publishing.apis.ResolveApi before the resolve cache (same answers)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    def get(self, request):
        host = (request.query_params.get("host") or "").strip().lower().rstrip(".")
        host = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
        row = selectors.resolve_host(host) if host else None
        if row is None:
            raise DomainError(CoreErrorCode.NOT_FOUND, "No published theme serves this host.", http_status=404)
        etag = f'"{row["bundle_sha256"]}"'
        if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
            response = Response(status=304)
        else:
            response = Response(ResolutionSerializer(row).data)
        response["ETag"] = etag
        response["Cache-Control"] = f"public, max-age={settings.RESOLVE_MAX_AGE_SECONDS}"
        return response


urlpatterns = [*project_urls.urlpatterns[:-1], path("api/v1/bench-bare/", bare_view),
               path("api/v1/bench-drf-resolve/", DrfResolveApi.as_view()), project_urls.urlpatterns[-1]]
handler400 = project_urls.handler400
handler403 = project_urls.handler403
handler404 = project_urls.handler404
handler500 = project_urls.handler500
