"""Outbox, consumed events and idempotency keys: the DDL is sql/0002_outbox_inbox.sql (seed 000
§3.12); infrastructure tables the request role cannot touch."""
from pathlib import Path

from django.db import migrations, models

from themeconfig.platform.sqlfiles import run_sql_file

APP_DIR = Path(__file__).resolve().parent.parent


class Migration(migrations.Migration):

    dependencies = [
        ('publishing', '0001_publications'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[run_sql_file(APP_DIR, "0002_outbox_inbox")],
            state_operations=[
                migrations.CreateModel(
                    name='OutboxEvent',
                    fields=[
                        ('id', models.BigAutoField(primary_key=True, serialize=False)),
                        ('event_id', models.TextField(unique=True)),
                        ('tenant_id', models.TextField()),
                        ('event_type', models.TextField()),
                        ('topic', models.TextField()),
                        ('partition_key', models.TextField()),
                        ('envelope', models.JSONField()),
                        ('attributes', models.JSONField()),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('published_at', models.DateTimeField(blank=True, null=True)),
                        ('attempt_count', models.IntegerField(default=0)),
                        ('last_error', models.TextField(blank=True, null=True)),
                    ],
                    options={
                        'db_table': 'theme_config"."outbox',
                        'ordering': ['id'],
                    },
                ),
                migrations.CreateModel(
                    name='ConsumedEvent',
                    fields=[
                        ('event_id', models.TextField(primary_key=True, serialize=False)),
                        ('tenant_id', models.TextField()),
                        ('event_type', models.TextField()),
                        ('consumed_at', models.DateTimeField(auto_now_add=True)),
                    ],
                    options={
                        'db_table': 'theme_config"."consumed_events',
                    },
                ),
                migrations.CreateModel(
                    name='IdempotencyKey',
                    fields=[
                        ('key', models.TextField(primary_key=True, serialize=False)),
                        ('tenant_id', models.TextField()),
                        ('endpoint', models.TextField()),
                        ('request_hash', models.TextField()),
                        ('response', models.JSONField(blank=True, null=True)),
                        ('status_code', models.IntegerField(blank=True, null=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('expires_at', models.DateTimeField()),
                    ],
                    options={
                        'db_table': 'theme_config"."idempotency_keys',
                    },
                ),
            ],
        ),
    ]
