"""The version's Compare page (tab "Compare"): what changed from another version of the same theme.

A GET form picks the other version (by default the one live through the theme's active publication,
or else the previous ordinal); the page then lists, section by section, tokens (colours side by side
with their swatch and hex), layout selections, content blocks, navigation, booking flow, e-mail theme,
locale packs and release notes, each "No differences." when equal; each locale's texts in that locale's
language and direction (`lang`, `dir`), other texts isolated (`dir="auto"`). Reading only: every role
that sees the version sees the page. A `with` that is not another version of this theme (unknown, malformed, another
theme's or another tenant's, which RLS hides) is refused with a message and a 404, showing nothing of it.
"""
from __future__ import annotations

from django import forms
from django.http import HttpResponseNotAllowed

from themeconfig.admin import workspace
from themeconfig.models import ThemeVersion
from themeconfig.selectors import themes as theme_selectors
from themeconfig.selectors.diffs import version_diff
from themeconfig.selectors.themes import version_list
from themeconfig.services.versions import direction_of
from themeconfig.validators.locales import locale_label

SLUG = "compare"
TEMPLATE = "admin/themeconfig/version_compare/page.html"
MEDIA = forms.Media(css={"all": ["themeconfig/admin/version-compare.css"]})
UNKNOWN_OTHER = "There is no other version of this theme with that id: pick one from the list."
NO_OTHER = "This theme has no other version to compare with yet."


def version_label(version: ThemeVersion) -> str:
    return f"Version {version.ordinal} ({version.get_status_display().lower()})"


def with_directions(diff: dict) -> dict:
    """Each locale's texts (its pack's messages, a block's body in it) carry that locale's direction, so
    an Arabic ICU message reads right to left in its own cell instead of being scrambled; each pack is
    named by its language."""
    for pack in diff["locale_packs"]:
        pack["dir"] = direction_of(pack["locale"])
        pack["label"] = locale_label(pack["locale"])  # "Arabic (ar)", as the Locales tab names it
    for surface in diff["content"]:
        for row in surface["rows"]:
            row["dir"] = direction_of(row["locale"]) if row["locale"] else "auto"
    return diff


def default_other(version: ThemeVersion, others: list[ThemeVersion]) -> ThemeVersion | None:
    """The live version when it is not this one, else the previous ordinal (or the nearest one)."""
    live = theme_selectors.active_publication(version.theme) or {}
    live_id = live.get("theme_version_id")
    if live_id and live_id != version.pk:
        found = next((other for other in others if other.pk == live_id), None)
        if found is not None:
            return found
    earlier = [other for other in others if other.ordinal < version.ordinal]
    if earlier:
        return earlier[-1]
    return others[0] if others else None


@workspace.workspace_page("version", SLUG, "Compare", order=80)
def compare_page(model_admin, request, version):
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET"])
    others = list(version_list(theme_id=version.theme_id).exclude(pk=version.pk).order_by("ordinal"))
    wanted = request.GET.get("with")
    error, status, other = None, 200, None
    if wanted is not None and wanted != "":
        other = next((candidate for candidate in others if candidate.pk == wanted), None)
        if other is None:
            error, status = UNKNOWN_OTHER, 404
    else:
        other = default_other(version, others)
    context = {
        "version_label": version_label(version),
        "choices": [{"id": o.pk, "label": version_label(o), "selected": other is not None and o.pk == other.pk}
                    for o in others],
        "other": other,
        "other_label": version_label(other) if other is not None else "",
        "error": error,
        "no_other": NO_OTHER if not others else None,
        "diff": with_directions(version_diff(version, other)) if other is not None else None,
        "media": model_admin.media + MEDIA,
    }
    return workspace.render_workspace_page(
        model_admin, request, version, slug=SLUG, template=TEMPLATE, context=context, status=status)
