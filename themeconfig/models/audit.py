"""The audit log (seed 002: who did what, when; DDL in ../sql/0008_audit_log.sql): one append-only
row per change a use case makes, written by themeconfig.services.audit.audit_record only."""
from django.db import models
from django.db.models.functions import Now
from django_rls.models import RLSModel

from .tenancy import tenant_isolation_policy


class AuditLogEntry(RLSModel):
    # The table is partitioned by month on occurred_at, and the partition key must be part of the
    # primary key; `id` (one identity sequence) is unique on its own and breaks ties in order.
    pk = models.CompositePrimaryKey("tenant_id", "occurred_at", "id")
    id = models.BigIntegerField(editable=False)
    tenant_id = models.TextField()
    actor = models.TextField()  # Principal.actor: user:42, api_key:apk_…, operator:seed_demo
    action = models.TextField()  # theme.created, version.updated, api_key.revoked, …
    entity_type = models.TextField()
    entity_id = models.TextField()
    old_values = models.JSONField(null=True, blank=True)  # the changed fields before (None on create)
    new_values = models.JSONField(null=True, blank=True)  # … and after (None on delete)
    ip = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.TextField(null=True, blank=True)
    occurred_at = models.DateTimeField(db_default=Now())

    class Meta:
        db_table = 'theme_config"."audit_log'
        ordering = ["-occurred_at", "-id"]
        rls_policies = [tenant_isolation_policy()]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.actor} {self.action} {self.entity_type}:{self.entity_id}"
