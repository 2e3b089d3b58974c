"""inquiries: its 5 migrations (0001_initial to 0005_routing_rule_version) squashed into one.

Made from the models (`makemigrations`), each model's indexes and constraints inside its
CreateModel: a new database is made from far fewer operations. It `replaces` the migrations,
so a database that applied them all is taken as migrated, and one half way through them goes
on with them; they stay until every installation has migrated past them.

It seeds the default SLA policies as 0002_default_sla_policies did.
"""

import clientdesk.inquiries.models
import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


# The starting SLA policies (business hours), from 0002_default_sla_policies. Managers change
# them on the SLA policies page.
DEFAULT_SLA_POLICIES = [
    # name, tier, category, priority, first response h, resolution h
    ("Standard", "", "", "", "8", "40"),
    ("Low priority", "", "", "low", "16", "80"),
    ("High priority", "", "", "high", "4", "16"),
    ("Urgent", "", "", "urgent", "1", "8"),
    ("Key account", "key", "", "", "4", "24"),
    ("Key account, urgent", "key", "", "urgent", "0.5", "4"),
]


def create_default_sla_policies(apps, schema_editor):
    SlaPolicy = apps.get_model("inquiries", "SlaPolicy")
    for name, tier, category, priority, first, resolution in DEFAULT_SLA_POLICIES:
        SlaPolicy.objects.get_or_create(
            tier=tier,
            category=category,
            priority=priority,
            is_active=True,
            defaults={
                "name": name,
                "first_response_hours": Decimal(first),
                "resolution_hours": Decimal(resolution),
            },
        )


def remove_default_sla_policies(apps, schema_editor):
    SlaPolicy = apps.get_model("inquiries", "SlaPolicy")
    for name, tier, category, priority, _first, _resolution in DEFAULT_SLA_POLICIES:
        SlaPolicy.objects.filter(name=name, tier=tier, category=category, priority=priority).delete()


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ("inquiries", "0001_initial"),
        ("inquiries", "0002_default_sla_policies"),
        ("inquiries", "0003_escalation_version"),
        ("inquiries", "0004_sla_policy_version"),
        ("inquiries", "0005_routing_rule_version"),
    ]

    dependencies = [
        ("accounts", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='AccountEscalation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=200)),
                ('reason', models.TextField(verbose_name='what is wrong')),
                ('severity', models.CharField(choices=[('low', 'Low'), ('medium', 'Medium'), ('high', 'High'), ('critical', 'Critical')], default='high', max_length=8)),
                ('status', models.CharField(choices=[('open', 'Open'), ('monitoring', 'Monitoring'), ('resolved', 'Resolved')], default='open', max_length=12)),
                ('raised_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('resolved_at', models.DateTimeField(blank=True, null=True)),
                ('resolution', models.TextField(blank=True)),
                ('version', models.PositiveIntegerField(default=1, editable=False)),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='escalations', to='accounts.account')),
                ('owner', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='owned_escalations', to=settings.AUTH_USER_MODEL)),
                ('raised_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-raised_at', '-id'],
                'indexes': [models.Index(fields=['account', 'status'], name='escalation_account_status')],
            },
        ),
        migrations.CreateModel(
            name='Competence',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('category', models.CharField(choices=[('claims', 'Claims'), ('eligibility_enrollment', 'Eligibility and enrollment'), ('id_cards', 'ID cards'), ('benefits', 'Benefits'), ('pharmacy', 'Pharmacy'), ('provider_network', 'Provider network'), ('billing_fees', 'Billing and fees'), ('reports', 'Reports'), ('other', 'Other')], max_length=32)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='inquiry_competences', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('user', 'category'), name='one_competence_per_category')],
            },
        ),
        migrations.CreateModel(
            name='EscalationNote',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField(default=django.utils.timezone.now)),
                ('body', models.TextField(verbose_name='progress note')),
                ('author', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('escalation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notes', to='inquiries.accountescalation')),
            ],
            options={
                'ordering': ['at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='Inquiry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('requester_type', models.CharField(choices=[('member', "Member (on the member's behalf)"), ('sponsor', 'Plan-sponsor contact'), ('broker', 'Broker or consultant')], max_length=8)),
                ('member_reference', models.CharField(blank=True, max_length=40, validators=[django.core.validators.RegexValidator('^[A-Za-z0-9][A-Za-z0-9-]{2,39}$', 'Use 3-40 letters, digits or dashes (the member ID).')], verbose_name='member ID')),
                ('broker_name', models.CharField(blank=True, max_length=120, verbose_name='broker or consultant')),
                ('channel', models.CharField(choices=[('phone', 'Phone'), ('email', 'E-mail'), ('portal', 'Portal'), ('onsite', 'Onsite')], max_length=8)),
                ('category', models.CharField(choices=[('claims', 'Claims'), ('eligibility_enrollment', 'Eligibility and enrollment'), ('id_cards', 'ID cards'), ('benefits', 'Benefits'), ('pharmacy', 'Pharmacy'), ('provider_network', 'Provider network'), ('billing_fees', 'Billing and fees'), ('reports', 'Reports'), ('other', 'Other')], max_length=32)),
                ('subcategory', models.CharField(blank=True, max_length=40)),
                ('priority', models.CharField(choices=[('low', 'Low'), ('normal', 'Normal'), ('high', 'High'), ('urgent', 'Urgent')], default='normal', max_length=8)),
                ('subject', models.CharField(max_length=200)),
                ('description', models.TextField(blank=True)),
                ('claim_ids', models.JSONField(blank=True, default=list, verbose_name='related claim IDs')),
                ('call_ids', models.JSONField(blank=True, default=list, verbose_name='related call IDs')),
                ('status', models.CharField(choices=[('new', 'New'), ('open', 'Open'), ('waiting_on_sponsor', 'Waiting on sponsor'), ('waiting_on_service_ops', 'Waiting on service operations'), ('resolved', 'Resolved'), ('closed', 'Closed')], default='new', max_length=24)),
                ('assigned_by', models.CharField(blank=True, max_length=16, verbose_name='how the owner was chosen')),
                ('resolution_code', models.CharField(blank=True, choices=[('answered', 'Answered: information given'), ('claim_reprocessed', 'Claim reprocessed'), ('eligibility_corrected', 'Eligibility corrected'), ('id_card_reissued', 'ID card reissued'), ('record_corrected', 'Other record corrected'), ('referred', 'Referred to another team'), ('no_action', 'No action needed'), ('withdrawn', 'Withdrawn by the requester'), ('duplicate', 'Duplicate (merged)'), ('other', 'Other')], max_length=24)),
                ('resolution_summary', models.TextField(blank=True)),
                ('opened_at', models.DateTimeField()),
                ('first_responded_at', models.DateTimeField(blank=True, null=True)),
                ('resolved_at', models.DateTimeField(blank=True, null=True)),
                ('closed_at', models.DateTimeField(blank=True, null=True)),
                ('problem_id', models.BigIntegerField(blank=True, db_index=True, null=True)),
                ('external_id', models.CharField(blank=True, max_length=64, null=True, unique=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('version', models.PositiveIntegerField(default=1)),
                ('sla_state', models.CharField(choices=[('none', 'No SLA'), ('running', 'Running'), ('paused', 'Paused'), ('met', 'Met'), ('breached', 'Breached')], default='none', max_length=8)),
                ('first_response_due_at', models.DateTimeField(blank=True, null=True)),
                ('resolution_due_at', models.DateTimeField(blank=True, null=True)),
                ('sla_due_at', models.DateTimeField(blank=True, help_text='The next deadline of a running clock.', null=True)),
                ('sla_at_risk_at', models.DateTimeField(blank=True, null=True)),
                ('sla_computed_at', models.DateTimeField(blank=True, null=True)),
                ('account', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='inquiries', to='accounts.account')),
                ('contact', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='inquiries', to='accounts.contact', verbose_name='sponsor contact')),
                ('created_by', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('merged_into', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='duplicates', to='inquiries.inquiry')),
                ('owner', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='owned_inquiries', to=settings.AUTH_USER_MODEL)),
                ('watchers', models.ManyToManyField(blank=True, related_name='watched_inquiries', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name_plural': 'inquiries',
                'ordering': ['-opened_at', '-id'],
                'indexes': [models.Index(fields=['opened_at', 'category', 'account'], name='inq_opened_cat_acct'), models.Index(fields=['account', 'opened_at'], name='inq_account_opened'), models.Index(fields=['status', 'owner', 'opened_at'], name='inq_status_owner_opened'), models.Index(fields=['owner', 'status', 'sla_due_at'], name='inq_owner_status_due'), models.Index(fields=['owner', 'opened_at'], name='inq_owner_opened'), models.Index(fields=['category', 'opened_at'], name='inq_category_opened'), models.Index(fields=['priority', 'opened_at'], name='inq_priority_opened'), models.Index(fields=['sla_state', 'sla_due_at'], name='inq_sla_state_due'), models.Index(fields=['status', 'sla_state', 'sla_due_at'], name='inq_status_sla_due'), models.Index(fields=['status', 'category', 'opened_at'], name='inq_status_cat_opened')],
            },
        ),
        migrations.CreateModel(
            name='InquiryAttachment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('file', models.FileField(max_length=255, storage=clientdesk.inquiries.models.attachment_storage, upload_to=clientdesk.inquiries.models.attachment_path)),
                ('original_name', models.CharField(max_length=200)),
                ('content_type', models.CharField(max_length=100)),
                ('size', models.PositiveIntegerField()),
                ('uploaded_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('inquiry', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attachments', to='inquiries.inquiry')),
                ('uploaded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['uploaded_at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='InquiryEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField(default=django.utils.timezone.now)),
                ('kind', models.CharField(choices=[('created', 'Opened'), ('imported', 'Imported'), ('updated', 'Details changed'), ('assigned', 'Assigned'), ('watching', 'Watchers changed'), ('attachment', 'Attachment added'), ('merged_into', 'Merged into another inquiry'), ('merged_from', 'A duplicate was merged in'), ('escalated', 'Reassigned after an SLA breach')], max_length=16)),
                ('summary', models.CharField(max_length=255)),
                ('detail', models.JSONField(blank=True, default=dict)),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('inquiry', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='inquiries.inquiry')),
            ],
            options={
                'ordering': ['at', 'id'],
                'indexes': [models.Index(fields=['inquiry', 'at'], name='inq_event_at')],
            },
        ),
        migrations.CreateModel(
            name='InquiryImport',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('source', models.CharField(blank=True, max_length=255)),
                ('at', models.DateTimeField(default=django.utils.timezone.now)),
                ('rows_read', models.PositiveIntegerField(default=0)),
                ('created', models.PositiveIntegerField(default=0)),
                ('already_present', models.PositiveIntegerField(default=0)),
                ('rejected', models.PositiveIntegerField(default=0)),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-at'],
            },
        ),
        migrations.AddField(
            model_name='inquiry',
            name='import_batch',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='inquiries', to='inquiries.inquiryimport'),
        ),
        migrations.CreateModel(
            name='InquiryNote',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('visibility', models.CharField(choices=[('internal', 'Internal note'), ('customer', 'Note to the customer')], default='internal', max_length=8)),
                ('body', models.TextField()),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('emailed_to', models.CharField(blank=True, max_length=254)),
                ('author', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('inquiry', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notes', to='inquiries.inquiry')),
                ('moved_from', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='inquiries.inquiry')),
            ],
            options={
                'ordering': ['created_at', 'id'],
                'indexes': [models.Index(fields=['inquiry', 'created_at'], name='inq_note_created')],
            },
        ),
        migrations.CreateModel(
            name='InquiryStatusChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('from_status', models.CharField(blank=True, choices=[('new', 'New'), ('open', 'Open'), ('waiting_on_sponsor', 'Waiting on sponsor'), ('waiting_on_service_ops', 'Waiting on service operations'), ('resolved', 'Resolved'), ('closed', 'Closed')], max_length=24)),
                ('to_status', models.CharField(choices=[('new', 'New'), ('open', 'Open'), ('waiting_on_sponsor', 'Waiting on sponsor'), ('waiting_on_service_ops', 'Waiting on service operations'), ('resolved', 'Resolved'), ('closed', 'Closed')], max_length=24)),
                ('at', models.DateTimeField()),
                ('reason', models.CharField(blank=True, max_length=200)),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('inquiry', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='status_changes', to='inquiries.inquiry')),
            ],
            options={
                'ordering': ['at', 'id'],
                'indexes': [models.Index(fields=['inquiry', 'at'], name='inq_status_change_at')],
            },
        ),
        migrations.CreateModel(
            name='RoutingRule',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('method', models.CharField(choices=[('least_loaded', 'Least loaded on the account team'), ('round_robin', 'Round robin over the account team'), ('account_team', 'Account team: the lead first'), ('manual', 'Leave in the queue')], max_length=16)),
                ('use_competence', models.BooleanField(default=False, help_text='Falls back to the whole team when no one on it is competent.', verbose_name='only associates competent in the category')),
                ('version', models.PositiveIntegerField(default=1, editable=False)),
                ('account', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='routing_rule', to='accounts.account')),
            ],
        ),
        migrations.CreateModel(
            name='SlaOutcomeDay',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('dimension', models.CharField(choices=[('owner', 'Associate'), ('account', 'Account'), ('category', 'Category')], max_length=8)),
                ('key', models.CharField(help_text='User id, account id or category code.', max_length=32)),
                ('metric', models.CharField(choices=[('first_response', 'First response'), ('resolution', 'Resolution')], max_length=16)),
                ('kind', models.CharField(choices=[('at_risk', 'At risk'), ('breached', 'Breached'), ('met', 'Met'), ('escalated', 'Reassigned after breach')], max_length=10)),
                ('count', models.PositiveIntegerField()),
            ],
            options={
                'indexes': [models.Index(fields=['day', 'dimension', 'key', 'metric', 'kind', 'count'], name='sla_outcome_day')],
            },
        ),
        migrations.CreateModel(
            name='SlaPolicy',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100)),
                ('tier', models.CharField(blank=True, choices=[('key', 'Key account'), ('standard', 'Standard')], max_length=12)),
                ('category', models.CharField(blank=True, choices=[('claims', 'Claims'), ('eligibility_enrollment', 'Eligibility and enrollment'), ('id_cards', 'ID cards'), ('benefits', 'Benefits'), ('pharmacy', 'Pharmacy'), ('provider_network', 'Provider network'), ('billing_fees', 'Billing and fees'), ('reports', 'Reports'), ('other', 'Other')], max_length=32)),
                ('priority', models.CharField(blank=True, choices=[('low', 'Low'), ('normal', 'Normal'), ('high', 'High'), ('urgent', 'Urgent')], max_length=8)),
                ('first_response_hours', models.DecimalField(decimal_places=2, max_digits=6, validators=[django.core.validators.MinValueValidator(Decimal('0.25'))], verbose_name='first response (business hours)')),
                ('resolution_hours', models.DecimalField(decimal_places=2, max_digits=6, validators=[django.core.validators.MinValueValidator(Decimal('0.25'))], verbose_name='resolution (business hours)')),
                ('is_active', models.BooleanField(default=True, verbose_name='active')),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('version', models.PositiveIntegerField(default=1, editable=False)),
            ],
            options={
                'verbose_name_plural': 'SLA policies',
                'ordering': ['tier', 'category', 'priority', 'id'],
                'constraints': [models.UniqueConstraint(condition=models.Q(('is_active', True)), fields=('tier', 'category', 'priority'), name='one_active_sla_policy_per_scope'), models.CheckConstraint(condition=models.Q(('resolution_hours__gte', models.F('first_response_hours'))), name='sla_resolution_not_before_response')],
            },
        ),
        migrations.CreateModel(
            name='SlaEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('category', models.CharField(choices=[('claims', 'Claims'), ('eligibility_enrollment', 'Eligibility and enrollment'), ('id_cards', 'ID cards'), ('benefits', 'Benefits'), ('pharmacy', 'Pharmacy'), ('provider_network', 'Provider network'), ('billing_fees', 'Billing and fees'), ('reports', 'Reports'), ('other', 'Other')], max_length=32)),
                ('priority', models.CharField(choices=[('low', 'Low'), ('normal', 'Normal'), ('high', 'High'), ('urgent', 'Urgent')], max_length=8)),
                ('metric', models.CharField(choices=[('first_response', 'First response'), ('resolution', 'Resolution')], max_length=16)),
                ('kind', models.CharField(choices=[('at_risk', 'At risk'), ('breached', 'Breached'), ('met', 'Met'), ('escalated', 'Reassigned after breach')], max_length=10)),
                ('due_at', models.DateTimeField()),
                ('occurred_at', models.DateTimeField()),
                ('recorded_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('target_minutes', models.PositiveIntegerField()),
                ('elapsed_minutes', models.PositiveIntegerField()),
                ('superseded_at', models.DateTimeField(blank=True, null=True)),
                ('account', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.account')),
                ('inquiry', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='sla_events', to='inquiries.inquiry')),
                ('owner', models.ForeignKey(blank=True, db_index=False, help_text="The inquiry's owner when the event happened (who is accountable).", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('policy', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='inquiries.slapolicy')),
            ],
            options={
                'ordering': ['occurred_at', 'id'],
                'indexes': [models.Index(fields=['occurred_at', 'kind', 'metric', 'owner', 'account', 'category', 'superseded_at'], name='sla_event_outcome'), models.Index(fields=['inquiry', 'metric'], name='sla_event_inquiry')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('superseded_at__isnull', True)), fields=('inquiry', 'metric', 'kind', 'due_at'), name='one_current_sla_event')],
            },
        ),
        migrations.AddField(
            model_name='inquiry',
            name='sla_policy',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='inquiries.slapolicy'),
        ),
        migrations.AddConstraint(
            model_name='inquiry',
            constraint=models.CheckConstraint(condition=models.Q(('merged_into', models.F('id')), _negated=True), name='inquiry_not_merged_into_itself'),
        ),
        migrations.RunPython(create_default_sla_policies, remove_default_sla_policies),
    ]
