"""HTTP doors of webhook subscriptions: list/create (secret once), show/change/delete, rotate the
secret, and each subscription's delivery history. Reading needs tenant.read, changing tenant.manage."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema

from publishing import selectors
from publishing.serializers import (
    WebhookDeliverySerializer,
    WebhookSubscriptionCreatedSerializer,
    WebhookSubscriptionCreateSerializer,
    WebhookSubscriptionSerializer,
    WebhookSubscriptionUpdateSerializer,
)
from publishing.services import webhooks as services
from themeconfig.apis.base import IF_MATCH, WorkspaceApi, WorkspaceListApi
from themeconfig.platform.api.idempotency import idempotent
from themeconfig.platform.permissions import Permission


def _created(subscription, secret):
    subscription.secret = secret
    return subscription


class WebhookSubscriptionListApi(WorkspaceListApi):
    """The tenant's webhook subscriptions; POST makes one — its signing `secret` appears in that reply only.

    Events arrive as CloudEvents 1.0 (`application/cloudevents+json`) signed per Standard Webhooks:
    `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256 of id.timestamp.body>`.
    """

    required_permission = {"GET": Permission.TENANT_READ, "POST": Permission.TENANT_MANAGE}
    serializer_class = WebhookSubscriptionSerializer
    ordering = ("-created_at",)
    ordering_fields = ["created_at", "url"]

    @extend_schema(operation_id="webhooks_list", responses=WebhookSubscriptionSerializer(many=True))
    def get(self, request):
        return self.paginated(selectors.webhook_subscription_list(), WebhookSubscriptionSerializer)

    @extend_schema(request=WebhookSubscriptionCreateSerializer, responses={201: WebhookSubscriptionCreatedSerializer})
    @idempotent
    def post(self, request):
        subscription, secret = services.webhook_subscription_create(
            principal=self.principal, **self.body(WebhookSubscriptionCreateSerializer))
        return self.reply(WebhookSubscriptionCreatedSerializer(_created(subscription, secret)).data, status=201,
                          version=subscription.version, location=f"/api/v1/webhooks/{subscription.pk}/",
                          secret_fields=("secret",))


class WebhookSubscriptionApi(WorkspaceApi):
    """One subscription: PATCH url, event_types, is_active, description (OCC); DELETE with its version."""

    required_permission = {"GET": Permission.TENANT_READ, "PATCH": Permission.TENANT_MANAGE,
                           "DELETE": Permission.TENANT_MANAGE}

    @extend_schema(responses=WebhookSubscriptionSerializer)
    def get(self, request, subscription_id):
        subscription = selectors.webhook_subscription_get(subscription_id)
        return self.reply(WebhookSubscriptionSerializer(subscription).data, version=subscription.version)

    @extend_schema(request=WebhookSubscriptionUpdateSerializer, responses=WebhookSubscriptionSerializer,
                   parameters=[IF_MATCH])
    def patch(self, request, subscription_id):
        data = self.body(WebhookSubscriptionUpdateSerializer)
        expected = self.expected(data)
        data.pop("version", None)
        subscription = services.webhook_subscription_update(
            principal=self.principal, subscription_id=subscription_id, expected_version=expected, **data)
        return self.reply(WebhookSubscriptionSerializer(subscription).data, version=subscription.version)

    @extend_schema(request=None, responses={204: None}, parameters=[IF_MATCH])
    def delete(self, request, subscription_id):
        services.webhook_subscription_delete(principal=self.principal, subscription_id=subscription_id,
                                             expected_version=self.expected({}))
        return self.reply(None, status=204)


class WebhookSubscriptionRotateSecretApi(WorkspaceApi):
    """A new signing secret (in this reply only); the old one stops signing at once."""

    required_permission = Permission.TENANT_MANAGE

    @extend_schema(request=None, responses={201: WebhookSubscriptionCreatedSerializer})
    @idempotent
    def post(self, request, subscription_id):
        subscription, secret = services.webhook_subscription_rotate_secret(
            principal=self.principal, subscription_id=subscription_id)
        return self.reply(WebhookSubscriptionCreatedSerializer(_created(subscription, secret)).data, status=201,
                          version=subscription.version, location=f"/api/v1/webhooks/{subscription.pk}/",
                          secret_fields=("secret",))


class WebhookDeliveryListApi(WorkspaceListApi):
    """What the subscription's endpoint answered per event, newest first."""

    required_permission = Permission.TENANT_READ
    serializer_class = WebhookDeliverySerializer
    ordering = ("-id",)
    ordering_fields = ["id"]

    @extend_schema(operation_id="webhooks_deliveries_list", responses=WebhookDeliverySerializer(many=True))
    def get(self, request, subscription_id):
        subscription = selectors.webhook_subscription_get(subscription_id)
        return self.paginated(selectors.webhook_delivery_list(subscription_id=subscription.pk),
                              WebhookDeliverySerializer)
