"""Release control in Chromium (issue 21): the demo owner schedules a campaign with its revert from the
theme's Schedules tab while the tenant has four-eyes on; a second member who may publish approves it
on the request's page; then the test moves the clock — it runs the schedules' beat scan itself with
`now` past T and past T2 (the use case beat runs; no sleeping) — and the package's real Celery worker
runs the jobs: the campaign goes live, then the publication before it is live again. Screenshots of
each step under artifacts/screenshots/admin-release-*."""
from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from publishing.models import PublishSchedule, ThemePublication
from publishing.services import schedules
from tests.e2e.browser.admin_session import log_in
from tests.e2e.browser.screenshots import screenshot
from tests.eventually import eventually
from tests.factories.tenancy import MembershipFactory, UserFactory
from themeconfig import services
from themeconfig.models import Tenant
from themeconfig.platform.tenant_context import tenant_context

pytestmark = pytest.mark.browser
JOB_TIMEOUT_S = 60


def _active_version(tenant_id: str, theme_id: str) -> str:
    with tenant_context(tenant_id):
        return ThemePublication.objects.get(theme_id=theme_id, is_active=True).theme_version_id


def test_schedule_with_revert__approved_by_a_second_member__goes_live_at_T_and_reverts_at_T2(
        admin_page, demo_staff, new_page, live_worker):
    owner = demo_staff.owner()
    with tenant_context(demo_staff.tenant_id):
        tenant = Tenant.objects.get(pk=demo_staff.tenant_id)
        # A second member who may publish (admin), with a password to sign in with.
        MembershipFactory(role="admin", user=UserFactory(username="reviewer", password="reviewer-pass-1",
                                                         email="reviewer@example.com"))
    services.tenant_update(principal=owner, name=tenant.name,
                           settings={**tenant.settings, "four_eyes_publish": True, "time_zone": "Europe/Paris"})
    campaign = demo_staff.draft_from_published()
    campaign = services.version_mark_preview_ready(principal=owner, version_id=campaign.pk,
                                                   expected_version=campaign.version)
    before = _active_version(demo_staff.tenant_id, campaign.theme_id)

    # The owner schedules the campaign and its revert, in the tenant's time (Paris).
    page = admin_page
    day = (timezone.now() + timedelta(days=3)).astimezone(ZoneInfo("Europe/Paris")).date()
    page.goto(f"/admin/themeconfig/theme/{campaign.theme_id}/schedules/")
    page.get_by_label("Version:", exact=True).select_option(label=f"Version {campaign.ordinal}")
    page.get_by_label("Publish at").fill(f"{day.isoformat()}T09:30")
    page.get_by_label("Revert at (optional)").fill(f"{(day + timedelta(days=2)).isoformat()}T18:00")
    page.get_by_role("button", name="Schedule", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("Waiting for approval")
    screenshot(page, "admin-release-1-scheduled-waiting")
    with tenant_context(demo_staff.tenant_id):
        publish_row = PublishSchedule.objects.get(theme_version_id=campaign.pk, kind="publish")
        revert_row = PublishSchedule.objects.get(reverts_id=publish_row.pk)
    assert (publish_row.status, revert_row.status) == ("pending_approval", "pending_approval")

    # A second member who may publish approves it on the request's page.
    second = new_page()
    log_in(second, username="reviewer", password="reviewer-pass-1", tenant_slug=demo_staff.tenant_slug)
    second.goto("/admin/publishing/publishrequest/")
    second.get_by_role("link", name=re.compile("Scheduled publish")).first.click()
    expect(second.locator("#request-diff")).to_be_visible()  # what goes live, against what is live
    second.get_by_role("textbox", name="Note").fill("Checked the campaign in French and Arabic: fine")
    second.get_by_role("button", name="Approve").click()
    expect(second.locator(".messagelist")).to_contain_text("Approved: the schedule is armed")
    screenshot(second, "admin-release-2-approved")
    with tenant_context(demo_staff.tenant_id):
        assert PublishSchedule.objects.get(pk=publish_row.pk).status == "scheduled"

    # The clock moves past T: the beat's scan starts the publish, the worker runs it.
    assert schedules.publish_schedules_run_due(now=publish_row.run_at + timedelta(seconds=5)).started == [publish_row.pk]
    eventually(lambda: _active_version(demo_staff.tenant_id, campaign.theme_id) == campaign.pk, timeout=JOB_TIMEOUT_S)
    page.goto(f"/admin/themeconfig/theme/{campaign.theme_id}/schedules/")
    expect(page.locator("#schedules-past")).to_contain_text(f"Version {campaign.ordinal}")
    screenshot(page, "admin-release-3-live")

    # And past T2: the revert brings back exactly what was live before the campaign.
    assert schedules.publish_schedules_run_due(now=revert_row.run_at + timedelta(seconds=5)).started == [revert_row.pk]
    eventually(lambda: _active_version(demo_staff.tenant_id, campaign.theme_id) == before, timeout=JOB_TIMEOUT_S)
    page.goto(f"/admin/themeconfig/theme/{campaign.theme_id}/publications/")
    expect(page.locator("body")).to_contain_text("A schedule by")
    screenshot(page, "admin-release-4-reverted")
