"""Hostile: the public paths (resolve/, the preview API and stylesheet, the /preview/ page) ignore
`Authorization` and cookies entirely, for two tenants under committed transactions: whatever
credentials come along (malformed, valid, another tenant's, a signed-in session, a forged session
cookie) the answer is the anonymous one, byte for byte, with no 401, no session read or written
(so no `Vary: Cookie` beside `Cache-Control: public`), and no trace of the key's use."""
from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.http import JsonResponse
from django.test import Client
from django.urls import path as url_path

from publishing.services import publish
from tests.factories.admin_staff import make_staff, sign_in
from tests.factories.preview import bilingual_preview
from tests.factories.tenancy import ApiClientFactory
from themeconfig import services
from themeconfig.models import ApiClient, Theme
from themeconfig.platform.endpoints import public_endpoint
from themeconfig.platform.principal import Principal
from themeconfig.platform.tenant_context import tenant_context

pytestmark = pytest.mark.usefixtures("committed_db")


def published_tenant(name: str, host: str) -> dict:
    """A tenant with staff, an API key, a theme published on `host`, and a live preview link."""
    staff = make_staff(name, username=f"{name.lower()}_{{role}}")
    tenant = staff.tenant
    admin = Principal.for_user(tenant_id=tenant.id, user_id=staff.users["admin"].pk, role="admin")
    with tenant_context(tenant.id):
        key = ApiClientFactory(role="api")
    services.host_add(principal=Principal.operator("test", tenant_id=tenant.id), host=host)
    preview = bilingual_preview(tenant, welcome_en=f"## Welcome to {name}")
    with tenant_context(tenant.id):
        theme = Theme.objects.get(pk=preview.version.theme_id)
    job = publish.version_publish(principal=admin, version_id=preview.version.pk, expected_theme_version=theme.version)
    assert publish.publish_job_run(job_id=job.pk, tenant_id=tenant.id).status == "succeeded"
    return {"staff": staff, "key": key, "host": host, "preview": preview}


@pytest.fixture
def tenants(monkeypatch):
    monkeypatch.setattr(publish, "enqueue_publish_job", lambda **kwargs: None)
    return published_tenant("Alpha", "alpha.example"), published_tenant("Beta", "beta.example")


def public_paths(world: dict) -> list[str]:
    secret = world["preview"].secret
    return [f"/api/v1/resolve/?host={world['host']}", f"/api/v1/preview/{secret}/",
            f"/api/v1/preview/{secret}/css/", f"/preview/{secret}/"]


def credentials(own: dict, other: dict) -> dict[str, dict]:
    """Headers (Django META) each hostile caller sends, beside the anonymous one."""
    return {
        "malformed bearer": {"HTTP_AUTHORIZATION": "Bearer not-a-key"},
        "empty bearer": {"HTTP_AUTHORIZATION": "Bearer"},
        "valid bearer": {"HTTP_AUTHORIZATION": f"Bearer {own['key'].secret}"},
        "foreign bearer": {"HTTP_AUTHORIZATION": f"Bearer {other['key'].secret}"},
        "revoked-looking bearer": {"HTTP_AUTHORIZATION": f"Bearer {own['key'].secret[:-4]}AAAA"},
        "basic": {"HTTP_AUTHORIZATION": "Basic dXNlcjpwYXNz"},
        "forged session cookie": {"HTTP_COOKIE": "sessionid=forged0123456789abcdef; csrftoken=x"},
        "malformed cookie header": {"HTTP_COOKIE": "sessionid=\"unterminated; ;;=; \x7f"},
        "X-Tenant-ID of the other tenant": {"HTTP_X_TENANT_ID": other["staff"].tenant.id},
    }


def signed_in_client(world: dict, other: dict, *, foreign_tenant: bool) -> Client:
    """Staff of `world` signed in (session with their tenant picked), or with the other tenant's id picked."""
    client = Client()
    sign_in(client, world["staff"], "owner")
    if foreign_tenant:
        session = client.session
        session["theme_config_tenant_id"] = other["staff"].tenant.id
        session.save()
    return client


def assert_same_as_anonymous(anonymous, response, label: str) -> None:
    assert response.status_code == anonymous.status_code, (label, response.status_code, response.content[:300])
    assert response.status_code < 500, label
    assert response.content == anonymous.content, label
    assert "cookie" not in response.get("Vary", "").lower(), (label, response.get("Vary"))
    assert not response.cookies, (label, response.cookies)
    assert "WWW-Authenticate" not in response, label
    for header in ("Content-Type", "Cache-Control", "ETag"):
        assert response.get(header) == anonymous.get(header), (label, header)


def test_public_paths__any_credentials__anonymous_answer_without_vary_cookie(tenants):
    alpha, beta = tenants
    for own, other in ((alpha, beta), (beta, alpha)):
        for path in public_paths(own):
            anonymous = Client().get(path)
            assert anonymous.status_code == 200, (path, anonymous.status_code)
            assert "cookie" not in anonymous.get("Vary", "").lower(), path
            for label, headers in credentials(own, other).items():
                assert_same_as_anonymous(anonymous, Client().get(path, **headers), f"{path} {label}")
            for foreign_tenant in (False, True):
                client = signed_in_client(own, other, foreign_tenant=foreign_tenant)
                assert_same_as_anonymous(anonymous, client.get(path), f"{path} session foreign={foreign_tenant}")


def test_resolve__session_cookie__cache_control_public_and_no_vary_cookie(tenants):
    alpha, beta = tenants
    client = signed_in_client(alpha, beta, foreign_tenant=False)
    response = client.get(f"/api/v1/resolve/?host={beta['host']}", HTTP_AUTHORIZATION="Bearer tck.junk")
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("public")
    assert "Vary" not in response or "cookie" not in response["Vary"].lower()
    assert response.json()["host"] == beta["host"]


def test_public_paths__unknown_things_with_credentials__same_404_as_anonymous(tenants):
    alpha, beta = tenants
    paths = ["/api/v1/resolve/?host=nobody.example", "/api/v1/preview/pvw_" + "x" * 40 + "/",
             "/api/v1/preview/pvw_" + "x" * 40 + "/css/", "/preview/pvw_" + "x" * 40 + "/"]
    for path in paths:
        anonymous = Client().get(path)
        assert anonymous.status_code == 404, path
        for label, headers in credentials(alpha, beta).items():
            assert_same_as_anonymous(anonymous, Client().get(path, **headers), f"{path} {label}")


def test_public_paths__api_key_sent__key_not_marked_used(tenants):
    alpha, beta = tenants
    for path in public_paths(alpha):
        Client().get(path, HTTP_AUTHORIZATION=f"Bearer {alpha['key'].secret}")
    with tenant_context(alpha["staff"].tenant.id):
        assert ApiClient.objects.get(pk=alpha["key"].pk).last_used_at is None


def test_public_paths__session_cookie__session_neither_read_nor_written(tenants, django_assert_max_num_queries):
    alpha, beta = tenants
    client = signed_in_client(alpha, beta, foreign_tenant=False)
    before = {s.session_key: s.expire_date for s in Session.objects.all()}
    for path in public_paths(alpha)[:1]:  # resolve reads no table when its answer is cached
        client.get(path)
        with django_assert_max_num_queries(1) as captured:
            client.get(path)
        assert not any("django_session" in q["sql"] or "auth_user" in q["sql"] for q in captured.captured_queries)
    assert {s.session_key: s.expire_date for s in Session.objects.all()} == before


def test_private_api__malformed_bearer__still_401(tenants):
    """The public paths' exemption is theirs alone: the workspace API still refuses a malformed key."""
    response = Client().get("/api/v1/themes/", HTTP_AUTHORIZATION="Bearer not-a-key")
    assert response.status_code == 401
    assert response.json()["code"] == "MELMASTOON.AUTH.INVALID_API_KEY"


@public_endpoint("resolve")
def credentials_seen(request):
    """A public view that answers with every credential it can read, in each form a view reads them."""
    return JsonResponse({
        "headers": {name: request.headers.get(name) for name in ("Authorization", "Cookie", "X-Tenant-ID")},
        "meta": {name: request.META.get(name) for name in ("HTTP_AUTHORIZATION", "HTTP_COOKIE", "HTTP_X_TENANT_ID")},
        "cookies": dict(request.COOKIES),
        "user": str(getattr(request, "user", None)),
        "principal": repr(getattr(request, "principal", None)),
    })


urlpatterns = [url_path("public-probe/", credentials_seen)]


def test_public_view__any_credentials__sees_none_through_headers_meta_or_cookies(tenants, settings):
    alpha, beta = tenants
    settings.ROOT_URLCONF = __name__
    client = signed_in_client(alpha, beta, foreign_tenant=False)
    for label, headers in credentials(alpha, beta).items():
        for caller in (Client(), client):
            seen = caller.get("/public-probe/", HTTP_X_REQUEST_ID="probe-1", **headers)
            assert seen.status_code == 200, label
            body = seen.json()
            assert body["headers"] == {"Authorization": None, "Cookie": None, "X-Tenant-ID": None}, (label, body)
            assert body["meta"] == {"HTTP_AUTHORIZATION": None, "HTTP_COOKIE": None, "HTTP_X_TENANT_ID": None}, label
            assert body["cookies"] == {}, (label, body)
            assert body["user"] in ("None", "AnonymousUser") and body["principal"] == "None", (label, body)
            assert seen["X-Request-ID"] == "probe-1"  # the headers that are not credentials still read
