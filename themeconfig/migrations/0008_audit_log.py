"""The audit log, partitioned by month, with its partition upkeep function: the DDL is
sql/0008_audit_log.sql (which also creates the DEFAULT partition, this month and three ahead)."""
from pathlib import Path

import django.db.models.functions.datetime
from django.db import migrations, models

from themeconfig.platform.sqlfiles import run_sql_file

APP_DIR = Path(__file__).resolve().parent.parent


class Migration(migrations.Migration):
    dependencies = [("themeconfig", "0007_invitations")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[run_sql_file(APP_DIR, "0008_audit_log")],
            state_operations=[
                migrations.CreateModel(
                    name="AuditLogEntry",
                    fields=[
                        ("pk", models.CompositePrimaryKey("tenant_id", "occurred_at", "id", blank=True, editable=False, primary_key=True, serialize=False)),
                        ("id", models.BigIntegerField(editable=False)),
                        ("tenant_id", models.TextField()),
                        ("actor", models.TextField()),
                        ("action", models.TextField()),
                        ("entity_type", models.TextField()),
                        ("entity_id", models.TextField()),
                        ("old_values", models.JSONField(blank=True, null=True)),
                        ("new_values", models.JSONField(blank=True, null=True)),
                        ("ip", models.GenericIPAddressField(blank=True, null=True)),
                        ("request_id", models.TextField(blank=True, null=True)),
                        ("occurred_at", models.DateTimeField(db_default=django.db.models.functions.datetime.Now())),
                    ],
                    options={"db_table": 'theme_config"."audit_log', "ordering": ["-occurred_at", "-id"]},
                ),
            ],
        ),
    ]
