"""Idempotency keys per caller: a `caller` column in the primary key; the DDL is sql/0012_idempotency_caller.sql."""
from pathlib import Path

from django.db import migrations, models

from themeconfig.platform.sqlfiles import run_sql_file

APP_DIR = Path(__file__).resolve().parent.parent


class Migration(migrations.Migration):
    dependencies = [("publishing", "0011_outbox_lease")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[run_sql_file(APP_DIR, "0012_idempotency_caller")],
            state_operations=[migrations.AddField("idempotencykey", "caller", models.TextField(default=""))],
        ),
    ]
