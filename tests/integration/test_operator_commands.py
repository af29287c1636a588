"""Operator commands as an operator runs them: idempotent where they create, clear when they refuse."""
from __future__ import annotations

import io
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command
from django.db import connections, transaction

from tests.conftest import ROOT, admin_connect
from themeconfig.models import ApiClient, BrandKit, Membership, Tenant, TenantHost
from themeconfig.platform import api_key_secrets as api_keys
from themeconfig.platform.service_db import service_context
from themeconfig.platform.tenant_context import tenant_context

pytestmark = pytest.mark.usefixtures("committed_db")


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def on_service(read):
    """Cross-tenant reads for assertions, through the one door to the service connection."""
    with service_context() as alias:
        return read(alias)


def service_tenants():
    return on_service(lambda db: list(Tenant.objects.using(db).order_by("slug")))


def test_create_tenant__twice__one_tenant_and_hosts_added():
    out1, _ = run("create_tenant", "--slug", "acme", "--name", "Acme", "--host", "acme.example.com")
    out2, _ = run("create_tenant", "--slug", "acme", "--name", "Acme", "--host", "Book.Acme.Example.com.")
    tenant_id = out1.strip().splitlines()[-1]
    assert out2.strip().splitlines()[-1] == tenant_id
    assert [t.slug for t in service_tenants()] == ["acme"]
    with tenant_context(tenant_id):
        assert sorted(TenantHost.objects.values_list("host", flat=True)) == ["acme.example.com", "book.acme.example.com"]


def test_create_tenant__host_of_another_tenant__error_and_nothing_written():
    run("create_tenant", "--slug", "acme", "--name", "Acme", "--host", "shared.example.com")
    with pytest.raises(CommandError, match="HOST_TAKEN"):
        run("create_tenant", "--slug", "other", "--name", "Other", "--host", "new.example.com",
            "--host", "shared.example.com")
    assert [t.slug for t in service_tenants()] == ["acme"]  # the half-made tenant was rolled back
    assert on_service(lambda db: TenantHost.objects.using(db).filter(host="new.example.com").count()) == 0


@pytest.mark.parametrize(
    "args,field",
    [
        (["--slug", "Bad Slug", "--name", "X"], "slug"),
        (["--slug", "ok", "--name", "   "], "name"),
        (["--slug", "ok", "--name", "X", "--host", "not a host"], "hosts/0"),
    ],
)
def test_create_tenant__bad_input__error_names_the_field(args, field):
    with pytest.raises(CommandError, match=rf"{field}:"):
        run("create_tenant", *args)
    assert service_tenants() == []


def test_create_api_key__secret_alone_on_last_line_and_only_hash_stored():
    run("create_tenant", "--slug", "acme", "--name", "Acme")
    out, err = run("create_api_key", "--tenant", "acme", "--name", "ci", "--role", "admin")
    secret = out.rstrip("\n").splitlines()[-1]
    assert api_keys.parse_secret(secret) is not None
    client = on_service(lambda db: ApiClient.objects.using(db).get())
    assert client.secret_hash == api_keys.hash_secret(secret) and secret not in (client.secret_hash, client.secret_hint)
    assert client.role == "admin" and "created API key" in err


def test_create_api_key__same_name_again__refused_unless_rotate():
    run("create_tenant", "--slug", "acme", "--name", "Acme")
    first = run("create_api_key", "--tenant", "acme", "--name", "ci", "--role", "api")[0].splitlines()[-1]
    with pytest.raises(CommandError, match="name:"):
        run("create_api_key", "--tenant", "acme", "--name", "ci", "--role", "api")
    second = run("create_api_key", "--tenant", "acme", "--name", "ci", "--role", "api", "--rotate")[0].splitlines()[-1]
    assert first != second
    live = on_service(lambda db: list(ApiClient.objects.using(db).filter(revoked_at__isnull=True)))
    assert [c.secret_hash for c in live] == [api_keys.hash_secret(second)]


def test_create_api_key__unknown_tenant__error_names_tenant():
    with pytest.raises(CommandError, match="--tenant"):
        run("create_api_key", "--tenant", "ghost", "--name", "ci", "--role", "api")


def test_create_api_key__prints_secret_last_line__as_a_process():
    """The contract scripts rely on: stdout's last line is the secret and nothing else."""
    run("create_tenant", "--slug", "acme", "--name", "Acme")
    from tests.celery_worker import worker_environment

    database = connections["default"].settings_dict["NAME"]
    result = subprocess.run(
        [sys.executable, "manage.py", "create_api_key", "--tenant", "acme", "--name", "script", "--role", "viewer"],
        cwd=ROOT, env=worker_environment(database), capture_output=True, text=True, check=True,
    )
    assert api_keys.parse_secret(result.stdout.splitlines()[-1]) is not None


def test_seed_demo__twice__one_demo_tenant_user_and_membership():
    run("seed_demo", "--force")
    run("seed_demo", "--force")
    tenants = service_tenants()
    assert [t.slug for t in tenants] == ["demo"]
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="demo")
    assert user.is_staff and not user.is_superuser and user.check_password("demo")
    with tenant_context(tenants[0].id):
        assert list(TenantHost.objects.values_list("host", flat=True)) == ["demo.localhost"]
        assert Membership.objects.get(user=user).role == "owner"
        assert list(BrandKit.objects.values_list("name", "is_default")) == [("Demo Seaside", True)]
        from publishing.models import ThemePublication

        assert ThemePublication.objects.filter(is_active=True).count() == 1  # published once, not twice


def test_seed_demo__demo_host_resolves_publicly(client):
    run("seed_demo", "--force")
    response = client.get("/api/v1/resolve/?host=demo.localhost")
    assert response.status_code == 200 and len(response.json()["bundle_sha256"]) == 64


DEMO_TABLES = ("tenant_service.tenants", "tenant_service.properties", "tenant_service.tenant_hosts", "auth_user",
               "theme_config.memberships", "theme_config.brand_kits", "theme_config.themes",
               "theme_config.theme_versions", "theme_config.content_blocks", "theme_config.navigation_configs",
               "theme_config.booking_flow_configs", "theme_config.email_themes", "theme_config.locale_packs",
               "theme_config.theme_publications", "theme_config.publish_jobs", "theme_config.audit_log",
               "theme_config.outbox")


def demo_rows(database: str) -> dict[str, tuple[int, str | None]]:
    """Every row of the tables seed_demo writes, as a count and a digest of their text (superuser view)."""
    with admin_connect(database) as conn:
        return {table: conn.execute(f"SELECT count(*), md5(string_agg(t::text, ',' ORDER BY t::text)) FROM {table} t")
                .fetchone() for table in DEMO_TABLES}


def demo_version():
    from publishing.models import ThemePublication

    (tenant,) = service_tenants()
    with tenant_context(tenant.id):
        publication = ThemePublication.objects.select_related("theme_version__theme").get(is_active=True)
        return publication.theme_version


def test_seed_demo__twice__second_run_changes_no_row(django_db_setup):
    run("seed_demo", "--force")
    before = demo_rows(django_db_setup)
    out, _ = run("seed_demo", "--force")
    assert demo_rows(django_db_setup) == before
    assert "published" not in out


def test_seed_demo__demo_of_an_older_release__complete_version_published_over_it(django_db_setup):
    run("seed_demo", "--force")
    with admin_connect(django_db_setup) as conn:  # what an older seed_demo left: no booking flow, no e-mail theme
        conn.execute("DELETE FROM theme_config.booking_flow_configs")
        conn.execute("DELETE FROM theme_config.email_themes")
    out, _ = run("seed_demo", "--force")
    assert "published the demo theme" in out
    assert demo_version().ordinal == 2
    out, _ = run("seed_demo", "--force")
    assert "published" not in out and demo_version().ordinal == 2


def test_seed_demo__published_version__passes_preview_ready_with_no_problem_and_no_warning():
    from themeconfig.services import version_readiness

    run("seed_demo", "--force")
    version = demo_version()
    with tenant_context(version.tenant_id):
        readiness = version_readiness(version)
    assert (readiness.problems, readiness.warnings) == ([], [])


def test_seed_demo__published_version__holds_a_whole_hotel_site_in_three_languages():
    from publishing.sample_site.messages import WELL_KNOWN_MESSAGES
    from themeconfig.models import BookingFlowConfig, ContentBlock, EmailTheme, LocalePack, NavigationConfig

    run("seed_demo", "--force")
    version = demo_version()
    with tenant_context(version.tenant_id):
        surfaces = set(ContentBlock.objects.filter(theme_version_id=version.pk).values_list("surface", flat=True))
        menus = {n.surface: n.items for n in NavigationConfig.objects.filter(theme_version_id=version.pk)}
        flow = BookingFlowConfig.objects.get(theme_version_id=version.pk)
        email = EmailTheme.objects.get(theme_version_id=version.pk)
        packs = {p.locale: p for p in LocalePack.objects.filter(theme_version_id=version.pk)}
    assert surfaces == {"home", "detail"}  # the surfaces the sample site draws
    assert set(menus) == {"header", "footer"} and all(
        set(item["label"]) == {"en", "fr", "ar"} for items in menus.values() for item in items)
    assert [s["id"] for s in flow.steps][0] == "search" and set(flow.consent["text"]) == {"en", "fr", "ar"}
    assert set(email.footer["legal_text"]) == {"en", "fr", "ar"}
    assert version.theme.enabled_locales == ["en", "fr", "ar"] and set(packs) == {"en", "fr", "ar"}
    english = packs["en"].entries
    for locale in ("fr", "ar"):
        assert set(packs[locale].entries) == set(english) and float(packs[locale].completeness_pct) == 100
        # Real translations: every message differs from the English one (no copies, no pseudo-locale).
        assert [key for key in english if packs[locale].entries[key] == english[key]] == []
    assert all(any("\u0600" <= ch <= "\u06ff" for ch in message) for message in packs["ar"].entries.values())
    assert set(WELL_KNOWN_MESSAGES) <= set(english)  # every text the sample site draws, in all three


def test_seed_demo__debug_off_without_force__refused():
    with pytest.raises(CommandError, match="DEBUG"):
        run("seed_demo")


def test_check_rls__migrated_database__passes():
    out, _ = run("check_rls")
    assert "RLS is in force" in out and "FAIL" not in out


@pytest.mark.parametrize(
    "sabotage,expected",
    [
        ("DROP POLICY tenant_isolation ON tenant_service.properties", "tenant_service.properties: no tenant_isolation"),
        ("ALTER TABLE theme_config.api_clients NO FORCE ROW LEVEL SECURITY", "theme_config.api_clients: row level security is not forced"),
        ("ALTER TABLE tenant_service.tenant_hosts DISABLE ROW LEVEL SECURITY", "tenant_service.tenant_hosts: row level security is not enabled"),
        ("CREATE TABLE theme_config.sneaky (id int, tenant_id text)", "theme_config.sneaky: row level security is not enabled"),
        # finding 4: the outbox was exempt, and took any tenant_id from the request role
        ("DROP POLICY tenant_append ON theme_config.outbox", "theme_config.outbox: no INSERT policy for theme_config_app"),
        ("ALTER TABLE theme_config.outbox DISABLE ROW LEVEL SECURITY", "theme_config.outbox: row level security is not enabled"),
        ("GRANT SELECT ON theme_config.outbox TO theme_config_app", "theme_config.outbox: the request role may only INSERT"),
        ("GRANT SELECT ON theme_config.consumed_events TO theme_config_app", "theme_config.consumed_events: service-only"),
        ("DROP POLICY tenant_isolation ON theme_config.idempotency_keys", "theme_config.idempotency_keys: no tenant_isolation"),
        # finding 10: the preview reader may read no table
        ("GRANT SELECT ON theme_config.theme_versions TO theme_config_preview_reader",
         "role theme_config_preview_reader can read theme_config.theme_versions"),
        # audit log: a partition read directly skips the parent's policies, so each needs its own
        ("ALTER TABLE theme_config.audit_log_default NO FORCE ROW LEVEL SECURITY",
         "theme_config.audit_log_default: row level security is not forced"),
        ("DROP POLICY tenant_isolation ON theme_config.audit_log_default", "theme_config.audit_log_default: no tenant_isolation"),
        ("CREATE TABLE theme_config.audit_log_2099_01 PARTITION OF theme_config.audit_log "
         "FOR VALUES FROM ('2099-01-01 00:00+00') TO ('2099-02-01 00:00+00')",
         "theme_config.audit_log_2099_01: row level security is not enabled"),
        ("GRANT UPDATE ON theme_config.audit_log TO theme_config_app", "theme_config.audit_log: append-only"),
        ("GRANT DELETE ON theme_config.audit_log_default TO theme_config_app", "theme_config.audit_log_default: append-only"),
    ],
)
def test_check_rls__sabotaged__fails_naming_the_table(sabotage, expected):
    # The migrator owns the tables; the sabotage is rolled back after the audit has seen it.
    with transaction.atomic(using="migrator"):
        with connections["migrator"].cursor() as cursor:
            cursor.execute(sabotage)
        out = io.StringIO()
        with pytest.raises(CommandError, match="RLS problem"):
            call_command("check_rls", stdout=out)
        transaction.set_rollback(True, using="migrator")
    assert expected in out.getvalue()


def test_check_rls__role_with_bypassrls_as_request_role__fails():
    from themeconfig.platform.rls_audit import audit

    report = audit(connections["migrator"], request_roles={"theme_config_service"})
    assert "role theme_config_service has BYPASSRLS" in report.problems



def test_create_api_key__scopes__stored_as_permissions_document():
    run("create_tenant", "--slug", "acme", "--name", "Acme")
    run("create_api_key", "--tenant", "acme", "--name", "ro", "--role", "api", "--scope", "themes:read",
        "--scope", "tenant:read")
    assert on_service(lambda db: ApiClient.objects.using(db).get().permissions) == {"scopes": ["themes:read", "tenant:read"]}


def test_create_api_key__unknown_scope__error_names_it_and_nothing_written():
    run("create_tenant", "--slug", "acme", "--name", "Acme")
    with pytest.raises(CommandError, match="permissions/scopes/0"):
        run("create_api_key", "--tenant", "acme", "--name", "x", "--role", "api", "--scope", "everything")
    assert not on_service(lambda db: ApiClient.objects.using(db).exists())


def test_relay_outbox_stats__empty_outbox__says_none_pending_not_a_dash():
    out, _ = run("relay_outbox", "--stats")
    outbox, views = out.strip().splitlines()
    assert outbox.endswith("oldest pending: none") and "- s" not in out
    assert views == "seed views: 0.0 s behind, never refreshed"
