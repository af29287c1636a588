"""A job's times come from one clock: every step starts at or after the job's `started_at` and ends at
or before its `finished_at`, the last step ends at `finished_at` itself, and the steps shown add up to
no more than the time between start and finish (a rollback once showed a 161.7 ms flip in a job that
"finished 20 ms after it started": its finish was stamped at the start of the flip)."""
from __future__ import annotations

import time
from datetime import datetime, timedelta

import pytest

from ai_workspace.providers import get_provider
from ai_workspace.services import generation
from publishing.services import publish
from tests.integration import test_publish_jobs
from themeconfig.platform.jobs.runner import JobSteps

pytestmark = pytest.mark.usefixtures("committed_db")
US = timedelta(microseconds=1)
# The same tenant, theme and drafts as the publish jobs' tests.
world, draft = test_publish_jobs.world, test_publish_jobs.draft


@pytest.fixture(autouse=True)
def no_broker(monkeypatch):
    """The tests run the jobs themselves; nothing goes to Redis."""
    monkeypatch.setattr(publish, "enqueue_publish_job", lambda **kwargs: None)
    monkeypatch.setattr(generation, "enqueue_generation_job", lambda **kwargs: None)


def assert_steps_fit(job, names):
    steps = job.trace["steps"]  # jsonb keeps no key order: the steps in the order they ran
    assert sorted(steps, key=lambda name: steps[name]["started_at"]) == names
    ends = []
    for name, step in steps.items():
        began, ended = datetime.fromisoformat(step["started_at"]), datetime.fromisoformat(step["finished_at"])
        assert job.started_at <= began <= ended <= job.finished_at, name
        assert step["ms"] == job.trace[f"{name}_ms"] and tenths(step["ms"]) * 100 <= (ended - began) // US
        ends.append(ended)
    assert max(ends) == job.finished_at  # the last step ends when the job does
    assert sum(tenths(job.trace[f"{name}_ms"]) for name in names) * 100 <= (job.finished_at - job.started_at) // US


def tenths(ms: float) -> int:
    return round(ms * 10)


def test_rollback__slow_flip__its_time_inside_the_jobs_start_and_finish(world, monkeypatch):
    tenant, admin, theme = world
    for expected, text in ((1, "one"), (2, "two")):
        version = draft(admin, theme, text)
        job = publish.version_publish(principal=admin, version_id=version.pk, expected_theme_version=expected)
        assert_steps_fit(publish.publish_job_run(job_id=job.pk, tenant_id=tenant.id), ["build", "upload", "flip"])
    enqueue = publish.outbox_enqueue

    def slow_enqueue(**kwargs):  # the flip is the long step, as on the demo
        time.sleep(0.2)
        return enqueue(**kwargs)

    monkeypatch.setattr(publish, "outbox_enqueue", slow_enqueue)
    job = publish.theme_rollback(principal=admin, theme_id=theme.pk, expected_theme_version=3)
    done = publish.publish_job_run(job_id=job.pk, tenant_id=tenant.id)
    assert done.status == "succeeded" and done.trace["flip_ms"] >= 200
    assert_steps_fit(done, ["build", "flip"])


def test_generation__slow_provider__provider_and_draft_steps_inside_the_job(world):
    tenant, admin, theme = world
    version = draft(admin, theme)

    class SlowProvider:
        name = "offline"

        def content(self, request):
            time.sleep(0.05)
            return get_provider().content(request)

    job = generation.content_generation_request(principal=admin, version_id=version.pk, surface="about",
                                                kind="rich_text", facts={"name": "Lake Hotel", "city": "Porto"})
    done = generation.generation_job_run(job_id=job.pk, tenant_id=tenant.id, provider=SlowProvider())
    assert done.status == "succeeded" and done.trace["provider_ms"] >= 50
    assert_steps_fit(done, ["provider", "draft"])


def test_job_steps__a_new_step_ends_the_open_one__rounded_down_to_fit():
    steps = JobSteps()
    start = datetime.fromisoformat("2026-01-01T00:00:00.000000+00:00")
    steps.start("a", at=start)
    steps.start("b", at=datetime.fromisoformat("2026-01-01T00:00:00.000190+00:00"))
    steps.finish(datetime.fromisoformat("2026-01-01T00:00:00.000380+00:00"))
    # 0.19 ms each: rounded down to 0.1, so together 0.2 ≤ the 0.38 ms the two took.
    assert steps.timings == {"a_ms": 0.1, "b_ms": 0.1}
    assert steps.trace()["steps"]["b"] == {"started_at": "2026-01-01T00:00:00.000190+00:00",
                                           "finished_at": "2026-01-01T00:00:00.000380+00:00", "ms": 0.1}
