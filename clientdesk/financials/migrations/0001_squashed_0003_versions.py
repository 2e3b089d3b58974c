"""financials: its 3 migrations (0001_initial to 0003_versions) squashed into one.

Made from the models (`makemigrations`), each model's indexes and constraints inside its
CreateModel: a new database is made from far fewer operations. It `replaces` the migrations,
so a database that applied them all is taken as migrated, and one half way through them goes
on with them; they stay until every installation has migrated past them.
"""

import django.core.validators
import django.db.models.deletion
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ("financials", "0001_initial"),
        ("financials", "0002_budget_members"),
        ("financials", "0003_versions"),
    ]

    dependencies = [
        ("accounts", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='SegmentExpense',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('segment', models.CharField(choices=[('commercial', 'Commercial employer'), ('public_sector', 'Public sector'), ('labor_fund', 'Labor (Taft-Hartley) fund')], max_length=20, unique=True)),
                ('admin_pmpm', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=14, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='admin expense PMPM')),
                ('admin_pepm', models.DecimalField(decimal_places=2, default=Decimal('28.00'), max_digits=14, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='admin expense PEPM')),
                ('version', models.PositiveIntegerField(default=1, editable=False)),
            ],
            options={
                'ordering': ['segment'],
            },
        ),
        migrations.CreateModel(
            name='AccountTerms',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('stop_loss_premium_pepm', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=14, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='stop-loss premium PEPM')),
                ('stop_loss_deductible', models.DecimalField(decimal_places=2, default=Decimal('100000.00'), max_digits=14, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='stop-loss specific deductible')),
                ('vendor_pepm', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=14, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='vendor and pass-through costs PEPM')),
                ('premium_tax_pct', models.DecimalField(decimal_places=2, default=Decimal('2.50'), max_digits=5, validators=[django.core.validators.MinValueValidator(Decimal('0')), django.core.validators.MaxValueValidator(Decimal('50'))], verbose_name='premium taxes and fees %')),
                ('quality_improvement_pct', models.DecimalField(decimal_places=2, default=Decimal('0.80'), max_digits=5, validators=[django.core.validators.MinValueValidator(Decimal('0')), django.core.validators.MaxValueValidator(Decimal('50'))], verbose_name='quality-improvement expense % of premium')),
                ('budget_pmpm', models.DecimalField(blank=True, decimal_places=2, max_digits=10, null=True, verbose_name='budgeted claims PMPM')),
                ('budget_members', models.PositiveIntegerField(blank=True, help_text='The enrollment the budget assumed; empty: the members enrolled (no enrollment variance).', null=True, verbose_name='budgeted average members')),
                ('average_deductible', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=14, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='average deductible (MLR deductible factor)')),
                ('small_group', models.BooleanField(default=False, help_text='Large group: 85 %.', verbose_name='small group (MLR standard 80 %)')),
                ('version', models.PositiveIntegerField(default=1, editable=False)),
                ('account', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='financial_terms', to='accounts.account')),
            ],
        ),
        migrations.CreateModel(
            name='IbnrEstimate',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('as_of', models.DateField()),
                ('method', models.TextField()),
                ('average_periods', models.PositiveIntegerField(blank=True, null=True)),
                ('tail', models.DecimalField(decimal_places=5, default=Decimal('1'), max_digits=8)),
                ('immature_periods', models.PositiveIntegerField(default=3)),
                ('paid_total', models.DecimalField(decimal_places=2, max_digits=16)),
                ('ibnr_total', models.DecimalField(decimal_places=2, max_digits=16)),
                ('ultimate_total', models.DecimalField(decimal_places=2, max_digits=16)),
                ('detail', models.JSONField(default=dict)),
                ('book_figures', models.JSONField(blank=True, default=dict)),
                ('computed_at', models.DateTimeField()),
                ('account', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='ibnr_estimates', to='accounts.account')),
                ('computed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-computed_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='PnlMonth',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField(help_text='First day of the month.')),
                ('funding', models.CharField(max_length=20)),
                ('member_months', models.PositiveIntegerField(default=0)),
                ('subscriber_months', models.PositiveIntegerField(default=0)),
                ('admin_fee_pepm', models.DecimalField(blank=True, decimal_places=2, max_digits=9, null=True)),
                ('premium_pmpm', models.DecimalField(blank=True, decimal_places=2, max_digits=9, null=True)),
                ('admin_fees', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=14)),
                ('stop_loss_premium', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=14)),
                ('premium', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=14)),
                ('paid_claims', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=14)),
                ('ibnr', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=14)),
                ('completion', models.DecimalField(decimal_places=6, default=Decimal('1'), max_digits=8)),
                ('ibnr_method', models.CharField(blank=True, max_length=20)),
                ('stop_loss_claims', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=14)),
                ('penalties', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=14)),
                ('vendor', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=14)),
                ('premium_taxes', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=14)),
                ('admin_expense', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=14)),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='pnl_months', to='accounts.account')),
                ('estimate', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='financials.ibnrestimate')),
            ],
            options={
                'ordering': ['account_id', 'month'],
                'constraints': [models.UniqueConstraint(fields=('account', 'month'), name='one_pnl_per_account_month')],
            },
        ),
    ]
