"""strategy: its 3 migrations (0001_initial to 0003_version_calls_weights_stakeholders_visits) squashed into one.

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
        ("strategy", "0001_initial"),
        ("strategy", "0002_objective_version"),
        ("strategy", "0003_version_calls_weights_stakeholders_visits"),
    ]

    dependencies = [
        ("accounts", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='AccountPlan',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField()),
                ('status', models.CharField(choices=[('draft', 'Draft'), ('approved', 'Approved'), ('closed', 'Closed')], default='draft', max_length=10)),
                ('challenges', models.TextField(blank=True, verbose_name="the sponsor's business challenges")),
                ('sponsor_objectives', models.TextField(blank=True, verbose_name="the sponsor's objectives, in their words")),
                ('strategy', models.TextField(blank=True, verbose_name='our strategy')),
                ('version', models.PositiveIntegerField(default=1)),
                ('approved_at', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='strategic_plans', to='accounts.account')),
                ('approved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['account', '-year'],
                'constraints': [models.UniqueConstraint(fields=('account', 'year'), name='one_plan_per_account_year')],
            },
        ),
        migrations.CreateModel(
            name='CallToAction',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('rule_key', models.CharField(max_length=60)),
                ('cause_key', models.CharField(max_length=200)),
                ('title', models.CharField(max_length=200)),
                ('reason', models.TextField()),
                ('urgency', models.CharField(choices=[('low', 'Low'), ('normal', 'Normal'), ('high', 'High')], default='normal', max_length=8)),
                ('due', models.DateField(blank=True, null=True)),
                ('status', models.CharField(choices=[('open', 'Open'), ('done', 'Done'), ('dismissed', 'Dismissed')], default='open', max_length=10)),
                ('url', models.CharField(blank=True, max_length=300)),
                ('opened_at', models.DateTimeField()),
                ('last_found_at', models.DateTimeField()),
                ('times_found', models.PositiveIntegerField(default=1)),
                ('closed_at', models.DateTimeField(blank=True, null=True)),
                ('close_note', models.TextField(blank=True)),
                ('version', models.PositiveIntegerField(default=1, editable=False)),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='calls_to_action', to='accounts.account')),
                ('closed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('owner', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['due', '-opened_at', 'id'],
                'indexes': [models.Index(fields=['status', 'account'], name='cta_status_account')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('status', 'open')), fields=('account', 'rule_key', 'cause_key'), name='one_open_call_per_cause')],
            },
        ),
        migrations.CreateModel(
            name='CallTask',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('position', models.PositiveSmallIntegerField()),
                ('text', models.CharField(max_length=300)),
                ('done', models.BooleanField(default=False)),
                ('done_at', models.DateTimeField(blank=True, null=True)),
                ('done_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('call', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='tasks', to='strategy.calltoaction')),
            ],
            options={
                'ordering': ['position', 'id'],
            },
        ),
        migrations.CreateModel(
            name='Directive',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('team', models.CharField(choices=[('claims', 'Claims'), ('eligibility', 'Eligibility'), ('pharmacy', 'Pharmacy'), ('member_services', 'Member services'), ('service_operations', 'Service operations')], max_length=20)),
                ('kind', models.CharField(choices=[('special_handling', 'Special handling'), ('escalation_contact', 'Escalation contact'), ('do_not', 'Do not'), ('communication', 'Communication preference')], max_length=20)),
                ('text', models.TextField()),
                ('effective_from', models.DateField()),
                ('effective_to', models.DateField(blank=True, null=True)),
                ('version', models.PositiveIntegerField(default=1)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='directives', to='accounts.account')),
                ('written_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['account', 'team', '-effective_from', 'id'],
            },
        ),
        migrations.CreateModel(
            name='DirectiveAcknowledgement',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('version', models.PositiveIntegerField()),
                ('at', models.DateTimeField()),
                ('directive', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='acknowledgements', to='strategy.directive')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('directive', 'user', 'version'), name='one_ack_per_directive_version')],
            },
        ),
        migrations.CreateModel(
            name='HealthOverride',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('band', models.CharField(choices=[('poor', 'Poor'), ('fair', 'Fair'), ('good', 'Good')], max_length=6)),
                ('note', models.TextField()),
                ('expires_on', models.DateField()),
                ('set_at', models.DateTimeField()),
                ('cleared_at', models.DateTimeField(blank=True, null=True)),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='health_overrides', to='accounts.account')),
                ('set_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-set_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='HealthSnapshot',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('score', models.PositiveSmallIntegerField(blank=True, null=True)),
                ('band', models.CharField(blank=True, choices=[('poor', 'Poor'), ('fair', 'Fair'), ('good', 'Good')], max_length=6)),
                ('measures', models.JSONField(default=dict)),
                ('change', models.SmallIntegerField(blank=True, null=True)),
                ('explanation', models.TextField(blank=True)),
                ('computed_at', models.DateTimeField()),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='health_snapshots', to='accounts.account')),
            ],
            options={
                'ordering': ['account', '-day'],
                'indexes': [models.Index(fields=['day', 'account'], name='health_day_account')],
                'constraints': [models.UniqueConstraint(fields=('account', 'day'), name='one_health_snapshot_per_day')],
            },
        ),
        migrations.CreateModel(
            name='HealthWeights',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('segment', models.CharField(blank=True, max_length=20, unique=True)),
                ('weights', models.JSONField(default=dict, help_text='{"sla_attainment": 15, ...}')),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('version', models.PositiveIntegerField(default=1, editable=False)),
                ('updated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
        ),
        migrations.CreateModel(
            name='Objective',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=200)),
                ('measure_key', models.CharField(blank=True, max_length=60)),
                ('manual_value', models.DecimalField(blank=True, decimal_places=2, max_digits=14, null=True)),
                ('manual_source', models.CharField(blank=True, max_length=200)),
                ('target', models.DecimalField(decimal_places=2, max_digits=14)),
                ('better', models.CharField(choices=[('higher', 'Higher is better'), ('lower', 'Lower is better')], default='higher', max_length=6)),
                ('due', models.DateField(blank=True, null=True)),
                ('status', models.CharField(choices=[('on_track', 'On track'), ('at_risk', 'At risk'), ('off_track', 'Off track'), ('no_value', 'No value yet')], default='no_value', max_length=10)),
                ('value', models.FloatField(blank=True, null=True)),
                ('value_detail', models.CharField(blank=True, max_length=300)),
                ('version', models.PositiveIntegerField(default=1)),
                ('owner', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('plan', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='objectives', to='strategy.accountplan')),
            ],
            options={
                'ordering': ['plan', 'due', 'id'],
            },
        ),
        migrations.CreateModel(
            name='ObjectiveReading',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('value', models.FloatField(blank=True, null=True)),
                ('status', models.CharField(choices=[('on_track', 'On track'), ('at_risk', 'At risk'), ('off_track', 'Off track'), ('no_value', 'No value yet')], max_length=10)),
                ('objective', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='readings', to='strategy.objective')),
            ],
            options={
                'ordering': ['objective', '-day'],
                'constraints': [models.UniqueConstraint(fields=('objective', 'day'), name='one_reading_per_day')],
            },
        ),
        migrations.CreateModel(
            name='PlanNeed',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('need', 'Need'), ('want', 'Want')], max_length=4)),
                ('text', models.CharField(max_length=300)),
                ('source', models.CharField(max_length=200)),
                ('noted_on', models.DateField()),
                ('plan', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='needs', to='strategy.accountplan')),
            ],
            options={
                'ordering': ['-noted_on', 'id'],
            },
        ),
        migrations.CreateModel(
            name='Stakeholder',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('influence', models.CharField(choices=[('decision_maker', 'Decision maker'), ('influencer', 'Influencer'), ('user', 'User'), ('blocker', 'Blocker')], max_length=16)),
                ('sentiment', models.CharField(choices=[('positive', 'Positive'), ('neutral', 'Neutral'), ('negative', 'Negative')], default='neutral', max_length=10)),
                ('cadence_days', models.PositiveSmallIntegerField(blank=True, help_text='A touch is due this many days after the last one.', null=True)),
                ('version', models.PositiveIntegerField(default=1, editable=False)),
                ('contact', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='stakeholder', to='accounts.contact')),
                ('our_owner', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
        ),
        migrations.CreateModel(
            name='Visit',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('purpose', models.CharField(max_length=200)),
                ('starts_on', models.DateField()),
                ('ends_on', models.DateField()),
                ('location', models.CharField(blank=True, max_length=200)),
                ('outcome', models.TextField(blank=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('version', models.PositiveIntegerField(default=1, editable=False)),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='visits', to='accounts.account')),
                ('attendees', models.ManyToManyField(blank=True, related_name='visits', to='accounts.contact')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-starts_on', '-id'],
            },
        ),
    ]
