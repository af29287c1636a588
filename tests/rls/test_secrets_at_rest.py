"""Secrets and personal data at rest: read as the superuser, no table holds one in clear.

Catalog-driven, so a table or column added later is read too: every column of a text-like, bytea,
JSON or array type of every table and materialized view in the service's schemas (and `public`).
"""
from __future__ import annotations

import pytest
from django.db import connections
from psycopg import sql

from publishing.outbox.webhooks import decrypt_secret
from publishing.services import webhooks as webhook_services
from themeconfig import services
from themeconfig.models import Invitation
from themeconfig.platform.encrypted_columns import ENCRYPTED_COLUMNS
from themeconfig.platform.principal import Principal
from themeconfig.platform.service_db import service_context
from themeconfig.platform.tenant_context import tenant_context

pytestmark = pytest.mark.usefixtures("committed_db")

SCHEMAS = ("theme_config", "tenant_service", "public")
_COLUMNS = """
SELECT n.nspname, c.relname, a.attname, t.typname = 'bytea'
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type t ON t.oid = a.atttypid
WHERE n.nspname = ANY(%s) AND c.relkind IN ('r', 'm') AND a.attnum > 0 AND NOT a.attisdropped
  AND (t.typcategory IN ('S', 'A', 'U') OR t.typname IN ('bytea', 'json', 'jsonb'))
ORDER BY 1, 2, 3
"""


def places_holding(admin_sql, needles: list[str]) -> list[tuple[str, str]]:
    """(needle, schema.table.column) for every column where a needle occurs in any row."""
    found = []
    for schema, table, column, is_bytea in admin_sql.execute(_COLUMNS, [list(SCHEMAS)]).fetchall():
        as_text = (sql.SQL("convert_from({}, 'SQL_ASCII')") if is_bytea else sql.SQL("{}::text")).format(
            sql.Identifier(column))
        for needle in needles:
            query = sql.SQL("SELECT 1 FROM {}.{} WHERE strpos({}, %s) > 0 LIMIT 1").format(
                sql.Identifier(schema), sql.Identifier(table), as_text)
            if admin_sql.execute(query, [needle]).fetchone():
                found.append((needle, f"{schema}.{table}.{column}"))
    return found


def test_every_kind_of_secret__read_as_superuser__none_in_clear(tenant_factory, admin_sql, settings):
    settings.WEBHOOK_ALLOWED_PRIVATE_TARGETS = ["127.0.0.1"]
    tenant = tenant_factory()
    operator = Principal.operator("at_rest_test", tenant_id=tenant.id)
    email = "qz7-invitee-at-rest@example.org"
    invitation, link = services.membership_invite(principal=operator, email=email, role="viewer")
    subscription, webhook_secret = webhook_services.webhook_subscription_create(
        principal=operator, url="http://127.0.0.1:8999/at-rest")
    _, rotated_secret = webhook_services.webhook_subscription_rotate_secret(
        principal=operator, subscription_id=subscription.pk)
    _, api_key_secret = services.api_key_create(principal=operator, name="at rest")
    # Control: a value stored in clear on purpose is found, so the search itself works.
    services.tenant_update(principal=operator, name="qz7-clear-control", settings={})

    needles = [email, email.split("@")[0], link, webhook_secret, webhook_secret.removeprefix("whsec_"),
               rotated_secret, rotated_secret.removeprefix("whsec_"), api_key_secret]
    found = places_holding(admin_sql, [*needles, "qz7-clear-control"])

    assert [place for place in found if place[0] != "qz7-clear-control"] == []
    assert ("qz7-clear-control", "tenant_service.tenants.name") in found
    # … and what is stored still opens: the application reads what it wrote.
    with tenant_context(tenant.id):
        assert Invitation.objects.get(pk=invitation.pk).email == email
    with service_context() as alias, connections[alias].cursor() as cursor:
        cursor.execute("SELECT secret_encrypted FROM theme_config.webhook_subscriptions WHERE id = %s",
                       [subscription.pk])
        assert decrypt_secret(cursor.fetchone()[0]) == rotated_secret


def test_encrypted_columns__registry__names_real_columns(admin_sql):
    for column in ENCRYPTED_COLUMNS:
        schema, table = column.table.split(".")
        names = {row[0] for row in admin_sql.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = %s AND table_name = %s",
            [schema, table]).fetchall()}
        assert {column.key, column.column, column.hash_column or column.column} <= names, column
