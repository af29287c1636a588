"""The columns tenant aggregates share come from one abstract model (themeconfig/models/base.py), with
one choice of default for created_at and updated_at across every app."""
from __future__ import annotations

from django.apps import apps
from django.db.models import DateTimeField

from themeconfig.models.base import TenantModel

APPS = ("themeconfig", "publishing", "ai_workspace")


def our_models():
    return [model for label in APPS for model in apps.get_app_config(label).get_models()]


def field_or_none(model, name):
    return next((f for f in model._meta.concrete_fields if f.name == name), None)


def test_aggregates__occ_version_and_updated_by__come_from_tenant_model():
    # A table with an OCC version and an updater is an aggregate of a tenant: its shared columns and
    # RLS policy are TenantModel's, not declared again beside it.
    aggregates = [m for m in our_models() if field_or_none(m, "version") and field_or_none(m, "updated_by")]
    assert len(aggregates) >= 9  # themes, versions and their children, brand kits, webhook subscriptions
    strays = [m.__name__ for m in aggregates if not issubclass(m, TenantModel)]
    assert not strays, f"subclass themeconfig.models.base.TenantModel instead of declaring the columns: {strays}"
    assert all(m._rls_policies == TenantModel._rls_policies for m in aggregates)


def test_timestamps__one_default__created_at_auto_now_add_updated_at_auto_now():
    checked, odd = 0, []
    for model in our_models():
        for name, flag in (("created_at", "auto_now_add"), ("updated_at", "auto_now")):
            field = field_or_none(model, name)
            if not isinstance(field, DateTimeField):
                continue
            checked += 1
            # A read model (a view, unmanaged) may carry the column without any default of its own.
            if not getattr(field, flag) and (field.has_default() or model._meta.managed):
                odd.append(f"{model.__name__}.{name}")
    assert checked >= 20
    assert not odd, f"created_at is auto_now_add and updated_at auto_now everywhere: {odd}"


def test_tenant_model__a_table_without_a_column__drops_it():
    from themeconfig.models import LocalePack, NavigationConfig

    assert field_or_none(LocalePack, "created_at") is None and field_or_none(LocalePack, "created_by") is None
    assert field_or_none(NavigationConfig, "created_by") is None
    assert field_or_none(NavigationConfig, "created_at").auto_now_add
