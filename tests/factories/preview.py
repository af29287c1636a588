"""A small bilingual (English, Arabic) draft with a home block and a preview link, made through the use cases."""
from __future__ import annotations

from dataclasses import dataclass

from publishing.models import PreviewToken
from publishing.services.preview_tokens import preview_token_create
from themeconfig import services
from themeconfig.models import ThemeVersion
from themeconfig.platform.principal import Principal


@dataclass
class PreviewWorld:
    admin: Principal
    version: ThemeVersion
    token: PreviewToken
    secret: str


def bilingual_preview(tenant, *, welcome_en: str = "## Welcome by the lake",
                      welcome_ar: str = "## أهلاً بكم على البحيرة") -> PreviewWorld:
    """Theme "Lake" (en, ar) with one draft: a rich-text home block and `nav.book` in both locales."""
    admin = Principal.for_user(tenant_id=tenant.id, user_id=1, role="admin")
    theme = services.theme_create(principal=admin, name="Lake", enabled_locales=["en", "ar"], fallback_chain=["en"])
    version = services.version_create(principal=admin, theme_id=theme.pk)
    services.content_block_create(
        principal=admin, version_id=version.pk, surface="home", kind="rich_text", meta={"kind": "rich_text"},
        body={"en": {"format": "markdown", "value": welcome_en}, "ar": {"format": "markdown", "value": welcome_ar}})
    services.locale_pack_put(principal=admin, version_id=version.pk, locale="en", entries={"nav.book": "Reserve"})
    services.locale_pack_put(principal=admin, version_id=version.pk, locale="ar", entries={"nav.book": "احجز"})
    token, secret = preview_token_create(principal=admin, version_id=version.pk)
    return PreviewWorld(admin, version, token, secret)
