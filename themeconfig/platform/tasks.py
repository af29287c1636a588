"""Celery task base that runs each task in its tenant's context, like a request, as its principal."""
from __future__ import annotations

from celery import Task

from themeconfig.platform.principal import Principal
from themeconfig.platform.tenant_context import tenant_context


class TenantTask(Task):
    """Tasks take `tenant_id` (and, when they call use cases, `principal=principal.as_payload()`)
    as keyword arguments and run in one transaction bound to that tenant. The task function gets
    the rebuilt `Principal`; a principal of another tenant is refused."""

    abstract = True

    def __call__(self, *args, **kwargs):
        tenant_id = kwargs.get("tenant_id")
        if not tenant_id:
            raise ValueError(f"{self.name} needs a tenant_id keyword argument")
        payload = kwargs.get("principal")
        if payload is not None:
            principal = payload if isinstance(payload, Principal) else Principal.from_payload(payload)
            if principal.tenant_id != tenant_id:
                raise ValueError(f"{self.name}: the principal belongs to {principal.tenant_id}, not {tenant_id}")
            kwargs["principal"] = principal
        with tenant_context(tenant_id):
            return super().__call__(*args, **kwargs)
