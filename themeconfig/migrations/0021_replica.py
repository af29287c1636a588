"""theme_config_ro may run the public resolve read (sql/0021_replica.sql): the resolve cache fills
from the read replica. The functions are publishing's (0014_resolve_generation), hence that dependency."""
from pathlib import Path

from django.db import migrations

from themeconfig.platform.sqlfiles import run_sql_file

APP_DIR = Path(__file__).resolve().parent.parent


class Migration(migrations.Migration):
    dependencies = [("themeconfig", "0017_role_labels"), ("publishing", "0014_resolve_generation")]

    operations = [run_sql_file(APP_DIR, "0021_replica")]
