"""Routing flags (seed 003) and their audit trail; DDL in ../sql/0020_routing_flags.sql."""
from django.db import models
from django_rls.models import RLSModel

from themeconfig.platform.ids import PrefixedIdField

from .base import TenantModel
from .tenancy import tenant_isolation_policy


class RoutingScope(models.TextChoices):
    """The seed's scopes, in evaluation order: the most specific one set wins."""

    USER = "user", "User"
    STYLE = "style", "Style (theme)"
    TENANT = "tenant", "Tenant"
    ENV = "env", "Environment"


class RoutingFlag(TenantModel):
    id = PrefixedIdField(prefix="rfl", primary_key=True)
    flag_key = models.TextField()
    scope_type = models.TextField(choices=RoutingScope.choices)
    scope_id = models.TextField()
    route_mode = models.TextField()
    enabled = models.BooleanField(default=True)

    class Meta(TenantModel.Meta):
        db_table = 'theme_config"."routing_flags'
        ordering = ["flag_key", "scope_type", "scope_id"]

    def __str__(self) -> str:
        return f"{self.flag_key} for {self.scope_type} {self.scope_id}: {self.route_mode}"


class RoutingFlagAudit(RLSModel):
    """Who changed a flag, when, what (old and new values) and why (`change_payload.reason`)."""

    id = PrefixedIdField(prefix="rfa", primary_key=True)
    tenant_id = models.TextField()
    routing_flag_id = models.TextField()
    changed_by = models.TextField()
    changed_at = models.DateTimeField()
    change_payload = models.JSONField()

    class Meta:
        db_table = 'theme_config"."routing_flag_audit'
        ordering = ["-changed_at", "-id"]
        rls_policies = [tenant_isolation_policy()]

    def __str__(self) -> str:
        return f"{self.changed_at:%Y-%m-%d %H:%M:%S} {self.changed_by} {self.change_payload.get('action')}"
