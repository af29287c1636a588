"""Four-eyes publish requests: the DDL (table, RLS, the void-on-edit trigger) is
sql/0023_publish_requests.sql; the state mirrors the table."""
from pathlib import Path

import django.db.models.deletion
from django.db import migrations, models

import themeconfig.platform.ids
from themeconfig.platform.sqlfiles import run_sql_file

APP_DIR = Path(__file__).resolve().parent.parent

ACTIONS = [("publish", "Publish"), ("rollback", "Rollback"), ("re_publish", "Re-publish")]
STATUSES = [("pending", "Waiting for approval"), ("decided", "Decided"), ("voided", "Voided"), ("withdrawn", "Withdrawn")]
DECISIONS = [("approved", "Approved"), ("rejected", "Rejected")]


class Migration(migrations.Migration):
    dependencies = [("publishing", "0027_replica_grants"), ("themeconfig", "0022_tenant_erasure_state")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[run_sql_file(APP_DIR, "0023_publish_requests")],
            state_operations=[
                migrations.CreateModel(
                    name="PublishRequest",
                    fields=[
                        ("tenant_id", models.TextField()),
                        ("version", models.IntegerField(default=1)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("created_by", models.TextField()),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        ("updated_by", models.TextField()),
                        ("id", themeconfig.platform.ids.PrefixedIdField(prefix="pbr", primary_key=True, serialize=False)),
                        ("action", models.TextField(choices=ACTIONS)),
                        ("run_at", models.DateTimeField(blank=True, null=True)),
                        ("expected_version_version", models.IntegerField()),
                        ("status", models.TextField(choices=STATUSES, default="pending")),
                        ("decision", models.TextField(blank=True, choices=DECISIONS, null=True)),
                        ("request_note", models.TextField(blank=True, null=True)),
                        ("decision_note", models.TextField(blank=True, null=True)),
                        ("decided_by", models.TextField(blank=True, null=True)),
                        ("decided_at", models.DateTimeField(blank=True, null=True)),
                        ("void_reason", models.TextField(blank=True, null=True)),
                        ("voided_at", models.DateTimeField(blank=True, null=True)),
                        ("theme", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                                    related_name="publish_requests", to="themeconfig.theme")),
                        ("theme_version", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                                            related_name="publish_requests",
                                                            to="themeconfig.themeversion")),
                        ("target_publication", models.ForeignKey(blank=True, null=True,
                                                                 on_delete=django.db.models.deletion.SET_NULL,
                                                                 related_name="+", to="publishing.themepublication")),
                        ("live_publication", models.ForeignKey(blank=True, null=True,
                                                               on_delete=django.db.models.deletion.SET_NULL,
                                                               related_name="+", to="publishing.themepublication")),
                        ("publish_job", models.ForeignKey(blank=True, null=True,
                                                          on_delete=django.db.models.deletion.SET_NULL,
                                                          related_name="+", to="publishing.publishjob")),
                    ],
                    options={"db_table": 'theme_config"."publish_requests', "ordering": ["-created_at"],
                             "abstract": False},
                ),
            ],
        ),
    ]
