"""Routing flags and their audit trail (seed 003, issue 22): the DDL is sql/0020_routing_flags.sql."""
from pathlib import Path

from django.db import migrations, models

import themeconfig.platform.ids
from themeconfig.platform.sqlfiles import run_sql_file

APP_DIR = Path(__file__).resolve().parent.parent


class Migration(migrations.Migration):
    dependencies = [("themeconfig", "0022_tenant_erasure_state")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[run_sql_file(APP_DIR, "0020_routing_flags")],
            state_operations=[
                migrations.CreateModel(
                    name="RoutingFlag",
                    fields=[
                        ("id", themeconfig.platform.ids.PrefixedIdField(prefix="rfl", primary_key=True, serialize=False)),
                        ("tenant_id", models.TextField()),
                        ("version", models.IntegerField(default=1)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("created_by", models.TextField()),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        ("updated_by", models.TextField()),
                        ("flag_key", models.TextField()),
                        ("scope_type", models.TextField(choices=[("user", "User"), ("style", "Style (theme)"), ("tenant", "Tenant"), ("env", "Environment")])),
                        ("scope_id", models.TextField()),
                        ("route_mode", models.TextField()),
                        ("enabled", models.BooleanField(default=True)),
                    ],
                    options={"db_table": 'theme_config"."routing_flags', "ordering": ["flag_key", "scope_type", "scope_id"],
                             "abstract": False},
                ),
                migrations.CreateModel(
                    name="RoutingFlagAudit",
                    fields=[
                        ("id", themeconfig.platform.ids.PrefixedIdField(prefix="rfa", primary_key=True, serialize=False)),
                        ("tenant_id", models.TextField()),
                        ("routing_flag_id", models.TextField()),
                        ("changed_by", models.TextField()),
                        ("changed_at", models.DateTimeField()),
                        ("change_payload", models.JSONField()),
                    ],
                    options={"db_table": 'theme_config"."routing_flag_audit', "ordering": ["-changed_at", "-id"]},
                ),
            ],
        ),
    ]
