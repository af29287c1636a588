"""theme_config_ro may run the public resolve read (sql/0027_replica_grants.sql): the resolve cache
fills from the read replica (themeconfig/platform/read_replica.py)."""
from pathlib import Path

from django.db import migrations

from themeconfig.platform.sqlfiles import run_sql_file

APP_DIR = Path(__file__).resolve().parent.parent


class Migration(migrations.Migration):
    dependencies = [("publishing", "0021_export")]

    operations = [run_sql_file(APP_DIR, "0027_replica_grants")]
