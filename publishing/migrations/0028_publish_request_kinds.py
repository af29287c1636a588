"""Publish requests for a scheduled publish and a rollout's promote (sql/0028_publish_request_kinds.sql);
the state gains the two links and the two actions."""
from pathlib import Path

import django.db.models.deletion
from django.db import migrations, models

from themeconfig.platform.migration_ops import concurrent_index
from themeconfig.platform.sqlfiles import run_sql_file

APP_DIR = Path(__file__).resolve().parent.parent

ACTIONS = [("publish", "Publish"), ("rollback", "Rollback"), ("re_publish", "Re-publish"),
           ("schedule", "Scheduled publish"), ("promote", "Rollout promote")]


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY refuses a transaction block: each statement commits on its own (the
    # constraints go in NOT VALID first, so a failure half-way leaves nothing that blocks writes).
    atomic = False
    dependencies = [("publishing", "0022_schedules")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[run_sql_file(APP_DIR, "0028_publish_request_kinds")],
            state_operations=[
                migrations.AlterField(model_name="publishrequest", name="action",
                                      field=models.TextField(choices=ACTIONS)),
                migrations.AddField(model_name="publishrequest", name="schedule", field=models.ForeignKey(
                    blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+",
                    to="publishing.publishschedule")),
                migrations.AddField(model_name="publishrequest", name="rollout", field=models.ForeignKey(
                    blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+",
                    to="publishing.themerollout")),
            ],
        ),
        concurrent_index("publish_requests_schedule_idx",
                         "theme_config.publish_requests (schedule_id) WHERE schedule_id IS NOT NULL"),
        concurrent_index("publish_requests_rollout_idx",
                         "theme_config.publish_requests (rollout_id) WHERE rollout_id IS NOT NULL"),
    ]
