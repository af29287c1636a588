"""Retention (seed 000 §8): the queue of bundles of purged themes waiting to leave storage; the DDL
is sql/0016_retention.sql. A table with no model (the retention worker reads it through SQL)."""
from pathlib import Path

from django.db import migrations

from themeconfig.platform.sqlfiles import run_sql_file

APP_DIR = Path(__file__).resolve().parent.parent


class Migration(migrations.Migration):
    dependencies = [("publishing", "0014_resolve_generation")]

    operations = [run_sql_file(APP_DIR, "0016_retention")]
