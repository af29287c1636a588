"""HTTP doors of API keys for tenant admins: list, issue (secret once), rotate, revoke."""
from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema

from themeconfig import services
from themeconfig.apis.base import WorkspaceApi, WorkspaceListApi
from themeconfig.platform.api.idempotency import idempotent
from themeconfig.platform.errors import FieldError, validation_error
from themeconfig.platform.permissions import Permission
from themeconfig.selectors.api_keys import api_key_list
from themeconfig.serializers.api_keys import ApiKeyCreatedSerializer, ApiKeyCreateSerializer, ApiKeySerializer

LIVE = {"true": True, "false": False}


def _created(client, secret):
    client.secret = secret
    return client


def _filters(query) -> tuple[int | None, bool | None]:
    errors, user_id, live = [], query.get("created_by_user"), query.get("live")
    if user_id is not None:
        if not (user_id.isascii() and user_id.isdigit() and 0 < int(user_id) < 2**31):
            errors.append(FieldError("/created_by_user", "invalid", "A user id (a positive integer)."))
        else:
            user_id = int(user_id)
    if live is not None and live not in LIVE:
        errors.append(FieldError("/live", "invalid_choice", "live must be true or false."))
    if errors:
        raise validation_error(errors)
    return user_id, LIVE.get(live)


class ApiKeyListApi(WorkspaceListApi):
    """The tenant's API keys (live and revoked; `live=true|false`); `created_by_user=<id>` lists the
    keys a member created (directly or through keys they created): after removing or demoting a
    member, the ones to revoke (POST api-keys/{id}/revoke/). POST issues one — its `secret` appears
    in that reply only."""

    required_permission = {"GET": Permission.TENANT_READ, "POST": Permission.API_KEYS_MANAGE}
    serializer_class = ApiKeySerializer
    ordering = ("-created_at",)
    ordering_fields = ["created_at", "name", "last_used_at"]

    @extend_schema(operation_id="api_keys_list", responses=ApiKeySerializer(many=True), parameters=[
        OpenApiParameter("created_by_user", int, description="keys created by this user, directly or through "
                                                               "keys they created"),
        OpenApiParameter("live", enum=list(LIVE), description="true: neither revoked nor expired")])
    def get(self, request):
        user_id, live = _filters(request.query_params)
        return self.paginated(api_key_list(created_by_user=user_id, live=live), ApiKeySerializer)

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
