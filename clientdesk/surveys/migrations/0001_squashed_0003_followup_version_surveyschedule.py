"""surveys: its 3 migrations (0001_initial to 0003_followup_version_surveyschedule) squashed into one.

Made from the models (`makemigrations`), each model's indexes and constraints inside its
CreateModel: a new database is made from far fewer operations. It `replaces` the migrations,
so a database that applied them all is taken as migrated, and one half way through them goes
on with them; they stay until every installation has migrated past them.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ("surveys", "0001_initial"),
        ("surveys", "0002_import_audience"),
        ("surveys", "0003_followup_version_surveyschedule"),
    ]

    dependencies = [
        ("accounts", "0003_contract_version"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Invitation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('contact_role', models.CharField(blank=True, max_length=24)),
                ('inquiry_id', models.BigIntegerField(blank=True, null=True, unique=True)),
                ('email', models.EmailField(max_length=254)),
                ('language', models.CharField(choices=[('en', 'English'), ('es', 'Español')], default='en', max_length=2)),
                ('status', models.CharField(choices=[('queued', 'Queued'), ('sent', 'Sent'), ('started', 'Started (partly answered)'), ('completed', 'Completed'), ('skipped', 'Not sent')], default='queued', max_length=10)),
                ('skip_reason', models.CharField(blank=True, max_length=120)),
                ('nonce', models.CharField(max_length=64)),
                ('token_hash', models.CharField(max_length=64, unique=True)),
                ('created_at', models.DateTimeField()),
                ('sent_at', models.DateTimeField(blank=True, db_index=True, null=True)),
                ('reminded_at', models.DateTimeField(blank=True, null=True)),
                ('expires_at', models.DateTimeField(blank=True, null=True)),
                ('completed_at', models.DateTimeField(blank=True, null=True)),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='survey_invitations', to='accounts.account')),
                ('associate', models.ForeignKey(blank=True, help_text="The account's lead (or the inquiry's owner) when the invitation was made.", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('contact', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='accounts.contact')),
            ],
            options={
                'ordering': ['-created_at', '-id'],
                'indexes': [models.Index(fields=['email', 'sent_at'], name='survey_inv_email_sent'), models.Index(fields=['account', 'sent_at'], name='survey_inv_account_sent')],
            },
        ),
        migrations.CreateModel(
            name='ResponseImport',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('source_name', models.CharField(max_length=255)),
                ('tool', models.CharField(blank=True, max_length=40)),
                ('mapping', models.JSONField(default=dict)),
                ('kind', models.CharField(choices=[('relationship', 'Relationship (sponsor contacts)'), ('transactional', 'Transactional (after a resolved inquiry)'), ('implementation', 'Implementation (after go-live)')], max_length=16)),
                ('audience', models.CharField(choices=[('sponsor', "The sponsor's people (contacts, brokers)"), ('member', 'Members')], default='sponsor', help_text="Who answered the other tool's survey: members or the sponsor's people.", max_length=8)),
                ('rows_read', models.PositiveIntegerField(default=0)),
                ('loaded', models.PositiveIntegerField(default=0)),
                ('rejected', models.PositiveIntegerField(default=0)),
                ('rejections', models.JSONField(default=list, help_text='[{row, reason}]')),
                ('at', models.DateTimeField()),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-at'],
            },
        ),
        migrations.CreateModel(
            name='Survey',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=200)),
                ('kind', models.CharField(choices=[('relationship', 'Relationship (sponsor contacts)'), ('transactional', 'Transactional (after a resolved inquiry)'), ('implementation', 'Implementation (after go-live)')], max_length=16)),
                ('is_active', models.BooleanField(default=True, verbose_name='active')),
                ('created_at', models.DateTimeField()),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['kind', 'name'],
            },
        ),
        migrations.CreateModel(
            name='SurveyResponse',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('source', models.CharField(choices=[('survey', 'Our survey'), ('import', 'Imported export')], max_length=8)),
                ('external_id', models.CharField(blank=True, max_length=120)),
                ('kind', models.CharField(choices=[('relationship', 'Relationship (sponsor contacts)'), ('transactional', 'Transactional (after a resolved inquiry)'), ('implementation', 'Implementation (after go-live)')], max_length=16)),
                ('contact_role', models.CharField(blank=True, max_length=24)),
                ('answers', models.JSONField(default=dict)),
                ('nps', models.SmallIntegerField(blank=True, null=True)),
                ('csat', models.SmallIntegerField(blank=True, null=True)),
                ('ces', models.SmallIntegerField(blank=True, null=True)),
                ('verbatim', models.TextField(blank=True)),
                ('language', models.CharField(choices=[('en', 'English'), ('es', 'Español')], default='en', max_length=2)),
                ('started_at', models.DateTimeField()),
                ('submitted_at', models.DateTimeField(blank=True, null=True)),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='survey_responses', to='accounts.account')),
                ('associate', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('import_batch', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='responses', to='surveys.responseimport')),
                ('invitation', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='response', to='surveys.invitation')),
                ('survey', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='responses', to='surveys.survey')),
            ],
            options={
                'ordering': ['-submitted_at', '-id'],
                'indexes': [models.Index(fields=['account', 'submitted_at'], name='survey_resp_account_at')],
                'constraints': [models.CheckConstraint(condition=models.Q(('nps__isnull', True), models.Q(('nps__gte', 0), ('nps__lte', 10)), _connector='OR'), name='survey_nps_0_10'), models.CheckConstraint(condition=models.Q(('csat__isnull', True), models.Q(('csat__gte', 1), ('csat__lte', 5)), _connector='OR'), name='survey_csat_1_5'), models.CheckConstraint(condition=models.Q(('ces__isnull', True), models.Q(('ces__gte', 1), ('ces__lte', 7)), _connector='OR'), name='survey_ces_1_7'), models.UniqueConstraint(condition=models.Q(('import_batch__isnull', False), models.Q(('external_id', ''), _negated=True)), fields=('import_batch', 'external_id'), name='one_imported_row_per_external_id')],
            },
        ),
        migrations.CreateModel(
            name='FollowUp',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('status', models.CharField(choices=[('open', 'Open'), ('contacted', 'Contacted'), ('closed', 'Closed')], default='open', max_length=10)),
                ('due', models.DateField()),
                ('opened_at', models.DateTimeField()),
                ('contacted_at', models.DateTimeField(blank=True, null=True)),
                ('closed_at', models.DateTimeField(blank=True, null=True)),
                ('notes', models.TextField(blank=True)),
                ('outcome', models.CharField(blank=True, max_length=200)),
                ('version', models.PositiveIntegerField(default=1, editable=False)),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='survey_follow_ups', to='accounts.account')),
                ('owner', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('response', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='follow_up', to='surveys.surveyresponse')),
            ],
            options={
                'ordering': ['due', 'id'],
                'indexes': [models.Index(fields=['status', 'due'], name='survey_followup_status_due')],
            },
        ),
        migrations.CreateModel(
            name='SurveySend',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('status', models.CharField(choices=[('queued', 'Queued'), ('sent', 'Sent')], default='queued', max_length=8)),
                ('requested_at', models.DateTimeField()),
                ('delivered_at', models.DateTimeField(blank=True, null=True)),
                ('invited', models.PositiveIntegerField(default=0)),
                ('skipped', models.PositiveIntegerField(default=0)),
                ('task_id', models.CharField(blank=True, max_length=64)),
                ('account', models.ForeignKey(blank=True, help_text='Empty for a transactional send across accounts.', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='survey_sends', to='accounts.account')),
                ('requested_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-requested_at'],
            },
        ),
        migrations.CreateModel(
            name='SurveySchedule',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('cadence', models.CharField(choices=[('quarterly', 'Every quarter'), ('half_yearly', 'Twice a year'), ('yearly', 'Once a year')], max_length=12)),
                ('roles', models.JSONField(blank=True, default=list, help_text='Contact roles; empty: all.')),
                ('language', models.CharField(choices=[('en', 'English'), ('es', 'Español')], default='en', max_length=2)),
                ('next_on', models.DateField(verbose_name='next send')),
                ('is_active', models.BooleanField(default=True, verbose_name='active')),
                ('last_run_on', models.DateField(blank=True, null=True)),
                ('last_outcome', models.CharField(blank=True, max_length=200)),
                ('created_at', models.DateTimeField()),
                ('version', models.PositiveIntegerField(default=1, editable=False)),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='survey_schedules', to='accounts.account')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('survey', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='schedules', to='surveys.survey')),
                ('last_send', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='surveys.surveysend')),
            ],
            options={
                'ordering': ['next_on', 'id'],
                'constraints': [models.UniqueConstraint(fields=('survey', 'account'), name='one_schedule_per_survey')],
            },
        ),
        migrations.AddField(
            model_name='invitation',
            name='send',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='invitations', to='surveys.surveysend'),
        ),
        migrations.CreateModel(
            name='SurveyVersion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveIntegerField()),
                ('questions', models.JSONField()),
                ('created_at', models.DateTimeField()),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('survey', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='versions', to='surveys.survey')),
            ],
            options={
                'ordering': ['survey', '-number'],
                'constraints': [models.UniqueConstraint(fields=('survey', 'number'), name='one_survey_version_number')],
            },
        ),
        migrations.AddField(
            model_name='surveysend',
            name='version',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='sends', to='surveys.surveyversion'),
        ),
        migrations.AddField(
            model_name='invitation',
            name='version',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='surveys.surveyversion'),
        ),
        migrations.CreateModel(
            name='Unsubscribe',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('email', models.EmailField(max_length=254, unique=True)),
                ('at', models.DateTimeField()),
                ('invitation', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='surveys.invitation')),
            ],
        ),
    ]
