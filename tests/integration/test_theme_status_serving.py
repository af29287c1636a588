"""A theme's status means something (issue 16): a suspended or archived theme is not served and takes no
publishing work; reactivating a suspended one serves its active publication again from the commit on."""
from __future__ import annotations

import pytest

from publishing.models import PublishJob, ThemePublication
from publishing.services import publish
from themeconfig import services
from themeconfig.models import Theme
from themeconfig.platform.errors import DomainError
from themeconfig.platform.principal import Principal
from themeconfig.platform.service_db import service_context
from themeconfig.platform.tenant_context import tenant_context
from themeconfig.services.api_keys import api_key_create

pytestmark = pytest.mark.usefixtures("committed_db")
HOST = "status.example.com"


@pytest.fixture(autouse=True)
def cache_on(resolve_cache_on, monkeypatch):
    """The resolve cache on (so a stale cached answer would show), nothing sent to a broker."""
    monkeypatch.setattr(publish, "enqueue_publish_job", lambda **kwargs: None)


@pytest.fixture
def world(tenant_factory):
    tenant = tenant_factory()
    admin = Principal.for_user(tenant_id=tenant.id, user_id=1, role="admin")
    theme = services.theme_create(principal=admin, name="Lake")
    services.host_add(principal=Principal.operator("t", tenant_id=tenant.id), host=HOST)
    return tenant, admin, theme


def draft(admin, theme, text):
    version = services.version_create(principal=admin, theme_id=theme.pk)
    services.locale_pack_put(principal=admin, version_id=version.pk, locale="en", entries={"a.b": text})
    return version


def theme_version(tenant, theme) -> int:
    with tenant_context(tenant.id):
        return Theme.objects.get(pk=theme.pk).version


def published(tenant, admin, theme, text) -> PublishJob:
    job = publish.version_publish(principal=admin, version_id=draft(admin, theme, text).pk,
                                  expected_theme_version=theme_version(tenant, theme))
    done = publish.publish_job_run(job_id=job.pk, tenant_id=tenant.id)
    assert done.status == "succeeded", done.error_code
    return done


def set_status(tenant, admin, theme, status):
    return services.theme_update(principal=admin, theme_id=theme.pk, expected_version=theme_version(tenant, theme),
                                 status=status)


def resolved(client):
    response = client.get(f"/api/v1/resolve/?host={HOST}")
    assert response.status_code in (200, 404), response.content
    return response.json()["publication_id"] if response.status_code == 200 else response.json()["code"]


def test_suspended_theme__resolve_answers_as_for_no_theme__reactivated_served_again_at_once(world, client):
    tenant, admin, theme = world
    active = published(tenant, admin, theme, "one")
    assert resolved(client) == active.publication_id  # cached now
    nobody = client.get("/api/v1/resolve/?host=nobody.example.com")

    set_status(tenant, admin, theme, "suspended")
    refused = client.get(f"/api/v1/resolve/?host={HOST}")
    assert refused.status_code == 404 and refused.json() == nobody.json()  # the answer a host with no theme gets
    assert refused["Content-Type"] == "application/problem+json"

    set_status(tenant, admin, theme, "active")
    assert resolved(client) == active.publication_id  # the same publication, no re-publish needed


def test_archived_theme__never_served_again(world, client):
    tenant, admin, theme = world
    published(tenant, admin, theme, "one")
    set_status(tenant, admin, theme, "archived")
    assert resolved(client) == "MELMASTOON.RESOURCE.NOT_FOUND"
    with tenant_context(tenant.id):  # its publication history stays
        assert ThemePublication.objects.filter(theme_id=theme.pk, is_active=True).count() == 1


@pytest.mark.parametrize("status, code", [("suspended", "MELMASTOON.THEME.SUSPENDED"),
                                          ("archived", "MELMASTOON.THEME.ARCHIVED")])
def test_inactive_theme__publish_rollback_republish_refused__409_naming_the_status(world, status, code):
    tenant, admin, theme = world
    published(tenant, admin, theme, "one")
    published(tenant, admin, theme, "two")
    waiting = draft(admin, theme, "three")
    set_status(tenant, admin, theme, status)
    expected = theme_version(tenant, theme)
    attempts = {
        "publish": lambda: publish.version_publish(principal=admin, version_id=waiting.pk,
                                                   expected_theme_version=expected),
        "rollback": lambda: publish.theme_rollback(principal=admin, theme_id=theme.pk, expected_theme_version=expected),
        "republish": lambda: publish.theme_republish(principal=admin, theme_id=theme.pk,
                                                     expected_theme_version=expected),
    }
    for name, attempt in attempts.items():
        with pytest.raises(DomainError) as refused:
            attempt()
        assert (name, refused.value.code, refused.value.http_status) == (name, code, 409)
        assert refused.value.extra["theme_status"] == status
    with tenant_context(tenant.id):
        assert PublishJob.objects.filter(theme_id=theme.pk).count() == 2  # no job was queued


def test_inactive_theme__api_answers_409_problem_with_the_code(world, client):
    tenant, admin, theme = world
    published(tenant, admin, theme, "one")
    set_status(tenant, admin, theme, "suspended")
    _, secret = api_key_create(principal=Principal.operator("t", tenant_id=tenant.id), name="ci", role="admin")
    response = client.post(f"/api/v1/themes/{theme.pk}/republish/", {"version": theme_version(tenant, theme)},
                           content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 409 and response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "MELMASTOON.THEME.SUSPENDED"


def test_job_asked_before_the_suspension__fails_with_the_status_code__nothing_flipped(world, client):
    tenant, admin, theme = world
    first = published(tenant, admin, theme, "one")
    job = publish.version_publish(principal=admin, version_id=draft(admin, theme, "two").pk,
                                  expected_theme_version=theme_version(tenant, theme))
    set_status(tenant, admin, theme, "suspended")
    done = publish.publish_job_run(job_id=job.pk, tenant_id=tenant.id)
    assert (done.status, done.error_code) == ("failed", "MELMASTOON.THEME.SUSPENDED")
    set_status(tenant, admin, theme, "active")
    assert resolved(client) == first.publication_id


def test_seed_views__keep_their_definition__list_a_suspended_theme_resolution_does_not_serve(world):
    tenant, admin, theme = world
    published(tenant, admin, theme, "one")
    set_status(tenant, admin, theme, "suspended")
    with service_context() as alias:
        from django.db import connections

        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT theme_config.refresh_read_models()")
            cursor.execute("SELECT host FROM theme_config.host_to_theme_view")
            view_hosts = [row[0] for row in cursor.fetchall()]
            cursor.execute("SELECT host FROM theme_config.host_resolution")
            model_hosts = [row[0] for row in cursor.fetchall()]
    assert view_hosts == [HOST] and model_hosts == []
