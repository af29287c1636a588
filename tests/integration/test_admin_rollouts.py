"""A theme's open rollout on its Publications page: the candidate, the slice and the last hour's share;
Promote (a publish job) for publishers, Abort after a confirmation page; the use cases do the work."""
from __future__ import annotations

import pytest

from publishing.models import ThemeRollout
from publishing.resolve import rollout_stats
from publishing.services import rollouts
from tests.factories.admin_staff import make_staff, sign_in
from tests.integration.test_admin_publishing import (
    jobs_of,
    make_version,
    publications_page,
    published,
    reload,
    run,
    theme_version,
)
from themeconfig import services

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_publish_broker")]


@pytest.fixture
def staff():
    return make_staff("Lakeside Hotels")


@pytest.fixture
def theme(staff):
    return services.theme_create(principal=staff.principals["owner"], name="Lake", enabled_locales=["en", "ar"],
                                 fallback_chain=["en"])


@pytest.fixture
def rollout(staff, theme):
    published(staff, theme, make_version(staff.principals["admin"], theme.pk))
    candidate = make_version(staff.principals["admin"], theme.pk, book="Book a room")
    started = rollouts.rollout_start(principal=staff.principals["admin"], theme_id=theme.pk, version_id=candidate.pk,
                                     expected_theme_version=theme_version(theme), percentage=5, reason="canary")
    for visitor in range(4):
        rollout_stats.count(started.pk, candidate=visitor == 0)
    rollout_stats.flush()
    return started


@pytest.mark.parametrize("role", ["admin", "viewer"])
def test_page__slice_share_and_buttons_for_publishers(client, staff, theme, rollout, role):
    sign_in(client, staff, role)
    page = client.get(publications_page(theme)).content.decode()
    assert "Rollout of" in page and "version 2</a> (running)" in page
    assert "5 % of visitor keys" in page and "25.0 % of 4 resolves answered the candidate (1)" in page
    assert ("Promote version 2 to everyone" in page) == (role == "admin")
    assert ("Abort the rollout" in page) == (role == "admin")


def test_abort__confirmation_first__then_closed_with_the_reason(client, staff, theme, rollout):
    sign_in(client, staff, "admin")
    confirm = client.get(publications_page(theme), {"confirm": "rollout_abort"})
    assert confirm.status_code == 200 and "Yes, abort the rollout" in confirm.content.decode()
    assert reload(ThemeRollout, rollout.pk, staff.tenant.id).status == "running"  # nothing yet
    done = client.post(publications_page(theme), {"action": "rollout_abort", "confirmed": "yes", "reason": "errors"})
    assert done.status_code == 302
    closed = reload(ThemeRollout, rollout.pk, staff.tenant.id)
    assert closed.status == "aborted" and closed.closed_by == staff.principals["admin"].actor
    assert "Rollout of" not in client.get(publications_page(theme)).content.decode()


def test_promote__a_publish_job_followed_on_the_page(client, staff, theme, rollout):
    sign_in(client, staff, "admin")
    response = client.post(publications_page(theme), {"action": "rollout_promote", "reason": "numbers fine",
                                                      "expected_rollout_version": rollout.version})
    job = jobs_of(theme)[-1]
    assert response.status_code == 302 and response["Location"] == f"{publications_page(theme)}?job={job.pk}"
    assert run(job.pk, staff.tenant).status == "succeeded"
    assert reload(ThemeRollout, rollout.pk, staff.tenant.id).status == "promoted"


def test_viewer__cannot_promote_or_abort(client, staff, theme, rollout):
    sign_in(client, staff, "viewer")
    assert client.post(publications_page(theme), {"action": "rollout_abort", "confirmed": "yes",
                                                  "reason": "x"}).status_code == 403
    assert client.get(publications_page(theme), {"confirm": "rollout_abort"}).status_code == 403
    assert reload(ThemeRollout, rollout.pk, staff.tenant.id).status == "running"
