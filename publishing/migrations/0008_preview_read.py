"""Public preview reads by token through the preview reader role: the DDL is sql/0008_preview_read.sql."""
from pathlib import Path

from django.db import migrations

from themeconfig.platform.sqlfiles import run_sql_file

APP_DIR = Path(__file__).resolve().parent.parent


class Migration(migrations.Migration):
    dependencies = [("publishing", "0007_host_resolution")]

    operations = [run_sql_file(APP_DIR, "0008_preview_read")]
