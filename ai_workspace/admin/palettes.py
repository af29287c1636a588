"""A theme's "AI palettes" workspace page: editors ask for a palette drafted from a brand kit and a
mood, reviewers approve it onto a chosen draft version or reject it; each draft is drawn as swatches
against the colours it would replace, with the contrast checks before and after.
"""
from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.loader import render_to_string
from django.utils.http import urlencode

from ai_workspace import selectors
from ai_workspace.models import GenerationJobKind
from ai_workspace.providers.oklch_palette import MOODS
from ai_workspace.services import generation
from themeconfig.admin.base import can, principal_of
from themeconfig.admin.workspace import page_url, render_workspace_page, workspace_page
from themeconfig.platform.permissions import Permission
from themeconfig.selectors.brand_kits import brand_kit_list
from themeconfig.validators.contrast import check_pairs, to_hex

from .common import (
    CHANGE_LABELS,
    MEDIA,
    ask,
    common_card,
    decide,
    job_json,
    jobs_context,
    pending_first,
    polled_job,
    posted_draft,
    status_filter,
    status_tabs,
    version_choices,
    version_label,
)

PALETTES = "ai-palettes"


class PaletteAskForm(forms.Form):
    mood = forms.ChoiceField(label="Mood", choices=[(m, m.capitalize()) for m in MOODS])
    brand_kit_id = forms.ChoiceField(label="Brand kit", help_text="The colours and fonts the palette starts from.")
    version_id = forms.ChoiceField(label="Target version",
                                   help_text="The draft whose colours it would replace (its other tokens stay).")

    def __init__(self, *args, theme, **kwargs):
        super().__init__(*args, **kwargs)
        kits = list(brand_kit_list())
        self.fields["brand_kit_id"].choices = [(k.pk, f"{k.name} (default)" if k.is_default else k.name) for k in kits]
        default = next((k.pk for k in kits if k.is_default), None)
        if default:
            self.fields["brand_kit_id"].initial = default
        self.fields["version_id"].choices = version_choices(theme)



def colour_cell(value) -> dict:
    text = value if isinstance(value, str) else (None if value is None else json.dumps(value))
    return {"text": text, "hex": to_hex(value) if isinstance(value, str) else None}


# --- the theme's "AI palettes" page ---------------------------------------------------------------------

def palette_card(draft, can_decide: bool, bound: dict, versions: list) -> dict:
    card = common_card(draft, "palette", can_decide, bound, versions=versions)
    diff = selectors.palette_suggestion_diff(draft)
    rows, current, drafted = [], {}, {}
    for row in diff["tokens"]:
        name = row["token"].removeprefix("color.")
        rows.append({"token": name, "current": colour_cell(row["current"]), "drafted": colour_cell(row["drafted"]),
                     "change": row["change"], "change_label": CHANGE_LABELS.get(row["change"], row["change"])})
        if isinstance(row["current"], str):
            current[name] = row["current"]
        if isinstance(row["drafted"], str):
            drafted[name] = row["drafted"]
    before = {(r.pair.foreground, r.pair.background): r for r in check_pairs(current)}
    card.update({
        "swatches": rows,
        "contrast": [{"foreground": r.pair.foreground, "background": r.pair.background, "minimum": r.pair.minimum,
                      "kind": "text" if r.pair.kind == "text" else "UI", "drafted": r,
                      "current": before.get((r.pair.foreground, r.pair.background))} for r in check_pairs(drafted)],
        "target": version_label(diff["version_id"]) if diff["version_id"] else None, "mood": card["parameters"].get("mood"),
    })
    return card


@workspace_page("theme", PALETTES, "AI palettes", order=90)
def palettes_page(model_admin, request, theme):
    base_url = page_url(model_admin.admin_site.name, "theme", PALETTES, theme.pk)
    jobs = selectors.generation_job_list(theme_id=theme.pk).filter(kind=GenerationJobKind.PALETTE)
    if request.method == "GET" and request.GET.get("format") == "json":
        job = polled_job(request, jobs)
        return job_json(request, job, base_url, refreshed=lambda: {"palette-suggestions": render_to_string(
            "admin/ai_workspace/palette_suggestions.html",
            _palettes_context(model_admin, request, theme, base_url, jobs, None, {}), request=request)})
    ask_form = None
    bound: dict = {}
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "ask":
            if not can(request, Permission.THEMES_EDIT):
                raise PermissionDenied
            ask_form = PaletteAskForm(request.POST, theme=theme)
            job = ask(request, ask_form, lambda data: generation.palette_generation_request(
                principal=principal_of(request), theme_id=theme.pk, mood=data["mood"],
                brand_kit_id=data["brand_kit_id"], version_id=data["version_id"]))
            if job is not None or getattr(ask_form, "refused", False):
                return HttpResponseRedirect(base_url + (f"?{urlencode({'job': job.pk})}" if job else ""))
        elif action in ("approve", "reject"):
            draft = posted_draft(request, "palette", lambda d: d.theme_id == theme.pk)
            refused = decide(request, kind="palette", draft=draft)
            if refused is None:
                return HttpResponseRedirect(f"{base_url}#draft-{draft.pk}")
            bound = {draft.pk: refused}
        else:
            messages.error(request, "Unknown action.")
            return HttpResponseRedirect(base_url)
    return _palettes(model_admin, request, theme, base_url, jobs, ask_form, bound)


def _palettes(model_admin, request, theme, base_url, jobs, ask_form, bound):
    context = _palettes_context(model_admin, request, theme, base_url, jobs, ask_form, bound)
    return render_workspace_page(model_admin, request, theme, slug=PALETTES, template="admin/ai_workspace/palettes.html",
                                 context=context, title=f"AI palettes: {theme.name}")


def _palettes_context(model_admin, request, theme, base_url, jobs, ask_form, bound) -> dict:
    can_ask = can(request, Permission.THEMES_EDIT) and theme.deleted_at is None
    can_decide = can(request, Permission.AI_REVIEW)
    no_ask = ""
    if can_ask:
        ask_form = ask_form or PaletteAskForm(theme=theme)
        if not ask_form.fields["version_id"].choices:
            no_ask, ask_form = "The theme has no draft version for a palette to land on: create a draft first.", None
        elif not ask_form.fields["brand_kit_id"].choices:
            no_ask, ask_form = "The tenant has no brand kit for a palette to start from: add one first.", None
    else:
        ask_form = None
    status = status_filter(request)
    drafts = pending_first(selectors.palette_suggestion_list(theme_id=theme.pk, status=status))
    versions = version_choices(theme)
    context = {
        "media": model_admin.media + MEDIA, "ask_form": ask_form, "no_ask": no_ask, "can_decide": can_decide,
        **jobs_context(request, jobs, base_url), "status_tabs": status_tabs(base_url, status),
        "cards": [palette_card(d, can_decide, bound, versions) for d in drafts], "status": status,
        "read_only_reason": ("The theme is deleted: no palette can be asked for." if theme.deleted_at is not None
                             else "" if can_ask else "Your role can read the AI palettes but not ask for them."),
    }
    return context

