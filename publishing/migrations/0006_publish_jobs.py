"""Publish jobs: the DDL is sql/0006_publish_jobs.sql."""
from pathlib import Path

import django.db.models.deletion
from django.db import migrations, models

import themeconfig.platform.ids
from themeconfig.platform.sqlfiles import run_sql_file

APP_DIR = Path(__file__).resolve().parent.parent


class Migration(migrations.Migration):
    dependencies = [("publishing", "0005_write_paths_and_preview"), ("themeconfig", "0008_audit_log")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[run_sql_file(APP_DIR, "0006_publish_jobs")],
            state_operations=[
                migrations.CreateModel(
                    name="PublishJob",
                    fields=[
                        ("id", themeconfig.platform.ids.PrefixedIdField(prefix="pbj", primary_key=True, serialize=False)),
                        ("tenant_id", models.TextField()),
                        ("kind", models.TextField(choices=[("publish", "Publish"), ("rollback", "Rollback"), ("re_publish", "Re Publish")])),
                        ("status", models.TextField(choices=[("queued", "Queued"), ("building", "Building"), ("uploading", "Uploading"), ("flipping", "Flipping"), ("succeeded", "Succeeded"), ("failed", "Failed")], default="queued")),
                        ("expected_theme_version", models.IntegerField()),
                        ("expected_version_version", models.IntegerField(blank=True, null=True)),
                        ("bundle_sha256", models.TextField(blank=True, null=True)),
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
                        ("theme", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="publish_jobs", to="themeconfig.theme")),
                        ("theme_version", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="publish_jobs", to="themeconfig.themeversion")),
                        ("target_publication", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="publishing.themepublication")),
                        ("publication", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="publishing.themepublication")),
                    ],
                    options={"db_table": 'theme_config"."publish_jobs', "ordering": ["-created_at"]},
                ),
            ],
        ),
    ]
