"""Driven by the URL conf: every route under /api/v1/ with an id in it, every method its view
answers, called by another tenant with this tenant's ids → 404, and this tenant's rows unchanged.

A new route with a parameter this test has no value for fails here until it is covered.
"""
from __future__ import annotations

import json
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.unit.themeconfig.validators import samples
from themeconfig import services
from themeconfig.platform.ids import new_id
from themeconfig.platform.principal import Principal

pytestmark = pytest.mark.django_db
SNAPSHOT_TABLES = [
    "theme_config.themes", "theme_config.theme_versions", "theme_config.content_blocks",
    "theme_config.navigation_configs", "theme_config.booking_flow_configs", "theme_config.email_themes",
    "theme_config.locale_packs", "theme_config.preview_tokens", "theme_config.api_clients",
    "theme_config.memberships", "tenant_service.properties", "theme_config.publish_jobs",
    "theme_config.theme_publications", "theme_config.webhook_subscriptions", "theme_config.translation_drafts",
    "theme_config.palette_suggestions", "theme_config.content_drafts", "theme_config.ai_generation_jobs",
    "theme_config.publish_schedules",
    "theme_config.publish_requests",
    "theme_config.routing_flags", "theme_config.theme_rollouts",
]
BODY = {
    "name": "Stolen", "version": 1, "items": [], "entries": {"common.greeting": "x"}, "steps": samples.valid_steps(),
    "toggles": samples.valid_toggles(), "consent": samples.valid_consent(), "tokens": samples.valid_email_tokens(),
    "logo_ref": samples.valid_logo_ref(), "footer": samples.valid_footer(), "surface": "home", "kind": "rich_text",
    "body": {"en": {"format": "markdown", "value": "x"}}, "meta": {"kind": "rich_text"}, "ordinal": 0,
    "block_ids": [], "release_notes": "stolen", "mood": "calm", "locale": "fr", "reason": "stolen",
    "version_id": "thv_" + "0" * 22,
}


# Public routes whose parameter is a bearer secret, not one tenant's id: whoever holds a live preview
# link may read it, from any tenant or none. Their isolation (a token never shows another tenant's
# rows, dead tokens one identical 404) is tested in test_preview_public.py.
PUBLIC_BY_SECRET = {"api/v1/preview/<str:token>/", "api/v1/preview/<str:token>/css/"}


def api_routes():
    """(route template, view class) for every pattern under api/v1/ that takes a parameter."""
    found = []

    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                view_class = getattr(pattern.callback, "view_class", None)
                if route.startswith("api/v1/") and "<" in route and view_class is not None \
                        and route not in PUBLIC_BY_SECRET:
                    found.append((route, view_class))

    walk(get_resolver().url_patterns, "")
    return found


@pytest.fixture
def victim(tenant_factory, monkeypatch):
    tenant = tenant_factory()
    owner = Principal.operator("test", tenant_id=tenant.id)
    theme = services.theme_create(principal=owner, name="Mine", enabled_locales=["en", "fr"],
                                  fallback_chain=["fr", "en"])
    version = services.version_create(principal=owner, theme_id=theme.pk)
    block = services.content_block_create(principal=owner, version_id=version.pk, surface="home", kind="rich_text",
                                          body={"en": {"format": "markdown", "value": "x"}}, meta={"kind": "rich_text"})
    services.navigation_put(principal=owner, version_id=version.pk, surface="header", items=[])
    services.booking_flow_put(principal=owner, version_id=version.pk, steps=samples.valid_steps(),
                              toggles=samples.valid_toggles(), consent=samples.valid_consent())
    services.email_theme_put(principal=owner, version_id=version.pk, tokens=samples.valid_email_tokens(),
                             logo_ref=samples.valid_logo_ref(), footer=samples.valid_footer())
    services.locale_pack_put(principal=owner, version_id=version.pk, locale="en", entries={"common.greeting": "Hi"})
    values = {"theme_id": theme.pk, "version_id": version.pk, "block_id": block.pk, "surface": "header",
              "locale": "en"}
    try:
        from publishing import services as publishing_services

        token, _ = publishing_services.preview_token_create(principal=owner, version_id=version.pk)
        values["token_id"] = token.pk
    except ImportError:  # pragma: no cover - publishing always installed
        pass
    key, _ = services.api_key_create(principal=owner, name="victim-key", role="viewer")
    values["api_client_id"] = key.pk
    # A pending host (a tenant admin's): "verify now" and a new challenge would both act on it.
    values["host"] = services.host_add(principal=Principal.for_user(tenant_id=tenant.id, user_id=1, role="admin"),
                                       host="victim.example.com")[0].host
    from publishing.services import publish

    services.locale_pack_put(principal=owner, version_id=version.pk, locale="fr", entries={"common.greeting": "Salut"})
    monkeypatch.setattr(publish, "enqueue_publish_job", lambda **kwargs: None)  # no worker: the job need only exist
    job = publish.version_publish(principal=owner, version_id=version.pk, expected_theme_version=1)
    values["job_id"] = job.pk
    from django.test import override_settings

    from publishing.services import webhooks

    with override_settings(WEBHOOK_ALLOWED_PRIVATE_TARGETS=["127.0.0.1"]):
        subscription, _ = webhooks.webhook_subscription_create(principal=owner, url="http://127.0.0.1:9/hook")
    values["subscription_id"] = subscription.pk
    from ai_workspace import selectors as ai_selectors
    from ai_workspace import services as ai_services
    from ai_workspace.providers import TranslationRequest
    from ai_workspace.providers.offline import OfflineProvider
    from themeconfig.platform.tenant_context import tenant_context

    # The first version is being published: the draft goes on a copy of it (same locale packs).
    draft_version = services.version_create(principal=owner, theme_id=theme.pk, from_version_id=version.pk)
    with tenant_context(tenant.id):
        base = ai_selectors.version_draft_base(draft_version.pk)
    result = OfflineProvider().translation(TranslationRequest(
        source_entries={"common.greeting": "Hi"}, target_locale="fr", plural_categories="target"))
    draft = ai_services.translation_draft_create(principal=owner, version_id=draft_version.pk, locale="fr",
                                                 result=result, base=base)
    values["kind"] = "translation"
    values["draft_id"] = draft.pk
    from ai_workspace.services import generation

    monkeypatch.setattr(generation, "enqueue_generation_job", lambda **kwargs: None)  # no worker: it need only exist
    generation_job = generation.translation_generation_request(principal=owner, version_id=draft_version.pk, locale="fr")
    values["generation_job_id"] = generation_job.pk
    from datetime import timedelta

    from django.utils import timezone

    from publishing.services import schedules

    campaign = services.version_create(principal=owner, theme_id=theme.pk, from_version_id=version.pk)
    services.version_mark_preview_ready(principal=owner, version_id=campaign.pk, expected_version=campaign.version)
    values["schedule_id"] = schedules.publish_schedule_create(
        principal=owner, version_id=campaign.pk, run_at=timezone.now() + timedelta(days=1)).pk
    # With four-eyes on, a publish of the other version is a request waiting for approval.
    services.tenant_update(principal=owner, name="Victim", settings={"four_eyes_publish": True})
    values["request_id"] = publish.version_publish(principal=owner, version_id=draft_version.pk,
                                                   expected_theme_version=1).pk
    from themeconfig.services.routing_flags import routing_flag_create
    values["flag_id"] = routing_flag_create(principal=owner, flag_key="theme.route", scope_type="user",
                                            scope_id="guest-1", route_mode="candidate", reason="victim's").pk
    # A running rollout, arranged as a row (rollout_start needs a publication and storage; here it need only exist).
    from publishing.models import ThemeRollout
    with tenant_context(tenant.id):
        values["rollout_id"] = ThemeRollout.objects.create(
            id=new_id("rol"), tenant_id=tenant.id, theme_id=theme.pk, candidate_version_id=draft_version.pk,
            candidate_version_version=1, candidate_bundle_url="/media/bundles/x.json", candidate_bundle_sha256="0" * 64,
            basis_points=500, reason="victim's", created_by="user:1", updated_by="user:1").pk
    return tenant, values


def snapshot(admin_sql, tenant_id):
    return {table: admin_sql.execute(
        f"SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) FROM {table} t WHERE tenant_id = %s",
        [tenant_id]).fetchone()[0] for table in SNAPSHOT_TABLES}


def _url(route: str, values: dict) -> str:
    def substitute(match):
        name = match.group(2)
        assert name in values, f"no value for <{name}> in {route}: extend the victim fixture"
        return values[name]

    return "/" + re.sub(r"<(\w+:)?(\w+)>", substitute, route)


def test_every_route_and_method__another_tenants_ids__404_and_nothing_changes(client, victim, keyed_tenant_factory,
                                                                              admin_sql):
    tenant, values = victim
    intruder = keyed_tenant_factory(role="owner")
    before = snapshot(admin_sql, tenant.id)
    tried = 0
    for route, view_class in api_routes():
        url = _url(route, values)
        for method in ("get", "post", "put", "patch", "delete"):
            if not hasattr(view_class, method):
                continue
            if method == "get":
                response = client.get(url, **intruder.auth)
            else:
                response = getattr(client, method)(url, json.dumps(BODY), content_type="application/json",
                                                   HTTP_IF_MATCH='"1"', **intruder.auth)
            tried += 1
            assert response.status_code == 404, (method.upper(), url, response.status_code, response.content[:300])
            assert response.json()["code"] == "MELMASTOON.RESOURCE.NOT_FOUND"
    assert tried >= 20
    assert snapshot(admin_sql, tenant.id) == before


@pytest.mark.parametrize("path", ["/api/v1/themes/?deleted=include", "/api/v1/properties/"])
def test_lists__never_another_tenants_rows(client, victim, keyed_tenant_factory, path):
    intruder = keyed_tenant_factory(role="owner", properties=1)
    rows = client.get(path, **intruder.auth).json()["results"]
    assert all(row["tenant_id"] == intruder.id for row in rows)
