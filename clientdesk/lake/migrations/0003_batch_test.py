"""A batch may be a test load: kept for readiness, never read by the lake's readers. The same
file may be committed once as a test and once for production."""

from django.db import migrations, models
from django.db.models import Q


class Migration(migrations.Migration):
    dependencies = [
        ("lake", "0002_batch_warnings_report"),
    ]

    operations = [
        migrations.AddField(
            model_name="ingestbatch",
            name="test",
            field=models.BooleanField(
                default=False,
                help_text="A test load (e.g. an eligibility test round): its rows are never "
                "read by the lake's readers; readiness scores it from its counts and rejects.",
                verbose_name="test file",
            ),
        ),
        migrations.RemoveConstraint(
            model_name="ingestbatch",
            name="one_committed_batch_per_file",
        ),
        migrations.AddConstraint(
            model_name="ingestbatch",
            constraint=models.UniqueConstraint(
                condition=Q(status="committed"),
                fields=("table", "checksum", "test"),
                name="one_committed_batch_per_file",
            ),
        ),
    ]
