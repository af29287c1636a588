"""Secrets at rest: invitation e-mails encrypted with a look-up hash beside them; audit IPs coarsenable.

Schema (sql/0014_encryption.sql) and the data step that encrypts the e-mails already stored share
this migration so no release ever sees the new CHECKs with clear addresses, or the reverse. The data
step lifts FORCE ROW LEVEL SECURITY for its own transaction (the migrator owns the table but is bound
by FORCE, and must see every tenant's rows) and puts it back before committing. Reversible: the
reverse decrypts every address (with FIELD_ENCRYPTION_KEYS as configured) before the schema goes back.
"""
from pathlib import Path

from django.db import migrations, models

from themeconfig.platform import encryption
from themeconfig.platform.encrypted_columns import rewrite_table_as_owner
from themeconfig.platform.encryption import EncryptedTextField
from themeconfig.platform.sqlfiles import run_sql_file

APP_DIR = Path(__file__).resolve().parent.parent
TABLE = "theme_config.invitations"


def encrypt_emails(apps, schema_editor):
    rewrite_table_as_owner(schema_editor.connection, table=TABLE, read="email", writes=["email", "email_hash"],
                           where="email_hash IS NULL",
                           transform=lambda clear: (encryption.encrypt(clear), encryption.lookup_hash(clear)))


def decrypt_emails(apps, schema_editor):
    rewrite_table_as_owner(schema_editor.connection, table=TABLE, read="email", writes=["email", "email_hash"],
                           where="email_hash IS NOT NULL", transform=lambda token: (encryption.decrypt(token), None))


class Migration(migrations.Migration):
    dependencies = [("themeconfig", "0012_retention")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[run_sql_file(APP_DIR, "0014_encryption")],
            state_operations=[
                migrations.AlterField("invitation", "email", EncryptedTextField()),
                migrations.AddField("invitation", "email_hash", models.TextField(editable=False, null=True)),
            ],
        ),
        migrations.RunPython(encrypt_emails, decrypt_emails),
    ]
