# Optimistic locking (issue 22): a save from an older version is refused.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("guarantees", "0003_implementation_metrics"),
    ]

    operations = [
        migrations.AddField(
            model_name="guarantee",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False),
        ),
    ]
