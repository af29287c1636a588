"""Tenant erasure's grace period and the operators' audit (sql/0016_export.sql). No model: the
erasure use cases read and write these columns and the table through SQL on the service connection."""
from pathlib import Path

from django.db import migrations

from themeconfig.platform.sqlfiles import run_sql_file

APP_DIR = Path(__file__).resolve().parent.parent


class Migration(migrations.Migration):
    dependencies = [("themeconfig", "0014_encryption")]

    operations = [run_sql_file(APP_DIR, "0016_export")]
