"""The theme tables under RLS as the app role, and the test-only §5.3 tenant-consistency triggers."""
from __future__ import annotations

import psycopg
import pytest
from django.db import connection

from tests.pg import raises_pg
from themeconfig.models import ContentBlock, Theme, ThemeVersion
from themeconfig.platform.ids import new_id
from themeconfig.platform.tenant_context import tenant_context

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_tenants_with_content(tenant_factory, content_block_factory):
    a, b = tenant_factory(), tenant_factory()
    blocks = {}
    for tenant in (a, b):
        with tenant_context(tenant.id):
            blocks[tenant.id] = content_block_factory()
    return a, b, blocks


def test_theme_models__other_tenant__invisible(two_tenants_with_content):
    a, b, blocks = two_tenants_with_content
    with tenant_context(a.id):
        assert list(Theme.objects.values_list("tenant_id", flat=True)) == [a.id]
        assert list(ThemeVersion.objects.values_list("tenant_id", flat=True)) == [a.id]
        assert list(ContentBlock.objects.values_list("id", flat=True)) == [blocks[a.id].id]
        assert not ContentBlock.objects.filter(pk=blocks[b.id].pk).exists()


def test_child_row__own_tenant_id_but_other_tenants_version__rejected_by_consistency_trigger(
    two_tenants_with_content,
):
    """RLS checks the child's own tenant_id; the FK to another tenant's version passes (RI checks
    bypass RLS). Only the §5.3 assertion catches the mismatch — in test databases."""
    a, b, blocks = two_tenants_with_content
    foreign_version = blocks[b.id].theme_version_id
    with raises_pg(psycopg.errors.CheckViolation, constraint="content_blocks_tenant_consistency"):
        with tenant_context(a.id), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO theme_config.content_blocks (id, tenant_id, theme_version_id, surface, kind, ordinal,"
                " visibility, body, meta, created_by, updated_by) VALUES (%s, %s, %s, 'home', 'faq', 9, 'all',"
                " '{}', '{\"kind\": \"faq\"}', 't', 't')",
                [new_id("cnb"), a.id, foreign_version],
            )
