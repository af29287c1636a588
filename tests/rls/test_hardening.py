"""The review's findings, each kept fixed: one principal, the service connection behind its door,
GUC lifetime, and every constraint violation a clear problem instead of a 500."""
from __future__ import annotations

import re

import psycopg
import pytest
from django.db import connection, connections, transaction
from django.test import RequestFactory
from rest_framework.response import Response
from rest_framework.views import APIView

from tests.conftest import ROOT
from tests.factories.tenancy import ApiClientFactory, MembershipFactory, PropertyFactory
from themeconfig import services
from themeconfig.models import ApiClient, BrandKit, Property
from themeconfig.platform.errors import CONSTRAINT_RULES, DomainError
from themeconfig.platform.middleware import RequestIdMiddleware, TenantMiddleware
from themeconfig.platform.permissions import Permission
from themeconfig.platform.principal import Principal
from themeconfig.platform.service_db import ServiceContextError, service_context
from themeconfig.platform.tenant_context import TenantContextError, tenant_context, user_context

pytestmark = pytest.mark.django_db
APP_DIRS = ("themeconfig", "publishing", "ai_workspace", "config")


def _source_files():
    for top in APP_DIRS:
        for path in (ROOT / top).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path


def _count(sql: str = "SELECT count(*) FROM tenant_service.properties") -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


# --- finding 3: the caller is worked out once ---------------------------------------------------

class _WhoAmI(APIView):
    required_permission = Permission.TENANT_READ

    def get(self, request):
        return Response({"same": request.auth is request._request.principal, "actor": request.auth.actor,
                         "scopes": sorted(request.auth.scopes)})


def test_principal__built_once_by_the_middleware__is_what_drf_hands_the_view(tenant_factory):
    tenant = tenant_factory()
    with tenant_context(tenant.id):
        key = ApiClientFactory(role="viewer", permissions={"scopes": ["tenant:read"]})
    request = RequestFactory().get("/x/", HTTP_AUTHORIZATION=f"Bearer {key.secret}")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    request.session = {}
    response = RequestIdMiddleware(TenantMiddleware(_WhoAmI.as_view()))(request)
    response.render()
    assert response.data == {"same": True, "actor": f"api_key:{key.pk}", "scopes": ["tenant:read"]}
    assert request.principal.role == "viewer" and request.principal.tenant_id == tenant.id


def test_identity__derived_in_the_middleware_only():
    """No door looks up memberships or API keys again, and the old role helper is gone."""
    offenders = []
    for path in _source_files():
        text = path.read_text()
        rel = path.relative_to(ROOT).as_posix()
        if re.search(r"\brequest_role\(", text):
            offenders.append(f"{rel}: request_role")
        for call in ("membership_for(", "api_client_by_secret_hash("):
            if call in text and rel not in ("themeconfig/platform/middleware.py",) and "/selectors/" not in rel:
                offenders.append(f"{rel}: {call}")
    assert not offenders, offenders


# --- finding 5: the BYPASSRLS connection only through service_context() -------------------------

_SERVICE_ALIAS_RE = re.compile(
    r"""using\(\s*["']service["']\s*\)|using\s*=\s*["']service["']|connections\[\s*["']service["']\s*\]"""
    r"""|\bSERVICE_ALIAS\b"""  # the constant is the alias by another name
)
SERVICE_ALIAS_ALLOWED = {"themeconfig/platform/service_db.py"}
# The one door a request has onto the service connection, and the one site allowed through it: the
# operators' admin (/platform/), which opens it for superusers only. Anything else naming it fails.
_OPERATOR_REQUEST_RE = re.compile(r"\boperator_request\b")
OPERATOR_REQUEST_ALLOWED = {"themeconfig/platform/service_db.py", "themeconfig/operator_admin/site.py"}


def test_service_alias__named_only_by_service_db():
    offenders = [path.relative_to(ROOT).as_posix() for path in _source_files()
                 if _SERVICE_ALIAS_RE.search(path.read_text())
                 and path.relative_to(ROOT).as_posix() not in SERVICE_ALIAS_ALLOWED]
    assert not offenders, offenders


def test_operator_request__source_tree__named_only_by_the_operators_site():
    offenders = [path.relative_to(ROOT).as_posix() for path in _source_files()
                 if _OPERATOR_REQUEST_RE.search(path.read_text())
                 and path.relative_to(ROOT).as_posix() not in OPERATOR_REQUEST_ALLOWED]
    assert not offenders, offenders


@pytest.mark.django_db(databases=["default", "service"])
def test_service_alias__query_outside_service_context__refused():
    with pytest.raises(ServiceContextError, match="outside service_context"):
        list(Property.objects.using("service").all())


def test_service_context__inside_a_tenant_context__refused(tenant_factory):
    tenant = tenant_factory()
    with tenant_context(tenant.id), pytest.raises(ServiceContextError, match="tenant context"):
        with service_context():
            pass


def test_service_context__inside_a_request__refused(client, monkeypatch, keyed_tenant_factory):
    """A request that reaches for the service connection gets an error, not every tenant's rows."""
    from themeconfig.apis import core as apis

    keyed = keyed_tenant_factory()

    def sneaky():
        with service_context() as alias:
            return Property.objects.using(alias).all()

    monkeypatch.setattr(apis.selectors, "property_list", sneaky)
    client.raise_request_exception = False
    response = client.get("/api/v1/properties/", **keyed.auth)
    assert response.status_code == 500 and response.json()["code"] == "MELMASTOON.INTERNAL.ERROR"


# --- finding 6: GUC lifetime ---------------------------------------------------------------------

def test_nested_tenant_context__after_exit__outer_transaction_sees_no_tenant_rows(tenant_factory):
    tenant = tenant_factory()
    with tenant_context(tenant.id):
        PropertyFactory.create_batch(2)
    with transaction.atomic():
        with tenant_context(tenant.id):
            assert _count() == 2
        # Before: set_config(..., true) inside the savepoint outlived it: 2 rows here.
        assert _count() == 0
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('app.tenant_id', true)")
            assert cursor.fetchone()[0] == ""


def test_nested_contexts__inner_user_context__outer_tenant_restored(tenant_factory, user_factory):
    tenant = tenant_factory()
    user = user_factory()
    with transaction.atomic():
        with user_context(user.pk):
            with connection.cursor() as cursor:
                cursor.execute("SELECT current_setting('app.user_id')")
                assert cursor.fetchone()[0] == str(user.pk)
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('app.user_id', true), current_setting('app.tenant_id', true)")
            assert cursor.fetchone() == ("", "")
        with tenant_context(tenant.id):
            PropertyFactory()
        assert _count() == 0


def test_user_context__inside_a_tenant_context__refused(tenant_factory, user_factory):
    tenant = tenant_factory()
    with tenant_context(tenant.id):
        with pytest.raises(TenantContextError, match="clobber"):
            with user_context(user_factory().pk):
                pass


def test_tenant_picker__with_a_session_tenant__lists_memberships_and_keeps_working(client, tenant_factory):
    """The picker used to open user_context inside the session tenant's context and clobber it."""
    a, b = tenant_factory(name="Alpha"), tenant_factory(name="Beta")
    with tenant_context(a.id):
        member = MembershipFactory(role="admin")
    with tenant_context(b.id):
        MembershipFactory(user=member.user, role="viewer")
    client.force_login(member.user)
    client.post("/admin/select-tenant/", {"tenant_id": a.id})
    page = client.get("/admin/select-tenant/").content.decode()
    assert "Alpha" in page and "Beta" in page
    assert client.get("/admin/themeconfig/property/").status_code == 200


# --- finding 7: constraint violations are problems, not 500s -------------------------------------

def test_duplicate_property_name__409_on_the_name(tenant_factory):
    tenant = tenant_factory()
    owner = Principal.operator("test", tenant_id=tenant.id)
    services.property_create(principal=owner, name="Seaside")
    with pytest.raises(DomainError) as info:
        services.property_create(principal=owner, name="SEASIDE")
    assert info.value.http_status == 409 and info.value.code == "MELMASTOON.TENANT.PROPERTY_NAME_TAKEN"
    assert info.value.errors[0].path == "/name"
    with tenant_context(tenant.id):
        assert Property.objects.count() == 1


def test_api_key_name_race__loser_gets_409_not_500(tenant_factory, monkeypatch):
    """Another request commits a live key of the same name between the check and the insert."""
    from themeconfig.services import api_keys as api_key_services

    tenant = tenant_factory()
    real = api_key_services.secrets.generate_secret

    def racing(tenant_id, **kwargs):
        # The other request's row, committed by the time this one inserts (same outcome as a race).
        secret = real(tenant_id)
        ApiClient.objects.create(tenant_id=tenant_id, name="ci", role="api", created_by="race",
                                 secret_hash=api_key_services.secrets.hash_secret(secret), secret_hint="x")
        return real(tenant_id, **kwargs)

    monkeypatch.setattr(api_key_services.secrets, "generate_secret", racing)
    with pytest.raises(DomainError) as info:
        services.api_key_create(principal=Principal.operator("t", tenant_id=tenant.id), name="ci")
    assert info.value.http_status == 409 and info.value.code == "MELMASTOON.API_KEY.NAME_TAKEN"
    with tenant_context(tenant.id):
        assert not ApiClient.objects.filter(created_by="operator:t").exists()


def test_default_brand_kit_race__loser_gets_409_not_500(tenant_factory, monkeypatch):
    from themeconfig.services import brand_kits as kit_services

    tenant = tenant_factory()
    owner = Principal.operator("t", tenant_id=tenant.id)
    colors = [{"name": "Blue", "value": "#0b3d91", "role": "primary"}]
    fonts = [{"name": "Body", "family": "Inter", "role": "body"}]
    services.brand_kit_create(principal=owner, name="A", colors=colors, fonts=fonts, is_default=True)
    # The race: the other default was set after this request cleared the flag.
    monkeypatch.setattr(kit_services, "_clear_default_brand_kit", lambda keep_id: None)
    with pytest.raises(DomainError) as info:
        services.brand_kit_create(principal=owner, name="B", colors=colors, fonts=fonts, is_default=True)
    assert info.value.http_status == 409 and info.value.code == "MELMASTOON.BRAND_KIT.DEFAULT_TAKEN"
    with tenant_context(tenant.id):
        assert list(BrandKit.objects.values_list("name", flat=True)) == ["A"]


def test_constraint_registry__every_catalog_constraint_has_a_rule(admin_sql):
    """Every CHECK, unique, exclusion and primary key constraint and every unique index of our schemas.

    A partition's copy of its table's key or unique index (audit_log_2026_12_pkey, one per month,
    named by PostgreSQL) belongs to the table's constraint (conparentid / relispartition) and is
    covered by the table's rule; partitions inherit CHECKs under the table's own names.
    """
    names = {row[0] for row in admin_sql.execute(
        """
        SELECT con.conname FROM pg_constraint con JOIN pg_namespace n ON n.oid = con.connamespace
        WHERE n.nspname IN ('theme_config', 'tenant_service') AND con.contype IN ('c', 'u', 'x', 'p')
          AND con.conparentid = 0
        UNION
        SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE n.nspname IN ('theme_config', 'tenant_service') AND x.indisunique AND t.relkind IN ('r', 'p')
          AND NOT i.relispartition
        """
    )}
    assert len(names) > 90
    missing = sorted(names - set(CONSTRAINT_RULES))
    assert not missing, f"constraints without a rule in an app's errors.py: {missing}"
    stale = sorted(set(CONSTRAINT_RULES) - names)
    assert not stale, f"rules for constraints that no longer exist: {stale}"


def test_constraint_registry__violation_through_the_api__problem_with_field(client, keyed_tenant_factory, monkeypatch):
    """The API handler maps an IntegrityError that escaped a door through the same registry."""
    from themeconfig.apis import core as apis

    keyed = keyed_tenant_factory(properties=1)

    def duplicate():
        first = Property.objects.first()
        Property.objects.create(tenant_id=first.tenant_id, name=first.name)

    monkeypatch.setattr(apis.selectors, "property_list", duplicate)
    response = client.get("/api/v1/properties/", **keyed.auth)
    body = response.json()
    assert response.status_code == 409 and body["code"] == "MELMASTOON.TENANT.PROPERTY_NAME_TAKEN"
    assert body["errors"][0]["path"] == "/name"


def test_psycopg_unique_violation__named__maps(tenant_factory):
    """Sanity: the registry reads the constraint name off psycopg's diagnostics."""
    tenant = tenant_factory()
    with tenant_context(tenant.id):
        PropertyFactory(name="Dup")
        with pytest.raises(Exception) as info, transaction.atomic():
            PropertyFactory(name="dup")
    cause = info.value.__cause__
    assert isinstance(cause, psycopg.errors.UniqueViolation) and cause.diag.constraint_name in CONSTRAINT_RULES


def test_connections__service_alias_exists():
    assert "service" in connections.databases
