"""insights: its 5 migrations (0001_initial to 0005_correctiveaction_version) squashed into one.

Made from the models (`makemigrations`), each model's indexes and constraints inside its
CreateModel: a new database is made from far fewer operations. It `replaces` the migrations,
so a database that applied them all is taken as migrated, and one half way through them goes
on with them; they stay until every installation has migrated past them.

0002_problem_inquiry_links's backfill (inquiry links from the old JSON list) is not carried
over: a squashed migration runs only on a database where none of the migrations it replaces is
applied, so the tables it fills are the ones just made here, empty.
"""

import django.db.models.deletion
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ("insights", "0001_initial"),
        ("insights", "0002_problem_inquiry_links"),
        ("insights", "0003_problem_linked_dollars_suppressed"),
        ("insights", "0004_version"),
        ("insights", "0005_correctiveaction_version"),
    ]

    dependencies = [
        ("accounts", "0001_initial"),
        ("inquiries", "0002_default_sla_policies"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='DetectionRun',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('as_of', models.DateField()),
                ('since', models.DateField()),
                ('started_at', models.DateTimeField()),
                ('seconds', models.FloatField(default=0)),
                ('series', models.PositiveIntegerField(default=0)),
                ('series_days', models.PositiveIntegerField(default=0)),
                ('alerts', models.PositiveIntegerField(default=0)),
                ('issues_created', models.PositiveIntegerField(default=0)),
                ('issues_updated', models.PositiveIntegerField(default=0)),
                ('settings', models.JSONField(default=dict)),
                ('thresholds', models.JSONField(default=dict, help_text='Per family and volume band.')),
                ('dispersion', models.JSONField(default=dict)),
            ],
            options={
                'ordering': ['-started_at'],
            },
        ),
        migrations.CreateModel(
            name='Problem',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=200)),
                ('status', models.CharField(choices=[('open', 'Open'), ('root_cause', 'Finding the root cause'), ('fixing', 'Corrective actions under way'), ('monitoring', 'Fixed, watching the metric'), ('verified', 'Verified back to normal'), ('reopened', 'Reopened: not back to normal'), ('closed', 'Closed without a fix')], default='open', max_length=12)),
                ('description', models.TextField(blank=True)),
                ('evidence', models.TextField(blank=True, help_text='The detection evidence, in plain words.')),
                ('root_cause_category', models.CharField(blank=True, choices=[('people', 'People'), ('process', 'Process'), ('system_configuration', 'System / configuration'), ('policy', 'Policy'), ('provider', 'Provider'), ('vendor', 'Vendor'), ('sponsor_data', 'Sponsor data')], max_length=24)),
                ('root_cause', models.TextField(blank=True)),
                ('whys', models.JSONField(blank=True, default=list, help_text='The five whys, in order.')),
                ('opened_at', models.DateTimeField()),
                ('affected_members', models.PositiveIntegerField(default=0)),
                ('affected_claims', models.PositiveIntegerField(default=0)),
                ('affected_dollars', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=14)),
                ('affected_inquiries', models.PositiveIntegerField(default=0, help_text='Inquiries linked to this problem.')),
                ('linked_members', models.PositiveIntegerField(default=0)),
                ('linked_claims', models.PositiveIntegerField(default=0)),
                ('linked_dollars', models.DecimalField(decimal_places=2, default=Decimal('0'), help_text='Billed charges of the claims the linked inquiries are about; empty when suppressed (a book-level problem whose claims are about fewer than 11 members).', max_digits=14, null=True)),
                ('sponsor_summary', models.TextField(blank=True, verbose_name='summary for the sponsor')),
                ('watch_family', models.CharField(blank=True, max_length=32)),
                ('watch_dimension', models.JSONField(blank=True, default=dict)),
                ('fix_date', models.DateField(blank=True, null=True)),
                ('verify_days', models.PositiveIntegerField(default=14, help_text='Days in a row within control limits that verify the fix.')),
                ('last_checked_on', models.DateField(blank=True, null=True)),
                ('days_in_control', models.PositiveIntegerField(default=0)),
                ('verified_on', models.DateField(blank=True, null=True)),
                ('reopened_count', models.PositiveIntegerField(default=0)),
                ('check_result', models.JSONField(blank=True, default=dict)),
                ('training_topic', models.CharField(blank=True, max_length=200)),
                ('version', models.PositiveIntegerField(default=1, editable=False)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('account', models.ForeignKey(blank=True, help_text='Empty for a book-level problem.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='problems', to='accounts.account')),
                ('opened_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('owner', models.ForeignKey(blank=True, help_text='The service-operations partner who owns the fix.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='owned_problems', to=settings.AUTH_USER_MODEL)),
                ('watch_account', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='accounts.account')),
            ],
            options={
                'ordering': ['-opened_at', '-id'],
                'constraints': [models.CheckConstraint(condition=models.Q(('verify_days__gte', 1)), name='problem_verify_days_positive')],
            },
        ),
        migrations.CreateModel(
            name='EmergingIssue',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('fingerprint', models.CharField(max_length=300, unique=True)),
                ('family', models.CharField(max_length=32)),
                ('cause_key', models.CharField(blank=True, max_length=200)),
                ('dimension', models.JSONField(default=dict)),
                ('title', models.CharField(max_length=200)),
                ('summary', models.TextField()),
                ('estimated_start', models.DateField()),
                ('first_alert_date', models.DateField(db_index=True)),
                ('last_alert_date', models.DateField()),
                ('alert_days', models.PositiveIntegerField(default=1)),
                ('observed', models.FloatField()),
                ('expected', models.FloatField()),
                ('p_value', models.FloatField()),
                ('detectors', models.JSONField(default=list)),
                ('series', models.JSONField(default=list, help_text='Member series with their totals.')),
                ('contributors', models.JSONField(default=list, help_text='Ranked by excess.')),
                ('evidence', models.JSONField(default=dict, help_text='Daily observed, expected and limit.')),
                ('affected', models.JSONField(default=dict)),
                ('affected_members', models.PositiveIntegerField(default=0)),
                ('affected_claims', models.PositiveIntegerField(default=0)),
                ('affected_dollars', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=14)),
                ('guarantees_at_risk', models.JSONField(default=list)),
                ('theme', models.CharField(blank=True, max_length=200)),
                ('status', models.CharField(choices=[('new', 'New'), ('problem', 'Problem opened'), ('dismissed', 'Dismissed')], default='new', max_length=12)),
                ('detected_at', models.DateTimeField()),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('account', models.ForeignKey(blank=True, help_text='Empty for a book-level issue.', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='emerging_issues', to='accounts.account')),
                ('run', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='issues', to='insights.detectionrun')),
                ('problem', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='issues', to='insights.problem')),
            ],
            options={
                'ordering': ['-first_alert_date', '-id'],
                'indexes': [models.Index(fields=['account', '-first_alert_date'], name='insights_em_account_d9d5b1_idx')],
            },
        ),
        migrations.CreateModel(
            name='CorrectiveAction',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('description', models.CharField(max_length=300)),
                ('due_date', models.DateField()),
                ('status', models.CharField(choices=[('planned', 'Planned'), ('in_progress', 'In progress'), ('done', 'Done'), ('cancelled', 'Cancelled')], default='planned', max_length=12)),
                ('completed_on', models.DateField(blank=True, null=True)),
                ('notes', models.TextField(blank=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('version', models.PositiveIntegerField(default=1, editable=False)),
                ('owner', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='corrective_actions', to=settings.AUTH_USER_MODEL)),
                ('problem', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='actions', to='insights.problem')),
            ],
            options={
                'ordering': ['due_date', 'id'],
            },
        ),
    ]
