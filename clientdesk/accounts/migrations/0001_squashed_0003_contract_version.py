"""accounts: its 3 migrations (0001_initial to 0003_contract_version) squashed into one.

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
        ("accounts", "0001_initial"),
        ("accounts", "0002_account_version_contact_version"),
        ("accounts", "0003_contract_version"),
    ]

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Account',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=200)),
                ('group_number', models.CharField(max_length=20, unique=True, validators=[django.core.validators.RegexValidator('^[A-Z0-9][A-Z0-9-]{2,19}$', 'Use 3–20 capital letters, digits or dashes, e.g. G100001.')], verbose_name='sponsor group number')),
                ('segment', models.CharField(choices=[('commercial', 'Commercial employer'), ('public_sector', 'Public sector'), ('labor_fund', 'Labor (Taft-Hartley) fund')], max_length=20)),
                ('funding', models.CharField(choices=[('aso', 'ASO (self-funded)'), ('fully_insured', 'Fully insured')], max_length=20)),
                ('tier', models.CharField(choices=[('key', 'Key account'), ('standard', 'Standard')], default='standard', max_length=12)),
                ('status', models.CharField(choices=[('prospect', 'Prospect'), ('implementation', 'In implementation'), ('active', 'Active'), ('at_risk', 'At risk'), ('terminated', 'Terminated')], default='active', max_length=20)),
                ('employees', models.PositiveIntegerField(default=0, verbose_name='employees (subscribers)')),
                ('members', models.PositiveIntegerField(default=0, verbose_name='covered members')),
                ('state', models.CharField(choices=[('AL', 'AL'), ('AK', 'AK'), ('AZ', 'AZ'), ('AR', 'AR'), ('CA', 'CA'), ('CO', 'CO'), ('CT', 'CT'), ('DE', 'DE'), ('DC', 'DC'), ('FL', 'FL'), ('GA', 'GA'), ('HI', 'HI'), ('ID', 'ID'), ('IL', 'IL'), ('IN', 'IN'), ('IA', 'IA'), ('KS', 'KS'), ('KY', 'KY'), ('LA', 'LA'), ('ME', 'ME'), ('MD', 'MD'), ('MA', 'MA'), ('MI', 'MI'), ('MN', 'MN'), ('MS', 'MS'), ('MO', 'MO'), ('MT', 'MT'), ('NE', 'NE'), ('NV', 'NV'), ('NH', 'NH'), ('NJ', 'NJ'), ('NM', 'NM'), ('NY', 'NY'), ('NC', 'NC'), ('ND', 'ND'), ('OH', 'OH'), ('OK', 'OK'), ('OR', 'OR'), ('PA', 'PA'), ('RI', 'RI'), ('SC', 'SC'), ('SD', 'SD'), ('TN', 'TN'), ('TX', 'TX'), ('UT', 'UT'), ('VT', 'VT'), ('VA', 'VA'), ('WA', 'WA'), ('WV', 'WV'), ('WI', 'WI'), ('WY', 'WY'), ('PR', 'PR')], max_length=2)),
                ('region', models.CharField(choices=[('Northeast', 'Northeast'), ('Midwest', 'Midwest'), ('South', 'South'), ('West', 'West')], max_length=12)),
                ('timezone', models.CharField(choices=[('America/New_York', 'America/New_York'), ('America/Chicago', 'America/Chicago'), ('America/Denver', 'America/Denver'), ('America/Phoenix', 'America/Phoenix'), ('America/Los_Angeles', 'America/Los_Angeles'), ('America/Anchorage', 'America/Anchorage'), ('Pacific/Honolulu', 'Pacific/Honolulu'), ('America/Puerto_Rico', 'America/Puerto_Rico')], default='America/New_York', max_length=40)),
                ('broker', models.CharField(blank=True, max_length=120, verbose_name='broker or consultant')),
                ('effective_date', models.DateField()),
                ('renewal_date', models.DateField()),
                ('special_handling', models.TextField(blank=True, help_text='What everyone serving this account must know (escalation paths, VIPs, reporting preferences).', verbose_name='special handling instructions')),
                ('version', models.PositiveIntegerField(default=1, editable=False)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('parent', models.ForeignKey(blank=True, help_text='The parent sponsor, for a division or a union local.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='children', to='accounts.account')),
            ],
            options={
                'ordering': ['name'],
                'constraints': [models.CheckConstraint(condition=models.Q(('renewal_date__gt', models.F('effective_date'))), name='account_renewal_after_effective'), models.CheckConstraint(condition=models.Q(('parent', models.F('id')), _negated=True), name='account_not_its_own_parent')],
            },
        ),
        migrations.CreateModel(
            name='Assignment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('role', models.CharField(choices=[('lead', 'Lead associate'), ('backup', 'Backup associate'), ('analyst', 'Analyst')], default='lead', max_length=12)),
                ('since', models.DateField()),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='assignments', to='accounts.account')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='assignments', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['role', 'user__last_name'],
                'constraints': [models.UniqueConstraint(fields=('account', 'user'), name='one_assignment_per_user'), models.UniqueConstraint(condition=models.Q(('role', 'lead')), fields=('account',), name='one_lead_per_account')],
            },
        ),
        migrations.CreateModel(
            name='Contact',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=120)),
                ('title', models.CharField(blank=True, max_length=120)),
                ('role', models.CharField(choices=[('benefits_manager', 'Benefits manager'), ('hr_director', 'HR director'), ('union_trustee', 'Union trustee'), ('fund_administrator', 'Fund administrator'), ('cfo', 'CFO / finance'), ('broker', 'Broker or consultant'), ('other', 'Other')], max_length=24)),
                ('email', models.EmailField(blank=True, max_length=254)),
                ('phone', models.CharField(blank=True, max_length=30, validators=[django.core.validators.RegexValidator('^[0-9+().\\- x]{7,30}$', 'Enter a phone number.')])),
                ('is_primary', models.BooleanField(default=False, verbose_name='primary contact')),
                ('notes', models.TextField(blank=True)),
                ('version', models.PositiveIntegerField(default=1, editable=False)),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='contacts', to='accounts.account')),
            ],
            options={
                'ordering': ['-is_primary', 'name'],
                'constraints': [models.UniqueConstraint(condition=models.Q(('is_primary', True)), fields=('account',), name='one_primary_contact_per_account')],
            },
        ),
        migrations.CreateModel(
            name='ActivityEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('occurred_at', models.DateTimeField(db_index=True)),
                ('kind', models.CharField(choices=[('meeting', 'Meeting'), ('visit', 'Onsite visit'), ('call', 'Call'), ('email', 'E-mail'), ('note', 'Note'), ('change', 'Account change'), ('data_load', 'Data load'), ('inquiry', 'Inquiry'), ('guarantee', 'Performance guarantee'), ('issue', 'Emerging issue'), ('report', 'Report')], max_length=16)),
                ('subject', models.CharField(max_length=200)),
                ('body', models.TextField(blank=True)),
                ('source_type', models.CharField(blank=True, max_length=64)),
                ('source_id', models.CharField(blank=True, max_length=64)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='activity', to='accounts.account')),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('contacts', models.ManyToManyField(blank=True, related_name='activity', to='accounts.contact')),
            ],
            options={
                'ordering': ['-occurred_at', '-id'],
                'indexes': [models.Index(fields=['account', '-occurred_at'], name='accounts_ac_account_527720_idx')],
            },
        ),
        migrations.CreateModel(
            name='Contract',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.CharField(max_length=40, unique=True, verbose_name='contract number')),
                ('start_date', models.DateField()),
                ('end_date', models.DateField()),
                ('products', models.JSONField(default=list, help_text='Product codes (see Product).')),
                ('admin_fee_pepm', models.DecimalField(blank=True, decimal_places=2, max_digits=9, null=True, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='admin fee PEPM')),
                ('premium_pmpm', models.DecimalField(blank=True, decimal_places=2, max_digits=9, null=True, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='premium PMPM')),
                ('version', models.PositiveIntegerField(default=1, editable=False)),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='contracts', to='accounts.account')),
            ],
            options={
                'ordering': ['-start_date'],
                'constraints': [models.CheckConstraint(condition=models.Q(('end_date__gt', models.F('start_date'))), name='contract_end_after_start'), models.CheckConstraint(condition=models.Q(('admin_fee_pepm__isnull', True), ('admin_fee_pepm__gte', 0), _connector='OR'), name='contract_admin_fee_not_negative'), models.CheckConstraint(condition=models.Q(('premium_pmpm__isnull', True), ('premium_pmpm__gte', 0), _connector='OR'), name='contract_premium_not_negative')],
            },
        ),
    ]
