"""URLs of the core app under /api/v1/."""
from django.urls import path

from themeconfig.apis import api_keys, audit, hosts, themes, versions
from themeconfig.apis import core as apis

urlpatterns = [
    path("health/", apis.HealthApi.as_view(), name="health"),
    path("health/worker/", apis.WorkerHealthApi.as_view(), name="health-worker"),
    path("ready/", apis.ReadyApi.as_view(), name="ready"),
    path("tenant/", apis.CurrentTenantApi.as_view(), name="current-tenant"),
    path("properties/", apis.PropertyListApi.as_view(), name="property-list"),
    path("hosts/", hosts.HostListApi.as_view(), name="host-list"),
    path("hosts/<str:host>/", hosts.HostDetailApi.as_view(), name="host-detail"),
    path("hosts/<str:host>/verify/", hosts.HostVerifyApi.as_view(), name="host-verify"),
    path("hosts/<str:host>/challenge/", hosts.HostChallengeApi.as_view(), name="host-challenge"),
    path("layout-presets/", apis.LayoutPresetListApi.as_view(), name="layout-preset-list"),
    path("api-keys/", api_keys.ApiKeyListApi.as_view(), name="api-key-list"),
    path("api-keys/<str:api_client_id>/revoke/", api_keys.ApiKeyRevokeApi.as_view(), name="api-key-revoke"),
    path("api-keys/<str:api_client_id>/rotate/", api_keys.ApiKeyRotateApi.as_view(), name="api-key-rotate"),
    path("audit-log/", audit.AuditLogListApi.as_view(), name="audit-log"),
    path("themes/", themes.ThemeListApi.as_view(), name="theme-list"),
    path("themes/<str:theme_id>/", themes.ThemeDetailApi.as_view(), name="theme-detail"),
    path("themes/<str:theme_id>/restore/", themes.ThemeRestoreApi.as_view(), name="theme-restore"),
    path("themes/<str:theme_id>/versions/", themes.ThemeVersionListApi.as_view(), name="theme-version-list"),
    path("versions/<str:version_id>/", versions.VersionDetailApi.as_view(), name="version-detail"),
    path("versions/<str:version_id>/preview-ready/", versions.VersionPreviewReadyApi.as_view(),
         name="version-preview-ready"),
    path("versions/<str:version_id>/archive/", versions.VersionArchiveApi.as_view(), name="version-archive"),
    path("versions/<str:version_id>/content-blocks/", versions.ContentBlockListApi.as_view(),
         name="content-block-list"),
    path("versions/<str:version_id>/content-blocks/reorder/", versions.ContentBlocksReorderApi.as_view(),
         name="content-block-reorder"),
    path("content-blocks/<str:block_id>/", versions.ContentBlockDetailApi.as_view(), name="content-block-detail"),
    path("content-blocks/<str:block_id>/move/", versions.ContentBlockMoveApi.as_view(), name="content-block-move"),
    path("versions/<str:version_id>/navigation/<str:surface>/", versions.NavigationApi.as_view(), name="navigation"),
    path("versions/<str:version_id>/booking-flow/", versions.BookingFlowApi.as_view(), name="booking-flow"),
    path("versions/<str:version_id>/email-theme/", versions.EmailThemeApi.as_view(), name="email-theme"),
    path("versions/<str:version_id>/locales/", versions.LocalePackListApi.as_view(), name="locale-pack-list"),
    path("versions/<str:version_id>/locales/<str:locale>/", versions.LocalePackApi.as_view(), name="locale-pack"),
]
