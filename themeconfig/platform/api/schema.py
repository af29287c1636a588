"""OpenAPI generation: every operation says which permission (and API-key scope) it needs."""
from __future__ import annotations

from drf_spectacular.openapi import AutoSchema

from themeconfig.platform.api.permissions import required_permission
from themeconfig.platform.permissions import SCOPE_OF


class PermissionAwareAutoSchema(AutoSchema):
    # drf-spectacular's AutoSchema already narrows DRF's get_description(path, method) to ().
    def get_description(self) -> str:  # type: ignore[override]
        description = str(super().get_description() or "")
        permission = required_permission(self.view, self.method)
        if permission is None:
            return description
        needs = f"Needs the permission `{permission}` (API-key scope `{SCOPE_OF[permission]}`)."
        return f"{description}\n\n{needs}".strip()

