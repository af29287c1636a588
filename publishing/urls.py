"""URLs of publishing under /api/v1/."""
from django.urls import path

from publishing import apis, approval_apis, export_apis, rollout_apis, schedule_apis, webhook_apis
from publishing.cors import public_read_cors
from themeconfig.platform.endpoints import public_endpoint

urlpatterns = [
    path("versions/<str:version_id>/preview-tokens/", apis.PreviewTokenListApi.as_view(), name="preview-token-list"),
    path("preview-tokens/<str:token_id>/revoke/", apis.PreviewTokenRevokeApi.as_view(), name="preview-token-revoke"),
    path("versions/<str:version_id>/publish/", apis.VersionPublishApi.as_view(), name="version-publish"),
    path("themes/<str:theme_id>/rollback/", apis.ThemeRollbackApi.as_view(), name="theme-rollback"),
    path("themes/<str:theme_id>/republish/", apis.ThemeRepublishApi.as_view(), name="theme-republish"),
    path("themes/<str:theme_id>/publications/", apis.ThemePublicationListApi.as_view(), name="theme-publication-list"),
    path("themes/<str:theme_id>/rollouts/", rollout_apis.ThemeRolloutListApi.as_view(), name="theme-rollout-list"),
    path("rollouts/<str:rollout_id>/", rollout_apis.RolloutApi.as_view(), name="rollout"),
    path("rollouts/<str:rollout_id>/widen/", rollout_apis.RolloutWidenApi.as_view(), name="rollout-widen"),
    path("rollouts/<str:rollout_id>/pause/", rollout_apis.RolloutPauseApi.as_view(), name="rollout-pause"),
    path("rollouts/<str:rollout_id>/resume/", rollout_apis.RolloutResumeApi.as_view(), name="rollout-resume"),
    path("rollouts/<str:rollout_id>/promote/", rollout_apis.RolloutPromoteApi.as_view(), name="rollout-promote"),
    path("rollouts/<str:rollout_id>/abort/", rollout_apis.RolloutAbortApi.as_view(), name="rollout-abort"),
    path("themes/<str:theme_id>/schedules/", schedule_apis.ThemeScheduleListApi.as_view(), name="theme-schedule-list"),
    path("schedules/<str:schedule_id>/", schedule_apis.ScheduleApi.as_view(), name="schedule-detail"),
    path("schedules/<str:schedule_id>/cancel/", schedule_apis.ScheduleCancelApi.as_view(), name="schedule-cancel"),
    path("publish-jobs/<str:job_id>/", apis.PublishJobApi.as_view(), name="publish-job"),
    path("publish-requests/", approval_apis.PublishApprovalRequestListApi.as_view(), name="publish-request-list"),
    path("publish-requests/<str:request_id>/", approval_apis.PublishApprovalRequestApi.as_view(),
         name="publish-request"),
    path("publish-requests/<str:request_id>/approve/", approval_apis.PublishApprovalRequestApproveApi.as_view(),
         name="publish-request-approve"),
    path("publish-requests/<str:request_id>/reject/", approval_apis.PublishApprovalRequestRejectApi.as_view(),
         name="publish-request-reject"),
    path("publish-requests/<str:request_id>/withdraw/", approval_apis.PublishApprovalRequestWithdrawApi.as_view(),
         name="publish-request-withdraw"),
    path("tenant/exports/", export_apis.TenantExportListApi.as_view(), name="tenant-export-list"),
    path("tenant/exports/<str:job_id>/", export_apis.TenantExportApi.as_view(), name="tenant-export"),
    path("tenant/exports/<str:job_id>/archive/", export_apis.TenantExportArchiveApi.as_view(),
         name="tenant-export-archive"),
    # Public: credentials that come along are dropped unread (PublicEndpointMiddleware), so these run
    # outside any tenant context and answer everyone alike (a preview's token says whose it is);
    # rate-limited per client address (THROTTLE_RATES "resolve" and "preview").
    # resolve/ is read cross-origin by guest sites' front ends: CORS for any origin, no credentials.
    path("resolve/", public_endpoint("resolve")(public_read_cors(apis.ResolveApi.as_view())), name="resolve"),
    path("preview/<str:token>/", public_endpoint("preview")(apis.PreviewApi.as_view()), name="preview"),
    path("preview/<str:token>/css/", public_endpoint("preview")(apis.PreviewStylesheetApi.as_view()), name="preview-css"),
    path("webhooks/", webhook_apis.WebhookSubscriptionListApi.as_view(), name="webhook-list"),
    path("webhooks/<str:subscription_id>/", webhook_apis.WebhookSubscriptionApi.as_view(), name="webhook-detail"),
    path("webhooks/<str:subscription_id>/rotate-secret/", webhook_apis.WebhookSubscriptionRotateSecretApi.as_view(),
         name="webhook-rotate-secret"),
    path("webhooks/<str:subscription_id>/deliveries/", webhook_apis.WebhookDeliveryListApi.as_view(),
         name="webhook-delivery-list"),
]
