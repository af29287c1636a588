"""The theme's Schedules page for tenant staff: times entered and shown in the tenant's time zone,
schedule with a revert, move (a stale page refused), cancel, and only publishers change anything."""
from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.admin.utils import quote
from django.utils import timezone

from publishing.models import PublishSchedule
from tests.factories.admin_staff import ROLES, make_staff, sign_in
from themeconfig import services
from themeconfig.models import ThemeVersion
from themeconfig.platform.principal import Principal
from themeconfig.platform.tenant_context import tenant_context

db = pytest.mark.django_db
PUBLISHERS = ("owner", "admin")
TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.fixture
def world():
    staff = make_staff("Tokyo Hotels")
    owner = staff.principals["owner"]
    services.tenant_update(principal=owner, name="Tokyo Hotels", settings={"time_zone": "Asia/Tokyo"})
    live_theme = services.theme_create(principal=owner, name="Lake")
    version = services.version_create(principal=owner, theme_id=live_theme.pk)
    services.locale_pack_put(principal=owner, version_id=version.pk, locale="en", entries={"a.b": "campaign"})
    with tenant_context(staff.tenant.id):
        current = ThemeVersion.objects.get(pk=version.pk).version
    services.version_mark_preview_ready(principal=owner, version_id=version.pk, expected_version=current)
    return staff, live_theme, version


def page(theme) -> str:
    return f"/admin/themeconfig/theme/{quote(theme.pk)}/schedules/"


def local(moment) -> str:
    return f"{timezone.localtime(moment, TOKYO):%Y-%m-%dT%H:%M}"


def schedules_of(staff) -> list[PublishSchedule]:
    with tenant_context(staff.tenant.id):
        return list(PublishSchedule.objects.order_by("run_at"))


@db
@pytest.mark.parametrize("role", ROLES)
def test_schedules_page__role__everyone_reads__only_publishers_get_the_form(client, world, role):
    staff, theme, version = world
    sign_in(client, staff, role)
    body = client.get(page(theme)).content.decode()
    assert ">Schedules</a>" in body and "Asia/Tokyo" in body
    assert ('name="action" value="create"' in body) == (role in PUBLISHERS)
    refused = client.post(page(theme), {"action": "create", "version_id": version.pk,
                                        "run_at": local(timezone.now() + timedelta(days=1))})
    assert (refused.status_code == 403) == (role not in PUBLISHERS)


@db
def test_schedule_with_revert__in_tenant_time__move_stale_refused__cancel(client, world):
    staff, theme, version = world
    sign_in(client, staff, "admin")
    # Nothing live yet: a revert is refused with the reason on the form, nothing is stored.
    at = (timezone.now() + timedelta(days=2)).astimezone(TOKYO).replace(hour=9, minute=0, second=0, microsecond=0)
    refused = client.post(page(theme), {"action": "create", "version_id": version.pk, "run_at": local(at),
                                        "revert_at": local(at + timedelta(hours=3))})
    assert "Nothing is live to come back to" in refused.content.decode() and schedules_of(staff) == []
    created = client.post(page(theme), {"action": "create", "version_id": version.pk, "run_at": local(at)}, follow=True)
    [schedule] = schedules_of(staff)
    assert schedule.run_at == at and schedule.created_by == staff.principals["admin"].actor
    body = created.content.decode()
    assert f"{at:%Y-%m-%d %H:%M}" in body and "goes live at" in body and f"schedule-{schedule.pk}" in body

    later = at + timedelta(hours=1)
    moved = client.post(page(theme), {"action": "move", "schedule_id": schedule.pk, "version": 1,
                                      "run_at": local(later)}, follow=True)
    assert "is moved to" in moved.content.decode() and schedules_of(staff)[0].run_at == later
    stale = client.post(page(theme), {"action": "move", "schedule_id": schedule.pk, "version": 1,
                                      "run_at": local(at)}, follow=True)
    assert "The schedule changed since version 1" in stale.content.decode() and schedules_of(staff)[0].run_at == later
    cancelled = client.post(page(theme), {"action": "cancel", "schedule_id": schedule.pk, "version": 2}, follow=True)
    assert "is cancelled" in cancelled.content.decode() and schedules_of(staff)[0].status == "cancelled"
    assert schedules_of(staff)[0].cancelled_by == Principal.for_user(
        tenant_id=staff.tenant.id, user_id=staff.users["admin"].pk, role="admin").actor


@pytest.mark.usefixtures("committed_db")  # the scan reads every tenant's due schedules on the service connection
def test_publications_page__a_scheduled_publication__names_the_schedule_and_its_creator(client, world, monkeypatch):
    from publishing.services import publish, schedules

    monkeypatch.setattr(publish, "enqueue_publish_job", lambda **kwargs: None)
    staff, theme, version = world
    at = timezone.now() + timedelta(hours=1)
    schedule = schedules.publish_schedule_create(principal=staff.principals["admin"], version_id=version.pk, run_at=at)
    with time_machine.travel(at + timedelta(seconds=5), tick=False):
        assert schedules.publish_schedules_run_due().started == [schedule.pk]
        job_id = schedules_of(staff)[0].publish_job_id
        assert publish.publish_job_run(job_id=job_id, tenant_id=staff.tenant.id).status == "succeeded"
    sign_in(client, staff, "viewer")
    body = client.get(f"/admin/themeconfig/theme/{quote(theme.pk)}/publications/").content.decode()
    assert "A schedule by admin_person" in body
