"""The layout preset registry table: the DDL is sql/0003_layout_presets.sql (seed 000 §3.9); its
rows come in 0005_layout_preset_registry."""
from pathlib import Path

import django.contrib.postgres.fields
from django.db import migrations, models

import themeconfig.platform.ids
from themeconfig.platform.sqlfiles import run_sql_file

APP_DIR = Path(__file__).resolve().parent.parent


class Migration(migrations.Migration):

    dependencies = [
        ('themeconfig', '0002_themes'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[run_sql_file(APP_DIR, "0003_layout_presets")],
            state_operations=[
                migrations.CreateModel(
                    name='LayoutPreset',
                    fields=[
                        ('id', themeconfig.platform.ids.PrefixedIdField(prefix='lpr', primary_key=True, serialize=False)),
                        ('key', models.TextField(unique=True)),
                        ('surface', models.TextField(choices=[('home', 'Home'), ('detail', 'Detail'), ('search', 'Search'), ('custom', 'Custom')])),
                        ('supported_variants', django.contrib.postgres.fields.ArrayField(base_field=models.TextField(), size=None)),
                        ('supports_rtl', models.BooleanField(default=True)),
                        ('min_viewport_px', models.IntegerField(default=360)),
                        ('thumbnail_url', models.TextField()),
                        ('documentation_url', models.TextField(blank=True, null=True)),
                        ('is_active', models.BooleanField(default=True)),
                        ('registered_at', models.DateTimeField(auto_now_add=True)),
                    ],
                    options={
                        'db_table': 'theme_config"."layout_presets',
                        'ordering': ['surface', 'key'],
                    },
                ),
            ],
        ),
    ]
