"""The columns every tenant aggregate shares, declared once: its tenant (under the `tenant_isolation`
RLS policy), its OCC `version`, and who created and last changed it, and when."""
from django.db import models
from django_rls.models import RLSModel

from .tenancy import tenant_isolation_policy


class TenantModel(RLSModel):
    """A row of one tenant's data. The tables' SQL gives `created_at` and `updated_at` the default
    `now()`; here `created_at` is stamped once when the row is inserted (`auto_now_add`) and
    `updated_at` on every `save()` (use cases that `update()` a queryset set it themselves).

    A table without one of these columns drops it with `<column> = None` (Django's way of removing an
    inherited field); a subclass's `Meta` extends `TenantModel.Meta` to keep the RLS policy."""

    tenant_id = models.TextField()
    version = models.IntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.TextField()

    class Meta:
        abstract = True
        rls_policies = [tenant_isolation_policy()]
