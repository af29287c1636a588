"""Use cases of memberships: a user's role in a tenant."""
from __future__ import annotations

from django.db import transaction

from themeconfig.models import Membership, Role
from themeconfig.platform.errors import (
    validation_error,
)
from themeconfig.services.rules import choice_errors, require_tenant


def membership_set(*, user_id: int, role: str, actor: str) -> Membership:
    """Gives a user `role` in the current tenant (creates or updates the membership)."""
    tenant_id = require_tenant()
    if errors := choice_errors("role", role, Role.values):
        raise validation_error(errors)
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(
            tenant_id=tenant_id, user_id=user_id, defaults={"role": role}
        )
        if not created and membership.role != role:
            membership.role = role
            membership.save(update_fields=["role", "updated_at"])
        return membership
