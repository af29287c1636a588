"""API clients are called API keys everywhere (admin headings, breadcrumbs, messages): model state only,
no SQL. Numbered 0010 because 0009 is taken on another branch; the lead re-chains on merge."""
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("themeconfig", "0009_host_verification")]

    operations = [
        migrations.AlterModelOptions(
            name="apiclient",
            options={"ordering": ["created_at"], "verbose_name": "API key", "verbose_name_plural": "API keys"},
        ),
    ]
