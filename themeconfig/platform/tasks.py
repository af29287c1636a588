"""Celery task base that runs each task in its tenant's context, like a request."""
from __future__ import annotations

from celery import Task

from themeconfig.platform.tenant_context import tenant_context


class TenantTask(Task):
    """Tasks take `tenant_id` as a keyword argument and run in one transaction bound to it."""

    abstract = True

    def __call__(self, *args, **kwargs):
        tenant_id = kwargs.get("tenant_id")
        if not tenant_id:
            raise ValueError(f"{self.name} needs a tenant_id keyword argument")
        with tenant_context(tenant_id):
            return super().__call__(*args, **kwargs)
