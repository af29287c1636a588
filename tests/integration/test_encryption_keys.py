"""The key ring in use: rotation to a new key (after which the old one can go), a wrong or missing key."""
from __future__ import annotations

from io import StringIO

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.test import Client

from publishing.outbox.webhooks import WebhookTargetError, decrypt_secret
from publishing.services import webhooks as webhook_services
from themeconfig import services
from themeconfig.models import Invitation
from themeconfig.platform import encryption
from themeconfig.platform.errors import CoreErrorCode
from themeconfig.platform.middleware import SESSION_TENANT_KEY
from themeconfig.platform.principal import Principal
from themeconfig.platform.tenant_context import tenant_context

pytestmark = pytest.mark.usefixtures("committed_db")

EMAILS = ["ann@example.com", "bo@example.net", "cy@example.org"]


@pytest.fixture(autouse=True)
def local_targets(settings):
    settings.WEBHOOK_ALLOWED_PRIVATE_TARGETS = ["127.0.0.1"]


def new_key() -> str:
    return Fernet.generate_key().decode()


def stored(admin_sql, query: str, *params) -> list[str]:
    return [row[0] for row in admin_sql.execute(query, params).fetchall()]


def arrange(tenant) -> tuple[Principal, dict[str, str]]:
    operator = Principal.operator("key_ring_test", tenant_id=tenant.id)
    for email in EMAILS:
        services.membership_invite(principal=operator, email=email, role="viewer")
    secrets = {}
    for n in range(2):
        subscription, secret = webhook_services.webhook_subscription_create(
            principal=operator, url=f"http://127.0.0.1:8999/{n}")
        secrets[subscription.pk] = secret
    return operator, secrets


def rotate(**options) -> str:
    out = StringIO()
    call_command("rotate_encryption_keys", stdout=out, **options)
    return out.getvalue()


def test_rotation__old_key_removed_afterwards__everything_still_decrypts(tenant_factory, admin_sql, settings):
    old, new = new_key(), new_key()
    settings.FIELD_ENCRYPTION_KEYS = [old]
    tenant = tenant_factory()
    operator, secrets = arrange(tenant)
    before = stored(admin_sql, "SELECT email FROM theme_config.invitations ORDER BY id")

    settings.FIELD_ENCRYPTION_KEYS = [new, old]  # step 1: the new key first, the old one still there
    # Mid-rotation, an address is still found through the hash under the old key: the new invitation
    # replaces (revokes) the open one.
    services.membership_invite(principal=operator, email=EMAILS[0], role="member")
    with tenant_context(tenant.id):
        assert Invitation.objects.filter(revoked_at__isnull=False).count() == 1

    # A row the release before the encryption migration wrote during the rollout: clear, no hash.
    admin_sql.execute(
        "INSERT INTO theme_config.invitations (id, tenant_id, email, role, token_hash, invited_by, expires_at) "
        "VALUES ('inv_ZZZZZZZZZZZZZZZZZZZZZY', %s, 'late@example.com', 'member', %s, 'operator:x', "
        "now() + interval '1 day')", [tenant.id, "b" * 64])

    output = rotate(batch=2)  # step 2
    assert "theme_config.invitations.email: 1 seen, 1 re-encrypted" in output  # the clear row, first
    assert "theme_config.invitations.email: 3 seen, 3 re-encrypted" in output  # progress per batch
    assert "theme_config.invitations.email: 4 re-encrypted" in output  # the 5th was written under the new key
    assert "theme_config.webhook_subscriptions.secret_encrypted: 2 re-encrypted" in output
    again = rotate()  # idempotent: nothing left to do
    assert "theme_config.invitations.email: 0 re-encrypted" in again
    assert "theme_config.webhook_subscriptions.secret_encrypted: 0 re-encrypted" in again

    settings.FIELD_ENCRYPTION_KEYS = [new]  # step 3: the old key removed
    after = stored(admin_sql, "SELECT email FROM theme_config.invitations ORDER BY id")
    assert set(after).isdisjoint(before) and len(after) == 5
    for token in after:
        Fernet(new).decrypt(token.encode())
        with pytest.raises(InvalidToken):
            Fernet(old).decrypt(token.encode())
    with tenant_context(tenant.id):
        assert sorted(i.email for i in Invitation.objects.all()) == sorted([*EMAILS, EMAILS[0], "late@example.com"])
    for subscription_id, secret in secrets.items():
        (token,) = stored(admin_sql, "SELECT secret_encrypted FROM theme_config.webhook_subscriptions WHERE id = %s",
                          subscription_id)
        assert decrypt_secret(token) == secret
    # Look-ups by address work under the new key alone (the hashes were rewritten too).
    services.membership_invite(principal=operator, email=EMAILS[1], role="member")
    with tenant_context(tenant.id):
        assert Invitation.objects.filter(revoked_at__isnull=False).count() == 2


def test_wrong_key__what_needs_it_fails_clearly__other_pages_work(keyed_tenant_factory, admin_sql, settings):
    keyed = keyed_tenant_factory(role="admin")
    arrange(keyed.tenant)
    settings.FIELD_ENCRYPTION_KEYS = [new_key()]  # not the key the values were written with

    with tenant_context(keyed.id), pytest.raises(encryption.EncryptionKeyError) as info:
        list(Invitation.objects.all())
    problem = info.value.as_problem()
    assert problem.code == CoreErrorCode.ENCRYPTION_KEY_UNAVAILABLE and problem.http_status == 503
    assert "FIELD_ENCRYPTION_KEYS" in problem.message
    token = stored(admin_sql, "SELECT secret_encrypted FROM theme_config.webhook_subscriptions LIMIT 1")[0]
    with pytest.raises(WebhookTargetError, match="FIELD_ENCRYPTION_KEYS"):  # the relay records it per delivery
        decrypt_secret(token)
    with pytest.raises(CommandError, match="FIELD_ENCRYPTION_KEYS"):
        rotate()

    client = Client()
    assert client.get("/api/v1/themes/", **keyed.auth).status_code == 200
    listed = client.get("/api/v1/webhooks/", **keyed.auth)
    assert listed.status_code == 200 and len(listed.json()["results"]) == 2


def test_wrong_key__admin__invitations_page_503_naming_the_setting__other_pages_work(
        tenant_factory, membership_factory, settings):
    tenant = tenant_factory()
    with tenant_context(tenant.id):
        owner = membership_factory(role="owner")
    arrange(tenant)
    settings.FIELD_ENCRYPTION_KEYS = [new_key()]
    client = Client(raise_request_exception=False)
    client.force_login(owner.user)
    session = client.session
    session[SESSION_TENANT_KEY] = tenant.id
    session.save()

    page = client.get("/admin/themeconfig/invitation/")
    assert page.status_code == 503 and b"FIELD_ENCRYPTION_KEYS" in page.content
    assert client.get("/admin/themeconfig/membership/").status_code == 200
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize("keys", [[], ["", " "], ["not-a-fernet-key"]])
def test_missing_or_malformed_keys__refused_with_the_setting_named(settings, keys):
    settings.FIELD_ENCRYPTION_KEYS = keys
    with pytest.raises(ImproperlyConfigured, match="FIELD_ENCRYPTION_KEYS"):
        encryption.encrypt("anything")


def test_encrypted_field__filter_on_the_ciphertext__refused(tenant_factory):
    with tenant_context(tenant_factory().id), pytest.raises(FieldError, match="email_hash|keyed-hash"):
        Invitation.objects.filter(email="ann@example.com").exists()
