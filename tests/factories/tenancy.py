"""factory_boy factories for tenancy; tenant-scoped rows are written inside their tenant context."""
from __future__ import annotations

import hashlib

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from themeconfig.models import ApiClient, Membership, Property, Role, Tenant, TenantHost, TenantHostClaim
from themeconfig.platform import api_key_secrets as api_keys
from themeconfig.platform.ids import new_id
from themeconfig.platform.tenant_context import current_tenant_id, tenant_context


class TenantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tenant

    id = factory.LazyFunction(lambda: new_id("tnt"))
    slug = factory.Sequence(lambda n: f"tenant-{n}")
    name = factory.Sequence(lambda n: f"Tenant {n}")
    plan = "pro"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # RLS's WITH CHECK only admits a tenant row inside that tenant's own context.
        with tenant_context(kwargs["id"]):
            return super()._create(model_class, *args, **kwargs)


class _InCurrentTenant(factory.django.DjangoModelFactory):
    """Rows of the tenant whose context is open (pass tenant_id to pick another inside its context)."""

    class Meta:
        abstract = True

    tenant_id = factory.LazyFunction(current_tenant_id)


class PropertyFactory(_InCurrentTenant):
    class Meta:
        model = Property

    name = factory.Sequence(lambda n: f"Hotel {n}")


class TenantHostFactory(_InCurrentTenant):
    class Meta:
        model = TenantHost

    host = factory.Sequence(lambda n: f"site-{n}.example.com")
    # A served host is a proven one (an operator's, arranged); unproven ones are TenantHostClaimFactory's.
    verification_status = "verified"
    verified_at = factory.LazyFunction(timezone.now)
    verification_method = "operator"


class TenantHostClaimFactory(_InCurrentTenant):
    """A pending claim with the challenge token `tcv_<host>` (its sha256 stored)."""

    class Meta:
        model = TenantHostClaim

    host = factory.Sequence(lambda n: f"claim-{n}.example.com")
    verification_token_hash = factory.LazyAttribute(lambda o: hashlib.sha256(f"tcv_{o.host}".encode()).hexdigest())
    verification_next_check_at = factory.LazyFunction(timezone.now)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"staff{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    is_staff = True
    password = factory.django.Password("correct horse battery staple")


class MembershipFactory(_InCurrentTenant):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Role.ADMIN


class ApiClientFactory(_InCurrentTenant):
    """`.secret` on the created object holds the clear secret (only the hash is stored)."""

    class Meta:
        model = ApiClient

    name = factory.Sequence(lambda n: f"key-{n}")
    role = Role.API
    created_by = "test"
    secret_hash = ""
    secret_hint = ""

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        secret = api_keys.generate_secret(kwargs["tenant_id"])
        kwargs["secret_hash"] = api_keys.hash_secret(secret)
        kwargs["secret_hint"] = api_keys.hint(secret)
        client = super()._create(model_class, *args, **kwargs)
        client.secret = secret
        return client
