"""Factories exposed as pytest fixtures, plus a `tenant_with_key` helper fixture."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.factories.tenancy import (
    ApiClientFactory,
    MembershipFactory,
    PropertyFactory,
    TenantFactory,
    TenantHostFactory,
    UserFactory,
)
from themeconfig.models import Tenant
from themeconfig.platform.tenant_context import tenant_context


@pytest.fixture
def tenant_factory():
    return TenantFactory


@pytest.fixture
def property_factory():
    return PropertyFactory


@pytest.fixture
def tenant_host_factory():
    return TenantHostFactory


@pytest.fixture
def user_factory():
    return UserFactory


@pytest.fixture
def membership_factory():
    return MembershipFactory


@pytest.fixture
def api_client_factory():
    return ApiClientFactory


@dataclass
class KeyedTenant:
    tenant: Tenant
    secret: str

    @property
    def id(self) -> str:
        return self.tenant.id

    @property
    def auth(self) -> dict:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.secret}"}


@pytest.fixture
def keyed_tenant_factory():
    """make(role="api", properties=0) -> a new tenant with a live API key (and N properties)."""

    def make(*, role: str = "api", properties: int = 0) -> KeyedTenant:
        tenant = TenantFactory()
        with tenant_context(tenant.id):
            client = ApiClientFactory(role=role)
            PropertyFactory.create_batch(properties)
        return KeyedTenant(tenant=tenant, secret=client.secret)

    return make


@pytest.fixture
def theme_factory():
    from tests.factories.themes import ThemeFactory

    return ThemeFactory


@pytest.fixture
def theme_version_factory():
    from tests.factories.themes import ThemeVersionFactory

    return ThemeVersionFactory


@pytest.fixture
def content_block_factory():
    from tests.factories.themes import ContentBlockFactory

    return ContentBlockFactory


@pytest.fixture
def resolve_cache_on(settings, monkeypatch):
    """The public resolve cache on (RESOLVE_CACHE_SECONDS=30, so a stale cached answer would show),
    nothing cached from an earlier test in Redis or in this process, and nothing left behind."""
    from publishing.resolve import cache as resolve_cache

    settings.RESOLVE_CACHE_SECONDS = 30
    monkeypatch.setattr(resolve_cache, "_skip_until", 0.0)
    client = resolve_cache._redis()

    def forget():
        keys = list(client.scan_iter(match=f"{resolve_cache._namespace()}:*"))
        if keys:
            client.delete(*keys)
        resolve_cache._NEAR._copies.clear()

    forget()
    yield
    forget()


@pytest.fixture
def no_publish_broker(monkeypatch):
    """Publish jobs are created but never sent to Redis: the test runs them itself (or needs only the row)."""
    from publishing.services import publish

    monkeypatch.setattr(publish, "enqueue_publish_job", lambda **kwargs: None)
