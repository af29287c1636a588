"""The encryption migrations on a populated database: forward from clear rows, backward, forward again."""
from __future__ import annotations

import base64
import hashlib
import importlib

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command

from publishing.outbox.webhooks import decrypt_secret
from publishing.services import webhooks as webhook_services
from themeconfig import services
from themeconfig.models import Invitation
from themeconfig.platform.encryption import lookup_hash
from themeconfig.platform.principal import Principal
from themeconfig.platform.tenant_context import tenant_context

pytestmark = pytest.mark.usefixtures("committed_db")


def migrate(app: str, target: str) -> None:
    call_command("migrate", app, target, database="migrator", verbosity=0)


def migrate_to_latest() -> None:
    """Every app forward to its newest migration: going back before a migration also unapplied the
    later ones that depend on it (other apps' too), which the tests after this one need."""
    call_command("migrate", database="migrator", verbosity=0)


def before(app: str, name: str) -> str:
    """The migration of `app` that `name` follows (read from it, so re-chaining needs no edit here)."""
    dependencies = importlib.import_module(f"{app}.migrations.{name}").Migration.dependencies
    return next(target for dep_app, target in dependencies if dep_app == app)


def legacy_fernet(settings) -> Fernet:
    return Fernet(settings.WEBHOOK_SECRET_KEY or base64.urlsafe_b64encode(
        hashlib.sha256(b"theme-config webhook secrets\x00" + settings.SECRET_KEY.encode()).digest()).decode())


def column(admin_sql, query: str, *params) -> list:
    return [row[0] for row in admin_sql.execute(query, params).fetchall()]


def test_invitations__back_to_clear_and_forward__every_row_encrypted_and_found(tenant_factory, admin_sql):
    tenant = tenant_factory()
    services.membership_invite(principal=Principal.operator("migration_test", tenant_id=tenant.id),
                               email="kept@example.com", role="viewer")
    try:
        migrate("themeconfig", before("themeconfig", "0014_encryption"))
        assert column(admin_sql, "SELECT email FROM theme_config.invitations") == ["kept@example.com"]
        # A row written by the release before this one (clear address, no hash column).
        admin_sql.execute(
            "INSERT INTO theme_config.invitations (id, tenant_id, email, role, token_hash, invited_by, expires_at) "
            "VALUES ('inv_ZZZZZZZZZZZZZZZZZZZZZZ', %s, 'older@example.com', 'member', %s, 'operator:x', "
            "now() + interval '1 day')", [tenant.id, "a" * 64])
    finally:
        migrate_to_latest()

    stored = column(admin_sql, "SELECT email FROM theme_config.invitations ORDER BY id")
    assert len(stored) == 2 and not any("@" in value for value in stored)
    assert sorted(column(admin_sql, "SELECT email_hash FROM theme_config.invitations")) == sorted(
        [lookup_hash("kept@example.com"), lookup_hash("older@example.com")])
    assert column(admin_sql, "SELECT relforcerowsecurity FROM pg_class WHERE oid = 'theme_config.invitations'::regclass") == [True]
    with tenant_context(tenant.id):
        assert sorted(i.email for i in Invitation.objects.all()) == ["kept@example.com", "older@example.com"]


def test_webhook_secrets__legacy_key_and_back__secret_unchanged(tenant_factory, admin_sql, settings):
    settings.WEBHOOK_ALLOWED_PRIVATE_TARGETS = ["127.0.0.1"]
    tenant = tenant_factory()
    subscription, secret = webhook_services.webhook_subscription_create(
        principal=Principal.operator("migration_test", tenant_id=tenant.id), url="http://127.0.0.1:8999/m")
    query = "SELECT secret_encrypted FROM theme_config.webhook_subscriptions WHERE id = %s"
    try:
        migrate("publishing", before("publishing", "0019_encryption"))
        (legacy_token,) = column(admin_sql, query, subscription.pk)
        assert legacy_fernet(settings).decrypt(legacy_token.encode()).decode() == secret  # what the old code reads
    finally:
        migrate_to_latest()
    (token,) = column(admin_sql, query, subscription.pk)
    assert token != legacy_token and decrypt_secret(token) == secret
    assert column(admin_sql, "SELECT relforcerowsecurity FROM pg_class "
                             "WHERE oid = 'theme_config.webhook_subscriptions'::regclass") == [True]
