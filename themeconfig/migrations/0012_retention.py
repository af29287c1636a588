"""Retention (seed 000 §8): the audit log's partition drop (sql/0012_retention.sql) and the indexes
the retention worker reads soft-deleted themes and archived versions through.

The indexes are built CONCURRENTLY on tables that are populated in production, so this migration is
not atomic and each index is its own statement (CONCURRENTLY refuses a transaction block); IF NOT
EXISTS (and CREATE OR REPLACE for the function) makes a re-run harmless.
"""
from pathlib import Path

from django.db import migrations

from themeconfig.platform.migration_ops import concurrent_index
from themeconfig.platform.sqlfiles import run_sql_file

APP_DIR = Path(__file__).resolve().parent.parent


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("themeconfig", "0011_host_claims")]

    operations = [
        run_sql_file(APP_DIR, "0012_retention"),
        concurrent_index("themes_deleted_at_idx", "theme_config.themes (deleted_at) WHERE deleted_at IS NOT NULL"),
        concurrent_index(
            "theme_versions_archived_at_idx",
            "theme_config.theme_versions (archived_at) WHERE status = 'archived'",
        ),
    ]
