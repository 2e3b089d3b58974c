from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("lake", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="ingestbatch",
            name="warnings",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="Values loaded with a warning: [{column, rule, count, examples}].",
            ),
        ),
        migrations.AddField(
            model_name="ingestbatch",
            name="warnings_path",
            field=models.CharField(blank=True, max_length=500, verbose_name="warnings file"),
        ),
        migrations.AddField(
            model_name="ingestbatch",
            name="report",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="What an X12 or FHIR file held and what became of it (acceptance report).",
            ),
        ),
    ]
