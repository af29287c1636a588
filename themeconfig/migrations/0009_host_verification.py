"""Host verification state on tenant_service.tenant_hosts: the DDL is sql/0009_host_verification.sql."""
from pathlib import Path

from django.db import migrations, models

from themeconfig.platform.sqlfiles import run_sql_file

APP_DIR = Path(__file__).resolve().parent.parent


class Migration(migrations.Migration):
    dependencies = [("themeconfig", "0008_audit_log")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[run_sql_file(APP_DIR, "0009_host_verification")],
            state_operations=[
                migrations.AddField("tenanthost", "verification_status", models.TextField(
                    choices=[("pending", "Pending"), ("verified", "Verified")], default="pending")),
                migrations.AddField("tenanthost", "verification_token_hash",
                                    models.TextField(blank=True, editable=False, null=True)),
                migrations.AddField("tenanthost", "verified_at", models.DateTimeField(blank=True, null=True)),
                migrations.AddField("tenanthost", "verified_by", models.TextField(blank=True, null=True)),
                migrations.AddField("tenanthost", "verification_attempts", models.IntegerField(default=0)),
                migrations.AddField("tenanthost", "verification_checked_at",
                                    models.DateTimeField(blank=True, null=True)),
                migrations.AddField("tenanthost", "verification_next_check_at",
                                    models.DateTimeField(blank=True, null=True)),
                migrations.AddField("tenanthost", "verification_leased_until",
                                    models.DateTimeField(blank=True, null=True)),
                migrations.AddField("tenanthost", "verification_last_error", models.TextField(blank=True, null=True)),
            ],
        ),
    ]
