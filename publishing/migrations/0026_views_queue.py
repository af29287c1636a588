"""The seed's views' refresh lag (commit -> refreshed), kept in read_model_refresh_state for the
metrics: the DDL is sql/0026_views_queue.sql. The table has no model, so no state changes."""
from pathlib import Path

from django.db import migrations

from themeconfig.platform.sqlfiles import run_sql_file

APP_DIR = Path(__file__).resolve().parent.parent


class Migration(migrations.Migration):
    dependencies = [("publishing", "0023_publish_requests")]

    operations = [run_sql_file(APP_DIR, "0026_views_queue")]
