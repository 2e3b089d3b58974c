"""reports: its 2 migrations (0001_initial to 0002_run_edition) squashed into one.

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
        ("reports", "0001_initial"),
        ("reports", "0002_run_edition"),
    ]

    dependencies = [
        ("accounts", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ReportRun',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('stewardship', 'Stewardship report'), ('portfolio', 'Portfolio report')], max_length=12)),
                ('period', models.CharField(help_text='Period code, e.g. 2026Q2.', max_length=24)),
                ('formats', models.JSONField(default=list)),
                ('edition', models.CharField(choices=[('client', 'For the sponsor'), ('internal', 'For the account team')], default='client', max_length=8)),
                ('requested_at', models.DateTimeField()),
                ('status', models.CharField(choices=[('queued', 'Queued'), ('running', 'Running'), ('done', 'Done'), ('failed', 'Failed')], default='queued', max_length=8)),
                ('progress', models.PositiveSmallIntegerField(default=0, help_text='Percent done.')),
                ('step', models.CharField(blank=True, max_length=120)),
                ('started_at', models.DateTimeField(blank=True, null=True)),
                ('finished_at', models.DateTimeField(blank=True, null=True)),
                ('error', models.TextField(blank=True)),
                ('files', models.JSONField(default=list, help_text='[{format, name, size}] once done.')),
                ('task_id', models.CharField(blank=True, max_length=64)),
                ('account', models.ForeignKey(blank=True, help_text='Empty for a portfolio report.', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='report_runs', to='accounts.account')),
                ('requested_by', models.ForeignKey(blank=True, help_text='Empty for a run from the CLI without --user (it sees every account).', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='report_runs', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-requested_at', '-id'],
                'indexes': [models.Index(fields=['account', '-requested_at'], name='reports_rep_account_c205f9_idx')],
            },
        ),
        migrations.CreateModel(
            name='ReportSchedule',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=120)),
                ('kind', models.CharField(choices=[('stewardship', 'Stewardship report'), ('portfolio', 'Portfolio report')], max_length=12)),
                ('cadence', models.CharField(choices=[('monthly', 'Monthly (the month before)'), ('quarterly', 'Quarterly (the quarter before)'), ('yearly', 'Yearly (the year before)')], default='quarterly', max_length=10)),
                ('formats', models.JSONField(default=list)),
                ('recipients', models.TextField(help_text='E-mail addresses, comma or newline separated.')),
                ('next_run_on', models.DateField()),
                ('active', models.BooleanField(default=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('account', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='report_schedules', to='accounts.account')),
                ('last_run', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='reports.reportrun')),
                ('owner', models.ForeignKey(help_text="The report runs with this person's access.", on_delete=django.db.models.deletion.PROTECT, related_name='report_schedules', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['next_run_on', 'id'],
            },
        ),
        migrations.AddField(
            model_name='reportrun',
            name='schedule',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='runs', to='reports.reportschedule'),
        ),
    ]
