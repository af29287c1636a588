"""The resolve cache's commit-ordered generation, bumped at the commit of every change to
host_resolution and read with each answer: the DDL is sql/0014_resolve_generation.sql."""
from pathlib import Path

from django.db import migrations

from themeconfig.platform.sqlfiles import run_sql_file

APP_DIR = Path(__file__).resolve().parent.parent


class Migration(migrations.Migration):
    dependencies = [("publishing", "0012_idempotency_caller")]

    # A table with no model (one counter, read and bumped through SQL functions only).
    operations = [run_sql_file(APP_DIR, "0014_resolve_generation")]
