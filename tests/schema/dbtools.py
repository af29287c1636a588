"""Connections, row builders and the tenant arrangement used by the schema tests (psycopg only)."""
from __future__ import annotations

import itertools
import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from tests import template_db
from themeconfig.platform import bootstrap
from themeconfig.platform.ids import new_event_id, new_id

REPO = Path(__file__).resolve().parents[2]
SEED_COPY = Path(__file__).with_name("seed_000_data_model.txt")
SEED_SHARED = REPO.parent / "shared" / "seeds" / "000_23418f0f0b8dc5f3.txt"
ADMIN_URL = os.environ.get("ADMIN_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
APP, SERVICE, MIGRATOR = "theme_config_app", "theme_config_service", "theme_config_migrator"
READONLY, PREVIEW_READER = "theme_config_ro", "theme_config_preview_reader"

TOKENS = {
    "color": {"primary": "#0b5fff", "on_primary": "#ffffff", "background": "white", "surface": "#f7f8fa", "text": "#1f2733"},
    "typography": {"families": {"body": {"stack": ["Inter"], "fallback": "sans-serif"}}},
    "spacing": {"xs": "4px", "sm": "8px", "md": "16px", "lg": "24px", "xl": "40px"},
    "radius": {"md": "8px"},
    "shadow": {},
    "motion": {"durations": {"fast": 120}},
    "direction": "ltr",
}


def seed_text() -> str:
    """Seed 000 (DATA_MODEL): the copy kept beside these tests, else the shared original."""
    return (SEED_COPY if SEED_COPY.exists() else SEED_SHARED).read_text(encoding="utf-8")


def role_url(role: str, database: str) -> str:
    """The admin URL's host and port, as `role` (trust auth locally), on `database`."""
    parts = urlsplit(bootstrap._libpq_url(ADMIN_URL))
    netloc = f"{role}@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, "/" + database, "", ""))


def connect(role: str, database: str, **kwargs) -> psycopg.Connection:
    kwargs.setdefault("application_name", "tests-schema")
    if role == "postgres":
        return psycopg.connect(bootstrap.with_database(bootstrap._libpq_url(ADMIN_URL), database), **kwargs)
    return psycopg.connect(role_url(role, database), **kwargs)


def drop_database(name: str) -> None:
    with psycopg.connect(bootstrap._libpq_url(ADMIN_URL), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def manage(database: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """`manage.py <args>` with every alias pointed at `database` (migrate runs as the migrator)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "ADMIN_DATABASE_URL": ADMIN_URL,
        "DATABASE_URL": role_url(APP, database),
        "MIGRATOR_DATABASE_URL": role_url(MIGRATOR, database),
        "SERVICE_DATABASE_URL": role_url(SERVICE, database),
    }
    env.pop("READONLY_DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=300
    )
    if check and result.returncode != 0:
        raise AssertionError(f"manage.py {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def database_name(purpose: str) -> str:
    """`<test database base>_<purpose>`, with `_<worker>` under pytest-xdist: a developer's
    TEST_DATABASE_NAME keeps these apart from another developer's on the same cluster, as it does the
    test databases themselves."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    name = f"{template_db.template_base()}_{purpose}"
    return f"{name}_{worker}" if worker else name


def create_migrated_database(name: str) -> None:
    """Fresh database `name`: bootstrap_db's roles/schemas/grants, then every migration as the migrator
    (a clone of tests/template_db.py's template, built that way once per change of the migrations)."""
    template_db.create_migrated_database(name)


def set_tenant(conn: psycopg.Connection, tenant_id: str) -> None:
    """What every unit of work does first (transaction-local, never session-level)."""
    conn.execute("SELECT set_config('app.tenant_id', %s, true)", [tenant_id])


@contextmanager
def savepoint(conn: psycopg.Connection):
    """A savepoint, so one failing statement does not end the test's transaction."""
    with conn.transaction():
        yield


def new_tenant_id() -> str:
    return new_id("tnt")


_ordinals = itertools.count(1)


def row_defaults(table: str, tenant_id: str, parents: dict) -> dict:
    """A valid row of `table` for `tenant_id`, hanging off `parents` (theme_id, theme_version_id …)."""
    actor = {"created_by": "user:42", "updated_by": "user:42"}
    if table == "themes":
        return {"id": new_id("thm"), "tenant_id": tenant_id, "property_id": new_id("prp"), "name": "Seaside Hotel",
                "scope": "property", "default_locale": "en", "enabled_locales": ["en", "fa-IR"],
                "fallback_chain": ["en"], "status": "active", **actor}
    if table == "theme_versions":
        return {"id": new_id("thv"), "tenant_id": tenant_id, "theme_id": parents["theme_id"],
                "ordinal": next(_ordinals), "status": "draft", "tokens": Jsonb(TOKENS),
                "layout_selections": Jsonb({"home": {"preset": "home.hero-split"}}), **actor}
    if table == "content_blocks":
        return {"id": new_id("cnb"), "tenant_id": tenant_id, "theme_version_id": parents["theme_version_id"],
                "surface": "home", "kind": "hero", "ordinal": next(_ordinals), "visibility": "all",
                "body": Jsonb({"en": {"format": "markdown", "value": "Welcome"}, "fa-IR": {"format": "markdown", "value": "خوش آمدید"}}),
                "meta": Jsonb({"kind": "hero"}), **actor}
    if table == "navigation_configs":
        return {"id": new_id("nvc"), "tenant_id": tenant_id, "theme_version_id": parents["theme_version_id"],
                "surface": "header", "items": Jsonb([]), "updated_by": "user:42"}
    if table == "booking_flow_configs":
        return {"id": new_id("bfc"), "tenant_id": tenant_id, "theme_version_id": parents["theme_version_id"],
                "steps": Jsonb([]), "toggles": Jsonb({}), "consent": Jsonb({"required": True}), "updated_by": "user:42"}
    if table == "email_themes":
        return {"id": new_id("emt"), "tenant_id": tenant_id, "theme_version_id": parents["theme_version_id"],
                "tokens": Jsonb({}), "logo_ref": Jsonb({"url": "https://cdn.example/logo.png"}),
                "footer": Jsonb({}), "updated_by": "user:42"}
    if table == "locale_packs":
        return {"id": new_id("lpk"), "tenant_id": tenant_id, "theme_version_id": parents["theme_version_id"],
                "locale": "fa-IR", "entries": Jsonb({"book_now": "رزرو"}), "updated_by": "user:42"}
    if table == "preview_tokens":
        return {"id": new_id("pvt"), "tenant_id": tenant_id, "theme_version_id": parents["theme_version_id"],
                "token_hash": os.urandom(32).hex(), "expires_at": "2100-01-01T00:00:00Z", "created_by": "user:42"}
    if table == "theme_publications":
        return {"id": new_id("thp"), "tenant_id": tenant_id, "theme_id": parents["theme_id"],
                "theme_version_id": parents["theme_version_id"], "is_active": False,
                "bundle_url": "bundles/x.json", "bundle_sha256": "0" * 64, "reason": "publish"}
    if table == "palette_suggestions":
        return {"id": new_id("ais"), "tenant_id": tenant_id, "theme_id": parents["theme_id"],
                "drafted_tokens": Jsonb({"color": {}}), "ai_provenance": Jsonb({"model": "test"}), "status": "pending"}
    if table == "translation_drafts":
        return {"id": new_id("ait"), "tenant_id": tenant_id, "theme_version_id": parents["theme_version_id"],
                "locale": "fa-IR", "drafted_entries": Jsonb({"book_now": "رزرو"}),
                "ai_provenance": Jsonb({"model": "test"}), "status": "pending"}
    if table == "content_drafts":
        return {"id": new_id("aic"), "tenant_id": tenant_id, "theme_version_id": parents["theme_version_id"],
                "surface": "home", "kind": "hero", "drafted_body": Jsonb({"en": {"format": "markdown", "value": "Hi"}}),
                "drafted_meta": Jsonb({"kind": "hero"}), "ai_provenance": Jsonb({"model": "test"}), "status": "pending"}
    if table == "brand_kits":
        return {"id": new_id("bkt"), "tenant_id": tenant_id, "name": "Main brand",
                "colors": Jsonb([{"name": "Primary", "hex": "#0b5fff"}]),
                "fonts": Jsonb([{"name": "Body", "family": "Inter"}]), **actor}
    if table == "layout_presets":
        return {"id": new_id("lpr"), "key": f"custom.test-{new_id('lpr')[-8:].lower()}", "surface": "custom",
                "supported_variants": ["default"], "thumbnail_url": "/static/x.svg"}
    if table == "outbox":
        return {"event_id": new_event_id(), "tenant_id": tenant_id, "event_type": "theme.published.v1",
                "topic": "theme-config.events", "partition_key": tenant_id, "envelope": Jsonb({}), "attributes": Jsonb({})}
    raise KeyError(table)


def insert(conn: psycopg.Connection, table: str, row: dict) -> dict:
    query = sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
        sql.Identifier("theme_config", table),
        sql.SQL(", ").join(map(sql.Identifier, row)),
        sql.SQL(", ").join(sql.Placeholder() * len(row)),
    )
    conn.execute(query, list(row.values()))
    return row


class Tenant:
    """One tenant's theme and version, written through `conn` in that tenant's context."""

    def __init__(self, conn: psycopg.Connection, tenant_id: str | None = None, **theme_overrides):
        self.conn = conn
        self.id = tenant_id or new_tenant_id()
        set_tenant(conn, self.id)
        self.theme = insert(conn, "themes", {**row_defaults("themes", self.id, {}), **theme_overrides})
        self.version = self.add("theme_versions")

    @property
    def parents(self) -> dict:
        return {"theme_id": self.theme["id"], "theme_version_id": getattr(self, "version", {}).get("id")}

    def row(self, table: str, **overrides) -> dict:
        return {**row_defaults(table, self.id, self.parents), **overrides}

    def add(self, table: str, **overrides) -> dict:
        return insert(self.conn, table, self.row(table, **overrides))
