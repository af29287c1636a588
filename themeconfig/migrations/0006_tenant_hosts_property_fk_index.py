"""An index for the composite tenant_hosts_property_fk (seed 004: every FK has an index)."""
from pathlib import Path

from django.db import migrations

from themeconfig.platform.sqlfiles import run_sql_file

APP_DIR = Path(__file__).resolve().parent.parent


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction block.
    atomic = False

    dependencies = [("themeconfig", "0005_layout_preset_registry")]

    operations = [run_sql_file(APP_DIR, "0006_tenant_hosts_property_fk_index")]
