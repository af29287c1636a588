"""The relay's lease on claimed outbox events (locked_until, locked_by): the DDL is sql/0011_outbox_lease.sql."""
from pathlib import Path

from django.db import migrations, models

from themeconfig.platform.sqlfiles import run_sql_file

APP_DIR = Path(__file__).resolve().parent.parent


class Migration(migrations.Migration):
    dependencies = [("publishing", "0010_serving_status_and_verified_hosts")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[run_sql_file(APP_DIR, "0011_outbox_lease")],
            state_operations=[
                migrations.AddField("outboxevent", "locked_until", models.DateTimeField(null=True, blank=True)),
                migrations.AddField("outboxevent", "locked_by", models.TextField(null=True, blank=True)),
            ],
        ),
    ]
