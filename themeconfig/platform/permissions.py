"""The one role → permission table, and the API-key scopes that narrow it.

Every use case names the permission it needs and checks it against the caller's `Principal`
(`authorize`), whatever door called it: API view, admin, Celery task or management command.
Doors may ask the same table first (`Principal.can`) to hide a button or answer 403 early, but
the use case is where the rule holds.
"""
from __future__ import annotations

from enum import StrEnum
from typing import Any


class Permission(StrEnum):
    TENANT_READ = "tenant.read"  # the tenant, its properties, hosts, members, API keys
    TENANT_MANAGE = "tenant.manage"  # tenant name/settings, properties, hosts
    MEMBERS_MANAGE = "members.manage"  # invite, change roles, remove
    API_KEYS_MANAGE = "api_keys.manage"  # issue, rotate, revoke
    THEMES_READ = "themes.read"  # themes, versions and their children, brand kits, presets
    THEMES_EDIT = "themes.edit"  # create themes and drafts, edit drafts and brand kits
    PREVIEWS_MANAGE = "previews.manage"  # preview links
    THEMES_PUBLISH = "themes.publish"  # mark preview-ready, publish, roll back, archive
    THEMES_DELETE = "themes.delete"  # soft delete and restore themes
    AI_REVIEW = "ai.review"  # approve or reject AI drafts
    TENANT_EXPORT = "tenant.export"  # export the whole tenant (owners only: it holds every member's data)


# API-key scopes (an API key's permissions document `{"scopes": [...]}`): each permission belongs
# to exactly one scope. Scopes are never renamed; new ones may be added.
SCOPE_OF: dict[Permission, str] = {
    Permission.TENANT_READ: "tenant:read",
    Permission.TENANT_MANAGE: "tenant:manage",
    Permission.MEMBERS_MANAGE: "tenant:manage",
    Permission.API_KEYS_MANAGE: "tenant:manage",
    Permission.THEMES_READ: "themes:read",
    Permission.THEMES_EDIT: "themes:write",
    Permission.PREVIEWS_MANAGE: "previews:manage",
    Permission.THEMES_PUBLISH: "themes:publish",
    Permission.THEMES_DELETE: "themes:delete",
    Permission.AI_REVIEW: "ai:review",
    Permission.TENANT_EXPORT: "tenant:export",
}
SCOPES: tuple[str, ...] = tuple(dict.fromkeys(SCOPE_OF.values()))

_VIEWER = frozenset({Permission.TENANT_READ, Permission.THEMES_READ})
_MEMBER = _VIEWER | {Permission.THEMES_EDIT, Permission.PREVIEWS_MANAGE, Permission.AI_REVIEW}
_ADMIN = _MEMBER | {
    Permission.TENANT_MANAGE, Permission.MEMBERS_MANAGE, Permission.API_KEYS_MANAGE, Permission.THEMES_PUBLISH,
}
ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    "owner": frozenset(Permission),
    "admin": _ADMIN,
    "member": _MEMBER,
    # A machine (CI, the front end's build): edits drafts, makes previews and publishes; never
    # reviews AI output (a human does) and never manages people or keys.
    "api": (_MEMBER - {Permission.AI_REVIEW}) | {Permission.THEMES_PUBLISH},
    "viewer": _VIEWER,
}


def role_permissions(role: str | None) -> frozenset[Permission]:
    return ROLE_PERMISSIONS.get(role or "", frozenset())


def scoped_permissions(role: str | None, scopes: frozenset[str] | None) -> frozenset[Permission]:
    """What a role may do, narrowed (never widened) by an API key's scopes; None = no narrowing."""
    allowed = role_permissions(role)
    if scopes is None:
        return allowed
    return frozenset(p for p in allowed if SCOPE_OF[p] in scopes)


def permissions_document_errors(document: object) -> list[tuple[str, str, str]]:
    """(JSON pointer, code, message) for each problem of an API key's permissions document."""
    if not isinstance(document, dict):
        return [("", "invalid_type", "Permissions must be a JSON object.")]
    problems = [(f"/{key}", "unknown_key", "Only 'scopes' is allowed.") for key in document if key != "scopes"]
    scopes = document.get("scopes", [])
    if not isinstance(scopes, list):
        return problems + [("/scopes", "invalid_type", "Scopes must be a list of strings.")]
    for index, scope in enumerate(scopes):
        if scope not in SCOPES:
            problems.append((f"/scopes/{index}", "unknown_scope", f"{scope!r} is not one of {', '.join(SCOPES)}."))
    return problems


def scopes_of_document(document: dict[str, Any] | None) -> frozenset[str] | None:
    if not document or "scopes" not in document:
        return None
    return frozenset(document["scopes"])
