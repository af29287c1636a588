"""factory_boy factories for themes, versions and their children (valid contracts by default)."""
from __future__ import annotations

import factory

from tests.unit.themeconfig.validators.samples import valid_content_body, valid_meta, valid_tokens
from themeconfig.models import ContentBlock, Theme, ThemeVersion
from themeconfig.platform.tenant_context import current_tenant_id


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme

    tenant_id = factory.LazyFunction(current_tenant_id)
    property_id = None
    name = factory.Sequence(lambda n: f"Theme {n}")
    scope = "tenant"
    default_locale = "en"
    enabled_locales = factory.LazyFunction(lambda: ["en", "fr"])
    fallback_chain = factory.LazyFunction(lambda: ["fr", "en"])
    status = "active"
    created_by = "test"
    updated_by = "test"


class ThemeVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ThemeVersion

    theme = factory.SubFactory(ThemeFactory)
    tenant_id = factory.SelfAttribute("theme.tenant_id")
    ordinal = factory.Sequence(lambda n: n + 1)
    status = "draft"
    tokens = factory.LazyFunction(valid_tokens)
    layout_selections = factory.LazyFunction(dict)
    created_by = "test"
    updated_by = "test"


class ContentBlockFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContentBlock

    theme_version = factory.SubFactory(ThemeVersionFactory)
    tenant_id = factory.SelfAttribute("theme_version.tenant_id")
    surface = "home"
    kind = "rich_text"
    ordinal = factory.Sequence(lambda n: n)
    visibility = "all"
    body = factory.LazyFunction(valid_content_body)
    meta = factory.LazyAttribute(lambda o: valid_meta(o.kind))
    created_by = "test"
    updated_by = "test"
