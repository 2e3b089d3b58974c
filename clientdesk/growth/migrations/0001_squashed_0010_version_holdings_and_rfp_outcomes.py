"""growth: its 10 migrations (0001_initial to 0010_version_holdings_and_rfp_outcomes) squashed into one.

Made from the models (`makemigrations`), each model's indexes and constraints inside its
CreateModel: a new database is made from far fewer operations. It `replaces` the migrations,
so a database that applied them all is taken as migrated, and one half way through them goes
on with them; they stay until every installation has migrated past them.

It seeds the product catalogue and suggestion rules as 0002_catalogue did, and makes the
answer library's full-text search as 0003_library_search and 0004_library_search_vector left it
(per database vendor).
"""

import django.core.validators
import django.db.models.deletion
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


def seed_catalogue(apps, schema_editor):
    """The product catalogue and the default suggestion rules (growth/catalogue.py), from
    0002_catalogue."""
    from clientdesk.growth.catalogue import CATALOGUE, DEFAULT_RULES

    product_model = apps.get_model("growth", "Product")
    rule_model = apps.get_model("growth", "SuggestionRule")
    products = {}
    for code, name, family, basis, price, contract_code, description in CATALOGUE:
        products[code], _ = product_model.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "family": family,
                "basis": basis,
                "list_price": Decimal(price),
                "contract_code": contract_code,
                "description": description,
            },
        )
    for name, measure, comparison, threshold, product, rationale in DEFAULT_RULES:
        rule_model.objects.get_or_create(
            name=name,
            defaults={
                "measure": measure,
                "comparison": comparison,
                "threshold": threshold,
                "product": products[product],
                "rationale": rationale,
            },
        )


# Full-text search over the answer library (growth/library.py queries both), as 0003_library_search
# and 0004_library_search_vector left it: on SQLite an FTS5 table kept by triggers; on PostgreSQL
# the text search vector in a stored generated column (question weighted A, answer B) with a GIN
# index (0003's expression index, which 0004 dropped again, is not made).
LIBRARY_SEARCH = {
    "sqlite": [
        "CREATE VIRTUAL TABLE growth_library_fts USING fts5(question, answer, "
        "content='growth_libraryanswer', content_rowid='id', tokenize='porter unicode61')",
        "CREATE TRIGGER growth_library_fts_ai AFTER INSERT ON growth_libraryanswer BEGIN "
        "INSERT INTO growth_library_fts(rowid, question, answer) "
        "VALUES (new.id, new.question, new.answer); END",
        "CREATE TRIGGER growth_library_fts_ad AFTER DELETE ON growth_libraryanswer BEGIN "
        "INSERT INTO growth_library_fts(growth_library_fts, rowid, question, answer) "
        "VALUES ('delete', old.id, old.question, old.answer); END",
        "CREATE TRIGGER growth_library_fts_au AFTER UPDATE ON growth_libraryanswer BEGIN "
        "INSERT INTO growth_library_fts(growth_library_fts, rowid, question, answer) "
        "VALUES ('delete', old.id, old.question, old.answer); "
        "INSERT INTO growth_library_fts(rowid, question, answer) "
        "VALUES (new.id, new.question, new.answer); END",
    ],
    "postgresql": [
        "ALTER TABLE growth_libraryanswer ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
        "(setweight(to_tsvector('english', question), 'A') || "
        "setweight(to_tsvector('english', answer), 'B')) STORED",
        "CREATE INDEX growth_library_search ON growth_libraryanswer USING GIN (search_vector)",
    ],
}
LIBRARY_SEARCH_DROP = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS growth_library_fts_au",
        "DROP TRIGGER IF EXISTS growth_library_fts_ad",
        "DROP TRIGGER IF EXISTS growth_library_fts_ai",
        "DROP TABLE IF EXISTS growth_library_fts",
    ],
    "postgresql": [
        "DROP INDEX IF EXISTS growth_library_search",
        "ALTER TABLE growth_libraryanswer DROP COLUMN IF EXISTS search_vector",
    ],
}


def _run(statements):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ("growth", "0001_initial"),
        ("growth", "0002_catalogue"),
        ("growth", "0003_library_search"),
        ("growth", "0004_library_search_vector"),
        ("growth", "0005_question_due"),
        ("growth", "0006_vendor_participants"),
        ("growth", "0007_versions"),
        ("growth", "0008_rule_version"),
        ("growth", "0009_lead_version"),
        ("growth", "0010_version_holdings_and_rfp_outcomes"),
    ]

    dependencies = [
        ("accounts", "0002_account_version_contact_version"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Product',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.SlugField(max_length=40, unique=True)),
                ('name', models.CharField(max_length=120)),
                ('family', models.CharField(choices=[('medical', 'Medical'), ('pharmacy', 'Pharmacy'), ('dental', 'Dental'), ('vision', 'Vision'), ('behavioral', 'Behavioral health'), ('stop_loss', 'Stop-loss'), ('care', 'Disease and care management'), ('wellness', 'Wellness'), ('eap', 'EAP'), ('point_solution', 'Point solution')], max_length=20)),
                ('basis', models.CharField(choices=[('pepm', 'per employee per month'), ('pmpm', 'per member per month')], default='pepm', max_length=4)),
                ('list_price', models.DecimalField(decimal_places=2, max_digits=9, validators=[django.core.validators.MinValueValidator(Decimal('0'))])),
                ('contract_code', models.CharField(blank=True, max_length=20)),
                ('description', models.TextField(blank=True)),
                ('active', models.BooleanField(default=True)),
            ],
            options={
                'ordering': ['family', 'name'],
            },
        ),
        migrations.CreateModel(
            name='Vendor',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=120, unique=True)),
                ('kind', models.CharField(choices=[('point_solution', 'Point solution'), ('pbm', 'PBM carve-out'), ('eap', 'EAP'), ('stop_loss', 'Stop-loss carrier')], max_length=16)),
                ('notes', models.TextField(blank=True)),
            ],
            options={
                'ordering': ['name'],
            },
        ),
        migrations.CreateModel(
            name='Lead',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('company', models.CharField(max_length=200)),
                ('contact_name', models.CharField(max_length=120)),
                ('contact_email', models.EmailField(blank=True, max_length=254)),
                ('contact_phone', models.CharField(blank=True, max_length=30)),
                ('need', models.TextField()),
                ('size', models.PositiveIntegerField(default=0, verbose_name='employees')),
                ('source', models.CharField(choices=[('sponsor', 'Sponsor conversation'), ('broker', 'Broker'), ('subsidiary', 'Subsidiary'), ('visit', 'Prospect met on a visit')], max_length=12)),
                ('status', models.CharField(choices=[('passed', 'Passed to sales'), ('accepted', 'Accepted'), ('contacted', 'Contacted'), ('converted', 'Converted'), ('rejected', 'Rejected')], default='passed', max_length=10)),
                ('reason', models.CharField(blank=True, max_length=200)),
                ('passed_at', models.DateTimeField()),
                ('first_contact_at', models.DateTimeField(blank=True, null=True)),
                ('closed_at', models.DateTimeField(blank=True, null=True)),
                ('version', models.PositiveIntegerField(default=1, editable=False)),
                ('account', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='accounts.account')),
                ('passed_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('sales_owner', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-passed_at', '-id'],
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('status', 'rejected'), _negated=True), models.Q(('reason', ''), _negated=True), _connector='OR'), name='rejected_lead_has_reason')],
            },
        ),
        migrations.CreateModel(
            name='LeadChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField()),
                ('status', models.CharField(choices=[('passed', 'Passed to sales'), ('accepted', 'Accepted'), ('contacted', 'Contacted'), ('converted', 'Converted'), ('rejected', 'Rejected')], max_length=10)),
                ('note', models.CharField(blank=True, max_length=200)),
                ('by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('lead', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='changes', to='growth.lead')),
            ],
            options={
                'ordering': ['at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='Opportunity',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('cross_sell', 'Cross-sell'), ('renewal', 'Renewal'), ('new_business', 'New business')], default='cross_sell', max_length=14)),
                ('stage', models.CharField(choices=[('identified', 'Identified'), ('qualified', 'Qualified'), ('proposed', 'Proposed'), ('negotiating', 'Negotiating'), ('won', 'Won'), ('lost', 'Lost')], default='identified', max_length=12)),
                ('annual_value', models.DecimalField(decimal_places=2, max_digits=14)),
                ('value_basis', models.CharField(blank=True, max_length=120)),
                ('probability', models.PositiveSmallIntegerField(help_text="Percent; the stage's default.", validators=[django.core.validators.MaxValueValidator(100)])),
                ('expected_close', models.DateField()),
                ('next_step', models.CharField(blank=True, max_length=200)),
                ('reason', models.CharField(blank=True, help_text='Why it was won or lost.', max_length=200)),
                ('created_at', models.DateTimeField()),
                ('closed_at', models.DateTimeField(blank=True, null=True)),
                ('version', models.PositiveIntegerField(default=1, editable=False)),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.account')),
                ('owner', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('product', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='opportunities', to='growth.product')),
            ],
            options={
                'ordering': ['expected_close', 'id'],
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('stage', 'lost'), _negated=True), models.Q(('reason', ''), _negated=True), _connector='OR'), name='lost_opportunity_has_reason')],
            },
        ),
        migrations.CreateModel(
            name='OpportunityChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField()),
                ('stage', models.CharField(choices=[('identified', 'Identified'), ('qualified', 'Qualified'), ('proposed', 'Proposed'), ('negotiating', 'Negotiating'), ('won', 'Won'), ('lost', 'Lost')], max_length=12)),
                ('annual_value', models.DecimalField(decimal_places=2, max_digits=14)),
                ('probability', models.PositiveSmallIntegerField()),
                ('expected_close', models.DateField()),
                ('by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('opportunity', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='changes', to='growth.opportunity')),
            ],
            options={
                'ordering': ['at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='ParticipantList',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('source_name', models.CharField(max_length=200)),
                ('source_format', models.CharField(max_length=4)),
                ('rows_read', models.PositiveIntegerField()),
                ('rejections', models.JSONField(default=list)),
                ('imported_at', models.DateTimeField()),
                ('imported_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-imported_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='Participant',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('member_id', models.CharField(max_length=40)),
                ('enrolled_on', models.DateField()),
                ('ended_on', models.DateField(blank=True, null=True)),
                ('roster', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='participants', to='growth.participantlist')),
            ],
            options={
                'ordering': ['enrolled_on', 'id'],
                'constraints': [models.UniqueConstraint(fields=('roster', 'member_id'), name='one_row_per_participant')],
            },
        ),
        migrations.CreateModel(
            name='LibraryAnswer',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('question', models.TextField()),
                ('answer', models.TextField()),
                ('last_reviewed', models.DateField()),
                ('review_due', models.DateField(help_text='Reviewed again by this date; past it, flagged.')),
                ('created_at', models.DateTimeField()),
                ('owner', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('product', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='growth.product')),
            ],
            options={
                'ordering': ['-last_reviewed', 'id'],
            },
        ),
        migrations.CreateModel(
            name='Holding',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('status', models.CharField(choices=[('held', 'Held'), ('declined', 'Declined')], max_length=10)),
                ('since', models.DateField()),
                ('note', models.CharField(blank=True, max_length=200)),
                ('version', models.PositiveIntegerField(default=1, editable=False)),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.account')),
                ('product', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='holdings', to='growth.product')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('account', 'product'), name='one_holding_per_product')],
            },
        ),
        migrations.CreateModel(
            name='Rfp',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=200)),
                ('issuer', models.CharField(max_length=200)),
                ('consultant', models.CharField(blank=True, max_length=200)),
                ('intent_due', models.DateField(blank=True, null=True)),
                ('questions_due', models.DateField(blank=True, null=True)),
                ('final_due', models.DateField()),
                ('status', models.CharField(choices=[('open', 'Open'), ('submitted', 'Submitted'), ('won', 'Won'), ('lost', 'Lost'), ('withdrawn', 'Withdrawn')], default='open', max_length=10)),
                ('outcome_reason', models.CharField(blank=True, max_length=200)),
                ('competitor', models.CharField(blank=True, max_length=120)),
                ('source_name', models.CharField(max_length=200)),
                ('source_format', models.CharField(max_length=4)),
                ('source_file', models.BinaryField()),
                ('created_at', models.DateTimeField()),
                ('version', models.PositiveIntegerField(default=1, editable=False)),
                ('account', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='accounts.account')),
                ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['final_due', 'id'],
            },
        ),
        migrations.CreateModel(
            name='RfpSection',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=200)),
                ('position', models.PositiveIntegerField()),
                ('due', models.DateField(blank=True, null=True)),
                ('approved_at', models.DateTimeField(blank=True, null=True)),
                ('approved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('rfp', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='sections', to='growth.rfp')),
            ],
            options={
                'ordering': ['position'],
            },
        ),
        migrations.CreateModel(
            name='RfpQuestion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('position', models.PositiveIntegerField()),
                ('number', models.CharField(blank=True, max_length=20)),
                ('text', models.TextField()),
                ('location', models.JSONField(default=dict)),
                ('answer', models.TextField(blank=True)),
                ('suggestions', models.JSONField(default=list)),
                ('due', models.DateField(blank=True, null=True)),
                ('answered_at', models.DateTimeField(blank=True, null=True)),
                ('version', models.PositiveIntegerField(default=1, editable=False)),
                ('assignee', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('from_library', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='growth.libraryanswer')),
                ('rfp', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='questions', to='growth.rfp')),
                ('section', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='questions', to='growth.rfpsection')),
            ],
            options={
                'ordering': ['position'],
            },
        ),
        migrations.CreateModel(
            name='SuggestionRule',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=120)),
                ('measure', models.CharField(choices=[('diabetes_per_1000', 'Members with diabetes per 1,000 employees'), ('cardio_per_1000', 'Members with heart failure, CAD or COPD per 1,000 employees'), ('behavioral_per_1000', 'Members with depression or anxiety per 1,000 employees'), ('specialty_rx_share', 'Specialty drugs, % of pharmacy paid'), ('ed_visits_per_1000', 'Emergency department visits per 1,000'), ('paid_pmpm', 'Paid PMPM (medical + pharmacy)'), ('benefits_inquiry_rise', 'Benefits inquiries, % change vs prior')], max_length=30)),
                ('comparison', models.CharField(choices=[('gt', 'above'), ('gte', 'at or above'), ('lt', 'below')], default='gt', max_length=3)),
                ('threshold', models.DecimalField(decimal_places=2, max_digits=12)),
                ('also_measure', models.CharField(blank=True, choices=[('diabetes_per_1000', 'Members with diabetes per 1,000 employees'), ('cardio_per_1000', 'Members with heart failure, CAD or COPD per 1,000 employees'), ('behavioral_per_1000', 'Members with depression or anxiety per 1,000 employees'), ('specialty_rx_share', 'Specialty drugs, % of pharmacy paid'), ('ed_visits_per_1000', 'Emergency department visits per 1,000'), ('paid_pmpm', 'Paid PMPM (medical + pharmacy)'), ('benefits_inquiry_rise', 'Benefits inquiries, % change vs prior')], max_length=30)),
                ('also_threshold', models.DecimalField(blank=True, decimal_places=2, max_digits=12, null=True)),
                ('rationale', models.TextField(blank=True)),
                ('active', models.BooleanField(default=True)),
                ('version', models.PositiveIntegerField(default=1, editable=False)),
                ('product', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='rules', to='growth.product')),
            ],
            options={
                'ordering': ['name'],
            },
        ),
        migrations.CreateModel(
            name='Suggestion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('evidence', models.JSONField(default=dict)),
                ('evidence_key', models.CharField(max_length=200)),
                ('status', models.CharField(choices=[('open', 'Open'), ('converted', 'Turned into an opportunity'), ('dismissed', 'Dismissed')], default='open', max_length=10)),
                ('reason', models.CharField(blank=True, max_length=200)),
                ('found_at', models.DateTimeField()),
                ('decided_at', models.DateTimeField(blank=True, null=True)),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.account')),
                ('opportunity', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='growth.opportunity')),
                ('rule', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='suggestions', to='growth.suggestionrule')),
            ],
            options={
                'ordering': ['-found_at', 'id'],
                'constraints': [models.UniqueConstraint(fields=('account', 'rule', 'evidence_key'), name='one_suggestion_per_evidence')],
            },
        ),
        migrations.CreateModel(
            name='VendorContract',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('services', models.CharField(max_length=200)),
                ('fee_basis', models.CharField(choices=[('pepm', 'PEPM'), ('per_case', 'per case'), ('pct_savings', '% of savings')], max_length=12)),
                ('reference_fee', models.DecimalField(decimal_places=2, help_text="The vendor's list fee, or the prior fee.", max_digits=10)),
                ('reference_is_prior', models.BooleanField(default=False)),
                ('negotiated_fee', models.DecimalField(decimal_places=2, max_digits=10)),
                ('volume', models.PositiveIntegerField(help_text='Employees covered (PEPM) or cases a year (per case).')),
                ('start_date', models.DateField()),
                ('end_date', models.DateField()),
                ('guarantees', models.TextField(blank=True, help_text='Performance and savings guarantees.')),
                ('savings_claim', models.CharField(blank=True, max_length=200)),
                ('claimed_savings_pmpm', models.DecimalField(blank=True, decimal_places=2, help_text="What the vendor says it saves per participant per month (its own report); checked against the account's claims once its participant list is imported.", max_digits=10, null=True, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='claimed savings PMPM')),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.account')),
                ('vendor', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='contracts', to='growth.vendor')),
            ],
            options={
                'ordering': ['end_date', 'id'],
                'constraints': [models.CheckConstraint(condition=models.Q(('end_date__gt', models.F('start_date'))), name='vendor_contract_end_after_start')],
            },
        ),
        migrations.CreateModel(
            name='SavingsCheck',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('through', models.DateField(help_text='The last month of claims the follow-up counts.')),
                ('measured_pmpm', models.DecimalField(decimal_places=2, max_digits=10, null=True)),
                ('measured_total', models.DecimalField(decimal_places=2, max_digits=14, null=True)),
                ('figures', models.JSONField(default=dict)),
                ('method', models.TextField()),
                ('measured_at', models.DateTimeField()),
                ('measured_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('roster', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='growth.participantlist')),
                ('contract', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='savings_checks', to='growth.vendorcontract')),
            ],
            options={
                'ordering': ['-measured_at', '-id'],
            },
        ),
        migrations.AddField(
            model_name='participantlist',
            name='contract',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='participant_lists', to='growth.vendorcontract'),
        ),
        migrations.CreateModel(
            name='NegotiationEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('on', models.DateField()),
                ('kind', models.CharField(choices=[('ask', 'Ask'), ('offer', 'Offer'), ('concession', 'Concession')], max_length=10)),
                ('text', models.CharField(max_length=300)),
                ('fee', models.DecimalField(blank=True, decimal_places=2, max_digits=10, null=True)),
                ('by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('contract', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='log', to='growth.vendorcontract')),
            ],
            options={
                'ordering': ['on', 'id'],
            },
        ),
        migrations.RunPython(seed_catalogue, migrations.RunPython.noop),
        migrations.RunPython(_run(LIBRARY_SEARCH), _run(LIBRARY_SEARCH_DROP)),
    ]
