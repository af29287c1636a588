"""What the AI workspace's admin pages share (ai_workspace/admin/): the job progress the pages show
and answer as JSON (`?job=<id>&format=json`, followed by the jobs' progress widget,
themeconfig/platform/jobs/progress.py, which draws the page's drafts again when the job ends), the
labels, the decision form and the asking/deciding steps that call the use cases, and the draft lists'
status tabs and cards.
"""
from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, JsonResponse
from django.template.loader import render_to_string
from django.utils.http import urlencode

from ai_workspace import selectors, services
from ai_workspace.models import DraftStatus, GenerationJobKind, GenerationJobStatus
from themeconfig.admin.base import can, domain_error_text, found_or_404, principal_of, refusal_shown
from themeconfig.admin.common import (
    EDITABLE_VERSIONS,
    actor_label,
    add_refusal_errors,
    status_badge,
    when_label,
)
from themeconfig.platform.jobs.progress import JOB_PROGRESS_JS, job_poll_response, job_started_message
from themeconfig.platform.permissions import Permission
from themeconfig.selectors.themes import version_find, version_list
from themeconfig.validators.locales import locale_label

MEDIA = forms.Media(css={"all": ["ai_workspace/admin/ai-workspace.css"]}, js=[JOB_PROGRESS_JS])
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


def version_label(version_id: str | None) -> str:
    """A version as people name it ("version 3"), never its id; "—" for none."""
    if not version_id:
        return "—"
    version = version_find(version_id)
    return f"version {version.ordinal}" if version is not None else "a version since deleted"


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


def job_json(request, job, base_url: str, *, refreshed: Callable[[], dict[str, str]] | None = None) -> JsonResponse:
    """The poll's answer: the job's state, its status cell drawn as on the page, and, once it has ended,
    `refreshed()`: the page's parts it changed (its drafts), drawn anew."""
    row = job_row(job, base_url)
    return job_poll_response({
        "id": job.pk, "kind": job.kind, "status": job.status, "status_label": JOB_LABELS.get(job.status, job.status),
        "finished": row["finished"], "text": row["text"], "attempts": job.attempts, "error_code": job.error_code,
        "error_message": job.error_message,
        "errors": [{"path": e.get("path"), "message": e.get("message")} for e in row["errors"]],
        "draft_id": job.draft_id, "draft_url": row["draft_url"] or None,
    }, html=render_to_string("admin/ai_workspace/job_status.html", {"row": row}, request=request),
        refreshed=refreshed() if refreshed is not None and row["finished"] else None)


def jobs_context(request, jobs, base_url: str) -> dict:
    rows = [job_row(job, base_url) for job in jobs[:JOBS_SHOWN]]
    focused = request.GET.get("job")
    return {"jobs": rows, "jobs_open": any(not row["finished"] for row in rows), "focused_job": focused,
            "job_finished": any(row["finished"] for row in rows if row["job"].pk == focused),
            "refresh_url": request.get_full_path()}


def polled_job(request, jobs):
    """The job `?job=<id>` names among `jobs` (this page's), or 404."""
    job = found_or_404(lambda: selectors.generation_job_get(request.GET.get("job", "")))
    if not jobs.filter(pk=job.pk).exists():
        raise Http404("No such AI generation job on this page.")
    return job



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
            "applied_to": version_label(draft.applied_to_version_id) if draft.applied_to_version_id else None}


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
    with refusal_shown(request, on_form(request, form), not_found_page=True) as refusal:
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
    return form if refusal and refusal.error.errors else None


def on_form(request, form):
    """`refusal_shown`'s `show` for a form: a refusal naming fields on them, any other as a message
    (and `form.refused` set)."""
    def show(error):
        if error.errors:
            add_refusal_errors(form, error)
        else:
            messages.error(request, domain_error_text(error))
            form.refused = True
    return show


def ask(request, form, call):
    """Runs a generation use case with the form's input: the job, or None (its errors on the form, or a
    message and `form.refused` for a refusal that names no field, such as a limit)."""
    if not form.is_valid():
        return None
    with refusal_shown(request, on_form(request, form), not_found_page=True) as refusal:
        job = call(form.cleaned_data)
    if refusal:
        return None
    job_started_message(request, f"Asked for a draft: the job is {job.status}. It shows below as it runs.")
    return job


def posted_draft(request, kind: str, belongs):
    """The draft the POST names, if it is this tenant's (RLS) and of this page's object; 404 otherwise."""
    draft = found_or_404(lambda: selectors.draft_get(kind, request.POST.get("draft_id", "")))
    if not belongs(draft):
        raise Http404("No such draft on this page.")
    return draft
