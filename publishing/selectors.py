"""Reads of publishing's tables (RLS scopes every query to the tenant)."""
from __future__ import annotations

from django.db.models import QuerySet

from publishing.models import PreviewToken


def preview_token_list(*, version_id: str) -> QuerySet[PreviewToken]:
    return PreviewToken.objects.filter(theme_version_id=version_id)
