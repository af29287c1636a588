# The erasure columns that 0016_export added in SQL, now known to Django's state (the middleware reads
# them with the membership or the API key in one query). No SQL runs.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('themeconfig', '0017_role_labels'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name='tenant',
                    name='erasure_requested_at',
                    field=models.DateTimeField(blank=True, editable=False, null=True),
                ),
                migrations.AddField(
                    model_name='tenant',
                    name='erasure_due_at',
                    field=models.DateTimeField(blank=True, editable=False, null=True),
                ),
            ],
        ),
    ]
