"""Hostile callers of "remove an enabled locale" (theme update with `drop_locale_packs`): another tenant's
theme through the API and the admin, malformed flags, and a pack written while the removal runs.

Two tenants, committed transactions (the tenant GUC and row locks as in production); every answer is
checked for the other tenant's ids and for 5xx.
"""
from __future__ import annotations

import json
import threading
import time

import pytest
from django.db import connections, transaction

from tests.factories.admin_staff import make_staff, sign_in
from themeconfig import services
from themeconfig.models import AuditLogEntry, LocalePack, Theme
from themeconfig.platform.errors import DomainError
from themeconfig.platform.principal import Principal
from themeconfig.platform.tenant_context import tenant_context

pytestmark = pytest.mark.usefixtures("committed_db")
EN, FR = {"a.b": "A"}, {"a.b": "A fr"}
LOCK_WAIT_SECONDS = 10


def theme_with_fr_draft(principal: Principal) -> tuple[Theme, str]:
    theme = services.theme_create(principal=principal, name="Lake", enabled_locales=["en", "fr"],
                                  fallback_chain=["fr", "en"])
    version = services.version_create(principal=principal, theme_id=theme.pk)
    services.locale_pack_put(principal=principal, version_id=version.pk, locale="en", entries=EN)
    services.locale_pack_put(principal=principal, version_id=version.pk, locale="fr", entries=FR)
    return theme, version.pk


def state_of(tenant_id: str) -> tuple:
    """Everything a removal could change in a tenant: themes, packs, audit rows of pack deletions."""
    with tenant_context(tenant_id):
        return (
            sorted(Theme.objects.values_list("pk", "version", "enabled_locales")),
            sorted(LocalePack.objects.values_list("theme_version_id", "locale", "version")),
            AuditLogEntry.objects.filter(action="locale_pack.deleted").count(),
        )


@pytest.fixture
def two_tenants(keyed_tenant_factory):
    alpha, bravo = keyed_tenant_factory(role="admin"), keyed_tenant_factory(role="admin")
    owners = {t.id: Principal.for_user(tenant_id=t.id, user_id=1, role="owner") for t in (alpha, bravo)}
    themes = {t.id: theme_with_fr_draft(owners[t.id]) for t in (alpha, bravo)}
    return alpha, bravo, themes


def call(client, keyed, method, path, body):
    return getattr(client, method)(path, json.dumps(body), content_type="application/json", **keyed.auth)


def test_api__bravo_removes_alphas_locale_with_drop__404_alpha_unchanged(client, two_tenants):
    alpha, bravo, themes = two_tenants
    alpha_theme, alpha_version = themes[alpha.id]
    before = state_of(alpha.id)
    for body in ({"enabled_locales": ["en"], "fallback_chain": ["en"], "drop_locale_packs": True, "version": 1},
                 {"enabled_locales": ["en"], "fallback_chain": ["en"], "version": 1}):
        response = call(client, bravo, "patch", f"/api/v1/themes/{alpha_theme.pk}/", body)
        assert response.status_code == 404, response.content[:300]
        assert alpha_version not in response.content.decode()
    assert state_of(alpha.id) == before


def test_api__refusal_names_only_the_callers_packs(client, two_tenants):
    alpha, bravo, themes = two_tenants
    bravo_theme, bravo_version = themes[bravo.id]
    response = call(client, bravo, "patch", f"/api/v1/themes/{bravo_theme.pk}/",
                    {"enabled_locales": ["en"], "fallback_chain": ["en"], "version": 1})
    assert response.status_code == 409
    body = response.json()
    assert [p["version_id"] for p in body["locale_packs"]] == [bravo_version]
    text = response.content.decode()
    assert themes[alpha.id][1] not in text and themes[alpha.id][0].pk not in text


@pytest.mark.parametrize("flag", [None, [], {}, "drop", 2])
def test_api__malformed_drop_flag__422_nothing_dropped(client, two_tenants, flag):
    alpha, bravo, themes = two_tenants
    theme, _ = themes[bravo.id]
    before = state_of(bravo.id), state_of(alpha.id)
    response = call(client, bravo, "patch", f"/api/v1/themes/{theme.pk}/",
                    {"enabled_locales": ["en"], "fallback_chain": ["en"], "drop_locale_packs": flag, "version": 1})
    assert response.status_code == 422, response.content[:300]
    assert [e["path"] for e in response.json()["errors"]] == ["/drop_locale_packs"]
    assert (state_of(bravo.id), state_of(alpha.id)) == before


def test_admin__bravo_staff_posts_alphas_theme_with_drop__404_alpha_unchanged(client, keyed_tenant_factory):
    alpha = keyed_tenant_factory(role="admin")
    alpha_theme, _ = theme_with_fr_draft(Principal.for_user(tenant_id=alpha.id, user_id=1, role="owner"))
    bravo_staff = make_staff("Bravo Hotels", username="bravo_{role}")
    sign_in(client, bravo_staff, "owner")
    before = state_of(alpha.id)
    response = client.post(f"/admin/themeconfig/theme/{alpha_theme.pk}/change/", {
        "name": "Stolen", "default_locale": "en", "enabled_locales": "en", "fallback_chain": "en", "status": "active",
        "expected_version": 1, "drop_locale_packs": "on"})
    assert response.status_code == 404
    assert state_of(alpha.id) == before


# --- a pack written while a removal runs ------------------------------------------------------------

def wait_for_lock_wait(admin_sql, database: str, relation_hint: str) -> None:
    """Returns once a session of `database` waits on a row lock in a statement naming `relation_hint`."""
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while time.monotonic() < deadline:
        waiting = admin_sql.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock' "
            "AND query LIKE %s", [database, f"%{relation_hint}%"]).fetchone()[0]
        if waiting:
            return
        time.sleep(0.02)
    raise AssertionError(f"no session waited on a lock in a statement on {relation_hint}")


def run_in_thread(target) -> tuple[threading.Thread, list]:
    outcome: list = []

    def run():
        try:
            outcome.append(target())
        except Exception as exc:  # noqa: BLE001 - the test asserts on it
            outcome.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def racing_draft(tenant_factory):
    """An owner, an en+fr theme and a draft holding its English pack: what both race tests start from."""
    owner = Principal.for_user(tenant_id=tenant_factory().id, user_id=1, role="owner")
    theme = services.theme_create(principal=owner, name="Race", enabled_locales=["en", "fr"],
                                  fallback_chain=["fr", "en"])
    version = services.version_create(principal=owner, theme_id=theme.pk)
    services.locale_pack_put(principal=owner, version_id=version.pk, locale="en", entries=EN)
    return owner, theme, version


def test_race__pack_put_holds_the_theme__removal_waits_then_sees_the_pack_and_refuses(
        tenant_factory, admin_sql, django_db_setup):
    """The removal must not miss a pack committed while it waited (without the check it would enable
    the locale's removal and leave that pack behind, found only at preview-ready)."""
    owner, theme, version = racing_draft(tenant_factory)
    holding, release = threading.Event(), threading.Event()

    def put_fr_and_hold():
        with transaction.atomic():
            services.locale_pack_put(principal=owner, version_id=version.pk, locale="fr", entries=FR)
            holding.set()
            release.wait(LOCK_WAIT_SECONDS)

    writer, held = run_in_thread(put_fr_and_hold)
    try:
        assert holding.wait(LOCK_WAIT_SECONDS), held
        remover, removed = run_in_thread(lambda: services.theme_update(
            principal=owner, theme_id=theme.pk, expected_version=theme.version, enabled_locales=["en"],
            fallback_chain=["en"]))
        wait_for_lock_wait(admin_sql, django_db_setup, "themes")
    finally:
        release.set()
        writer.join()
    remover.join()
    assert isinstance(removed[0], DomainError) and removed[0].code == "MELMASTOON.THEME.LOCALE_PACKS_PRESENT", removed
    assert [(p["version_id"], p["locale"]) for p in removed[0].extra["locale_packs"]] == [(version.pk, "fr")]
    with tenant_context(owner.tenant_id):
        assert Theme.objects.get(pk=theme.pk).enabled_locales == ["en", "fr"]


def test_race__removal_holds_the_theme__pack_put_waits_then_is_refused(tenant_factory, admin_sql, django_db_setup):
    owner, theme, version = racing_draft(tenant_factory)
    holding, release = threading.Event(), threading.Event()

    def remove_fr_and_hold():
        with transaction.atomic():
            services.theme_update(principal=owner, theme_id=theme.pk, expected_version=theme.version,
                                  enabled_locales=["en"], fallback_chain=["en"])
            holding.set()
            release.wait(LOCK_WAIT_SECONDS)

    remover, held = run_in_thread(remove_fr_and_hold)
    try:
        assert holding.wait(LOCK_WAIT_SECONDS), held
        writer, written = run_in_thread(lambda: services.locale_pack_put(
            principal=owner, version_id=version.pk, locale="fr", entries=FR))
        wait_for_lock_wait(admin_sql, django_db_setup, "\"themes\"")  # the theme first (editable_version)
    finally:
        release.set()
        remover.join()
    writer.join()
    assert isinstance(written[0], DomainError), written
    assert [e.path for e in written[0].errors] == ["/locale"]
    with tenant_context(owner.tenant_id):
        assert not LocalePack.objects.filter(theme_version_id=version.pk, locale="fr").exists()
