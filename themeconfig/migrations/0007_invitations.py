"""Invitations (one-time links by e-mail): the DDL is sql/0007_invitations.sql."""
from pathlib import Path

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import themeconfig.platform.ids
from themeconfig.platform.sqlfiles import run_sql_file

APP_DIR = Path(__file__).resolve().parent.parent


class Migration(migrations.Migration):
    dependencies = [
        ("themeconfig", "0006_tenant_hosts_property_fk_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[run_sql_file(APP_DIR, "0007_invitations")],
            state_operations=[
                migrations.CreateModel(
                    name="Invitation",
                    fields=[
                        ("id", themeconfig.platform.ids.PrefixedIdField(prefix="inv", primary_key=True, serialize=False)),
                        ("email", models.TextField()),
                        ("role", models.TextField(choices=[("owner", "Owner"), ("admin", "Admin"), ("member", "Member"), ("viewer", "Viewer")])),
                        ("token_hash", models.TextField(editable=False)),
                        ("invited_by", models.TextField()),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("expires_at", models.DateTimeField()),
                        ("accepted_at", models.DateTimeField(blank=True, null=True)),
                        ("revoked_at", models.DateTimeField(blank=True, null=True)),
                        ("tenant", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="invitations", to="themeconfig.tenant")),
                        ("accepted_by_user", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={"db_table": 'theme_config"."invitations', "ordering": ["-created_at"]},
                ),
            ],
        ),
    ]
