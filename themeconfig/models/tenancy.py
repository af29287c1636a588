"""Tenants, properties, hosts, memberships and API clients (schema tenant_service / theme_config)."""
import builtins

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_rls.models import RLSModel
from django_rls.policies import CustomPolicy

from themeconfig.platform.encryption import EncryptedTextField
from themeconfig.platform.ids import PrefixedIdField

TENANT_ISOLATION = "tenant_id = current_setting('app.tenant_id')"


def tenant_isolation_policy(expression: str = TENANT_ISOLATION) -> CustomPolicy:
    """The seed 000 `tenant_isolation` policy; the DDL itself lives in the app's sql/ files."""
    return CustomPolicy("tenant_isolation", expression=expression)


class TenantPlan(models.TextChoices):
    FREE = "free"
    STARTER = "starter"
    PRO = "pro"
    ENTERPRISE = "enterprise"


class Role(models.TextChoices):
    OWNER = "owner"
    ADMIN = "admin"
    MEMBER = "member"
    VIEWER = "viewer"
    API = "api", "API"


class Tenant(RLSModel):
    id = PrefixedIdField(prefix="tnt", primary_key=True)
    slug = models.TextField()
    name = models.TextField()
    plan = models.TextField(choices=TenantPlan.choices, default=TenantPlan.FREE)
    settings = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    # Set by an operator's erasure request (publishing/services/tenant_erasure.py, through SQL on the
    # service connection): from then on nobody signs in to the tenant and none of its keys works.
    erasure_requested_at = models.DateTimeField(null=True, blank=True, editable=False)
    erasure_due_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        db_table = 'tenant_service"."tenants'
        ordering = ["slug"]
        rls_policies = [tenant_isolation_policy("id = current_setting('app.tenant_id')")]

    def __str__(self) -> str:
        return f"{self.name} ({self.slug})"

    @property
    def is_closed(self) -> bool:
        """Deleted, or marked for erasure: nobody works in it any more."""
        return self.deleted_at is not None or self.erasure_due_at is not None


class Property(RLSModel):
    id = PrefixedIdField(prefix="prp", primary_key=True)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="properties")
    name = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = 'tenant_service"."properties'
        verbose_name_plural = "properties"
        ordering = ["name"]
        rls_policies = [tenant_isolation_policy()]

    def __str__(self) -> str:
        return self.name


class HostVerificationStatus(models.TextChoices):
    PENDING = "pending"
    VERIFIED = "verified"


class HostVerificationMethod(models.TextChoices):
    DNS = "dns", "DNS TXT record"
    OPERATOR = "operator", "Operator, by hand"


class TenantHost(RLSModel):
    """A served host name of a tenant (seed 000 §6.2 `tenant_service.tenant_hosts`): verified only.

    A name is served by at most one tenant (the primary key). Until a tenant proves it controls a
    name it holds a `TenantHostClaim`, which reserves nothing."""

    host = models.TextField(primary_key=True)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="hosts")
    property = models.ForeignKey(
        Property, on_delete=models.CASCADE, null=True, blank=True, related_name="hosts"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Always 'verified' here (a CHECK); the column stays for the SQL that reads it.
    verification_status = models.TextField(choices=HostVerificationStatus.choices,
                                           default=HostVerificationStatus.VERIFIED)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.TextField(null=True, blank=True)
    # NULL: added before host verification existed.
    verification_method = models.TextField(choices=HostVerificationMethod.choices, null=True, blank=True)

    is_verified = True

    @builtins.property
    def challenge_name(self) -> str:
        return f"_theme-config.{self.host}"

    class Meta:
        db_table = 'tenant_service"."tenant_hosts'
        ordering = ["host"]
        rls_policies = [tenant_isolation_policy()]

    def __str__(self) -> str:
        return self.host


class TenantHostClaim(RLSModel):
    """A tenant's unproven claim to a host name (`tenant_service.tenant_host_claims`): served once the
    DNS TXT record at `_theme-config.<host>` holds its challenge token (only the sha256 is kept), or
    an operator verifies it. Several tenants may claim one name; verification takes it from the rest."""

    pk = models.CompositePrimaryKey("tenant_id", "host")
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="host_claims")
    host = models.TextField()
    property = models.ForeignKey(
        Property, on_delete=models.CASCADE, null=True, blank=True, related_name="host_claims"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    verification_token_hash = models.TextField(null=True, blank=True, editable=False)
    verification_attempts = models.IntegerField(default=0)
    verification_checked_at = models.DateTimeField(null=True, blank=True)
    verification_next_check_at = models.DateTimeField(null=True, blank=True)
    # A check in flight holds the claim until then (a lost worker's lease lapses).
    verification_leased_until = models.DateTimeField(null=True, blank=True)
    verification_last_error = models.TextField(null=True, blank=True)

    verification_status = HostVerificationStatus.PENDING
    is_verified = False

    @builtins.property
    def challenge_name(self) -> str:
        """Where the TXT record holding the token goes."""
        return f"_theme-config.{self.host}"

    class Meta:
        db_table = 'tenant_service"."tenant_host_claims'
        ordering = ["host"]
        rls_policies = [tenant_isolation_policy()]

    def __str__(self) -> str:
        return self.host


class HostListing(models.Model):
    """One row per host of a tenant, served or claimed, with its state (the view
    `tenant_service.tenant_host_listing`, read under the reader's row level security): what the
    hosts API and the admin pages list. Read-only: changes go through the host use cases."""

    id = models.TextField(primary_key=True)  # "<tenant_id>:<host>"
    tenant = models.ForeignKey(Tenant, on_delete=models.DO_NOTHING, related_name="+")
    host = models.TextField()
    property = models.ForeignKey(Property, on_delete=models.DO_NOTHING, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField()
    verification_status = models.TextField(choices=HostVerificationStatus.choices)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.TextField(null=True, blank=True)
    verification_method = models.TextField(choices=HostVerificationMethod.choices, null=True, blank=True)
    verification_attempts = models.IntegerField()
    verification_checked_at = models.DateTimeField(null=True, blank=True)
    verification_next_check_at = models.DateTimeField(null=True, blank=True)
    verification_last_error = models.TextField(null=True, blank=True)

    class Meta:
        managed = False
        db_table = 'tenant_service"."tenant_host_listing'
        ordering = ["host"]
        verbose_name = "tenant host"

    def __str__(self) -> str:
        return self.host

    @builtins.property
    def is_verified(self) -> bool:
        return self.verification_status == HostVerificationStatus.VERIFIED

    @builtins.property
    def challenge_name(self) -> str:
        return f"_theme-config.{self.host}"


class Membership(RLSModel):
    """A Django user's role in one tenant (seed 002 roles)."""

    id = PrefixedIdField(prefix="mbr", primary_key=True)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.TextField(choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = 'theme_config"."memberships'
        ordering = ["created_at"]
        rls_policies = [tenant_isolation_policy()]

    def __str__(self) -> str:
        return f"{self.user_id} is {self.role} of {self.tenant_id}"


class ApiClient(RLSModel):
    """An API key of one tenant (seed 001 APIClient): only the sha256 of its secret is kept."""

    id = PrefixedIdField(prefix="apk", primary_key=True)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="api_clients")
    name = models.TextField()
    role = models.TextField(choices=Role.choices, default=Role.API)
    secret_hash = models.TextField(editable=False)
    secret_hint = models.TextField(editable=False)
    permissions = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.TextField()
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = 'theme_config"."api_clients'
        ordering = ["created_at"]
        verbose_name = "API key"  # what the admin, the API and the README call them (not "api client")
        verbose_name_plural = "API keys"
        rls_policies = [tenant_isolation_policy()]

    def __str__(self) -> str:
        return f"{self.name} ({self.secret_hint}…)"


class InvitationRole(models.TextChoices):
    OWNER = "owner"
    ADMIN = "admin"
    MEMBER = "member"
    VIEWER = "viewer"


class Invitation(RLSModel):
    """A one-time link, sent to an e-mail address, to join a tenant with a role."""

    id = PrefixedIdField(prefix="inv", primary_key=True)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="invitations")
    # A Fernet token of the key ring (platform/encryption.py); look-ups go through email_hash.
    email = EncryptedTextField()
    email_hash = models.TextField(null=True, editable=False)  # HMAC-SHA256 of the address (lookup_hash)
    role = models.TextField(choices=InvitationRole.choices)
    token_hash = models.TextField(editable=False)
    invited_by = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = 'theme_config"."invitations'
        ordering = ["-created_at"]
        rls_policies = [tenant_isolation_policy()]

    def __str__(self) -> str:
        return f"{self.email} as {self.role}"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()
