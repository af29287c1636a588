"""A version's "AI drafts" workspace page: editors ask for a translation of the version's strings or
a content block; reviewers approve a translation's ticked keys or a block, or reject it with a note.
Each draft is drawn against what approving it would replace.
"""
from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.loader import render_to_string
from django.utils.http import urlencode

from ai_workspace import selectors
from ai_workspace.services import generation
from themeconfig.admin.base import can, principal_of
from themeconfig.admin.common import EDITABLE_VERSIONS, status_badge
from themeconfig.admin.workspace import page_url, render_workspace_page, workspace_page
from themeconfig.models import ContentSurface
from themeconfig.platform.permissions import Permission
from themeconfig.selectors.themes import content_block_list
from themeconfig.validators.content import (
    AMENITY_CODES,
    CONTENT_BLOCK_KINDS,
    POLICY_TYPES,
    content_kind_label,
)

from .common import (
    CHANGE_LABELS,
    MEDIA,
    ask,
    common_card,
    decide,
    job_json,
    jobs_context,
    locale_label,
    pending_first,
    polled_job,
    posted_draft,
    status_filter,
    status_tabs,
)

DRAFTS = "ai-drafts"
PLURAL_CHOICES = [("target", "The target language's plural categories (what a translation needs)"),
                  ("source", "Keep the source's plural categories")]


class TranslationAskForm(forms.Form):
    prefix = "translation"
    locale = forms.ChoiceField(label="Locale")
    plural_categories = forms.ChoiceField(label="Plural categories", choices=PLURAL_CHOICES, initial="target")

    def __init__(self, *args, theme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["locale"].choices = [(c, locale_label(c)) for c in theme.enabled_locales if c != theme.default_locale]


def _comma_list(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


class ContentAskForm(forms.Form):
    """A content draft's target and the facts the offline templates arrange (ai_workspace/providers/
    content_templates.py reads them; none is invented, so a kind says which it needs)."""

    prefix = "content"
    surface = forms.ChoiceField(label="Surface", choices=ContentSurface.choices)
    kind = forms.ChoiceField(label="Kind of block", choices=[(k, content_kind_label(k)) for k in CONTENT_BLOCK_KINDS])
    locale = forms.ChoiceField(label="Locale")
    content_block_id = forms.ChoiceField(label="Block to rewrite", required=False,
                                         help_text="Leave as a new block, or pick one of the same surface and kind.")
    name = forms.CharField(label="Property name", required=False, max_length=200)
    city = forms.CharField(label="City", required=False, max_length=200)
    country = forms.CharField(label="Country", required=False, max_length=200)
    description = forms.CharField(label="Description", required=False, max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    booking_url = forms.CharField(label="Booking link", required=False, max_length=500,
                                  help_text="An https URL or a path on the site, like /book.")
    image_url = forms.CharField(label="Image URL (https)", required=False, max_length=500)
    image_alt = forms.CharField(label="Image alt text", required=False, max_length=250)
    amenities = forms.MultipleChoiceField(label="Amenities", required=False, widget=forms.CheckboxSelectMultiple,
                                          choices=[(c, c.replace("_", " ")) for c in AMENITY_CODES])
    room_type_codes = forms.CharField(label="Room type codes", required=False, max_length=500,
                                      help_text="Comma-separated, e.g. DBL, STE.")
    latitude = forms.FloatField(label="Latitude", required=False, min_value=-90, max_value=90)
    longitude = forms.FloatField(label="Longitude", required=False, min_value=-180, max_value=180)
    policy_type = forms.ChoiceField(label="Policy type", required=False,
                                    choices=[("", "—")] + [(p, p.replace("_", " ")) for p in POLICY_TYPES])
    policy_text = forms.CharField(label="Policy text", required=False, max_length=8000,
                                  widget=forms.Textarea(attrs={"rows": 3}))

    FACTS = ("name", "city", "country", "description", "booking_url", "policy_type", "policy_text")

    def __init__(self, *args, version, **kwargs):
        super().__init__(*args, **kwargs)
        theme = version.theme
        self.fields["locale"].choices = [(c, locale_label(c)) for c in
                                         [theme.default_locale, *[c for c in theme.enabled_locales
                                                                  if c != theme.default_locale]]]
        self.fields["locale"].initial = theme.default_locale
        self.fields["content_block_id"].choices = [("", "A new block")] + [
            (b.pk, f"{b.get_surface_display()} · {content_kind_label(b.kind)} #{b.ordinal + 1}")
            for b in content_block_list(version_id=version.pk).order_by("surface", "ordinal")]

    TARGET = ("surface", "kind", "locale", "content_block_id")

    def target_fields(self) -> list:
        return [self[name] for name in self.TARGET]

    def fact_fields(self) -> list:
        return [self[name] for name in self.fields if name not in self.TARGET]

    def facts(self) -> dict:
        data = self.cleaned_data
        facts = {name: data[name] for name in self.FACTS if data.get(name)}
        if data.get("image_url"):
            facts["images"] = [{"url": data["image_url"], **({"alt": data["image_alt"]} if data.get("image_alt") else {})}]
        if data.get("amenities"):
            facts["amenities"] = list(data["amenities"])
        if _comma_list(data.get("room_type_codes") or ""):
            facts["room_type_codes"] = _comma_list(data["room_type_codes"])
        for name in ("latitude", "longitude"):
            if data.get(name) is not None:
                facts[name] = data[name]
        return facts



# --- the version's "AI drafts" page ---------------------------------------------------------------------

def block_view(block) -> dict | None:
    """A block's body per locale and its meta as label/value lines (for reading, never editing)."""
    if block is None:
        return None
    body = block.get("body") if isinstance(block.get("body"), dict) else {}
    texts = []
    for locale, entry in sorted(body.items()):
        value = entry.get("value") if isinstance(entry, dict) else entry
        texts.append({"locale": locale_label(locale), "format": entry.get("format") if isinstance(entry, dict) else "",
                      "value": value if isinstance(value, str) else json.dumps(value, indent=2, ensure_ascii=False)})
    meta = block.get("meta") if isinstance(block.get("meta"), dict) else {}
    lines = [{"name": name, "value": value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)}
             for name, value in sorted(meta.items()) if name != "kind"]
    return {"texts": texts, "meta": lines}


def translation_card(draft, can_decide: bool, bound: dict) -> dict:
    card = common_card(draft, "translation", can_decide, bound)
    checked = card["form"].checked_keys() if card["form"] else set()
    entries = selectors.translation_draft_diff(draft)["entries"]
    card.update({
        "locale": locale_label(draft.locale),
        "entries": [{**e, "change_label": CHANGE_LABELS.get(e["change"], e["change"]), "checked": e["key"] in checked,
                     "input_id": f"{draft.pk}-key-{index}"} for index, e in enumerate(entries)],
        "counts": {label: sum(1 for e in entries if e["change"] == change) for change, label in CHANGE_LABELS.items()
                   if change != "removed"},
    })
    return card


def content_card(draft, can_decide: bool, bound: dict) -> dict:
    card = common_card(draft, "content", can_decide, bound)
    diff = selectors.content_draft_diff(draft)
    card.update({"surface": ContentSurface(draft.surface).label if draft.surface in ContentSurface.values
                 else draft.surface, "block_kind": content_kind_label(draft.kind),
                 "rewrites": str(draft.content_block) if draft.content_block_id else None, "current": block_view(diff["current"]),
                 "drafted": block_view(diff["drafted"]), "change": CHANGE_LABELS.get(diff["change"], diff["change"])})
    return card


@workspace_page("version", DRAFTS, "AI drafts", order=95)
def drafts_page(model_admin, request, version):
    base_url = page_url(model_admin.admin_site.name, "version", DRAFTS, version.pk)
    jobs = selectors.generation_job_list(theme_id=version.theme_id).filter(theme_version_id=version.pk)
    if request.method == "GET" and request.GET.get("format") == "json":
        job = polled_job(request, jobs)
        return job_json(request, job, base_url, refreshed=lambda: {"ai-drafts": render_to_string(
            "admin/ai_workspace/draft_sections.html",
            _drafts_context(model_admin, request, version, base_url, jobs, {}, {}), request=request)})
    forms_shown: dict = {}
    bound: dict = {}
    if request.method == "POST":
        action = request.POST.get("action")
        if action in ("ask_translation", "ask_content"):
            if not can(request, Permission.THEMES_EDIT):
                raise PermissionDenied
            principal = principal_of(request)
            if action == "ask_translation":
                form = forms_shown["translation"] = TranslationAskForm(request.POST, theme=version.theme)
                job = ask(request, form, lambda data: generation.translation_generation_request(
                    principal=principal, version_id=version.pk, locale=data["locale"],
                    plural_categories=data["plural_categories"]))
            else:
                form = forms_shown["content"] = ContentAskForm(request.POST, version=version)
                job = ask(request, form, lambda data: generation.content_generation_request(
                    principal=principal, version_id=version.pk, surface=data["surface"], kind=data["kind"],
                    locale=data["locale"], content_block_id=data["content_block_id"] or None, facts=form.facts()))
            if job is not None or getattr(form, "refused", False):
                return HttpResponseRedirect(base_url + (f"?{urlencode({'job': job.pk})}" if job else ""))
        elif action in ("approve", "reject"):
            kind = request.POST.get("kind")
            if kind not in ("translation", "content"):
                raise Http404("No such kind of draft on this page.")
            draft = posted_draft(request, kind, lambda d: d.theme_version_id == version.pk)
            refused = decide(request, kind=kind, draft=draft)
            if refused is None:
                return HttpResponseRedirect(f"{base_url}#draft-{draft.pk}")
            bound = {draft.pk: refused}
        else:
            messages.error(request, "Unknown action.")
            return HttpResponseRedirect(base_url)
    return _drafts(model_admin, request, version, base_url, jobs, forms_shown, bound)


def _drafts(model_admin, request, version, base_url, jobs, forms_shown, bound):
    context = _drafts_context(model_admin, request, version, base_url, jobs, forms_shown, bound)
    return render_workspace_page(model_admin, request, version, slug=DRAFTS, template="admin/ai_workspace/drafts.html",
                                 context=context, title=f"AI drafts: version {version.ordinal} of {version.theme.name}")


def _drafts_context(model_admin, request, version, base_url, jobs, forms_shown, bound) -> dict:
    theme = version.theme
    editable = version.status in EDITABLE_VERSIONS and theme.deleted_at is None
    can_ask = can(request, Permission.THEMES_EDIT) and editable
    can_decide = can(request, Permission.AI_REVIEW)
    translation_form = content_form = None
    no_translation = ""
    if can_ask:
        translation_form = forms_shown.get("translation") or TranslationAskForm(theme=theme)
        if not translation_form.fields["locale"].choices:
            no_translation, translation_form = (
                "The theme has only its default locale: enable another one on the theme to ask for a translation.",
                None)
        content_form = forms_shown.get("content") or ContentAskForm(version=version)
    status = status_filter(request)
    translations = pending_first(selectors.translation_draft_list(version_id=version.pk, status=status))
    contents = pending_first(selectors.content_draft_list(version_id=version.pk, status=status))
    if not editable:
        reason = (f"Version {version.ordinal} is {version.get_status_display().lower()}: drafts cannot be asked for "
                  "or applied here; create a new draft version.")
    elif not can(request, Permission.THEMES_EDIT):
        reason = "Your role can read the AI drafts but not ask for them."
    else:
        reason = ""
    context = {
        "media": model_admin.media + MEDIA, "translation_form": translation_form, "no_translation": no_translation,
        "content_form": content_form, "can_decide": can_decide, "read_only_reason": reason,
        "version_status": status_badge(version.status, version.get_status_display()),
        **jobs_context(request, jobs, base_url), "status_tabs": status_tabs(base_url, status), "status": status,
        "translation_cards": [translation_card(d, can_decide, bound) for d in translations],
        "content_cards": [content_card(d, can_decide, bound) for d in contents],
    }
    return context
