# Labels only ("API", not "Api" in the role filters): Django keeps choices in its state; no SQL runs.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('themeconfig', '0016_export'),
    ]

    operations = [
        migrations.AlterField(
            model_name='apiclient',
            name='role',
            field=models.TextField(choices=[('owner', 'Owner'), ('admin', 'Admin'), ('member', 'Member'), ('viewer', 'Viewer'), ('api', 'API')], default='api'),
        ),
        migrations.AlterField(
            model_name='membership',
            name='role',
            field=models.TextField(choices=[('owner', 'Owner'), ('admin', 'Admin'), ('member', 'Member'), ('viewer', 'Viewer'), ('api', 'API')], default='member'),
        ),
    ]
