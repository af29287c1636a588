"""URLs of the core app under /api/v1/."""
from django.urls import path

from themeconfig.apis import core as apis

urlpatterns = [
    path("health/", apis.HealthApi.as_view(), name="health"),
    path("ready/", apis.ReadyApi.as_view(), name="ready"),
    path("tenant/", apis.CurrentTenantApi.as_view(), name="current-tenant"),
    path("properties/", apis.PropertyListApi.as_view(), name="property-list"),
    path("layout-presets/", apis.LayoutPresetListApi.as_view(), name="layout-preset-list"),
]
