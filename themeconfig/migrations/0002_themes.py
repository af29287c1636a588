"""Themes, theme versions and their children: the DDL is sql/0002_themes.sql (seed 000 §3.1, §3.2,
§3.4–§3.8, §4); the state mirrors it for the ORM."""
from pathlib import Path

import django.contrib.postgres.fields
import django.db.models.deletion
from django.db import migrations, models

import themeconfig.platform.ids
from themeconfig.platform.sqlfiles import run_sql_file

APP_DIR = Path(__file__).resolve().parent.parent


class Migration(migrations.Migration):

    dependencies = [
        ('themeconfig', '0001_tenancy'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[run_sql_file(APP_DIR, "0002_themes")],
            state_operations=[
                migrations.CreateModel(
                    name='Theme',
                    fields=[
                        ('id', themeconfig.platform.ids.PrefixedIdField(prefix='thm', primary_key=True, serialize=False)),
                        ('tenant_id', models.TextField()),
                        ('property_id', models.TextField(blank=True, null=True)),
                        ('name', models.TextField()),
                        ('scope', models.TextField(choices=[('tenant', 'Tenant'), ('property', 'Property')])),
                        ('default_locale', models.TextField()),
                        ('enabled_locales', django.contrib.postgres.fields.ArrayField(base_field=models.TextField(), size=None)),
                        ('fallback_chain', django.contrib.postgres.fields.ArrayField(base_field=models.TextField(), size=None)),
                        ('active_publication_id', models.TextField(blank=True, null=True)),
                        ('status', models.TextField(choices=[('active', 'Active'), ('suspended', 'Suspended'), ('archived', 'Archived')])),
                        ('version', models.IntegerField(default=1)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('created_by', models.TextField()),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('updated_by', models.TextField()),
                        ('deleted_at', models.DateTimeField(blank=True, null=True)),
                    ],
                    options={
                        'db_table': 'theme_config"."themes',
                        'ordering': ['created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='ThemeVersion',
                    fields=[
                        ('id', themeconfig.platform.ids.PrefixedIdField(prefix='thv', primary_key=True, serialize=False)),
                        ('tenant_id', models.TextField()),
                        ('ordinal', models.IntegerField()),
                        ('status', models.TextField(choices=[('draft', 'Draft'), ('preview_ready', 'Preview Ready'), ('published', 'Published'), ('archived', 'Archived')])),
                        ('tokens', models.JSONField()),
                        ('layout_selections', models.JSONField()),
                        ('ai_provenance', models.JSONField(blank=True, null=True)),
                        ('release_notes', models.TextField(blank=True, null=True)),
                        ('published_bundle_url', models.TextField(blank=True, null=True)),
                        ('published_bundle_sha256', models.TextField(blank=True, null=True)),
                        ('published_bundle_size', models.IntegerField(blank=True, null=True)),
                        ('published_at', models.DateTimeField(blank=True, null=True)),
                        ('published_by', models.TextField(blank=True, null=True)),
                        ('archived_at', models.DateTimeField(blank=True, null=True)),
                        ('archived_reason', models.TextField(blank=True, choices=[('superseded', 'Superseded'), ('rolled_back', 'Rolled Back'), ('manual_archive', 'Manual Archive')], null=True)),
                        ('version', models.IntegerField(default=1)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('created_by', models.TextField()),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('updated_by', models.TextField()),
                        ('theme', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='versions', to='themeconfig.theme')),
                    ],
                    options={
                        'db_table': 'theme_config"."theme_versions',
                        'ordering': ['theme_id', 'ordinal'],
                    },
                ),
                migrations.CreateModel(
                    name='ContentBlock',
                    fields=[
                        ('id', themeconfig.platform.ids.PrefixedIdField(prefix='cnb', primary_key=True, serialize=False)),
                        ('tenant_id', models.TextField()),
                        ('surface', models.TextField(choices=[('home', 'Home'), ('detail', 'Detail'), ('search', 'Search'), ('policies', 'Policies'), ('about', 'About'), ('custom', 'Custom')])),
                        ('kind', models.TextField()),
                        ('ordinal', models.IntegerField()),
                        ('visibility', models.TextField(choices=[('all', 'All'), ('desktop_only', 'Desktop Only'), ('mobile_only', 'Mobile Only')])),
                        ('body', models.JSONField()),
                        ('meta', models.JSONField()),
                        ('ai_provenance', models.JSONField(blank=True, null=True)),
                        ('version', models.IntegerField(default=1)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('created_by', models.TextField()),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('updated_by', models.TextField()),
                        ('theme_version', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='content_blocks', to='themeconfig.themeversion')),
                    ],
                    options={
                        'db_table': 'theme_config"."content_blocks',
                        'ordering': ['theme_version_id', 'surface', 'ordinal'],
                    },
                ),
                migrations.CreateModel(
                    name='NavigationConfig',
                    fields=[
                        ('id', themeconfig.platform.ids.PrefixedIdField(prefix='nvc', primary_key=True, serialize=False)),
                        ('tenant_id', models.TextField()),
                        ('surface', models.TextField(choices=[('header', 'Header'), ('footer', 'Footer'), ('mobile_drawer', 'Mobile Drawer')])),
                        ('items', models.JSONField()),
                        ('version', models.IntegerField(default=1)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('updated_by', models.TextField()),
                        ('theme_version', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='navigation_configs', to='themeconfig.themeversion')),
                    ],
                    options={
                        'db_table': 'theme_config"."navigation_configs',
                        'ordering': ['theme_version_id', 'surface'],
                    },
                ),
                migrations.CreateModel(
                    name='BookingFlowConfig',
                    fields=[
                        ('id', themeconfig.platform.ids.PrefixedIdField(prefix='bfc', primary_key=True, serialize=False)),
                        ('tenant_id', models.TextField()),
                        ('steps', models.JSONField()),
                        ('toggles', models.JSONField()),
                        ('consent', models.JSONField()),
                        ('version', models.IntegerField(default=1)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('updated_by', models.TextField()),
                        ('theme_version', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='booking_flow_config', to='themeconfig.themeversion')),
                    ],
                    options={
                        'db_table': 'theme_config"."booking_flow_configs',
                    },
                ),
                migrations.CreateModel(
                    name='EmailTheme',
                    fields=[
                        ('id', themeconfig.platform.ids.PrefixedIdField(prefix='emt', primary_key=True, serialize=False)),
                        ('tenant_id', models.TextField()),
                        ('tokens', models.JSONField()),
                        ('logo_ref', models.JSONField()),
                        ('footer', models.JSONField()),
                        ('version', models.IntegerField(default=1)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('updated_by', models.TextField()),
                        ('theme_version', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='email_theme', to='themeconfig.themeversion')),
                    ],
                    options={
                        'db_table': 'theme_config"."email_themes',
                    },
                ),
                migrations.CreateModel(
                    name='LocalePack',
                    fields=[
                        ('id', themeconfig.platform.ids.PrefixedIdField(prefix='lpk', primary_key=True, serialize=False)),
                        ('tenant_id', models.TextField()),
                        ('locale', models.TextField()),
                        ('entries', models.JSONField()),
                        ('ai_provenance', models.JSONField(blank=True, null=True)),
                        ('completeness_pct', models.DecimalField(decimal_places=2, default=0, max_digits=5)),
                        ('version', models.IntegerField(default=1)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('updated_by', models.TextField()),
                        ('theme_version', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='locale_packs', to='themeconfig.themeversion')),
                    ],
                    options={
                        'db_table': 'theme_config"."locale_packs',
                        'ordering': ['theme_version_id', 'locale'],
                    },
                ),
            ],
        ),
    ]
