"""The request role may append to the outbox (INSERT only), so events commit with their use case."""
from pathlib import Path

from django.db import migrations

from themeconfig.platform.sqlfiles import run_sql_file

APP_DIR = Path(__file__).resolve().parent.parent


class Migration(migrations.Migration):
    dependencies = [("publishing", "0003_read_models")]

    operations = [run_sql_file(APP_DIR, "0004_outbox_app_insert")]
