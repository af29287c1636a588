"""Pending host claims apart from served hosts (tenant_host_claims), tenant_hosts holding verified hosts
only, and one listing of both: the DDL is sql/0011_host_claims.sql."""
from pathlib import Path

from django.db import migrations, models

from themeconfig.platform.sqlfiles import run_sql_file

APP_DIR = Path(__file__).resolve().parent.parent
PROVEN_BY = [("dns", "DNS TXT record"), ("operator", "Operator, by hand")]


class Migration(migrations.Migration):
    dependencies = [("themeconfig", "0010_api_key_verbose_names")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[run_sql_file(APP_DIR, "0011_host_claims")],
            state_operations=[
                *[migrations.RemoveField("tenanthost", name) for name in (
                    "verification_token_hash", "verification_attempts", "verification_checked_at",
                    "verification_next_check_at", "verification_leased_until", "verification_last_error")],
                migrations.AlterField("tenanthost", "verification_status", models.TextField(
                    choices=[("pending", "Pending"), ("verified", "Verified")], default="verified")),
                migrations.AddField("tenanthost", "verification_method", models.TextField(
                    blank=True, choices=PROVEN_BY, null=True)),
                migrations.CreateModel(
                    name="TenantHostClaim",
                    fields=[
                        ("pk", models.CompositePrimaryKey("tenant_id", "host", blank=True, editable=False,
                                                          primary_key=True, serialize=False)),
                        ("tenant", models.ForeignKey(on_delete=models.deletion.CASCADE,
                                                     related_name="host_claims", to="themeconfig.tenant")),
                        ("host", models.TextField()),
                        ("property", models.ForeignKey(blank=True, null=True, on_delete=models.deletion.CASCADE,
                                                       related_name="host_claims", to="themeconfig.property")),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("verification_token_hash", models.TextField(blank=True, editable=False, null=True)),
                        ("verification_attempts", models.IntegerField(default=0)),
                        ("verification_checked_at", models.DateTimeField(blank=True, null=True)),
                        ("verification_next_check_at", models.DateTimeField(blank=True, null=True)),
                        ("verification_leased_until", models.DateTimeField(blank=True, null=True)),
                        ("verification_last_error", models.TextField(blank=True, null=True)),
                    ],
                    options={"db_table": 'tenant_service"."tenant_host_claims', "ordering": ["host"]},
                ),
                migrations.CreateModel(
                    name="HostListing",
                    fields=[
                        ("id", models.TextField(primary_key=True, serialize=False)),
                        ("tenant", models.ForeignKey(on_delete=models.deletion.DO_NOTHING, related_name="+",
                                                     to="themeconfig.tenant")),
                        ("host", models.TextField()),
                        ("property", models.ForeignKey(blank=True, null=True, on_delete=models.deletion.DO_NOTHING,
                                                       related_name="+", to="themeconfig.property")),
                        ("created_at", models.DateTimeField()),
                        ("verification_status", models.TextField(
                            choices=[("pending", "Pending"), ("verified", "Verified")])),
                        ("verified_at", models.DateTimeField(blank=True, null=True)),
                        ("verified_by", models.TextField(blank=True, null=True)),
                        ("verification_method", models.TextField(blank=True, choices=PROVEN_BY, null=True)),
                        ("verification_attempts", models.IntegerField()),
                        ("verification_checked_at", models.DateTimeField(blank=True, null=True)),
                        ("verification_next_check_at", models.DateTimeField(blank=True, null=True)),
                        ("verification_last_error", models.TextField(blank=True, null=True)),
                    ],
                    options={"db_table": 'tenant_service"."tenant_host_listing', "ordering": ["host"],
                             "managed": False, "verbose_name": "tenant host"},
                ),
            ],
        ),
    ]
