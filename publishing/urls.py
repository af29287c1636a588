"""URLs of publishing under /api/v1/."""
from django.urls import path

from publishing import apis

urlpatterns = [
    path("versions/<str:version_id>/preview-tokens/", apis.PreviewTokenListApi.as_view(), name="preview-token-list"),
    path("preview-tokens/<str:token_id>/revoke/", apis.PreviewTokenRevokeApi.as_view(), name="preview-token-revoke"),
]
