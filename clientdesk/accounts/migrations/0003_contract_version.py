# Optimistic locking (issue 22): a save from an older version is refused.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_account_version_contact_version"),
    ]

    operations = [
        migrations.AddField(
            model_name="contract",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False),
        ),
    ]
