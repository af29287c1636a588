"""The AI workspace in the tenant staff's theme workspace (/admin/): a theme's "AI palettes" page and a
version's "AI drafts" page (workspace pages, themeconfig/admin/workspace.py).

Editors (themes.edit) ask for a draft: the page POSTs to a generation use case, which answers with a
job at once; the job then shows on the page with its state, followed without reloading by
ai_workspace/admin/generation-jobs.js from the page's own JSON answer (`?job=<id>&format=json`),
or by the Refresh link without JavaScript. Reviewers (ai.review) approve a pending draft (a palette
onto a chosen draft version, a translation's ticked keys only) or reject it with a note. Each draft
is drawn against what approving it would replace (the selectors' diffs, computed now); viewers see
the same lists without forms, and a POST their role cannot make is a 403. A use case's refusal is
shown beside the field its JSON path names, or as a message (a stale draft, a decided one, a limit).
"""
from __future__ import annotations

import json

from babel import Locale, UnknownLocaleError
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.utils.http import urlencode

from ai_workspace import selectors, services
from ai_workspace.models import DraftStatus, GenerationJobKind, GenerationJobStatus
from ai_workspace.providers.oklch_palette import MOODS
from ai_workspace.services import generation
from themeconfig.admin.base import can, domain_error_text, principal_of
from themeconfig.admin.themes import (
    EDITABLE_VERSIONS,
    actor_label,
    add_refusal_errors,
    status_badge,
    when_label,
)
from themeconfig.admin.workspace import page_url, render_workspace_page, workspace_page
from themeconfig.models import BrandKit, ContentSurface
from themeconfig.platform.errors import DomainError
from themeconfig.platform.permissions import Permission
from themeconfig.selectors.themes import content_block_list, version_list
from themeconfig.validators.content import AMENITY_CODES, CONTENT_BLOCK_KINDS, POLICY_TYPES
from themeconfig.validators.contrast import check_pairs, to_hex

PALETTES = "ai-palettes"
DRAFTS = "ai-drafts"
MEDIA = forms.Media(css={"all": ["ai_workspace/admin/ai-workspace.css"]}, js=["ai_workspace/admin/generation-jobs.js"])
JOBS_SHOWN = 10
DRAFTS_SHOWN = 30
FINISHED = (GenerationJobStatus.SUCCEEDED, GenerationJobStatus.FAILED)
STATUS_LABELS = {DraftStatus.PENDING: "Pending review", DraftStatus.APPROVED: "Approved",
                 DraftStatus.REJECTED: "Rejected", DraftStatus.SUPERSEDED: "Superseded"}
JOB_LABELS = {GenerationJobStatus.QUEUED: "Queued", GenerationJobStatus.RUNNING: "Running",
              GenerationJobStatus.SUCCEEDED: "Succeeded", GenerationJobStatus.FAILED: "Failed"}
KIND_LABELS = {GenerationJobKind.PALETTE: "Palette", GenerationJobKind.TRANSLATION: "Translation",
               GenerationJobKind.CONTENT: "Content block"}
CHANGE_LABELS = {"added": "Added", "changed": "Changed", "unchanged": "Unchanged", "removed": "Removed"}
PLURAL_CHOICES = [("target", "The target language's plural categories (what a translation needs)"),
                  ("source", "Keep the source's plural categories")]


def locale_label(code: str) -> str:
    """`fr` as "French (fr)"; an unknown code as itself."""
    try:
        name = Locale.parse(code, sep="-").get_display_name("en")
    except (UnknownLocaleError, ValueError, TypeError):
        return code
    return f"{name} ({code})" if name else code


def version_choices(theme) -> list[tuple[str, str]]:
    """The theme's draft and preview-ready versions, newest first: where a palette can land."""
    return [(v.pk, f"Version {v.ordinal} ({v.get_status_display().lower()})")
            for v in version_list(theme_id=theme.pk).filter(status__in=EDITABLE_VERSIONS).order_by("-ordinal")]


def provenance_label(provenance: dict) -> dict:
    """Who drafted it, in words: the offline provider says it is no AI model."""
    provider, model = provenance.get("provider") or "unknown", provenance.get("model") or ""
    if provider == "offline":
        title = "Offline provider (computed on this server, no AI model)"
    else:
        title = f"AI provider: {provider}"
    note = ("A pseudo-localisation for checking layouts with long and right-to-left text, not a translation."
            if provider == "offline" and str(model).startswith("pseudo-localisation") else "")
    return {"title": title, "model": model, "note": note, "template": " ".join(
        str(part) for part in (provenance.get("prompt_template_id"), provenance.get("prompt_template_version")) if part),
        "requested_by": actor_label(provenance.get("requested_by")), "rationale": provenance.get("rationale")}


def draft_badge(status: str):
    return status_badge(status, STATUS_LABELS.get(status, status))


# --- generation jobs ------------------------------------------------------------------------------------

def job_text(job) -> str:
    if job.status == GenerationJobStatus.QUEUED:
        return "Queued: waiting for a worker to take it."
    if job.status == GenerationJobStatus.RUNNING:
        return f"Running: the provider is drafting (attempt {job.attempts})."
    if job.status == GenerationJobStatus.SUCCEEDED:
        return "Succeeded: the draft is ready for review."
    return f"Failed ({job.error_code}): {job.error_message}"


def job_row(job, base_url: str) -> dict:
    finished = job.status in FINISHED
    return {
        "job": job, "kind": KIND_LABELS.get(job.kind, job.kind),
        "badge": status_badge(job.status, JOB_LABELS.get(job.status, job.status)), "text": job_text(job),
        "finished": finished, "requested_by": actor_label(job.requested_by), "created": when_label(job.created_at),
        "errors": [e for e in job.errors if isinstance(e, dict)],
        "poll_url": f"{base_url}?{urlencode({'job': job.pk, 'format': 'json'})}",
        "draft_url": f"{base_url}#draft-{job.draft_id}" if job.draft_id else "",
        "parameters": job_parameters(job),
    }


def job_parameters(job) -> str:
    p = job.parameters or {}
    if job.kind == GenerationJobKind.PALETTE:
        return f"mood {p.get('mood', '?')}"
    if job.kind == GenerationJobKind.TRANSLATION:
        return f"{locale_label(p.get('locale', '?'))} from {p.get('source_locale', '?')}"
    target = "rewrite of a block" if p.get("content_block_id") else "new block"
    return f"{p.get('kind', '?')} on {p.get('surface', '?')}, {p.get('locale', '?')} ({target})"


def job_json(job, base_url: str) -> JsonResponse:
    row = job_row(job, base_url)
    response = JsonResponse({"job": {
        "id": job.pk, "kind": job.kind, "status": job.status, "status_label": JOB_LABELS.get(job.status, job.status),
        "finished": row["finished"], "text": row["text"], "attempts": job.attempts, "error_code": job.error_code,
        "error_message": job.error_message,
        "errors": [{"path": e.get("path"), "message": e.get("message")} for e in row["errors"]],
        "draft_id": job.draft_id, "draft_url": row["draft_url"] or None,
    }})
    response["Cache-Control"] = "no-store"
    return response


def jobs_context(request, jobs, base_url: str) -> dict:
    rows = [job_row(job, base_url) for job in jobs[:JOBS_SHOWN]]
    return {"jobs": rows, "jobs_open": any(not row["finished"] for row in rows), "focused_job": request.GET.get("job"),
            "refresh_url": request.get_full_path()}


def polled_job(request, jobs):
    """The job `?job=<id>` names among `jobs` (this page's), or 404."""
    try:
        job = selectors.generation_job_get(request.GET.get("job", ""))
    except DomainError as error:
        raise Http404(error.message) from error
    if not jobs.filter(pk=job.pk).exists():
        raise Http404("No such AI generation job on this page.")
    return job


# --- forms ------------------------------------------------------------------------------------------------

class PaletteAskForm(forms.Form):
    mood = forms.ChoiceField(label="Mood", choices=[(m, m.capitalize()) for m in MOODS])
    brand_kit_id = forms.ChoiceField(label="Brand kit", help_text="The colours and fonts the palette starts from.")
    version_id = forms.ChoiceField(label="Target version",
                                   help_text="The draft whose colours it would replace (its other tokens stay).")

    def __init__(self, *args, theme, **kwargs):
        super().__init__(*args, **kwargs)
        kits = list(BrandKit.objects.filter(deleted_at__isnull=True).order_by("name"))
        self.fields["brand_kit_id"].choices = [(k.pk, f"{k.name} (default)" if k.is_default else k.name) for k in kits]
        default = next((k.pk for k in kits if k.is_default), None)
        if default:
            self.fields["brand_kit_id"].initial = default
        self.fields["version_id"].choices = version_choices(theme)


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
    kind = forms.ChoiceField(label="Kind of block", choices=[(k, k.replace("_", " ").capitalize())
                                                             for k in CONTENT_BLOCK_KINDS])
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
            (b.pk, f"{b.get_surface_display()} · {b.kind.replace('_', ' ')} #{b.ordinal + 1}")
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


class DecisionForm(forms.Form):
    """Approve or reject one draft: a note (required to reject), a palette's target version, a
    translation's keys. Its fields are prefixed with the draft's id, so each draft has its own."""

    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 2}),
                           help_text="Optional to approve; say why to reject.")
    version_id = forms.ChoiceField(label="Apply to", required=False)
    keys = forms.MultipleChoiceField(label="Keys to apply", required=False)

    def __init__(self, *args, draft, kind: str, versions: list | None = None, **kwargs):
        super().__init__(*args, prefix=draft.pk, **kwargs)
        if kind == "palette":
            self.fields["version_id"].choices = versions if versions is not None else version_choices(draft.theme)
            recorded = (draft.ai_provenance.get("base") or {}).get("version_id")
            self.fields["version_id"].initial = recorded
        else:
            del self.fields["version_id"]
        if kind == "translation":
            self.fields["keys"].choices = [(key, key) for key in sorted(draft.drafted_entries)]
            self.fields["keys"].initial = sorted(draft.drafted_entries)
        else:
            del self.fields["keys"]

    def checked_keys(self) -> set[str]:
        """The keys ticked now (bound) or by default (all)."""
        if self.is_bound:
            return set(self.data.getlist(self.add_prefix("keys")))
        return set(self.fields["keys"].initial) if "keys" in self.fields else set()


# --- shared page parts ----------------------------------------------------------------------------

def status_filter(request) -> str | None:
    status = request.GET.get("status")
    return status if status in DraftStatus.values else None


def status_tabs(base_url: str, current: str | None) -> list[dict]:
    tabs = [{"label": "All (pending first)", "url": base_url, "current": current is None}]
    return tabs + [{"label": STATUS_LABELS[s], "url": f"{base_url}?{urlencode({'status': s})}", "current": current == s}
                   for s in DraftStatus.values]


def pending_first(drafts):
    order = Case(When(status=DraftStatus.PENDING, then=Value(0)), default=Value(1), output_field=IntegerField())
    return drafts.annotate(pending_first=order).order_by("pending_first", "-created_at")[:DRAFTS_SHOWN]


def decision(draft) -> dict:
    """How a decided draft was decided, in words."""
    if draft.status == DraftStatus.PENDING:
        return {}
    return {"by": actor_label(draft.approver_user_id) if draft.approver_user_id else "—",
            "when": when_label(draft.decided_at), "note": draft.approver_note,
            "applied_to": draft.applied_to_version_id}


def common_card(draft, kind: str, can_decide: bool, bound: dict, **form_kwargs) -> dict:
    provenance = draft.ai_provenance or {}
    form = None
    if can_decide and draft.status == DraftStatus.PENDING:
        form = bound.get(draft.pk) or DecisionForm(draft=draft, kind=kind, **form_kwargs)
    return {"draft": draft, "kind": kind, "badge": draft_badge(draft.status), "provenance": provenance_label(provenance),
            "created": when_label(draft.created_at), "decision": decision(draft), "form": form,
            "parameters": provenance.get("parameters") or {}}


def decide(request, *, kind: str, draft) -> DecisionForm | None:
    """Approves or rejects `draft` from the POST. A refusal naming fields comes back as the bound form
    with its errors (the page is drawn again with it); None when done or refused with a message."""
    if not can(request, Permission.AI_REVIEW):
        raise PermissionDenied
    action = request.POST.get("action")
    form = DecisionForm(request.POST, draft=draft, kind=kind)
    if not form.is_valid():
        return form
    note = form.cleaned_data["note"] or None
    try:
        if action == "approve":
            arguments = {}
            if kind == "palette":
                arguments["version_id"] = form.cleaned_data["version_id"] or None
            if kind == "translation":
                keys = sorted(form.cleaned_data["keys"])
                arguments["keys"] = None if set(keys) == set(draft.drafted_entries) else keys
            services.draft_approve(principal=principal_of(request), kind=kind, draft_id=draft.pk, note=note,
                                   **arguments)
            messages.success(request, "Draft approved and applied to the version.")
        else:
            services.draft_reject(principal=principal_of(request), kind=kind, draft_id=draft.pk,
                                  note=form.cleaned_data["note"])
            messages.success(request, "Draft rejected.")
    except DomainError as error:
        if error.http_status == 403:
            raise PermissionDenied from error
        if error.http_status == 404:
            raise Http404(error.message) from error
        if error.errors:
            add_refusal_errors(form, error)
            return form
        messages.error(request, domain_error_text(error))
    return None


def ask(request, form, call):
    """Runs a generation use case with the form's input: the job, or None (its errors on the form, or a
    message and `form.refused` for a refusal that names no field, such as a limit)."""
    if not form.is_valid():
        return None
    try:
        job = call(form.cleaned_data)
    except DomainError as error:
        if error.http_status == 403:
            raise PermissionDenied from error
        if error.http_status == 404:
            raise Http404(error.message) from error
        if error.errors:
            add_refusal_errors(form, error)
        else:
            messages.error(request, domain_error_text(error))
            form.refused = True
        return None
    messages.success(request, f"Asked for a draft: job {job.pk} is {job.status}. It shows below as it runs.")
    return job


def posted_draft(request, kind: str, belongs):
    """The draft the POST names, if it is this tenant's (RLS) and of this page's object; 404 otherwise."""
    try:
        draft = selectors.draft_get(kind, request.POST.get("draft_id", ""))
    except DomainError as error:
        raise Http404(error.message) from error
    if not belongs(draft):
        raise Http404("No such draft on this page.")
    return draft


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
        "target": diff["version_id"], "mood": card["parameters"].get("mood"),
    })
    return card


@workspace_page("theme", PALETTES, "AI palettes", order=90)
def palettes_page(model_admin, request, theme):
    base_url = page_url(model_admin.admin_site.name, "theme", PALETTES, theme.pk)
    jobs = selectors.generation_job_list(theme_id=theme.pk).filter(kind=GenerationJobKind.PALETTE)
    if request.method == "GET" and request.GET.get("format") == "json":
        return job_json(polled_job(request, jobs), base_url)
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
    return render_workspace_page(model_admin, request, theme, slug=PALETTES, template="admin/ai_workspace/palettes.html",
                                 context=context, title=f"AI palettes: {theme.name}")


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
                 else draft.surface, "block_kind": draft.kind.replace("_", " "),
                 "rewrites": draft.content_block_id, "current": block_view(diff["current"]),
                 "drafted": block_view(diff["drafted"]), "change": CHANGE_LABELS.get(diff["change"], diff["change"])})
    return card


@workspace_page("version", DRAFTS, "AI drafts", order=95)
def drafts_page(model_admin, request, version):
    base_url = page_url(model_admin.admin_site.name, "version", DRAFTS, version.pk)
    jobs = selectors.generation_job_list(theme_id=version.theme_id).filter(theme_version_id=version.pk)
    if request.method == "GET" and request.GET.get("format") == "json":
        return job_json(polled_job(request, jobs), base_url)
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
    return render_workspace_page(model_admin, request, version, slug=DRAFTS, template="admin/ai_workspace/drafts.html",
                                 context=context, title=f"AI drafts: version {version.ordinal} of {theme.name}")
