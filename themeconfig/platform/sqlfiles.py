"""Loads an app's raw SQL (`<app>/sql/NNNN_name.sql` and its `.down.sql` reverse) for migrations."""
from pathlib import Path

from django.db import migrations


def sql_file(app_dir: str | Path, name: str) -> str:
    return (Path(app_dir) / "sql" / name).read_text(encoding="utf-8")


def run_sql_file(app_dir: str | Path, name: str) -> migrations.RunSQL:
    """RunSQL for `sql/<name>.sql`, reversed by `sql/<name>.down.sql`."""
    return migrations.RunSQL(sql=sql_file(app_dir, f"{name}.sql"), reverse_sql=sql_file(app_dir, f"{name}.down.sql"))
