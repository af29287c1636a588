"""Webhook signing secrets move from WEBHOOK_SECRET_KEY to the key ring (FIELD_ENCRYPTION_KEYS).

Each stored token is decrypted with the legacy key (WEBHOOK_SECRET_KEY, or the key the old code
derived from SECRET_KEY when it was unset) and encrypted with the ring's newest key; a token the
ring already opens is left alone, so a re-run is harmless. FORCE ROW LEVEL SECURITY is lifted for
this transaction only (the migrator must see every tenant's rows). Reversible while the legacy key
is still configured: the reverse encrypts every secret with it again.
"""
import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import migrations

from themeconfig.platform import encryption
from themeconfig.platform.encrypted_columns import rewrite_table_as_owner

TABLE = "theme_config.webhook_subscriptions"


def _legacy_fernet() -> Fernet:
    # The derivation of publishing/webhooks.py before this migration; kept here, where it is still needed.
    key = settings.WEBHOOK_SECRET_KEY or base64.urlsafe_b64encode(
        hashlib.sha256(b"theme-config webhook secrets\x00" + settings.SECRET_KEY.encode()).digest()).decode()
    return Fernet(key)


def _walk(schema_editor, transform):
    rewrite_table_as_owner(schema_editor.connection, table=TABLE, read="secret_encrypted",
                           writes=["secret_encrypted"], transform=transform)


def _opens_with_ring(token: str) -> bool:
    try:
        encryption.decrypt(token)
    except encryption.EncryptionKeyError:
        return False
    return True


def to_key_ring(apps, schema_editor):
    legacy = _legacy_fernet()

    def transform(token: str):
        if _opens_with_ring(token):
            return None
        try:
            clear = legacy.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise RuntimeError("a webhook secret opens with neither FIELD_ENCRYPTION_KEYS nor the legacy "
                               "WEBHOOK_SECRET_KEY: set the key it was encrypted with and migrate again") from exc
        return (encryption.encrypt(clear),)

    _walk(schema_editor, transform)


def to_legacy_key(apps, schema_editor):
    legacy = _legacy_fernet()
    _walk(schema_editor, lambda token: (legacy.encrypt(encryption.decrypt(token).encode()).decode(),)
          if _opens_with_ring(token) else None)


class Migration(migrations.Migration):
    dependencies = [("publishing", "0016_retention")]

    operations = [migrations.RunPython(to_key_ring, to_legacy_key)]
