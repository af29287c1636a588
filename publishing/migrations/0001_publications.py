"""Publications and preview tokens: the DDL is sql/0001_publications.sql (seed 000 §3.3, §3.10),
including themes_active_publication_fk on themeconfig's themes table; the state mirrors it."""
from pathlib import Path

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

import themeconfig.platform.ids
from themeconfig.platform.sqlfiles import run_sql_file

APP_DIR = Path(__file__).resolve().parent.parent


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('themeconfig', '0002_themes'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[run_sql_file(APP_DIR, "0001_publications")],
            state_operations=[
                migrations.CreateModel(
                    name='ThemePublication',
                    fields=[
                        ('id', themeconfig.platform.ids.PrefixedIdField(prefix='thp', primary_key=True, serialize=False)),
                        ('tenant_id', models.TextField()),
                        ('is_active', models.BooleanField(default=False)),
                        ('bundle_url', models.TextField()),
                        ('bundle_sha256', models.TextField()),
                        ('cdn_invalidation_id', models.TextField(blank=True, null=True)),
                        ('reason', models.TextField(choices=[('publish', 'Publish'), ('rollback', 'Rollback'), ('re_publish', 'Re Publish')])),
                        ('published_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('published_by', models.TextField(blank=True, null=True)),
                        ('superseded_at', models.DateTimeField(blank=True, null=True)),
                        ('superseded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='supersedes', to='publishing.themepublication')),
                        ('theme', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='publications', to='themeconfig.theme')),
                        ('theme_version', models.ForeignKey(on_delete=django.db.models.deletion.RESTRICT, related_name='publications', to='themeconfig.themeversion')),
                    ],
                    options={
                        'db_table': 'theme_config"."theme_publications',
                        'ordering': ['-published_at'],
                    },
                ),
                migrations.CreateModel(
                    name='PreviewToken',
                    fields=[
                        ('id', themeconfig.platform.ids.PrefixedIdField(prefix='pvt', primary_key=True, serialize=False)),
                        ('tenant_id', models.TextField()),
                        ('token_hash', models.TextField(editable=False, unique=True)),
                        ('expires_at', models.DateTimeField()),
                        ('revoked_at', models.DateTimeField(blank=True, null=True)),
                        ('last_accessed_at', models.DateTimeField(blank=True, editable=False, null=True)),
                        ('access_count', models.IntegerField(default=0, editable=False)),
                        ('note', models.TextField(blank=True, null=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('created_by', models.TextField()),
                        ('theme_version', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='preview_tokens', to='themeconfig.themeversion')),
                    ],
                    options={
                        'db_table': 'theme_config"."preview_tokens',
                        'ordering': ['-created_at'],
                    },
                ),
            ],
        ),
    ]
