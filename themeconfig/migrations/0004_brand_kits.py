"""Tenant brand kits: the DDL is sql/0004_brand_kits.sql (seed 001 BrandKit, adapted)."""
from pathlib import Path

from django.db import migrations, models

import themeconfig.platform.ids
from themeconfig.platform.sqlfiles import run_sql_file

APP_DIR = Path(__file__).resolve().parent.parent


class Migration(migrations.Migration):

    dependencies = [
        ('themeconfig', '0003_layout_presets'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[run_sql_file(APP_DIR, "0004_brand_kits")],
            state_operations=[
                migrations.CreateModel(
                    name='BrandKit',
                    fields=[
                        ('id', themeconfig.platform.ids.PrefixedIdField(prefix='bkt', primary_key=True, serialize=False)),
                        ('tenant_id', models.TextField()),
                        ('name', models.TextField()),
                        ('colors', models.JSONField()),
                        ('fonts', models.JSONField()),
                        ('logos', models.JSONField(blank=True, null=True)),
                        ('style_preferences', models.JSONField(blank=True, null=True)),
                        ('is_default', models.BooleanField(default=False)),
                        ('version', models.IntegerField(default=1)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('created_by', models.TextField()),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('updated_by', models.TextField()),
                        ('deleted_at', models.DateTimeField(blank=True, null=True)),
                    ],
                    options={
                        'db_table': 'theme_config"."brand_kits',
                        'ordering': ['name'],
                    },
                ),
            ],
        ),
    ]
