"""Use cases of preview links: a secret returned once (only its sha256 stored), an expiry, revocation.

The public read of a link (`preview/{token}/`) goes through theme_config.preview_version(hash)
as the preview reader role, never through these.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from publishing.models import PreviewToken
from themeconfig.models import ThemeVersion, ThemeVersionStatus
from themeconfig.platform.errors import FieldError, not_found, validation_error
from themeconfig.platform.ids import is_valid_id, new_id
from themeconfig.platform.permissions import Permission
from themeconfig.platform.principal import Principal, use_case
from themeconfig.services.audit import audit_record
from themeconfig.services.versions import immutable

TOKEN_PREFIX = "pvw_"


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def preview_token_create(
    *, principal: Principal, version_id: str, expires_in_days: int | None = None, note: str | None = None
) -> tuple[PreviewToken, str]:
    """A preview link for a version that is not archived; returns the token row and its secret."""
    days = settings.PREVIEW_TOKEN_DEFAULT_DAYS if expires_in_days is None else expires_in_days
    errors = []
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= settings.PREVIEW_TOKEN_MAX_DAYS:
        errors.append(FieldError("/expires_in_days", "out_of_range",
                                 f"A preview link lives 1 to {settings.PREVIEW_TOKEN_MAX_DAYS} days."))
    if note is not None and (not isinstance(note, str) or len(note) > 500 or "\x00" in note):
        errors.append(FieldError("/note", "invalid", "A note is text of at most 500 characters."))
    if errors:
        raise validation_error(errors)
    with use_case(principal, Permission.PREVIEWS_MANAGE):
        version = ThemeVersion.objects.filter(pk=version_id, theme__deleted_at__isnull=True).first() \
            if is_valid_id(version_id, "thv") else None
        if version is None:
            raise not_found("version")
        if version.status == ThemeVersionStatus.ARCHIVED:
            raise immutable(version)
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = PreviewToken.objects.create(
            id=new_id("pvt"), tenant_id=principal.bound_tenant_id, theme_version_id=version.pk,
            token_hash=hash_token(secret), expires_at=timezone.now() + timedelta(days=days), note=note,
            created_by=principal.actor,
        )
        audit_record(principal=principal, action="preview_token.created", entity_type="preview_token",
                     entity_id=token.pk, new={"theme_version_id": version.pk, "expires_at": token.expires_at,
                                              "note": note})
    return token, secret


def preview_token_revoke(*, principal: Principal, token_id: str) -> PreviewToken:
    with use_case(principal, Permission.PREVIEWS_MANAGE):
        token = PreviewToken.objects.select_for_update().filter(pk=token_id).first() \
            if is_valid_id(token_id, "pvt") else None
        if token is None:
            raise not_found("preview token")
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit_record(principal=principal, action="preview_token.revoked", entity_type="preview_token",
                         entity_id=token.pk, old={"revoked_at": None}, new={"revoked_at": token.revoked_at})
        return token
