"""Tenancy tables: the DDL is sql/0001_tenancy.sql; the state mirrors it for the ORM."""
from pathlib import Path

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import themeconfig.platform.ids
from themeconfig.platform.sqlfiles import run_sql_file

APP_DIR = Path(__file__).resolve().parent.parent


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[run_sql_file(APP_DIR, "0001_tenancy")],
            state_operations=[
                migrations.CreateModel(
                    name='Tenant',
                    fields=[
                        ('id', themeconfig.platform.ids.PrefixedIdField(prefix='tnt', primary_key=True, serialize=False)),
                        ('slug', models.TextField()),
                        ('name', models.TextField()),
                        ('plan', models.TextField(choices=[('free', 'Free'), ('starter', 'Starter'), ('pro', 'Pro'), ('enterprise', 'Enterprise')], default='free')),
                        ('settings', models.JSONField(blank=True, default=dict)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('deleted_at', models.DateTimeField(blank=True, null=True)),
                    ],
                    options={
                        'db_table': 'tenant_service"."tenants',
                        'ordering': ['slug'],
                    },
                ),
                migrations.CreateModel(
                    name='Property',
                    fields=[
                        ('id', themeconfig.platform.ids.PrefixedIdField(prefix='prp', primary_key=True, serialize=False)),
                        ('name', models.TextField()),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('deleted_at', models.DateTimeField(blank=True, null=True)),
                        ('tenant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='properties', to='themeconfig.tenant')),
                    ],
                    options={
                        'verbose_name_plural': 'properties',
                        'db_table': 'tenant_service"."properties',
                        'ordering': ['name'],
                    },
                ),
                migrations.CreateModel(
                    name='Membership',
                    fields=[
                        ('id', themeconfig.platform.ids.PrefixedIdField(prefix='mbr', primary_key=True, serialize=False)),
                        ('role', models.TextField(choices=[('owner', 'Owner'), ('admin', 'Admin'), ('member', 'Member'), ('viewer', 'Viewer'), ('api', 'Api')], default='member')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to=settings.AUTH_USER_MODEL)),
                        ('tenant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='themeconfig.tenant')),
                    ],
                    options={
                        'db_table': 'theme_config"."memberships',
                        'ordering': ['created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='ApiClient',
                    fields=[
                        ('id', themeconfig.platform.ids.PrefixedIdField(prefix='apk', primary_key=True, serialize=False)),
                        ('name', models.TextField()),
                        ('role', models.TextField(choices=[('owner', 'Owner'), ('admin', 'Admin'), ('member', 'Member'), ('viewer', 'Viewer'), ('api', 'Api')], default='api')),
                        ('secret_hash', models.TextField(editable=False)),
                        ('secret_hint', models.TextField(editable=False)),
                        ('permissions', models.JSONField(blank=True, default=dict)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('created_by', models.TextField()),
                        ('last_used_at', models.DateTimeField(blank=True, editable=False, null=True)),
                        ('expires_at', models.DateTimeField(blank=True, null=True)),
                        ('revoked_at', models.DateTimeField(blank=True, null=True)),
                        ('tenant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='api_clients', to='themeconfig.tenant')),
                    ],
                    options={
                        'db_table': 'theme_config"."api_clients',
                        'ordering': ['created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='TenantHost',
                    fields=[
                        ('host', models.TextField(primary_key=True, serialize=False)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('property', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='hosts', to='themeconfig.property')),
                        ('tenant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='hosts', to='themeconfig.tenant')),
                    ],
                    options={
                        'db_table': 'tenant_service"."tenant_hosts',
                        'ordering': ['host'],
                    },
                ),
            ],
        ),
    ]
