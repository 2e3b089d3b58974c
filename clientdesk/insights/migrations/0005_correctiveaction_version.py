# Optimistic locking (issue 22): a save from an older version is refused.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("insights", "0004_version"),
    ]

    operations = [
        migrations.AddField(
            model_name="correctiveaction",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False),
        ),
    ]
