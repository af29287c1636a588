"""The AI HITL workspace: the DDL is sql/0001_drafts.sql (seed 000 §3.11); the state mirrors it."""
from pathlib import Path

import django.db.models.deletion
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
            database_operations=[run_sql_file(APP_DIR, "0001_drafts")],
            state_operations=[
                migrations.CreateModel(
                    name='PaletteSuggestion',
                    fields=[
                        ('id', themeconfig.platform.ids.PrefixedIdField(prefix='ais', primary_key=True, serialize=False)),
                        ('tenant_id', models.TextField()),
                        ('drafted_tokens', models.JSONField()),
                        ('ai_provenance', models.JSONField()),
                        ('status', models.TextField(choices=[('pending', 'Pending'), ('approved', 'Approved'), ('rejected', 'Rejected'), ('superseded', 'Superseded')])),
                        ('approver_user_id', models.TextField(blank=True, null=True)),
                        ('approver_note', models.TextField(blank=True, null=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('decided_at', models.DateTimeField(blank=True, null=True)),
                        ('applied_to_version', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='themeconfig.themeversion')),
                        ('theme', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='palette_suggestions', to='themeconfig.theme')),
                    ],
                    options={
                        'db_table': 'theme_config"."palette_suggestions',
                        'ordering': ['-created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='TranslationDraft',
                    fields=[
                        ('id', themeconfig.platform.ids.PrefixedIdField(prefix='ait', primary_key=True, serialize=False)),
                        ('tenant_id', models.TextField()),
                        ('locale', models.TextField()),
                        ('drafted_entries', models.JSONField()),
                        ('ai_provenance', models.JSONField()),
                        ('status', models.TextField(choices=[('pending', 'Pending'), ('approved', 'Approved'), ('rejected', 'Rejected'), ('superseded', 'Superseded')])),
                        ('approver_user_id', models.TextField(blank=True, null=True)),
                        ('approver_note', models.TextField(blank=True, null=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('decided_at', models.DateTimeField(blank=True, null=True)),
                        ('applied_to_version', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='themeconfig.themeversion')),
                        ('theme_version', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='translation_drafts', to='themeconfig.themeversion')),
                    ],
                    options={
                        'db_table': 'theme_config"."translation_drafts',
                        'ordering': ['-created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='ContentDraft',
                    fields=[
                        ('id', themeconfig.platform.ids.PrefixedIdField(prefix='aic', primary_key=True, serialize=False)),
                        ('tenant_id', models.TextField()),
                        ('surface', models.TextField(choices=[('home', 'Home'), ('detail', 'Detail'), ('search', 'Search'), ('policies', 'Policies'), ('about', 'About'), ('custom', 'Custom')])),
                        ('kind', models.TextField()),
                        ('drafted_body', models.JSONField()),
                        ('drafted_meta', models.JSONField()),
                        ('ai_provenance', models.JSONField()),
                        ('status', models.TextField(choices=[('pending', 'Pending'), ('approved', 'Approved'), ('rejected', 'Rejected'), ('superseded', 'Superseded')])),
                        ('approver_user_id', models.TextField(blank=True, null=True)),
                        ('approver_note', models.TextField(blank=True, null=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('decided_at', models.DateTimeField(blank=True, null=True)),
                        ('applied_to_version', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='themeconfig.themeversion')),
                        ('content_block', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='drafts', to='themeconfig.contentblock')),
                        ('theme_version', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='content_drafts', to='themeconfig.themeversion')),
                    ],
                    options={
                        'db_table': 'theme_config"."content_drafts',
                        'ordering': ['-created_at'],
                    },
                ),
            ],
        ),
    ]
