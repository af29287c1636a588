"""Four-eyes approval in the tenant admin: Publish asks for approval, the "Waiting for approval" list
shows the request, its page shows the diff against the live version, the one who asked cannot
approve (no button; a forged POST is the 403 page) and another publisher approves, which starts the
job; a viewer reads the page without buttons."""
from __future__ import annotations

import pytest
from django.contrib.admin.utils import quote

from publishing.models import PublishJob, PublishRequest
from publishing.services import publish
from tests.factories.admin_staff import make_staff, sign_in
from tests.integration.test_admin_publishing import make_version, reload
from themeconfig import services
from themeconfig.platform.tenant_context import tenant_context

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_publish_broker")]
REQUESTS = "/admin/publishing/publishrequest/"


def test_publish_asks__list_and_page_show_it__requester_cannot_approve__another_admin_approves(client):
    staff = make_staff("Lakeside Hotels")
    owner, admin = staff.principals["owner"], staff.principals["admin"]
    theme = services.theme_create(principal=owner, name="Lake", enabled_locales=["en", "ar"], fallback_chain=["en"])
    live = make_version(admin, theme.pk, welcome="## Old welcome")
    job = publish.version_publish(principal=admin, version_id=live.pk, expected_theme_version=1)
    publish.publish_job_run(job_id=job.pk, tenant_id=staff.tenant.id)
    services.tenant_update(principal=owner, name="Lakeside Hotels", settings={"four_eyes_publish": True})
    draft = make_version(admin, theme.pk, welcome="## New welcome")

    sign_in(client, staff, "admin")
    publish_page = f"/admin/themeconfig/themeversion/{quote(draft.pk)}/publish/"
    assert "Ask for approval to publish" in client.get(publish_page).content.decode()
    asked = client.post(publish_page, {"expected_theme_version": reload(type(theme), theme.pk, staff.tenant.id).version,
                                       "note": "Autumn welcome"})
    with tenant_context(staff.tenant.id):
        request_row = PublishRequest.objects.get()
        assert not PublishJob.objects.filter(theme_version_id=draft.pk).exists()
    page_url = f"{REQUESTS}{quote(request_row.pk)}/change/"
    assert asked.status_code == 302 and asked["Location"] == page_url

    assert "is waiting for approval" in client.get(publish_page).content.decode()
    waiting = client.get(REQUESTS).content.decode()
    assert "Waiting for approval" in waiting and f"{quote(request_row.pk)}/change/" in waiting
    own = client.get(page_url).content.decode()
    assert "Autumn welcome" in own and 'id="request-own"' in own and 'value="approve"' not in own
    assert "Old welcome" in own and "New welcome" in own  # the diff against the live version
    forged = client.post(page_url, {"action": "approve", "expected_version": 1})
    assert forged.status_code == 403

    sign_in(client, staff, "viewer")
    read_only = client.get(page_url).content.decode()
    assert 'value="approve"' not in read_only and "New welcome" in read_only

    sign_in(client, staff, "owner")
    assert 'value="approve"' in client.get(page_url).content.decode()
    approved = client.post(page_url, {"action": "approve", "expected_version": 1, "note": "Fine"})
    with tenant_context(staff.tenant.id):
        decided = PublishRequest.objects.get(pk=request_row.pk)
    assert decided.decision == "approved" and decided.decided_by == owner.actor and decided.decision_note == "Fine"
    assert approved.status_code == 302 and f"job={decided.publish_job_id}" in approved["Location"]
    assert "Waiting for approval" in client.get(REQUESTS).content.decode()
    assert f"{quote(request_row.pk)}/change/" not in client.get(REQUESTS).content.decode()
    assert f"{quote(request_row.pk)}/change/" in client.get(f"{REQUESTS}?state=decided").content.decode()
