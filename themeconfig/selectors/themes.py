"""Reads of themes, versions and what a version holds. RLS scopes every query to the tenant."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery

from themeconfig.models import (
    BookingFlowConfig,
    ContentBlock,
    EmailTheme,
    LocalePack,
    NavigationConfig,
    Theme,
    ThemeVersion,
    ThemeVersionStatus,
)
from themeconfig.platform.errors import not_found
from themeconfig.platform.ids import is_valid_id

LATEST_VERSIONS = 5


def theme_list(*, status: str | None = None, property_id: str | None = None, search: str | None = None,
               deleted: str | None = None) -> QuerySet[Theme]:
    """Themes of the tenant; `deleted="only"` lists the soft-deleted ones (to restore), `"include"` both."""
    themes = Theme.objects.all()
    if deleted == "only":
        themes = themes.filter(deleted_at__isnull=False)
    elif deleted != "include":
        themes = themes.filter(deleted_at__isnull=True)
    if status:
        themes = themes.filter(status=status)
    if property_id:
        themes = themes.filter(property_id=property_id)
    if search:
        themes = themes.filter(name__icontains=search)
    return themes


def theme_get(theme_id: str, *, include_deleted: bool = False) -> Theme:
    themes = Theme.objects.all() if include_deleted else Theme.objects.filter(deleted_at__isnull=True)
    theme = themes.filter(pk=theme_id).first() if is_valid_id(theme_id, "thm") else None
    if theme is None:
        raise not_found("theme")
    return theme


def latest_versions(theme: Theme, limit: int = LATEST_VERSIONS) -> list[ThemeVersion]:
    return list(ThemeVersion.objects.filter(theme_id=theme.pk).order_by("-ordinal")[:limit])


def active_publication(theme: Theme) -> dict[str, Any] | None:
    """What is live for the theme, from its published version (the publication row is publishing's)."""
    if not theme.active_publication_id:
        return None
    version = ThemeVersion.objects.filter(theme_id=theme.pk, status="published").order_by("-published_at").first()
    if version is None:
        return {"id": theme.active_publication_id}
    return {"id": theme.active_publication_id, "theme_version_id": version.pk, "ordinal": version.ordinal,
            "bundle_url": version.published_bundle_url, "bundle_sha256": version.published_bundle_sha256,
            "published_at": version.published_at, "published_by": version.published_by}


def version_list(*, theme_id: str, status: str | None = None) -> QuerySet[ThemeVersion]:
    versions = ThemeVersion.objects.filter(theme_id=theme_id)
    if status:
        versions = versions.filter(status=status)
    return versions


def version_get(version_id: str, *, with_children: bool = False) -> ThemeVersion:
    versions = ThemeVersion.objects.select_related("theme").filter(theme__deleted_at__isnull=True)
    if with_children:
        versions = versions.prefetch_related(
            Prefetch("content_blocks", queryset=ContentBlock.objects.order_by("surface", "ordinal")),
            Prefetch("navigation_configs", queryset=NavigationConfig.objects.order_by("surface")),
            Prefetch("locale_packs", queryset=LocalePack.objects.order_by("locale")),
        )
    version = versions.filter(pk=version_id).first() if is_valid_id(version_id, "thv") else None
    if version is None:
        raise not_found("version")
    return version


def content_block_list(*, version_id: str, surface: str | None = None) -> QuerySet[ContentBlock]:
    blocks = ContentBlock.objects.filter(theme_version_id=version_id)
    if surface:
        blocks = blocks.filter(surface=surface)
    return blocks


def content_block_get(block_id: str) -> ContentBlock:
    block = ContentBlock.objects.filter(pk=block_id).first() if is_valid_id(block_id, "cnb") else None
    if block is None:
        raise not_found("content block")
    return block


_Child = TypeVar("_Child", NavigationConfig, BookingFlowConfig, EmailTheme, LocalePack)


def _version_child(model: type[_Child], what: str, *, version_id: str, **lookup: Any) -> _Child:
    child = model.objects.filter(theme_version_id=version_id, **lookup).first()
    if child is None:
        raise not_found(what)
    return child


def navigation_get(*, version_id: str, surface: str) -> NavigationConfig:
    return _version_child(NavigationConfig, "navigation", version_id=version_id, surface=surface)


def booking_flow_get(*, version_id: str) -> BookingFlowConfig:
    return _version_child(BookingFlowConfig, "booking flow", version_id=version_id)


def email_theme_get(*, version_id: str) -> EmailTheme:
    return _version_child(EmailTheme, "e-mail theme", version_id=version_id)


def locale_pack_get(*, version_id: str, locale: str) -> LocalePack:
    return _version_child(LocalePack, "locale pack", version_id=version_id, locale=locale)


def theme_list_with_live_version(themes: QuerySet[Theme]) -> QuerySet[Theme]:
    """`themes` with their published version's ordinal and publication time (`live_ordinal`,
    `live_published_at`) in the same query."""
    live = ThemeVersion.objects.filter(theme_id=OuterRef("pk"), status=ThemeVersionStatus.PUBLISHED) \
        .order_by("-published_at")
    return themes.annotate(live_ordinal=Subquery(live.values("ordinal")[:1]),
                           live_published_at=Subquery(live.values("published_at")[:1]))


def version_find(version_id: str | None) -> ThemeVersion | None:
    """The version with this id, even of a deleted theme, or None."""
    return ThemeVersion.objects.filter(pk=version_id).first() if version_id else None


def version_has_booking_flow_and_email_theme(version_id: str | None) -> bool:
    return (BookingFlowConfig.objects.filter(theme_version_id=version_id).exists()
            and EmailTheme.objects.filter(theme_version_id=version_id).exists())


def content_block_labels(block_ids: Iterable[str]) -> dict[str, str]:
    """Each block's label (`str(block)`), by id; blocks since deleted are left out."""
    return {block.pk: str(block) for block in ContentBlock.objects.filter(pk__in=list(block_ids))}


def version_labels(version_ids: Iterable[str]) -> dict[str, str]:
    """Each version as staff name it ("version 3"), by id; versions not found are left out."""
    return {pk: f"version {ordinal}"
            for pk, ordinal in ThemeVersion.objects.filter(pk__in=list(version_ids)).values_list("pk", "ordinal")}


def locale_pack_list(*, version_id: str, locale: str | None = None) -> QuerySet[LocalePack]:
    packs = LocalePack.objects.filter(theme_version_id=version_id)
    return packs.filter(locale=locale) if locale is not None else packs


def locale_pack_locales(pack_ids: Iterable[str]) -> dict[str, str]:
    """Each locale pack's locale, by id; packs since deleted are left out."""
    return dict(LocalePack.objects.filter(pk__in=list(pack_ids)).values_list("pk", "locale"))
