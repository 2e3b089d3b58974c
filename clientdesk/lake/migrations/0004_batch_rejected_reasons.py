"""A batch keeps why its rows were rejected, grouped (a reason with its value taken out) with
the number of rows, so the batch page lists them without reading the rejects file."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("lake", "0003_batch_test"),
    ]

    operations = [
        migrations.AddField(
            model_name="ingestbatch",
            name="rejected_reasons",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="Why rows were rejected, grouped with no value in them: [{reason, "
                "rows}] (lake.rejects.reason_group).",
            ),
        ),
    ]
