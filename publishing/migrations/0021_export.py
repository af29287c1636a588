"""Tenant export jobs and serving nothing of a tenant marked for erasure: the DDL is
sql/0021_export.sql; the state mirrors the job table."""
from pathlib import Path

from django.db import migrations, models

import themeconfig.platform.ids
from themeconfig.platform.sqlfiles import run_sql_file

APP_DIR = Path(__file__).resolve().parent.parent

STATUSES = [("queued", "Queued"), ("writing", "Writing"), ("succeeded", "Succeeded"), ("failed", "Failed")]


class Migration(migrations.Migration):
    dependencies = [("publishing", "0019_encryption"), ("themeconfig", "0016_export")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[run_sql_file(APP_DIR, "0021_export")],
            state_operations=[
                migrations.CreateModel(
                    name="TenantExportJob",
                    fields=[
                        ("id", themeconfig.platform.ids.PrefixedIdField(prefix="exj", primary_key=True, serialize=False)),
                        ("tenant_id", models.TextField()),
                        ("status", models.TextField(choices=STATUSES, default="queued")),
                        ("error_code", models.TextField(blank=True, null=True)),
                        ("error_message", models.TextField(blank=True, null=True)),
                        ("trace", models.JSONField(default=dict)),
                        ("attempts", models.IntegerField(default=0)),
                        ("requested_by", models.TextField()),
                        ("principal", models.JSONField()),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("started_at", models.DateTimeField(blank=True, null=True)),
                        ("finished_at", models.DateTimeField(blank=True, null=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        ("storage_key", models.TextField(blank=True, null=True)),
                        ("size_bytes", models.BigIntegerField(blank=True, null=True)),
                        ("manifest", models.JSONField(default=dict)),
                    ],
                    options={"db_table": 'theme_config"."tenant_export_jobs', "ordering": ["-created_at"]},
                ),
            ],
        ),
    ]
