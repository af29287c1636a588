"""Top-level URLs: admin (tenant staff), platform (operators), the API under /api/v1/, OpenAPI schema and docs."""
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from publishing.bundles.files import bundle_routes
from publishing.views import preview_site_view
from themeconfig.admin_site import (
    accept_invitation_view,
    favicon_view,
    invitation_link_view,
    select_tenant_view,
)
from themeconfig.operator_admin import operator_site
from themeconfig.platform.api.views import api_route_not_found

urlpatterns = [
    path("admin/select-tenant/", select_tenant_view, name="admin-select-tenant"),
    path("admin/invitations/accept/", accept_invitation_view, name="admin-accept-invitation"),
    path("admin/invitations/<str:token>/", invitation_link_view, name="admin-invitation-link"),
    path("admin/", admin.site.urls),
    path("platform/", operator_site.urls),
    path("favicon.ico", favicon_view, name="favicon"),
    # A preview link as a page for people: the sample booking site (the API's preview/{token}/ is the bundle).
    path("preview/<str:token>/", preview_site_view, name="preview-site"),
    # Published bundles, when the bundle storage is this app's filesystem (else the storage's URLs).
    *bundle_routes(),
    path("api/v1/", include("themeconfig.urls")),
    path("api/v1/", include("publishing.urls")),
    path("api/v1/", include("ai_workspace.urls")),
    path("api/schema/", SpectacularAPIView.as_view(authentication_classes=[], permission_classes=[]), name="schema"),
    path(
        "api/docs/",
        SpectacularSwaggerView.as_view(url_name="schema", authentication_classes=[], permission_classes=[]),
        name="api-docs",
    ),
    # Last: anything else under /api/ is a problem+json 404 for every method, DEBUG or not.
    re_path(r"^api(?:/|$)", api_route_not_found, name="api-not-found"),
]

handler400 = "themeconfig.platform.api.views.bad_request"
handler403 = "themeconfig.platform.api.views.permission_denied"
handler404 = "themeconfig.platform.api.views.not_found"
handler500 = "themeconfig.platform.api.views.server_error"
