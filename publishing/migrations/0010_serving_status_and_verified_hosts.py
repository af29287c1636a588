"""Host resolution serves only active themes (and, with themeconfig 0009, verified hosts): the DDL is
sql/0010_serving_status_and_verified_hosts.sql."""
from pathlib import Path

from django.db import migrations

from themeconfig.platform.sqlfiles import run_sql_file

APP_DIR = Path(__file__).resolve().parent.parent


class Migration(migrations.Migration):
    dependencies = [("publishing", "0009_outbox_relay"), ("themeconfig", "0009_host_verification")]

    operations = [run_sql_file(APP_DIR, "0010_serving_status_and_verified_hosts")]
