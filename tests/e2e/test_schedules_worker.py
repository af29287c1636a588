"""Publish schedules with real Celery workers and Redis: a worker killed mid-scan starts nothing, and
two scans running at once on two worker processes start every due schedule exactly once."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from config.celery import app
from publishing.models import PublishJob, PublishSchedule, ThemePublication
from publishing.services import schedules
from tests.celery_worker import celery_worker
from tests.eventually import eventually
from themeconfig import services
from themeconfig.models import ThemeVersion
from themeconfig.platform.principal import Principal
from themeconfig.platform.tenant_context import tenant_context

pytestmark = [pytest.mark.usefixtures("committed_db"), pytest.mark.slow]
SCAN = "publishing.run_due_schedules_task"


def scheduled_campaign(owner: Principal, tenant_id: str, name: str) -> PublishSchedule:
    hotel = services.property_create(principal=owner, name=name)  # a theme per property, so several are live
    theme = services.theme_create(principal=owner, name=name, scope="property", property_id=hotel.pk)
    version = services.version_create(principal=owner, theme_id=theme.pk)
    services.locale_pack_put(principal=owner, version_id=version.pk, locale="en", entries={"a.b": name})
    with tenant_context(tenant_id):
        current = ThemeVersion.objects.get(pk=version.pk).version
    services.version_mark_preview_ready(principal=owner, version_id=version.pk, expected_version=current)
    return schedules.publish_schedule_create(principal=owner, version_id=version.pk,
                                             run_at=timezone.now() + timedelta(hours=1))


def test_killed_worker_then_two_concurrent_scans__each_schedule_starts_exactly_once(
        django_db_setup, tenant_factory, admin_sql):
    tenant = tenant_factory()
    owner = Principal.operator("test", tenant_id=tenant.id)
    due = [scheduled_campaign(owner, tenant.id, f"Campaign {n}") for n in range(4)]
    # Arranged as the superuser: their time has come (the use cases only take future times).
    admin_sql.execute("UPDATE theme_config.publish_schedules SET run_at = now() - interval '1 second'")

    # A worker killed in the middle of starting the first schedule (its job made, nothing committed).
    with celery_worker(django_db_setup, name="killed", env={"FAILPOINTS": "schedule.in_start=kill"}) as worker:
        app.send_task(SCAN)
        worker.process.wait(timeout=60)
    with tenant_context(tenant.id):
        assert set(PublishSchedule.objects.values_list("status", flat=True)) == {"scheduled"}
        assert PublishJob.objects.count() == 0

    # Two scans at once on two processes, each start held open 0.5 s so that they really contend.
    with celery_worker(django_db_setup, pool="prefork", concurrency=2,
                       env={"FAILPOINTS": "schedule.in_start=sleep:0.5"}) as worker:
        scans = [app.send_task(SCAN), app.send_task(SCAN)]
        results = [scan.get(timeout=90) for scan in scans]

        def all_published():
            with tenant_context(tenant.id):
                return PublishSchedule.objects.filter(status="succeeded").count() == len(due)
        eventually(all_published, timeout=90, what="every schedule published", detail=worker.log)
    assert sum(result["started"] for result in results) == len(due), results
    assert all(result["started"] >= 1 for result in results), f"the scans did not run side by side: {results}"
    with tenant_context(tenant.id):
        jobs = list(PublishJob.objects.all())
        rows = {s.pk: s for s in PublishSchedule.objects.all()}
        live = list(ThemePublication.objects.filter(is_active=True))
    assert len(jobs) == len(due) and {job.status for job in jobs} == {"succeeded"}
    assert sorted(row.publish_job_id for row in rows.values()) == sorted(job.pk for job in jobs)
    assert len(live) == len(due) and {p.published_by for p in live} == {None}
