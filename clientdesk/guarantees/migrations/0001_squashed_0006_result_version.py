"""guarantees: its 6 migrations (0001_initial to 0006_result_version) squashed into one.

Made from the models (`makemigrations`), each model's indexes and constraints inside its
CreateModel: a new database is made from far fewer operations. It `replaces` the migrations,
so a database that applied them all is taken as migrated, and one half way through them goes
on with them; they stay until every installation has migrated past them.

0002_explicit_fee_basis's backfill (the fee basis of existing guarantees) is not carried over: a
squashed migration runs only on a database where none of the migrations it replaces is applied,
so the tables it fills are the ones just made here, empty.
"""

import django.core.validators
import django.db.models.deletion
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ("guarantees", "0001_initial"),
        ("guarantees", "0002_explicit_fee_basis"),
        ("guarantees", "0003_implementation_metrics"),
        ("guarantees", "0004_guarantee_version"),
        ("guarantees", "0005_terms_version"),
        ("guarantees", "0006_result_version"),
    ]

    dependencies = [
        ("accounts", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Guarantee',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('metric', models.CharField(choices=[('average_speed_of_answer', 'Average speed of answer'), ('service_level', 'Service level (% answered within N s)'), ('abandonment_rate', 'Call abandonment rate'), ('first_contact_resolution', 'First-contact resolution'), ('claims_turnaround', 'Claims turnaround (% within N days)'), ('financial_accuracy', 'Financial (dollar) accuracy'), ('payment_accuracy', 'Payment accuracy'), ('procedural_accuracy', 'Procedural (processing) accuracy'), ('auto_adjudication_rate', 'Auto-adjudication (first-pass) rate'), ('ivr_containment', 'IVR containment'), ('eligibility_load_timeliness', 'Eligibility load timeliness (% of files within N business days)'), ('id_card_timeliness', 'ID card timeliness'), ('implementation_id_cards', 'Implementation ID cards mailed ≥ N business days before going live'), ('implementation_milestones', 'Implementation readiness milestones met by their commitment date'), ('reporting_timeliness', 'Reporting timeliness'), ('member_satisfaction', 'Member satisfaction (% satisfied)'), ('sponsor_satisfaction', 'Sponsor satisfaction (mean score, 1-5)'), ('implementation_readiness', 'Implementation readiness (claim and call readiness)'), ('implementation_satisfaction', 'Implementation satisfaction (survey score)')], max_length=40)),
                ('label', models.CharField(blank=True, help_text='As the contract names it.', max_length=120)),
                ('comparator', models.CharField(choices=[('<=', 'at most (≤)'), ('>=', 'at least (≥)')], max_length=2)),
                ('target', models.DecimalField(decimal_places=4, max_digits=12)),
                ('decimals', models.PositiveSmallIntegerField(default=2, help_text='0 for whole seconds, 2 for percentages.', verbose_name='reported to (decimals)')),
                ('threshold', models.PositiveIntegerField(blank=True, help_text='Service level: answered within N seconds; turnaround: within N calendar days; eligibility loads: within N business days.', null=True, verbose_name='N (seconds or days)')),
                ('short_abandon_seconds', models.PositiveSmallIntegerField(default=5, verbose_name='exclude abandons under (seconds)')),
                ('line', models.CharField(choices=[('member', 'Member line'), ('sponsor', 'Sponsor line'), ('*', 'All lines')], default='member', max_length=8, verbose_name='phone line')),
                ('level', models.CharField(choices=[('client', "This sponsor's own data"), ('book_of_business', 'Book of business')], default='client', max_length=20)),
                ('period', models.CharField(choices=[('monthly', 'Monthly'), ('quarterly', 'Quarterly'), ('annual', 'Annual (calendar year)'), ('one_time', 'One-time')], max_length=12)),
                ('measure_from', models.DateField(blank=True, help_text='One-time guarantees.', null=True)),
                ('measure_to', models.DateField(blank=True, help_text='One-time guarantees.', null=True)),
                ('settlement', models.CharField(choices=[('per_period', 'Each period settles; annual reconciliation adds them up'), ('annual_aggregate', 'Periods are interim; the contract year settles')], default='per_period', max_length=20)),
                ('at_risk_basis', models.CharField(choices=[('fixed', 'Fixed amount ($)'), ('pct_of_admin_fees', '% of admin fees (admin fee PEPM × employees)'), ('pct_of_premium', '% of premium (premium PMPM × members)'), ('pepm', 'PEPM × employees ($ per employee per month)')], max_length=20)),
                ('at_risk_value', models.DecimalField(decimal_places=4, max_digits=14, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='at risk')),
                ('schedule', models.CharField(choices=[('all_or_nothing', 'All or nothing'), ('tiers', 'Tiers by result'), ('per_point', 'Per point of shortfall')], default='all_or_nothing', max_length=16)),
                ('tiers', models.JSONField(blank=True, default=list, help_text='[{"at": "34", "pct": "50"}, ...]')),
                ('per_point_amount', models.DecimalField(blank=True, decimal_places=2, max_digits=14, null=True, verbose_name='$ per point of shortfall')),
                ('template', models.CharField(blank=True, max_length=40)),
                ('notes', models.TextField(blank=True, help_text="The contract's wording, exclusions, sources.")),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('version', models.PositiveIntegerField(default=1, editable=False)),
                ('contract', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='guarantees', to='accounts.contract')),
            ],
            options={
                'ordering': ['contract__start_date', 'id'],
                'constraints': [models.CheckConstraint(condition=models.Q(('comparator__in', ['<=', '>='])), name='guarantee_comparator_known'), models.CheckConstraint(condition=models.Q(models.Q(('period', 'one_time'), _negated=True), models.Q(('measure_from__isnull', False), ('measure_to__isnull', False)), _connector='OR'), name='one_time_guarantee_has_dates')],
            },
        ),
        migrations.CreateModel(
            name='GuaranteeAlert',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('period_label', models.CharField(max_length=40)),
                ('status', models.CharField(choices=[('open', 'Open'), ('closed', 'Closed')], default='open', max_length=8)),
                ('threshold', models.DecimalField(decimal_places=4, max_digits=5)),
                ('p_miss_opened', models.DecimalField(decimal_places=4, max_digits=6)),
                ('p_miss_latest', models.DecimalField(decimal_places=4, max_digits=6)),
                ('expected_penalty', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=14)),
                ('opened_as_of', models.DateField()),
                ('latest_as_of', models.DateField()),
                ('opened_at', models.DateTimeField()),
                ('closed_at', models.DateTimeField(blank=True, null=True)),
                ('closed_reason', models.CharField(blank=True, max_length=200)),
                ('guarantee', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='alerts', to='guarantees.guarantee')),
            ],
            options={
                'ordering': ['-opened_at'],
                'constraints': [models.UniqueConstraint(condition=models.Q(('status', 'open')), fields=('guarantee', 'period_label'), name='one_open_alert_per_guarantee_period')],
            },
        ),
        migrations.CreateModel(
            name='GuaranteeForecast',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('period_label', models.CharField(max_length=40)),
                ('span_start', models.DateField()),
                ('span_end', models.DateField()),
                ('as_of', models.DateField()),
                ('p_miss', models.DecimalField(blank=True, decimal_places=4, max_digits=6, null=True)),
                ('expected_penalty', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=14)),
                ('amount_at_risk', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=14)),
                ('observed_actual', models.DecimalField(blank=True, decimal_places=6, max_digits=20, null=True)),
                ('expected_actual', models.DecimalField(blank=True, decimal_places=6, max_digits=20, null=True)),
                ('actual_p10', models.DecimalField(blank=True, decimal_places=6, max_digits=20, null=True)),
                ('actual_p90', models.DecimalField(blank=True, decimal_places=6, max_digits=20, null=True)),
                ('observed_days', models.PositiveIntegerField(default=0)),
                ('remaining_days', models.PositiveIntegerField(default=0)),
                ('simulations', models.PositiveIntegerField(default=0)),
                ('seed', models.BigIntegerField(default=0)),
                ('method', models.CharField(max_length=200)),
                ('computed_at', models.DateTimeField()),
                ('guarantee', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='forecasts', to='guarantees.guarantee')),
            ],
            options={
                'ordering': ['-as_of', 'guarantee_id'],
                'constraints': [models.UniqueConstraint(fields=('guarantee', 'period_label', 'as_of'), name='one_forecast_per_day')],
            },
        ),
        migrations.CreateModel(
            name='GuaranteeResult',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('period', 'Measurement period'), ('settlement', 'Contract-year settlement')], default='period', max_length=12)),
                ('period_label', models.CharField(max_length=40)),
                ('period_start', models.DateField()),
                ('period_end', models.DateField()),
                ('contract_year', models.CharField(max_length=40)),
                ('settles', models.BooleanField(default=True, help_text='False for interim periods of an annual-aggregate guarantee.')),
                ('status', models.CharField(choices=[('provisional', 'Provisional (period not over)'), ('final', 'Final'), ('no_data', 'No data'), ('attested', 'Attested')], max_length=12)),
                ('source', models.CharField(choices=[('lake', 'Computed from the lake'), ('attested', 'Attested with evidence')], max_length=10)),
                ('actual', models.DecimalField(blank=True, decimal_places=6, max_digits=20, null=True)),
                ('numerator', models.DecimalField(blank=True, decimal_places=4, max_digits=24, null=True)),
                ('denominator', models.DecimalField(blank=True, decimal_places=4, max_digits=24, null=True)),
                ('sample_size', models.BigIntegerField(default=0)),
                ('ci_low', models.DecimalField(blank=True, decimal_places=6, max_digits=20, null=True)),
                ('ci_high', models.DecimalField(blank=True, decimal_places=6, max_digits=20, null=True)),
                ('within_noise', models.BooleanField(default=False)),
                ('met', models.BooleanField(null=True)),
                ('amount_at_risk', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=14)),
                ('penalty_pct', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=7)),
                ('penalty', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=14)),
                ('owed', models.DecimalField(blank=True, decimal_places=2, help_text='Settlement rows: after the allocation and pool caps.', max_digits=14, null=True)),
                ('report_due', models.DateField(blank=True, null=True)),
                ('reconciliation_due', models.DateField(blank=True, null=True)),
                ('payment_due', models.DateField(blank=True, null=True)),
                ('inputs_hash', models.CharField(blank=True, max_length=64)),
                ('evidence', models.JSONField(blank=True, default=dict)),
                ('computed_at', models.DateTimeField()),
                ('version', models.PositiveIntegerField(default=1, editable=False)),
                ('attested_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('guarantee', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='results', to='guarantees.guarantee')),
            ],
            options={
                'ordering': ['guarantee_id', 'kind', 'period_start'],
                'indexes': [models.Index(fields=['period_end', 'met'], name='guarantees__period__fd794a_idx')],
                'constraints': [models.UniqueConstraint(fields=('guarantee', 'kind', 'period_label'), name='one_result_per_period')],
            },
        ),
        migrations.CreateModel(
            name='GuaranteeTerms',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('pool_pct_of_fees', models.DecimalField(blank=True, decimal_places=2, help_text='The most the contract year can owe in total. Empty: no pool cap.', max_digits=6, null=True, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name="at-risk pool (% of the contract year's fees)")),
                ('max_share_pct', models.DecimalField(blank=True, decimal_places=2, help_text='e.g. 20: no more than 20 % of the pool on any one standard.', max_digits=6, null=True, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='most any one guarantee may owe (% of the pool)')),
                ('report_lag_days', models.PositiveSmallIntegerField(default=60, verbose_name='report due (days after a period)')),
                ('reconciliation_lag_days', models.PositiveSmallIntegerField(default=60, verbose_name='reconciliation due (days after the contract year)')),
                ('payment_lag_days', models.PositiveSmallIntegerField(default=90, verbose_name='payment due (days after the contract year)')),
                ('version', models.PositiveIntegerField(default=1, editable=False)),
                ('contract', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='guarantee_terms', to='accounts.contract')),
            ],
        ),
    ]
