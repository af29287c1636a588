"""Publishing in the tenant staff's theme workspace (/admin/): a version's Publish and Preview pages and
a theme's Publications page (workspace pages, themeconfig/admin/workspace.py).

Publish, roll back and re-publish ask for a job (publishing.services.publish) and then show its
progress on the same page, `?job=<id>`: the state the page was drawn with, a Refresh link, and, with
JavaScript (publishing/admin/job-progress.js), the same fragment again from `?job=<id>&format=json`
every second until the job has succeeded or failed, when that answer also draws again the parts of
the page the job changed. While a job runs its page offers no second publish, rollback or re-publish.
Roll back and re-publish change the live site, so each first shows a confirmation page (`?confirm=`,
like Django's delete confirmation) naming what goes live and what stops being live; only its POST
(`confirmed=yes`) asks for the job.

The Preview page draws the version with the sample site from the very bundle a publish would build,
inside a sandboxed frame (no script, form or top navigation; `allow-same-origin` only so that the
site's own language links, which come back to the frame's page `preview-site`, stay signed in), and
manages the version's preview links; a new link's secret URL is shown once, in that response's body.
"""
from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.http import urlencode

from publishing import selectors, services
from publishing.bundles.build import BundleError, build_bundle, bundle_inputs
from publishing.models import PublishJobKind, PublishJobStatus, PublishRequest
from publishing.resolve import rollout_stats
from publishing.sample_site.render import render_site
from publishing.services import publish, rollouts
from publishing.services.four_eyes import four_eyes_on
from publishing.views import preview_image_hosts, preview_page_headers
from themeconfig.admin.base import (
    can,
    domain_error_text,
    found_or_404,
    model_breadcrumbs,
    principal_of,
    refusal_shown,
    show_secret_once,
)
from themeconfig.admin.common import (
    actor_label,
    actor_names,
    add_refusal_errors,
    id_labeller,
    publication_label,
    status_badge,
    when_label,
)
from themeconfig.admin.workspace import (
    change_url,
    object_label,
    page_url,
    render_workspace_page,
    workspace_page,
)
from themeconfig.models import ThemeVersionStatus
from themeconfig.platform.ids import is_valid_id
from themeconfig.platform.jobs.progress import JOB_PROGRESS_JS, job_poll_response, job_started_message
from themeconfig.platform.permissions import Permission
from themeconfig.selectors.tenancy import verified_host_names
from themeconfig.services import version_problems
from themeconfig.services.versions import direction_of
from themeconfig.validators import ContractViolation
from themeconfig.validators.locales import locale_label

PUBLISHABLE = (ThemeVersionStatus.DRAFT, ThemeVersionStatus.PREVIEW_READY)
FINISHED = (PublishJobStatus.SUCCEEDED, PublishJobStatus.FAILED)
PAGE_MEDIA = forms.Media(css={"all": ["publishing/admin/publishing.css"]},
                         js=[JOB_PROGRESS_JS, "publishing/admin/preview-frame.js"])
PUBLICATIONS_SHOWN = 100
# What the frame may be: the preview page's own widths, desktop first.
FRAME_WIDTHS = {"desktop": 1280, "mobile": 390}
KIND_LABELS = {PublishJobKind.PUBLISH: "Publish", PublishJobKind.ROLLBACK: "Rollback",
               PublishJobKind.RE_PUBLISH: "Re-publish"}
# The steps a job goes through, by kind: (status while it runs, label, the timing the job records).
STEPS = {
    PublishJobKind.ROLLBACK: [("building", "Find the earlier publication's bundle", "build_ms"),
                              ("flipping", "Make it the active publication", "flip_ms")],
    "default": [("building", "Build the bundle", "build_ms"), ("uploading", "Upload the bundle", "upload_ms"),
                ("flipping", "Make it the active publication", "flip_ms")],
}
STATUS_TEXTS = {
    PublishJobStatus.QUEUED: "Waiting for a worker to take the job.",
    PublishJobStatus.BUILDING: "Building the bundle.",
    PublishJobStatus.UPLOADING: "Uploading the bundle.",
    PublishJobStatus.FLIPPING: "Making the new publication active.",
    PublishJobStatus.SUCCEEDED: "Done: the new publication is active.",
    PublishJobStatus.FAILED: "The job failed; nothing was changed.",
}


# The History tab names a recorded publication by the version it put live, never by its id.
id_labeller("thp")(selectors.publication_labels)


def _never(request, obj) -> bool:
    return False


def _expected_theme_version(request) -> int | None:
    """The theme version the form was drawn with; none (the use case then refuses with 428) if missing."""
    try:
        return int(request.POST.get("expected_theme_version", ""))
    except ValueError:
        return None


def _page(model_admin, kind: str, slug: str, obj, query: dict | None = None) -> str:
    url = page_url(model_admin.admin_site.name, kind, slug, obj.pk)
    return f"{url}?{urlencode(query)}" if query else url


def _version_url(model_admin, version_id: str) -> str:
    return reverse(f"{model_admin.admin_site.name}:themeconfig_themeversion_change", args=[quote(version_id)])


def _media(model_admin):
    return model_admin.media + PAGE_MEDIA


# --- publications and jobs -------------------------------------------------------------------------

def publication_row(model_admin, publication, names: dict | None = None, scheduled_by: dict | None = None) -> dict:
    """`scheduled_by`: publication id → the creator of the schedule that made it (its `published_by` is NULL)."""
    version = publication.theme_version
    creator = (scheduled_by or {}).get(publication.pk)
    return {
        "id": publication.pk, "active": publication.is_active, "reason": publication.get_reason_display(),
        "version_id": version.pk, "ordinal": version.ordinal, "version_url": _version_url(model_admin, version.pk),
        "sha256": publication.bundle_sha256, "sha256_short": publication.bundle_sha256[:12],
        "published_by": (f"A schedule by {actor_label(creator, names)}" if creator
                         else actor_label(publication.published_by, names)),
        "published_at": when_label(publication.published_at),
        "label": publication_label(version.ordinal, publication.published_at),
        "superseded_at": when_label(publication.superseded_at) if publication.superseded_at else "",
    }


def active_publication(model_admin, theme) -> dict | None:
    found = selectors.publication_list(theme_id=theme.pk).filter(is_active=True).select_related("theme_version").first()
    return publication_row(model_admin, found) if found else None


STEP_STATE_LABELS = {"done": "done", "running": "in progress", "waiting": "waiting", "not_done": "not completed"}


def _job_steps(job) -> list[dict]:
    """Each step of the job with its state; a failed job's steps that recorded no timing are "not completed"."""
    steps = STEPS.get(job.kind, STEPS["default"])
    trace = job.trace or {}
    order = [status for status, _, _ in steps]
    current = order.index(job.status) if job.status in order else -1
    rows = []
    for index, (status, label, timing) in enumerate(steps):
        ms = trace.get(timing)
        if job.status == PublishJobStatus.SUCCEEDED or ms is not None:
            state = "done"
        elif job.status == PublishJobStatus.FAILED:
            state = "not_done"
        elif index < current:
            state = "done"
        elif index == current:
            state = "running"
        else:
            state = "waiting"
        rows.append({"status": status, "label": label, "state": state, "state_label": STEP_STATE_LABELS[state],
                     "ms": ms})
    return rows


def _job_from_query(request, *, theme_id: str, version_id: str | None = None):
    """The job `?job=` names, looked up under the tenant (RLS); 404 when it is not this theme's (version's)."""
    job_id = request.GET.get("job")
    if not job_id:
        return None
    job = found_or_404(lambda: selectors.publish_job_get(job_id))
    if job.theme_id != theme_id or (version_id is not None and job.theme_version_id != version_id):
        raise Http404("No such publish job of this page.")
    return job


def job_context(model_admin, request, job, theme, *, poll_page: str) -> dict:
    """Everything the job-progress fragment shows, and the URLs it is polled and refreshed at."""
    publication = None
    if job.status == PublishJobStatus.SUCCEEDED:
        publication = active_publication(model_admin, theme)
    elapsed = None
    if job.finished_at and job.started_at:
        seconds = (job.finished_at - job.started_at).total_seconds()
        elapsed = f"{round(seconds * 1000)} ms" if seconds < 1 else f"{seconds:.1f} s"
    return {
        "job": job, "job_kind": KIND_LABELS.get(job.kind, job.kind), "job_finished": job.status in FINISHED,
        "job_status_text": STATUS_TEXTS.get(job.status, ""), "job_steps": _job_steps(job),
        "job_requested_by": actor_label(job.requested_by), "job_created_at": when_label(job.created_at),
        "job_started_at": when_label(job.started_at), "job_finished_at": when_label(job.finished_at),
        "job_elapsed": elapsed, "job_worker": (job.trace or {}).get("worker"),
        "job_publication": publication,
        "publications_url": _page(model_admin, "theme", "publications", theme),
        "job_refresh_url": f"{poll_page}?{urlencode({'job': job.pk})}",
        "job_poll_url": f"{poll_page}?{urlencode({'job': job.pk, 'format': 'json'})}",
    }


def job_json(request, context: dict, *, refreshed: dict[str, str] | None = None) -> JsonResponse:
    """The poll's answer: the job's state, the progress fragment drawn as on the page, and, once the
    job has ended, the page's other parts it changed (element id → HTML), drawn anew."""
    job = context["job"]
    publication = context["job_publication"]
    return job_poll_response(
        {
            "id": job.pk, "kind": job.kind, "status": job.status, "finished": context["job_finished"],
            "status_text": context["job_status_text"], "attempts": job.attempts, "error_code": job.error_code,
            "error_message": job.error_message, "publication_id": job.publication_id,
            "bundle_sha256": job.bundle_sha256,
            "steps": [{k: step[k] for k in ("status", "label", "state", "ms")} for step in context["job_steps"]],
            "created_at": job.created_at, "started_at": job.started_at, "finished_at": job.finished_at,
        },
        active_publication=publication and {k: publication[k] for k in
                                            ("id", "version_id", "ordinal", "sha256", "published_at")},
        publications_url=context["publications_url"],
        html=render_to_string("admin/publishing/job_progress.html", context, request=request),
        refreshed=refreshed,
    )


def _parts(request, templates: dict[str, str], context: dict) -> dict[str, str]:
    return {element_id: render_to_string(template, context, request=request) for element_id, template in templates.items()}


PUBLISH_PARTS = {"publish-readiness": "admin/publishing/publish_readiness.html",
                 "active-publication": "admin/publishing/active_publication.html"}
PUBLICATIONS_PARTS = {"publications-list": "admin/publishing/publications_list.html"}


def _publish_readiness(model_admin, request, version, *, job_running: bool) -> dict:
    theme = version.theme
    publishable_status = version.status in PUBLISHABLE
    may_publish = can(request, Permission.THEMES_PUBLISH)
    return {
        "theme": theme, "version": version,
        "version_status": status_badge(version.status, version.get_status_display()),
        "publishable_status": publishable_status,
        "problems": version_problems(version) if publishable_status else None,
        "problems_url": f"{_version_url(model_admin, version.pk)}?problems=1",
        "may_publish": may_publish, "theme_live": theme.deleted_at is None, "job_running": job_running,
        "show_publish": may_publish and publishable_status and theme.deleted_at is None and not job_running,
        "four_eyes": four_eyes_on(),
        "waiting_requests": [
            {"url": reverse(f"{model_admin.admin_site.name}:publishing_publishrequest_change", args=[quote(r.pk)]),
             "by": actor_label(r.created_by), "at": when_label(r.created_at)}
            for r in selectors.publish_request_list(status="pending").filter(theme_version_id=version.pk)],
        "active": active_publication(model_admin, theme),
    }


@workspace_page("version", "publish", "Publish", order=60)
def version_publish_page(model_admin, request, version):
    """Whether this version can be published, the theme's active publication, Publish, and the job's progress."""
    theme = version.theme
    here = _page(model_admin, "version", "publish", version)
    if request.method == "POST":
        if not can(request, Permission.THEMES_PUBLISH):
            raise PermissionDenied
        with refusal_shown(request) as refusal:
            job = publish.version_publish(principal=principal_of(request), version_id=version.pk,
                                          expected_theme_version=_expected_theme_version(request),
                                          note=request.POST.get("note") or None)
        if refusal:
            return HttpResponseRedirect(here)
        if isinstance(job, PublishRequest):
            return _waiting_for_approval(model_admin, request, job)
        job_started_message(request, f"Publishing version {version.ordinal}: the job is under way.")
        return HttpResponseRedirect(_page(model_admin, "version", "publish", version, {"job": job.pk}))

    job = _job_from_query(request, theme_id=theme.pk, version_id=version.pk)
    context = job_context(model_admin, request, job, theme, poll_page=here) if job else {}
    running = job is not None and not context["job_finished"]
    if job and request.GET.get("format") == "json":
        if running:
            return job_json(request, context)
        parts = {**context, **_publish_readiness(model_admin, request, version, job_running=False)}
        return job_json(request, context, refreshed=_parts(request, PUBLISH_PARTS, parts))
    context.update(_publish_readiness(model_admin, request, version, job_running=running))
    context.update({"publications_url": _page(model_admin, "theme", "publications", theme), "media": _media(model_admin)})
    return render_workspace_page(model_admin, request, version, slug="publish",
                                 template="admin/publishing/version_publish.html", context=context,
                                 title=f"Publish: {theme.name}, version {version.ordinal}")


@workspace_page("theme", "publications", "Publications", order=60)
def theme_publications_page(model_admin, request, theme):
    """The theme's publication history, the active one marked; roll back to one, or re-publish the active one."""
    here = _page(model_admin, "theme", "publications", theme)
    asked = request.POST if request.method == "POST" else request.GET
    if request.method == "POST" or "confirm" in request.GET:
        if not can(request, Permission.THEMES_PUBLISH):
            raise PermissionDenied
        action = asked.get("action") or asked.get("confirm")
        if action in CONFIRMED_ACTIONS and (request.method != "POST" or request.POST.get("confirmed") != "yes"):
            # Like Django's delete confirmation: the live site changes only after a second, explicit POST.
            return _confirm_publication_change(model_admin, request, theme, action=action,
                                               publication_id=asked.get("publication_id") or None)
        if action in ROLLOUT_ACTIONS:
            return _rollout_action(model_admin, request, theme, action=action, here=here)
        with refusal_shown(request) as refusal:
            if action == "rollback":
                job = publish.theme_rollback(principal=principal_of(request), theme_id=theme.pk,
                                             expected_theme_version=_expected_theme_version(request),
                                             publication_id=request.POST.get("publication_id") or None,
                                             note=request.POST.get("note") or None)
                done = "Rolling back: the job is under way."
            elif action == "republish":
                job = publish.theme_republish(principal=principal_of(request), theme_id=theme.pk,
                                              expected_theme_version=_expected_theme_version(request),
                                              note=request.POST.get("note") or None)
                done = "Re-publishing the active version: the job is under way."
            else:
                return HttpResponse("Unknown action.", status=400, content_type="text/plain")
        if refusal:
            return HttpResponseRedirect(here)
        if isinstance(job, PublishRequest):
            return _waiting_for_approval(model_admin, request, job)
        job_started_message(request, done)
        return HttpResponseRedirect(_page(model_admin, "theme", "publications", theme, {"job": job.pk}))

    job = _job_from_query(request, theme_id=theme.pk)
    context = job_context(model_admin, request, job, theme, poll_page=here) if job else {}
    running = job is not None and not context["job_finished"]
    if job and request.GET.get("format") == "json":
        if running:
            return job_json(request, context)
        parts = {**context, **_publication_history(model_admin, request, theme, job_running=False)}
        return job_json(request, context, refreshed=_parts(request, PUBLICATIONS_PARTS, parts))
    context.update(_publication_history(model_admin, request, theme, job_running=running))
    context["rollout"] = _rollout_panel(model_admin, theme)
    context["media"] = _media(model_admin)
    return render_workspace_page(model_admin, request, theme, slug="publications",
                                 template="admin/publishing/theme_publications.html", context=context,
                                 title=f"Publications: {theme.name}")


CONFIRMED_ACTIONS = ("rollback", "republish")
ROLLOUT_ACTIONS = ("rollout_promote", "rollout_abort")


def _rollout_panel(model_admin, theme) -> dict | None:
    """The theme's open rollout as the Publications page shows it: candidate, slice, the share of the
    last hour's resolves that answered the candidate (Redis counts), and its version for the forms."""
    rollout = selectors.open_rollout(theme_id=theme.pk)
    if rollout is None:
        return None
    resolves, candidate = rollout_stats.last_hour(rollout.pk)
    ordinal = rollout.candidate_version.ordinal
    return {
        "id": rollout.pk, "status": rollout.status, "version": rollout.version, "ordinal": ordinal,
        "version_url": _page(model_admin, "version", "publish", rollout.candidate_version),
        "percentage": f"{rollout.basis_points / 100:g}", "hosts": list(rollout.hosts),
        "user_keys": len(rollout.user_keys), "sha256_short": rollout.candidate_bundle_sha256[:12],
        "reason": rollout.reason, "started": when_label(rollout.created_at),
        "resolves": resolves, "candidate": candidate,
        "share": f"{candidate / resolves * 100:.1f} %" if resolves else "no resolves yet",
        "promote_job_id": rollout.promote_job_id,
    }


def _rollout_action(model_admin, request, theme, *, action: str, here: str):
    """Promote (a publish job, followed on this page) or abort (after a confirmation page, like a
    rollback's); both through the rollout use cases, with the reason typed on the form."""
    rollout = selectors.open_rollout(theme_id=theme.pk)
    if rollout is None:
        messages.error(request, "The theme has no open rollout any more.")
        return HttpResponseRedirect(here)
    if action == "rollout_abort" and (request.method != "POST" or request.POST.get("confirmed") != "yes"):
        context = {"theme": theme, "rollout": _rollout_panel(model_admin, theme), "back_url": here,
                   "media": _media(model_admin)}
        return render_workspace_page(model_admin, request, theme, slug="publications",
                                     template="admin/publishing/confirm_rollout_abort.html", context=context,
                                     title=f"Abort the rollout of version {rollout.candidate_version.ordinal}?")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    reason = request.POST.get("reason", "")
    with refusal_shown(request) as refusal:
        if action == "rollout_abort":
            rollouts.rollout_abort(principal=principal_of(request), rollout_id=rollout.pk, reason=reason)
        else:
            try:
                expected = int(request.POST.get("expected_rollout_version", ""))
            except ValueError:
                expected = 0
            job = rollouts.rollout_promote(principal=principal_of(request), rollout_id=rollout.pk,
                                           expected_version=expected, reason=reason)
    if refusal:
        return HttpResponseRedirect(here)
    if action == "rollout_abort":
        messages.success(request, "Rollout aborted: from now on every guest gets the active publication.")
        return HttpResponseRedirect(here)
    if isinstance(job, PublishRequest):
        return _waiting_for_approval(model_admin, request, job)
    job_started_message(request, "Promoting the candidate: the publish job is under way.")
    return HttpResponseRedirect(_page(model_admin, "theme", "publications", theme, {"job": job.pk}))


def _waiting_for_approval(model_admin, request, asked: PublishRequest):
    """With four-eyes on the use case made a request, not a job: its page, where its state shows."""
    messages.success(request, "Waiting for approval: another member who may publish has to approve it; "
                              "they were sent an e-mail.")
    return HttpResponseRedirect(reverse(f"{model_admin.admin_site.name}:publishing_publishrequest_change",
                                        args=[quote(asked.pk)]))


def _confirm_publication_change(model_admin, request, theme, *, action: str, publication_id: str | None):
    """The page between "Roll back to this" / "Re-publish" and the job: what goes live and what stops
    being live, by version, and the POST that starts the job. An unknown (or another theme's or tenant's)
    publication is a 404; refusals the use case makes (nothing live, a stale page) still come from it."""
    active = active_publication(model_admin, theme)
    if action == "rollback":
        earlier = selectors.publication_list(theme_id=theme.pk).filter(is_active=False).select_related("theme_version")
        found = earlier.filter(pk=publication_id).first() if is_valid_id(publication_id or "", "thp") else None
        if found is None:
            raise Http404("No such earlier publication of this theme.")
        target = publication_row(model_admin, found)
        # Short: the theme is named in the breadcrumbs, which stay mostly links (axe: link-in-text-block).
        title = f"Roll back to version {target['ordinal']}?"
        button = f"Yes, roll back to version {target['ordinal']}"
    else:
        if active is None:
            messages.error(request, "The theme has no active publication to re-publish.")
            return HttpResponseRedirect(_page(model_admin, "theme", "publications", theme))
        target = active
        title = f"Re-publish version {active['ordinal']}?"
        button = f"Yes, re-publish version {active['ordinal']}"
    if four_eyes_on():
        button = f"Ask for approval: {button.removeprefix('Yes, ')}"
    context = {"theme": theme, "action": action, "target": target, "active": active, "button": button,
               "four_eyes": four_eyes_on(),
               "back_url": _page(model_admin, "theme", "publications", theme), "media": _media(model_admin)}
    return render_workspace_page(model_admin, request, theme, slug="publications",
                                 template="admin/publishing/confirm_publication_change.html", context=context,
                                 title=title)


def _publication_history(model_admin, request, theme, *, job_running: bool) -> dict:
    publications = selectors.publication_list(theme_id=theme.pk).select_related("theme_version").order_by(
        "-published_at", "-id")
    total = publications.count()
    shown = list(publications[:PUBLICATIONS_SHOWN])
    scheduled_by = selectors.schedule_creators(publication_ids=[p.pk for p in shown if p.published_by is None])
    names = actor_names([*(p.published_by for p in shown), *scheduled_by.values()])
    rows = [publication_row(model_admin, p, names, scheduled_by) for p in shown]
    return {
        "theme": theme, "rows": rows, "total": total, "shown": len(rows), "job_running": job_running,
        "may_publish": can(request, Permission.THEMES_PUBLISH) and theme.deleted_at is None,
        "active": next((row for row in rows if row["active"]), None) or active_publication(model_admin, theme),
    }


# --- preview -------------------------------------------------------------------------------------

class PreviewLinkForm(forms.Form):
    expires_in_days = forms.TypedChoiceField(
        label="Expires after", coerce=int, initial=7,
        choices=[(1, "1 day"), (7, "7 days"), (30, "30 days")],
        help_text="The link stops working then; you can revoke it sooner.")
    note = forms.CharField(label="Label (optional)", required=False, max_length=200,
                           widget=forms.TextInput(attrs={"class": "vTextField", "maxlength": 200}),
                           help_text="Who or what the link is for, e.g. “Sales review”.")


def _token_state(token, now) -> tuple[str, str]:
    if token.revoked_at is not None:
        return "revoked", f"Revoked {when_label(token.revoked_at)}"
    if token.expires_at <= now:
        return "expired", f"Expired {when_label(token.expires_at)}"
    return "active", "Active"


def _preview_bundle(version):
    """The bundle a publish of this version would store right now, or the reason there is none yet."""
    try:
        bundle = build_bundle(**bundle_inputs(version.pk))
    except ContractViolation as violation:
        return None, f"The version cannot be drawn yet: {violation}"
    except BundleError as error:
        return None, f"The version cannot be drawn yet: {error}"
    return bundle, None


@workspace_page("version", "preview", "Preview", order=50)
def version_preview_page(model_admin, request, version):
    """The version drawn as the sample site (any status), in each enabled locale and two widths, and its preview links."""
    theme = version.theme
    here = _page(model_admin, "version", "preview", version)
    may_manage = can(request, Permission.PREVIEWS_MANAGE)
    can_create = may_manage and version.status != ThemeVersionStatus.ARCHIVED and theme.deleted_at is None
    form = PreviewLinkForm()
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied
        action = request.POST.get("action")
        if action == "revoke":
            token_id = request.POST.get("token_id", "")
            if not is_valid_id(token_id, "pvt") or not selectors.preview_token_list(
                    version_id=version.pk).filter(pk=token_id).exists():
                raise Http404("No such preview link of this version.")
            with refusal_shown(request) as refusal:
                services.preview_token_revoke(principal=principal_of(request), token_id=token_id)
            if not refusal:
                messages.success(request, "The preview link is revoked: it no longer opens.")
            return HttpResponseRedirect(here)
        if action != "create":
            return HttpResponse("Unknown action.", status=400, content_type="text/plain")
        form = PreviewLinkForm(request.POST)
        if form.is_valid():
            with refusal_shown(request, lambda error: add_refusal_errors(form, error) if error.errors
                               else messages.error(request, domain_error_text(error))) as refusal:
                token, secret = services.preview_token_create(
                    principal=principal_of(request), version_id=version.pk,
                    expires_in_days=form.cleaned_data["expires_in_days"], note=form.cleaned_data["note"] or None)
            if refusal and not refusal.error.errors:
                return HttpResponseRedirect(here)
            if not refusal:
                return show_secret_once(
                    request, title=f"Preview link of version {version.ordinal}",
                    secret=request.build_absolute_uri(f"/preview/{secret}/"),
                    explanation=("Copy the link now and send it to whoever should see this version; it is not "
                                 f"shown again (only its hash is stored). It works until {when_label(token.expires_at)} "
                                 "unless you revoke it sooner."),
                    back_url=here, admin_site=model_admin.admin_site,
                    breadcrumbs=[*model_breadcrumbs(model_admin.admin_site, model_admin.opts),
                                 (object_label(version), change_url(model_admin.admin_site.name, "version", version.pk)),
                                 ("Preview", here)])

    locales = list(theme.enabled_locales) or [theme.default_locale]
    locale = request.GET.get("locale")
    locale = locale if locale in locales else (theme.default_locale if theme.default_locale in locales else locales[0])
    width = request.GET.get("width") if request.GET.get("width") in FRAME_WIDTHS else "desktop"
    now = timezone.now()
    tokens = []
    listed = list(selectors.preview_token_list(version_id=version.pk).order_by("-created_at"))
    names = actor_names(token.created_by for token in listed)
    for token in listed:
        state, state_label = _token_state(token, now)
        tokens.append({"id": token.pk, "note": token.note, "state": state, "state_label": state_label,
                       "expires_at": when_label(token.expires_at), "created_by": actor_label(token.created_by, names),
                       "created_at": when_label(token.created_at), "access_count": token.access_count,
                       "last_accessed_at": when_label(token.last_accessed_at)})
    context = {
        "theme": theme, "locales": [{"code": code, "label": locale_label(code), "rtl": direction_of(code) == "rtl", "current": code == locale,
                                     "url": f"{here}?{urlencode({'locale': code, 'width': width})}"}
                                    for code in locales],
        "locale": locale, "locale_label": locale_label(locale), "direction": direction_of(locale),
        "widths": [{"key": key, "px": px, "current": key == width, "label": key.capitalize(),
                    "url": f"{here}?{urlencode({'locale': locale, 'width': key})}"} for key, px in FRAME_WIDTHS.items()],
        "frame_width": FRAME_WIDTHS[width],
        "frame_url": _page(model_admin, "version", "preview-site", version, {"locale": locale}),
        "tokens": tokens, "may_manage": may_manage, "can_create": can_create, "form": form,
        "media": _media(model_admin),
    }
    return render_workspace_page(model_admin, request, version, slug="preview",
                                 template="admin/publishing/version_preview.html", context=context,
                                 title=f"Preview: {theme.name}, version {version.ordinal}")


UNDRAWABLE_PAGE = ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>No preview yet</title></head>"
                   "<body><main><h1>No preview yet</h1><p>{}</p></main></body></html>")


@workspace_page("version", "preview-site", "Preview site", order=51, shown=_never)
def version_preview_site(model_admin, request, version):
    """The frame of the Preview page (no tab): the sample site of this version in `?locale=`, from the
    bundle a publish would build, with the public preview page's headers (no script, no fetch, no
    form) and framable by this site only. Its language links come back here."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET"])
    bundle, reason = _preview_bundle(version)
    image_hosts = preview_image_hosts(verified_host_names())
    if bundle is None:
        html = UNDRAWABLE_PAGE.format(escape(reason))
    else:
        html = render_site(json.loads(bundle.json_bytes), bundle.css_bytes.decode("utf-8"),
                           locale=request.GET.get("locale"), base_url=request.path, image_hosts=image_hosts)
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    for header, value in {**preview_page_headers(image_hosts), "X-Frame-Options": "SAMEORIGIN"}.items():
        response[header] = value
    return response
