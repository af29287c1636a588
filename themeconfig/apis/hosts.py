"""HTTP doors of a tenant's hosts: list, add (pending, the DNS challenge token once), one host, verify now,
new challenge."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema

from themeconfig import services
from themeconfig.apis.base import WorkspaceApi, WorkspaceListApi
from themeconfig.platform.api.idempotency import idempotent
from themeconfig.platform.permissions import Permission
from themeconfig.selectors.tenancy import host_get, host_list
from themeconfig.serializers.hosts import HostCreatedSerializer, HostCreateSerializer, HostSerializer
from themeconfig.services import host_verification


class HostListApi(WorkspaceListApi):
    """The tenant's hosts with their verification state; POST adds one: `pending` until the TXT record at
    `challenge_record_name` holds `challenge_token` (in that 201 reply only), then served.

    POST of a host the tenant already has (served, or its own pending claim) creates nothing and answers
    200 with the host as it is (no token): a lost token is renewed by `POST hosts/{host}/challenge/`."""

    required_permission = {"GET": Permission.TENANT_READ, "POST": Permission.TENANT_MANAGE}
    serializer_class = HostSerializer
    ordering = ("host",)
    ordering_fields = ["host", "created_at", "verification_status"]

    @extend_schema(operation_id="hosts_list", responses=HostSerializer(many=True))
    def get(self, request):
        return self.paginated(host_list(), HostSerializer)

    @extend_schema(request=HostCreateSerializer, responses={201: HostCreatedSerializer, 200: HostSerializer})
    @idempotent
    def post(self, request):
        added, created = services.host_add(principal=self.principal, **self.body(HostCreateSerializer))
        location = f"/api/v1/hosts/{added.host}/"
        if not created:
            return self.reply(HostSerializer(added).data, location=location)
        return self.reply(HostCreatedSerializer(added).data, status=201, location=location,
                          secret_fields=("challenge_token",))


class HostDetailApi(WorkspaceApi):
    """One host of the tenant (served or pending) with its verification state; 404 for another tenant's."""

    required_permission = Permission.TENANT_READ

    @extend_schema(operation_id="hosts_retrieve", responses=HostSerializer)
    def get(self, request, host):
        return self.reply(HostSerializer(host_get(host)).data)


class HostVerifyApi(WorkspaceApi):
    """"Verify now": the host's DNS challenge is checked at once by a worker; poll `hosts/` for the outcome."""

    required_permission = Permission.TENANT_MANAGE

    @extend_schema(request=None, responses={200: HostSerializer, 202: HostSerializer})
    @idempotent
    def post(self, request, host):
        found = host_verification.host_verification_request(principal=self.principal, host=host)
        return self.reply(HostSerializer(found).data, status=200 if found.is_verified else 202)


class HostChallengeApi(WorkspaceApi):
    """A new challenge token for a pending host (the old one stops counting), in this reply only."""

    required_permission = Permission.TENANT_MANAGE

    @extend_schema(request=None, responses={201: HostCreatedSerializer})
    @idempotent
    def post(self, request, host):
        found, token = host_verification.host_challenge_renew(principal=self.principal, host=host)
        found.verification_token = token
        return self.reply(HostCreatedSerializer(found).data, status=201, secret_fields=("challenge_token",))
