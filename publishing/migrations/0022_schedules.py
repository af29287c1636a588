"""Scheduled publish and timed revert (issue 21): the DDL is sql/0022_schedules.sql; the state
mirrors the table."""
from pathlib import Path

import django.db.models.deletion
from django.db import migrations, models

import themeconfig.platform.ids
from themeconfig.platform.sqlfiles import run_sql_file

APP_DIR = Path(__file__).resolve().parent.parent

KINDS = [("publish", "Publish"), ("revert", "Revert")]
STATUSES = [("pending_approval", "Waiting for approval"), ("scheduled", "Scheduled"), ("running", "Running"),
            ("succeeded", "Done"), ("failed", "Failed"), ("cancelled", "Cancelled")]


class Migration(migrations.Migration):
    dependencies = [("publishing", "0026_views_queue"), ("themeconfig", "0022_tenant_erasure_state")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[run_sql_file(APP_DIR, "0022_schedules")],
            state_operations=[
                migrations.CreateModel(
                    name="PublishSchedule",
                    fields=[
                        ("tenant_id", models.TextField()),
                        ("version", models.IntegerField(default=1)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("created_by", models.TextField()),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        ("updated_by", models.TextField()),
                        ("id", themeconfig.platform.ids.PrefixedIdField(prefix="sch", primary_key=True, serialize=False)),
                        ("kind", models.TextField(choices=KINDS)),
                        ("run_at", models.DateTimeField()),
                        ("status", models.TextField(choices=STATUSES, default="scheduled")),
                        ("expected_version_version", models.IntegerField(blank=True, null=True)),
                        ("error_code", models.TextField(blank=True, null=True)),
                        ("error_message", models.TextField(blank=True, null=True)),
                        ("started_at", models.DateTimeField(blank=True, null=True)),
                        ("finished_at", models.DateTimeField(blank=True, null=True)),
                        ("cancelled_at", models.DateTimeField(blank=True, null=True)),
                        ("cancelled_by", models.TextField(blank=True, null=True)),
                        ("theme", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                                    related_name="publish_schedules", to="themeconfig.theme")),
                        ("theme_version", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                                            related_name="publish_schedules",
                                                            to="themeconfig.themeversion")),
                        ("reverts", models.OneToOneField(blank=True, null=True,
                                                         on_delete=django.db.models.deletion.CASCADE,
                                                         related_name="revert", to="publishing.publishschedule")),
                        ("previous_publication", models.ForeignKey(blank=True, null=True,
                                                                   on_delete=django.db.models.deletion.SET_NULL,
                                                                   related_name="+", to="publishing.themepublication")),
                        ("publish_job", models.ForeignKey(blank=True, null=True,
                                                          on_delete=django.db.models.deletion.SET_NULL,
                                                          related_name="+", to="publishing.publishjob")),
                        ("publication", models.ForeignKey(blank=True, null=True,
                                                          on_delete=django.db.models.deletion.SET_NULL,
                                                          related_name="+", to="publishing.themepublication")),
                    ],
                    options={"db_table": 'theme_config"."publish_schedules', "ordering": ["run_at", "id"],
                             "abstract": False},
                ),
            ],
        ),
    ]
