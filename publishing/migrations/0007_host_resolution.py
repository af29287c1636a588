"""The incrementally maintained host → bundle read model and the public resolve function: the DDL
is sql/0007_host_resolution.sql."""
from pathlib import Path

from django.db import migrations, models

from themeconfig.platform.sqlfiles import run_sql_file

APP_DIR = Path(__file__).resolve().parent.parent


class Migration(migrations.Migration):
    dependencies = [("publishing", "0006_publish_jobs")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[run_sql_file(APP_DIR, "0007_host_resolution")],
            state_operations=[
                migrations.CreateModel(
                    name="HostResolution",
                    fields=[
                        ("host", models.TextField(primary_key=True, serialize=False)),
                        ("tenant_id", models.TextField()),
                        ("theme_id", models.TextField()),
                        ("publication_id", models.TextField()),
                        ("theme_version_id", models.TextField()),
                        ("bundle_url", models.TextField()),
                        ("bundle_sha256", models.TextField()),
                        ("published_at", models.DateTimeField()),
                        ("synced_at", models.DateTimeField()),
                    ],
                    options={"db_table": 'theme_config"."host_resolution', "managed": False},
                ),
            ],
        ),
    ]
