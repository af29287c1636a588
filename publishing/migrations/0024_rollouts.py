"""Staged rollouts of a candidate bundle to a slice of a theme's guests, their slice in the resolve read
model and the public reads answering it (issue 22): the DDL is sql/0024_rollouts.sql."""
from pathlib import Path

import django.contrib.postgres.fields
from django.db import migrations, models

import themeconfig.platform.ids
from themeconfig.platform.sqlfiles import run_sql_file

APP_DIR = Path(__file__).resolve().parent.parent


class Migration(migrations.Migration):
    dependencies = [("publishing", "0021_export"), ("themeconfig", "0020_routing_flags")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[run_sql_file(APP_DIR, "0024_rollouts")],
            state_operations=[
                migrations.CreateModel(
                    name='ThemeRollout',
                    fields=[
                        ('tenant_id', models.TextField()),
                        ('version', models.IntegerField(default=1)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('created_by', models.TextField()),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('updated_by', models.TextField()),
                        ('id', themeconfig.platform.ids.PrefixedIdField(prefix='rol', primary_key=True, serialize=False)),
                        ('candidate_version_version', models.IntegerField()),
                        ('candidate_bundle_url', models.TextField()),
                        ('candidate_bundle_sha256', models.TextField()),
                        ('candidate_bundle_size', models.BigIntegerField(null=True)),
                        ('status', models.TextField(choices=[('running', 'Running'), ('paused', 'Paused'), ('promoted', 'Promoted'), ('aborted', 'Aborted')], default='running')),
                        ('basis_points', models.IntegerField(default=0)),
                        ('hosts', django.contrib.postgres.fields.ArrayField(base_field=models.TextField(), blank=True, default=list, size=None)),
                        ('user_keys', django.contrib.postgres.fields.ArrayField(base_field=models.TextField(), blank=True, default=list, size=None)),
                        ('reason', models.TextField()),
                        ('closed_at', models.DateTimeField(null=True)),
                        ('closed_by', models.TextField(null=True)),
                    ],
                    options={
                        'db_table': 'theme_config"."theme_rollouts',
                        'ordering': ['-created_at'],
                        'abstract': False,
                        'managed': False,
                    },
                ),
            ],
        ),
    ]
