"""The public preview read, GET /api/v1/preview/{token}/, under committed transactions (the tenant
GUC behaves as in production): the publisher's bytes, access counting, one 404 for every token
that shows nothing, no tenant crossing, and the preview reader role reading nothing else."""
from __future__ import annotations

import json
import re
import secrets
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connections, router
from django.utils import timezone
from psycopg import errors

from publishing.bundles.build import build_bundle, bundle_inputs
from publishing.models import PreviewToken
from publishing.preview import PREVIEW_ALIAS, PreviewConnectionError, preview_bundle
from publishing.services.preview_tokens import (
    TOKEN_PREFIX,
    hash_token,
    preview_token_create,
    preview_token_revoke,
)
from tests.unit.themeconfig.validators import samples
from themeconfig import services
from themeconfig.models import Theme, ThemeVersion
from themeconfig.platform.principal import Principal
from themeconfig.platform.tenant_context import tenant_context
from themeconfig.selectors.layout_presets import layout_presets_for_validation

pytestmark = pytest.mark.usefixtures("committed_db")
ROOT = Path(__file__).resolve().parents[2]
PREVIEW_READER = "theme_config_preview_reader"
# What the preview reader may run with the rights of the functions' owner: its read, and the older
# version-only read of 0005. Anything else it can execute runs with its own rights (it has none).
PREVIEW_FUNCTIONS = {"theme_config.preview_version(p_token_hash text)",
                     "theme_config.preview_bundle_inputs(p_token_hash text)",
                     "theme_config.preview_image_hosts(p_token_hash text)"}


def url(secret: str, part: str = "") -> str:
    return f"/api/v1/preview/{secret}/{part}"


def make_world(tenant_factory, *, marker: str):
    """A tenant with a theme whose draft holds one of everything, and a live preview link to it."""
    tenant = tenant_factory()
    admin = Principal.for_user(tenant_id=tenant.id, user_id=1, role="admin")
    theme = services.theme_create(principal=admin, name=f"Lake {marker}", enabled_locales=["en", "fr"],
                                  fallback_chain=["fr", "en"])
    version = services.version_create(principal=admin, theme_id=theme.pk)
    with tenant_context(tenant.id):
        presets = layout_presets_for_validation()
    home = next(p for p in presets.values() if p.surface == "home" and p.is_active)
    services.version_update(principal=admin, version_id=version.pk, expected_version=1,
                            tokens=samples.valid_tokens(), layout_selections={"home": {"preset": home.key}})
    for ordinal in (0, 1):
        services.content_block_create(principal=admin, version_id=version.pk, surface="home", kind="rich_text",
                                      body={"en": {"format": "markdown", "value": f"{marker} block {ordinal}"}},
                                      meta=samples.valid_meta("rich_text"))
    services.navigation_put(principal=admin, version_id=version.pk, surface="header",
                            items=samples.valid_navigation_items())
    services.booking_flow_put(principal=admin, version_id=version.pk, steps=samples.valid_steps(),
                              toggles=samples.valid_toggles(), consent=samples.valid_consent())
    services.email_theme_put(principal=admin, version_id=version.pk, tokens=samples.valid_email_tokens(),
                             logo_ref=samples.valid_logo_ref(), footer=samples.valid_footer())
    services.locale_pack_put(principal=admin, version_id=version.pk, locale="en",
                             entries={**samples.valid_default_entries(), "common.greeting": f"Hello from {marker}, {{name}}!"})
    services.locale_pack_put(principal=admin, version_id=version.pk, locale="fr",
                             entries=samples.valid_translated_entries())
    token, secret = preview_token_create(principal=admin, version_id=version.pk)
    return tenant, admin, theme, version, token, secret


@pytest.fixture
def world(tenant_factory):
    return make_world(tenant_factory, marker="Alpha")


def built_by_the_publisher(tenant_id: str, version_id: str):
    """What publishing builds for the version, read as theme_config_app in the tenant's context."""
    with tenant_context(tenant_id):
        return build_bundle(**bundle_inputs(version_id))


def token_row(tenant_id: str, token_id: str) -> PreviewToken:
    with tenant_context(tenant_id):
        return PreviewToken.objects.get(pk=token_id)


def answer(response) -> tuple:
    """Everything a caller can tell one answer from another by (the request id aside)."""
    return (response.status_code, response.content, response["Content-Type"], response["Cache-Control"],
            response["X-Robots-Tag"])


def role_connect(role: str, database: str) -> psycopg.Connection:
    """A psycopg connection as `role` (trust auth, as in the test set-up) where the preview alias points."""
    db = settings.DATABASES[PREVIEW_ALIAS]
    return psycopg.connect(host=db["HOST"] or None, port=db["PORT"] or None, user=role, dbname=database)


# --- the read over HTTP ------------------------------------------------------------------------

def test_live_token__answers_the_publishers_bytes__private_and_unindexed(client, world):
    tenant, _, _, version, _, secret = world
    expected = built_by_the_publisher(tenant.id, version.pk)
    response = client.get(url(secret))
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response.content == expected.json_bytes
    assert response["Cache-Control"] == "private, no-store" and response["X-Robots-Tag"] == "noindex"
    document = json.loads(response.content)
    assert document["version_id"] == version.pk and document["layout"]["home"]["preset_info"]
    assert [b["body"]["en"]["value"] for b in document["content"]["home"]] == ["Alpha block 0", "Alpha block 1"]
    css = client.get(url(secret, "css/"))
    assert css.status_code == 200 and css.content == expected.css_bytes
    assert css["Content-Type"].startswith("text/css") and css["Cache-Control"] == "private, no-store"


def test_live_token__whatever_accept_format_or_credentials__the_same_bytes(client, world, keyed_tenant_factory):
    tenant, _, _, version, _, secret = world
    expected = built_by_the_publisher(tenant.id, version.pk).json_bytes
    stranger = keyed_tenant_factory()
    for extra in ({"HTTP_ACCEPT": "text/html"}, {"HTTP_AUTHORIZATION": "Bearer tck.not-a-key"}, stranger.auth):
        assert client.get(url(secret), **extra).content == expected, extra
    assert client.get(url(secret) + "?format=api").content == expected


def test_each_answer__counts_an_access__failures_do_not(client, world):
    tenant, admin, _, _, token, secret = world
    assert token_row(tenant.id, token.pk).access_count == 0
    before = timezone.now()
    client.get(url(secret))
    client.get(url(secret, "css/"))
    counted = token_row(tenant.id, token.pk)
    assert counted.access_count == 2 and counted.last_accessed_at >= before
    preview_token_revoke(principal=admin, token_id=token.pk)
    assert client.get(url(secret)).status_code == 404
    assert token_row(tenant.id, token.pk).access_count == 2


def test_unknown_expired_revoked_malformed_deleted__one_byte_identical_404(client, world, tenant_factory):
    tenant, admin, theme, version, token, secret = world
    expired, expired_secret = preview_token_create(principal=admin, version_id=version.pk)
    revoked, revoked_secret = preview_token_create(principal=admin, version_id=version.pk)
    with tenant_context(tenant.id):
        PreviewToken.objects.filter(pk=expired.pk).update(created_at=timezone.now() - timedelta(days=2),
                                                          expires_at=timezone.now() - timedelta(seconds=1))
    preview_token_revoke(principal=admin, token_id=revoked.pk)
    # A token whose theme was deleted afterwards, in another tenant so `world`'s own stays live.
    other_tenant, other_admin, other_theme, _, _, deleted_theme_secret = make_world(tenant_factory, marker="Beta")
    services.theme_delete(principal=Principal.for_user(tenant_id=other_tenant.id, user_id=9, role="owner"),
                          theme_id=other_theme.pk, expected_version=_theme_version(other_tenant.id, other_theme.pk))
    unknown = TOKEN_PREFIX + secrets.token_urlsafe(32)
    failures = {
        "unknown": unknown, "expired": expired_secret, "revoked": revoked_secret,
        "theme deleted": deleted_theme_secret,
        "malformed: no prefix": secret.removeprefix(TOKEN_PREFIX), "malformed: short": TOKEN_PREFIX + "abc",
        "malformed: characters": TOKEN_PREFIX + "!" * 43, "malformed: long": TOKEN_PREFIX + "a" * 500,
        "malformed: the stored hash itself": hash_token(secret), "malformed: one character off": secret[:-1] + (
            "A" if secret[-1] != "A" else "B"),
    }
    answers = {name: answer(client.get(url(value))) for name, value in failures.items()}
    first = answers["unknown"]
    assert first[0] == 404 and first[2] == "application/problem+json"
    assert first[3:] == ("private, no-store", "noindex")
    problem = json.loads(first[1])
    assert problem["code"] == "MELMASTOON.RESOURCE.NOT_FOUND" and "instance" not in problem
    assert {name: a for name, a in answers.items() if a != first} == {}
    # The stylesheet route answers the same bytes too, and nothing of the request shows in them.
    assert answer(client.get(url(expired_secret, "css/"))) == first
    assert unknown.encode() not in first[1] and b"preview/" not in first[1]
    # Dead tokens were not counted; the live one still works.
    assert token_row(tenant.id, expired.pk).access_count == 0 and token_row(tenant.id, revoked.pk).access_count == 0
    assert client.get(url(secret)).status_code == 200


def _theme_version(tenant_id: str, theme_id: str) -> int:
    with tenant_context(tenant_id):
        return Theme.objects.get(pk=theme_id).version


def test_token_of_tenant_a__never_shows_tenant_b(client, world, tenant_factory):
    a, _, _, a_version, _, a_secret = world
    b, _, b_theme, b_version, b_token, b_secret = make_world(tenant_factory, marker="Beta")
    a_bytes, b_bytes = client.get(url(a_secret)).content, client.get(url(b_secret)).content
    assert a_bytes == built_by_the_publisher(a.id, a_version.pk).json_bytes
    assert b_bytes == built_by_the_publisher(b.id, b_version.pk).json_bytes
    for foreign in (b.id, b_theme.pk, b_version.pk, "Beta"):
        assert foreign.encode() not in a_bytes, foreign
    assert json.loads(a_bytes)["tenant_id"] == a.id and json.loads(b_bytes)["tenant_id"] == b.id
    assert token_row(b.id, b_token.pk).access_count == 1


def test_preview_bundle__a_version_that_cannot_be_built__raises_and_is_not_counted(world, monkeypatch):
    from publishing import preview

    tenant, _, _, _, token, secret = world

    def broken(**inputs):
        raise RuntimeError("builder down")

    monkeypatch.setattr(preview, "build_bundle", broken)
    with pytest.raises(RuntimeError):
        preview_bundle(secret)
    assert token_row(tenant.id, token.pk).access_count == 0


# --- the preview reader role and its alias ------------------------------------------------------

def test_preview_reader__reads_no_table_directly__even_with_a_tenants_guc(world, django_db_setup, admin_sql):
    tenant = world[0]
    tables = [row[0] for row in admin_sql.execute(
        """SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) FROM pg_class c
           JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname IN ('theme_config', 'tenant_service', 'public') AND c.relkind IN ('r', 'p', 'v', 'm')""")]
    assert len(tables) > 20
    with role_connect(PREVIEW_READER, django_db_setup) as conn:
        conn.execute("SELECT set_config('app.tenant_id', %s, true)", [tenant.id])
        for table in tables:
            try:
                with conn.transaction():
                    rows = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            except errors.InsufficientPrivilege:
                continue
            assert rows == 0, table
        for statement in ("UPDATE theme_config.preview_tokens SET access_count = 0",
                          "DELETE FROM theme_config.theme_versions",
                          "INSERT INTO theme_config.outbox (event_id) VALUES ('x')"):
            with pytest.raises(errors.InsufficientPrivilege), conn.transaction():
                conn.execute(statement)


def test_preview_reader__runs_with_an_owners_rights_only_its_three_reads(admin_sql):
    definer = {row[0] for row in admin_sql.execute(
        """SELECT n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')'
           FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
           WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND p.prosecdef
             AND has_function_privilege(%s, p.oid, 'EXECUTE')""", [PREVIEW_READER])}
    assert definer == PREVIEW_FUNCTIONS


def test_preview_bundle_inputs__executable_by_the_preview_reader_only(world, django_db_setup):
    secret = world[5]
    for role in ("theme_config_app", "theme_config_ro", "theme_config_service"):
        with role_connect(role, django_db_setup) as conn, pytest.raises(errors.InsufficientPrivilege):
            conn.execute("SELECT theme_config.preview_bundle_inputs(%s)", [hash_token(secret)])


def test_preview_bundle_inputs__live_token_only__callers_guc_put_back(world, django_db_setup):
    tenant, _, _, version, token, secret = world
    with role_connect(PREVIEW_READER, django_db_setup) as conn:
        conn.execute("SELECT set_config('app.tenant_id', 'tnt_caller', true)")
        (document,) = conn.execute("SELECT theme_config.preview_bundle_inputs(%s)", [hash_token(secret)]).fetchone()
        assert conn.execute("SELECT current_setting('app.tenant_id', true), "
                            "current_setting('theme_config.preview_token_hash', true)").fetchone() == ("tnt_caller", "")
        for dead in ("0" * 64, "not-a-hash", None, hash_token(secret).upper()):
            assert conn.execute("SELECT theme_config.preview_bundle_inputs(%s)", [dead]).fetchone() == (None,)
        conn.rollback()
    assert document["token"] == {"id": token.pk, "token_hash": hash_token(secret)}
    assert document["version"]["id"] == version.pk and document["theme"]["tenant_id"] == tenant.id
    assert [p["key"] for p in document["layout_presets"]] == [document["version"]["layout_selections"]["home"]["preset"]]
    assert {row["tenant_id"] for key in ("content_blocks", "navigation_configs", "locale_packs")
            for row in document[key]} == {tenant.id}


def test_preview_alias__refuses_every_other_statement(world):
    with pytest.raises(PreviewConnectionError):
        ThemeVersion.objects.using(PREVIEW_ALIAS).count()
    with pytest.raises(PreviewConnectionError), connections[PREVIEW_ALIAS].cursor() as cursor:
        cursor.execute("SELECT theme_config.preview_version(%s)", [hash_token(world[5])])
    assert preview_bundle(world[5]) is not None  # the read itself still goes through


def test_preview_alias__never_migrated_and_named_by_the_preview_module_only():
    assert PREVIEW_ALIAS in connections.databases
    assert not router.allow_migrate(PREVIEW_ALIAS, "publishing") and not router.allow_migrate(PREVIEW_ALIAS, "themeconfig")
    naming = re.compile(r"""using\(\s*["']preview["']\s*\)|using\s*=\s*["']preview["']|connections\[\s*["']preview["']\s*\]""")
    offenders = [path.relative_to(ROOT).as_posix()
                 for package in ("config", "themeconfig", "publishing", "ai_workspace")
                 for path in (ROOT / package).rglob("*.py") if naming.search(path.read_text(encoding="utf-8"))]
    assert offenders == []
