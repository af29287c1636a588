"""Outbox INSERT policy, idempotency keys per tenant and route under RLS, preview reads through a
SECURITY DEFINER function only: the DDL is sql/0005_write_paths_and_preview.sql."""
from pathlib import Path

from django.db import migrations

from themeconfig.platform.sqlfiles import run_sql_file

APP_DIR = Path(__file__).resolve().parent.parent


class Migration(migrations.Migration):
    dependencies = [("publishing", "0004_outbox_app_insert")]

    operations = [run_sql_file(APP_DIR, "0005_write_paths_and_preview")]
