"""lake: its 6 migrations (0001_initial to 0006_batch_rejected_claims) squashed into one.

Made from the models (`makemigrations`), each model's indexes and constraints inside its
CreateModel: a new database is made from far fewer operations. It `replaces` the migrations,
so a database that applied them all is taken as migrated, and one half way through them goes
on with them; they stay until every installation has migrated past them.
"""

import django.db.models.deletion
import django.db.models.expressions
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ("lake", "0001_initial"),
        ("lake", "0002_batch_warnings_report"),
        ("lake", "0003_batch_test"),
        ("lake", "0004_batch_rejected_reasons"),
        ("lake", "0005_batch_full_file_groups"),
        ("lake", "0006_batch_rejected_claims"),
    ]

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='IngestBatch',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('table', models.CharField(choices=[('eligibility', 'eligibility'), ('medical_claim', 'medical_claim'), ('pharmacy_claim', 'pharmacy_claim'), ('call_record', 'call_record'), ('ivr_session', 'ivr_session'), ('claim_processing', 'claim_processing'), ('inquiry_import', 'inquiry_import'), ('survey_response', 'survey_response')], max_length=32)),
                ('source_name', models.CharField(max_length=255, verbose_name='source file name')),
                ('source_format', models.CharField(max_length=8)),
                ('source_bytes', models.PositiveBigIntegerField(default=0)),
                ('checksum', models.CharField(db_index=True, max_length=64, verbose_name='SHA-256 of the file')),
                ('status', models.CharField(choices=[('running', 'Running'), ('committed', 'Committed'), ('failed', 'Failed'), ('replaced', 'Replaced')], default='running', max_length=12)),
                ('rows_read', models.PositiveBigIntegerField(default=0)),
                ('rows_loaded', models.PositiveBigIntegerField(default=0)),
                ('rows_rejected', models.PositiveBigIntegerField(default=0)),
                ('rejects_path', models.CharField(blank=True, max_length=500, verbose_name='rejects file')),
                ('rejected_reasons', models.JSONField(blank=True, default=list, help_text='Why rows were rejected, grouped with no value in them: [{reason, rows}] (lake.rejects.reason_group).')),
                ('rejected_claims', models.JSONField(blank=True, default=list, help_text='Claim tables only: the rejected lines per sponsor and service month, [{account_id, group_id, month, rows, paid}] (month and paid empty when unreadable), so a report on a period says what it leaves out (lake.rejects.rejected_claim_lines).')),
                ('accounts_created', models.PositiveIntegerField(default=0)),
                ('warnings', models.JSONField(blank=True, default=list, help_text='Values loaded with a warning: [{column, rule, count, examples}].')),
                ('warnings_path', models.CharField(blank=True, max_length=500, verbose_name='warnings file')),
                ('report', models.JSONField(blank=True, default=dict, help_text='What an X12 or FHIR file held and what became of it (acceptance report).')),
                ('full_file_groups', models.JSONField(blank=True, default=list, help_text="Eligibility only: the sponsor groups this file carried as a full file (an 834 transaction set with BGN08 RX or 4): it replaces those sponsors' spans of the same data source loaded from earlier files (lake.staging.enrollment_spans).")),
                ('error', models.TextField(blank=True)),
                ('test', models.BooleanField(default=False, help_text="A test load (e.g. an eligibility test round): its rows are never read by the lake's readers; readiness scores it from its counts and rejects.", verbose_name='test file')),
                ('started_at', models.DateTimeField()),
                ('finished_at', models.DateTimeField(blank=True, null=True)),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('replaces', models.ForeignKey(blank=True, help_text='The earlier batch of the same file that this one replaced (--replace).', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='replaced_by', to='lake.ingestbatch')),
            ],
            options={
                'ordering': ['-started_at', '-id'],
                'indexes': [models.Index(fields=['table', 'status'], name='lake_ingest_table_66a178_idx')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('status', 'committed')), fields=('table', 'checksum', 'test'), name='one_committed_batch_per_file'), models.CheckConstraint(condition=models.Q(('rows_read', django.db.models.expressions.CombinedExpression(models.F('rows_loaded'), '+', models.F('rows_rejected')))), name='batch_rows_add_up')],
            },
        ),
    ]
