"""URLs of publishing under /api/v1/."""
from django.urls import path

from publishing import apis

urlpatterns = [
    path("versions/<str:version_id>/preview-tokens/", apis.PreviewTokenListApi.as_view(), name="preview-token-list"),
    path("preview-tokens/<str:token_id>/revoke/", apis.PreviewTokenRevokeApi.as_view(), name="preview-token-revoke"),
    path("versions/<str:version_id>/publish/", apis.VersionPublishApi.as_view(), name="version-publish"),
    path("themes/<str:theme_id>/rollback/", apis.ThemeRollbackApi.as_view(), name="theme-rollback"),
    path("themes/<str:theme_id>/republish/", apis.ThemeRepublishApi.as_view(), name="theme-republish"),
    path("themes/<str:theme_id>/publications/", apis.ThemePublicationListApi.as_view(), name="theme-publication-list"),
    path("publish-jobs/<str:job_id>/", apis.PublishJobApi.as_view(), name="publish-job"),
    path("resolve/", apis.ResolveApi.as_view(), name="resolve"),
]
