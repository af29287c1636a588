"""AI generation jobs: the DDL is sql/0002_generation_jobs.sql; the state mirrors it."""
from pathlib import Path

import django.db.models.deletion
from django.db import migrations, models

import themeconfig.platform.ids
from themeconfig.platform.sqlfiles import run_sql_file

APP_DIR = Path(__file__).resolve().parent.parent


class Migration(migrations.Migration):
    dependencies = [("ai_workspace", "0001_drafts"), ("themeconfig", "0008_audit_log")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[run_sql_file(APP_DIR, "0002_generation_jobs")],
            state_operations=[
                migrations.CreateModel(
                    name="GenerationJob",
                    fields=[
                        ("id", themeconfig.platform.ids.PrefixedIdField(prefix="aij", primary_key=True, serialize=False)),
                        ("tenant_id", models.TextField()),
                        ("kind", models.TextField(choices=[("palette", "Palette"), ("translation", "Translation"), ("content", "Content")])),
                        ("parameters", models.JSONField(default=dict)),
                        ("base", models.JSONField()),
                        ("provider", models.TextField()),
                        ("status", models.TextField(choices=[("queued", "Queued"), ("running", "Running"), ("succeeded", "Succeeded"), ("failed", "Failed")], default="queued")),
                        ("draft_id", models.TextField(blank=True, null=True)),
                        ("error_code", models.TextField(blank=True, null=True)),
                        ("error_message", models.TextField(blank=True, null=True)),
                        ("errors", models.JSONField(default=list)),
                        ("trace", models.JSONField(default=dict)),
                        ("attempts", models.IntegerField(default=0)),
                        ("requested_by", models.TextField()),
                        ("principal", models.JSONField()),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("started_at", models.DateTimeField(blank=True, null=True)),
                        ("finished_at", models.DateTimeField(blank=True, null=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        ("theme", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="ai_generation_jobs", to="themeconfig.theme")),
                        ("theme_version", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="ai_generation_jobs", to="themeconfig.themeversion")),
                    ],
                    options={"db_table": 'theme_config"."ai_generation_jobs', "ordering": ["-created_at"]},
                ),
            ],
        ),
    ]
