"""HTTP doors of API keys for tenant admins: list, issue (secret once), rotate, revoke."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema

from themeconfig import services
from themeconfig.apis.base import WorkspaceApi, WorkspaceListApi
from themeconfig.models import ApiClient
from themeconfig.platform.api.idempotency import idempotent
from themeconfig.platform.permissions import Permission
from themeconfig.serializers.api_keys import ApiKeyCreatedSerializer, ApiKeyCreateSerializer, ApiKeySerializer


def _created(client, secret):
    client.secret = secret
    return client


class ApiKeyListApi(WorkspaceListApi):
    """The tenant's API keys (live and revoked); POST issues one — its `secret` appears in that reply only."""

    required_permission = {"GET": Permission.TENANT_READ, "POST": Permission.API_KEYS_MANAGE}
    serializer_class = ApiKeySerializer
    ordering = ("-created_at",)
    ordering_fields = ["created_at", "name", "last_used_at"]

    @extend_schema(operation_id="api_keys_list", responses=ApiKeySerializer(many=True))
    def get(self, request):
        return self.paginated(ApiClient.objects.all(), ApiKeySerializer)

    @extend_schema(request=ApiKeyCreateSerializer, responses={201: ApiKeyCreatedSerializer})
    @idempotent
    def post(self, request):
        client, secret = services.api_key_create(principal=self.principal, **self.body(ApiKeyCreateSerializer))
        return self.reply(ApiKeyCreatedSerializer(_created(client, secret)).data, status=201,
                          location="/api/v1/api-keys/", secret_fields=("secret",))


class ApiKeyRevokeApi(WorkspaceApi):
    required_permission = Permission.API_KEYS_MANAGE

    @extend_schema(request=None, responses=ApiKeySerializer)
    @idempotent
    def post(self, request, api_client_id):
        client = services.api_key_revoke(principal=self.principal, api_client_id=api_client_id)
        return self.reply(ApiKeySerializer(client).data)


class ApiKeyRotateApi(WorkspaceApi):
    """A new secret for the key's name, role and scopes; the old key stops working at once."""

    required_permission = Permission.API_KEYS_MANAGE

    @extend_schema(request=None, responses={201: ApiKeyCreatedSerializer})
    @idempotent
    def post(self, request, api_client_id):
        client, secret = services.api_key_rotate(principal=self.principal, api_client_id=api_client_id)
        return self.reply(ApiKeyCreatedSerializer(_created(client, secret)).data, status=201,
                          location="/api/v1/api-keys/", secret_fields=("secret",))
