"""Read models: the materialized views of seed 000 §6 and theme_config.refresh_read_models(); the
DDL is sql/0003_read_models.sql. The models are unmanaged, so their state needs no database op."""
from pathlib import Path

import django.contrib.postgres.fields
from django.db import migrations, models

from themeconfig.platform.sqlfiles import run_sql_file

APP_DIR = Path(__file__).resolve().parent.parent


class Migration(migrations.Migration):

    dependencies = [
        ('publishing', '0002_outbox_inbox'),
    ]

    operations = [
        run_sql_file(APP_DIR, "0003_read_models"),
        migrations.CreateModel(
            name='PublishedThemeView',
            fields=[
                ('theme_id', models.TextField(primary_key=True, serialize=False)),
                ('tenant_id', models.TextField()),
                ('property_id', models.TextField(null=True)),
                ('default_locale', models.TextField()),
                ('enabled_locales', django.contrib.postgres.fields.ArrayField(base_field=models.TextField(), size=None)),
                ('publication_id', models.TextField()),
                ('theme_version_id', models.TextField()),
                ('bundle_url', models.TextField()),
                ('bundle_sha256', models.TextField()),
                ('published_at', models.DateTimeField()),
            ],
            options={
                'db_table': 'theme_config"."published_theme_view',
                'managed': False,
            },
        ),
        migrations.CreateModel(
            name='HostToThemeView',
            fields=[
                ('host', models.TextField(primary_key=True, serialize=False)),
                ('theme_id', models.TextField()),
                ('tenant_id', models.TextField()),
                ('bundle_url', models.TextField()),
            ],
            options={
                'db_table': 'theme_config"."host_to_theme_view',
                'managed': False,
            },
        ),
    ]
