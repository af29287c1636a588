"""The Schedules page of a theme in the tenant staff's workspace (/admin/): the theme's publish
schedules with their times in the tenant's time zone, a form to schedule a preview-ready version's
publish (optionally with a revert), and Move and Cancel for the ones that have not started. Every
change goes through publishing.services.schedules, as the API's does."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.utils import timezone

from publishing import selectors
from publishing.services import schedules
from themeconfig.admin.base import can, domain_error_text, principal_of, refusal_shown
from themeconfig.admin.common import actor_label, actor_names, add_refusal_errors, status_badge
from themeconfig.admin.workspace import page_url, render_workspace_page, workspace_page
from themeconfig.models import ThemeVersion, ThemeVersionStatus
from themeconfig.platform.ids import is_valid_id
from themeconfig.platform.permissions import Permission
from themeconfig.selectors.tenancy import tenant_time_zone

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends
SCHEDULES_SHOWN = 100
PAGE_MEDIA = forms.Media(css={"all": ["publishing/admin/publishing.css"]})
KIND_LABELS = {"publish": "Publish", "revert": "Revert"}
STATUS_BADGES = {"pending_approval": "draft", "scheduled": "preview_ready", "running": "preview_ready",
                 "succeeded": "published", "failed": "archived", "cancelled": "archived"}


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self):
        super().__init__(format=LOCAL_FORMAT)


def _local_field(label: str, *, required: bool, help_text: str) -> forms.DateTimeField:
    return forms.DateTimeField(label=label, required=required, input_formats=[LOCAL_FORMAT],
                               widget=LocalDateTimeInput(), help_text=help_text)


class ScheduleForm(forms.Form):
    version_id = forms.ChoiceField(label="Version", help_text="Only preview-ready versions can be scheduled.")
    run_at = _local_field("Publish at", required=True, help_text="In the tenant's time zone (above).")
    revert_at = _local_field("Revert at (optional)", required=False,
                             help_text="Then restores what was live just before the publish.")

    def __init__(self, *args, versions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version_id"].choices = [(v.pk, f"Version {v.ordinal}") for v in versions]


def _aware(value: datetime | None, zone: str) -> datetime | None:
    """A time the form read without a zone, as meant: in the tenant's time zone."""
    if value is None:
        return None
    return timezone.make_aware(value.replace(tzinfo=None), ZoneInfo(zone))


def _expected(request) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


def _rows(schedule_list, zone: str, may_publish: bool) -> list[dict]:
    names = actor_names(s.created_by for s in schedule_list)
    tz = ZoneInfo(zone)
    return [{
        "id": s.pk, "kind": KIND_LABELS[s.kind], "ordinal": s.theme_version.ordinal, "status": s.status,
        "status_badge": status_badge(STATUS_BADGES.get(s.status, "draft"), s.get_status_display()),
        "when": f"{timezone.localtime(s.run_at, tz):%Y-%m-%d %H:%M}",
        "when_input": f"{timezone.localtime(s.run_at, tz):{LOCAL_FORMAT}}",
        "created_by": actor_label(s.created_by, names), "error_code": s.error_code, "error_message": s.error_message,
        "version": s.version, "open": may_publish and s.status in schedules.OPEN,
    } for s in schedule_list]


@workspace_page("theme", "schedules", "Schedules", order=61)
def theme_schedules_page(model_admin, request, theme):
    """The theme's schedules (soonest first), schedule a publish (and revert), move or cancel one."""
    here = page_url(model_admin.admin_site.name, "theme", "schedules", theme.pk)
    zone = tenant_time_zone(theme.tenant_id)
    may_publish = can(request, Permission.THEMES_PUBLISH) and theme.deleted_at is None
    versions = list(ThemeVersion.objects.filter(theme_id=theme.pk, status=ThemeVersionStatus.PREVIEW_READY)
                    .order_by("-ordinal"))
    form = ScheduleForm(versions=versions)
    if request.method == "POST":
        if not may_publish:
            raise PermissionDenied
        action = request.POST.get("action")
        principal = principal_of(request)
        if action in ("cancel", "move"):
            schedule_id = request.POST.get("schedule_id", "")
            if not is_valid_id(schedule_id, "sch") or not selectors.schedule_list(theme_id=theme.pk).filter(
                    pk=schedule_id).exists():
                raise Http404("No such schedule of this theme.")
            with refusal_shown(request) as refusal:
                if action == "cancel":
                    schedules.publish_schedule_cancel(principal=principal, schedule_id=schedule_id,
                                                      expected_version=_expected(request))
                    done = "The schedule is cancelled."
                else:
                    try:
                        moved_to = datetime.strptime(request.POST.get("run_at", ""), LOCAL_FORMAT)
                    except ValueError:
                        messages.error(request, "Give the new date and time.")
                        return HttpResponseRedirect(here)
                    schedules.publish_schedule_move(principal=principal, schedule_id=schedule_id,
                                                    expected_version=_expected(request), run_at=_aware(moved_to, zone))
                    done = f"The schedule is moved to {moved_to:%Y-%m-%d %H:%M} ({zone})."
            if not refusal:
                messages.success(request, done)
            return HttpResponseRedirect(here)
        if action != "create":
            return HttpResponse("Unknown action.", status=400, content_type="text/plain")
        form = ScheduleForm(request.POST, versions=versions)
        if form.is_valid():
            data = form.cleaned_data
            with refusal_shown(request, lambda error: add_refusal_errors(form, error) if error.errors
                               else form.add_error(None, domain_error_text(error))) as refusal:
                created = schedules.publish_schedule_create(
                    principal=principal, theme_id=theme.pk, version_id=data["version_id"],
                    run_at=_aware(data["run_at"], zone), revert_at=_aware(data["revert_at"], zone))
            if not refusal and created.status == "pending_approval":
                messages.success(request, f"Waiting for approval: version {created.theme_version.ordinal} is to go "
                                          f"live at {data['run_at']:%Y-%m-%d %H:%M} ({zone}) once another member who "
                                          "may publish approves it (they were sent an e-mail).")
                return HttpResponseRedirect(here)
            if not refusal:
                messages.success(request, f"Scheduled: version {created.theme_version.ordinal} goes live at "
                                          f"{data['run_at']:%Y-%m-%d %H:%M} ({zone})"
                                          + (f", reverted at {data['revert_at']:%Y-%m-%d %H:%M}." if data["revert_at"] else "."))
                return HttpResponseRedirect(here)

    listed = list(selectors.schedule_list(theme_id=theme.pk).order_by("-run_at", "-id")[:SCHEDULES_SHOWN])
    listed.reverse()
    upcoming = [s for s in listed if s.status in schedules.ACTIVE]
    past = [s for s in listed if s.status not in schedules.ACTIVE]
    context = {
        "theme": theme, "zone": zone, "may_publish": may_publish, "form": form, "has_versions": bool(versions),
        "upcoming": _rows(upcoming, zone, may_publish), "past": _rows(list(reversed(past)), zone, may_publish),
        "now_local": f"{timezone.localtime(timezone.now(), ZoneInfo(zone)):%Y-%m-%d %H:%M}",
        "media": model_admin.media + PAGE_MEDIA,
    }
    return render_workspace_page(model_admin, request, theme, slug="schedules",
                                 template="admin/publishing/theme_schedules.html", context=context,
                                 title=f"Schedules: {theme.name}")
