"""URLs of the AI workspace under /api/v1/."""
from django.urls import path

from ai_workspace import apis

urlpatterns = [
    path("themes/<str:theme_id>/palette-suggestions/", apis.PaletteSuggestionListApi.as_view(),
         name="palette-suggestion-list"),
    path("versions/<str:version_id>/translation-drafts/", apis.TranslationDraftListApi.as_view(),
         name="translation-draft-list"),
    path("versions/<str:version_id>/content-drafts/", apis.ContentDraftListApi.as_view(), name="content-draft-list"),
    path("ai-drafts/<str:kind>/<str:draft_id>/", apis.DraftApi.as_view(), name="ai-draft-detail"),
    path("ai-drafts/<str:kind>/<str:draft_id>/approve/", apis.DraftApproveApi.as_view(), name="ai-draft-approve"),
    path("ai-drafts/<str:kind>/<str:draft_id>/reject/", apis.DraftRejectApi.as_view(), name="ai-draft-reject"),
    path("themes/<str:theme_id>/ai-generation-jobs/", apis.ThemeGenerationJobListApi.as_view(),
         name="theme-ai-generation-job-list"),
    path("ai-generation-jobs/<str:generation_job_id>/", apis.GenerationJobApi.as_view(), name="ai-generation-job"),
]
