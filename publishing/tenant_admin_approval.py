"""Four-eyes approval in the tenant staff's admin (/admin/publishing/publishrequest/): the "Waiting for
approval" list (the changelist, pending requests unless another state is picked) and each request's
approval page: what it asks for, who asked and why, its state, and the diff of the version against
the one live when it was asked for (the Compare page's diff, themeconfig/admin/version_compare.py),
then Approve or Reject with a note for another member who may publish, or Withdraw for the one who
asked. Each button calls the same use case as the API (publishing/services/publish_requests.py); an
approval then follows its publish job on the theme's Publications or the version's Publish page.
"""
from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode

from publishing.models import PublishRequest, PublishRequestStatus
from publishing.selectors import publication_version_id
from publishing.services import publish_requests
from publishing.services.four_eyes import person_of
from themeconfig.admin.base import (
    TenantScopedAdmin,
    can,
    found_or_404,
    model_breadcrumbs,
    principal_of,
    refusal_shown,
)
from themeconfig.admin.common import actor_label, actor_names, status_badge, when_label
from themeconfig.admin.version_compare import version_label, with_directions
from themeconfig.admin.workspace import page_url
from themeconfig.platform.permissions import Permission
from themeconfig.selectors.diffs import version_diff
from themeconfig.selectors.themes import version_get

MEDIA = forms.Media(css={"all": ["themeconfig/admin/version-compare.css", "publishing/admin/publishing.css"]})
STATES = [("pending", "Waiting for approval"), ("decided", "Decided"), ("voided", "Voided"),
          ("withdrawn", "Withdrawn"), ("all", "All")]


class RequestStateFilter(admin.SimpleListFilter):
    """Pending requests unless another state is picked: the list opens as "Waiting for approval"."""

    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return STATES

    def value(self):
        return super().value() or PublishRequestStatus.PENDING

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {"selected": self.value() == lookup, "display": title,
                   "query_string": changelist.get_query_string({self.parameter_name: lookup})}

    def queryset(self, request, queryset):
        return queryset if self.value() == "all" else queryset.filter(status=self.value())


class DecisionForm(forms.Form):
    note = forms.CharField(label="Note", required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3, "cols": 60, "aria-describedby": "request-note-help"}),
                           help_text="Optional when you approve; say why when you reject.")


@admin.register(PublishRequest)
class PublishRequestAdmin(TenantScopedAdmin):
    view_permission = Permission.THEMES_READ
    edit_permission = Permission.THEMES_PUBLISH
    can_add = False
    list_display = ["request_label", "theme", "action", "requested", "state"]
    list_filter = [RequestStateFilter]
    list_display_links = ["request_label"]
    search_fields = ["theme__name"]
    ordering = ["-created_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("theme", "theme_version")

    def changelist_view(self, request, extra_context=None):
        state = request.GET.get("state") or "pending"
        title = dict(STATES).get(state, "Publish requests")
        return super().changelist_view(request, {**(extra_context or {}), "title": title})

    @admin.display(description="request")
    def request_label(self, obj):
        return f"{obj.get_action_display()} of version {obj.theme_version.ordinal}"

    @admin.display(description="asked")
    def requested(self, obj):
        return f"{actor_label(obj.created_by)}, {when_label(obj.created_at)}"

    @admin.display(description="state")
    def state(self, obj):
        return status_badge(obj.status, obj.state_label)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        request_row = self.get_object(request, unquote(object_id))
        if request.method == "POST":
            return self._decide(request, request_row)
        return self._approval_page(request, request_row, DecisionForm())

    def _decide(self, request, request_row):
        if not can(request, Permission.THEMES_PUBLISH):
            raise PermissionDenied
        form = DecisionForm(request.POST)
        if not form.is_valid():
            return self._approval_page(request, request_row, form, status=400)
        note = form.cleaned_data["note"]
        expected = _int(request.POST.get("expected_version"))
        action = request.POST.get("action")
        principal = principal_of(request)
        with refusal_shown(request) as refusal:
            if action == "approve":
                decided = publish_requests.publish_request_approve(principal=principal, request_id=request_row.pk,
                                                                   expected_version=expected, note=note)
            elif action == "reject":
                decided = publish_requests.publish_request_reject(principal=principal, request_id=request_row.pk,
                                                                  expected_version=expected, note=note)
            elif action == "withdraw":
                decided = publish_requests.publish_request_withdraw(principal=principal, request_id=request_row.pk,
                                                                    expected_version=expected)
            else:
                return HttpResponse("Unknown action.", status=400, content_type="text/plain")
        here = reverse(f"{self.admin_site.name}:publishing_publishrequest_change", args=[quote(request_row.pk)])
        if refusal:
            return HttpResponseRedirect(here)
        if action == "approve" and decided.publish_job_id:
            messages.success(request, "Approved: the publish job is under way.")
            return HttpResponseRedirect(self._job_url(decided))
        if action == "approve":  # a scheduled publish: armed, its job comes at its time
            messages.success(request, "Approved: the schedule is armed and goes live at its time "
                                      "(see the theme's Schedules tab).")
            return HttpResponseRedirect(page_url(self.admin_site.name, "theme", "schedules", decided.theme_id))
        if action == "reject" and decided.action == "schedule":
            messages.success(request, "Rejected: the schedule (and its revert) is cancelled; nothing will be published.")
            return HttpResponseRedirect(here)
        messages.success(request, "Rejected: nothing was published." if action == "reject" else "Withdrawn.")
        return HttpResponseRedirect(here)

    def _job_url(self, decided) -> str:
        site = self.admin_site.name
        if decided.action == "publish":
            return f"{page_url(site, 'version', 'publish', decided.theme_version_id)}?{urlencode({'job': decided.publish_job_id})}"
        return f"{page_url(site, 'theme', 'publications', decided.theme_id)}?{urlencode({'job': decided.publish_job_id})}"

    def _approval_page(self, request, request_row, form, *, status: int = 200):
        version = found_or_404(lambda: version_get(request_row.theme_version_id))
        live_id = publication_version_id(request_row.live_publication_id) if request_row.live_publication_id else None
        live = found_or_404(lambda: version_get(live_id)) if live_id else None
        diff = with_directions(version_diff(version, live)) if live is not None and live.pk != version.pk else None
        names = actor_names([request_row.created_by, request_row.decided_by])
        principal = principal_of(request)
        own = person_of(principal.actor) == person_of(request_row.created_by)
        pending = request_row.status == PublishRequestStatus.PENDING
        may_publish = can(request, Permission.THEMES_PUBLISH)
        site = self.admin_site.name
        context = {
            **self.admin_site.each_context(request),
            "title": f"{request_row.get_action_display()} of {version.theme.name}, version {version.ordinal}",
            "opts": self.opts, "original": request_row, "media": self.media + MEDIA, "form": form,
            "version": version, "theme": version.theme, "live": live,
            "version_url": reverse(f"{site}:themeconfig_themeversion_change", args=[quote(version.pk)]),
            "live_url": reverse(f"{site}:themeconfig_themeversion_change", args=[quote(live.pk)]) if live else None,
            "compare_url": page_url(site, "version", "compare", version.pk) + (f"?{urlencode({'with': live.pk})}" if live else ""),
            "state": status_badge(request_row.status, request_row.state_label),
            "requested_by": actor_label(request_row.created_by, names),
            "requested_at": when_label(request_row.created_at),
            "decided_by": actor_label(request_row.decided_by, names) if request_row.decided_by else None,
            "decided_at": when_label(request_row.decided_at) if request_row.decided_at else None,
            "diff": diff, "other_label": version_label(live) if live else "", "version_label": version_label(version),
            "same_as_live": live is not None and live.pk == version.pk,
            "may_decide": pending and may_publish and not own, "may_withdraw": pending and may_publish and own,
            "own_pending": pending and own,
            "job_url": self._job_url(request_row) if request_row.publish_job_id else None,
            "breadcrumbs": model_breadcrumbs(self.admin_site, self.opts),
        }
        return TemplateResponse(request, "admin/publishing/publish_request.html", context, status=status)


def _int(value: str | None) -> int | None:
    try:
        return int(value or "")
    except ValueError:
        return None
