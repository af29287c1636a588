"""The outbox relay's state, webhook subscriptions and deliveries, and the coalesced refresh of the
seed's read models: the DDL is sql/0009_outbox_relay.sql."""
from pathlib import Path

import django.contrib.postgres.fields
import django.utils.timezone
from django.db import migrations, models

from themeconfig.platform.sqlfiles import run_sql_file

APP_DIR = Path(__file__).resolve().parent.parent


class Migration(migrations.Migration):
    dependencies = [("publishing", "0008_preview_read")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[run_sql_file(APP_DIR, "0009_outbox_relay")],
            state_operations=[
                migrations.AddField("outboxevent", "next_attempt_at", models.DateTimeField(default=django.utils.timezone.now)),
                migrations.AddField("outboxevent", "dead_lettered_at", models.DateTimeField(null=True, blank=True)),
                migrations.CreateModel(
                    name="WebhookSubscription",
                    fields=[
                        ("id", models.TextField(primary_key=True, serialize=False)),
                        ("tenant_id", models.TextField()),
                        ("url", models.TextField()),
                        ("secret_encrypted", models.TextField()),
                        ("event_types", django.contrib.postgres.fields.ArrayField(
                            base_field=models.TextField(), blank=True, default=list, size=None)),
                        ("is_active", models.BooleanField(default=True)),
                        ("description", models.TextField(blank=True, null=True)),
                        ("version", models.IntegerField(default=1)),
                        ("created_at", models.DateTimeField()),
                        ("created_by", models.TextField()),
                        ("updated_at", models.DateTimeField()),
                        ("updated_by", models.TextField()),
                    ],
                    options={"db_table": 'theme_config"."webhook_subscriptions', "managed": False, "ordering": ["-created_at"]},
                ),
                migrations.CreateModel(
                    name="WebhookDelivery",
                    fields=[
                        ("id", models.BigAutoField(primary_key=True, serialize=False)),
                        ("event_id", models.TextField()),
                        ("subscription_id", models.TextField()),
                        ("tenant_id", models.TextField()),
                        ("attempt_count", models.IntegerField(default=0)),
                        ("last_status", models.IntegerField(null=True)),
                        ("last_error", models.TextField(null=True)),
                        ("delivered_at", models.DateTimeField(null=True)),
                        ("created_at", models.DateTimeField()),
                        ("updated_at", models.DateTimeField()),
                    ],
                    options={"db_table": 'theme_config"."webhook_deliveries', "managed": False, "ordering": ["-id"]},
                ),
            ],
        ),
    ]
