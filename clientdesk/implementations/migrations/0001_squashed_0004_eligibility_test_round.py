"""implementations: its 4 migrations (0001_initial to 0004_eligibility_test_round) squashed into one.

Made from the models (`makemigrations`), each model's indexes and constraints inside its
CreateModel: a new database is made from far fewer operations. It `replaces` the migrations,
so a database that applied them all is taken as migrated, and one half way through them goes
on with them; they stay until every installation has migrated past them.

It seeds the template library as 0002_seed_templates did.
"""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def seed_templates(apps, schema_editor):
    """The template library (library.py), so every database starts with it (from
    0002_seed_templates)."""
    from clientdesk.implementations.library import TEMPLATES

    template_model = apps.get_model("implementations", "Template")
    task_model = apps.get_model("implementations", "TemplateTask")
    for seed_ in TEMPLATES:
        if template_model.objects.filter(code=seed_.code).exists():
            continue
        template = template_model.objects.create(
            code=seed_.code,
            name=seed_.name,
            kind=str(seed_.kind),
            description=seed_.description,
            source=seed_.source,
        )
        task_model.objects.bulk_create(
            [
                task_model(
                    template=template,
                    ref=ref,
                    name=name,
                    duration=days,
                    predecessors=preds,
                    owner_team=team,
                    kind=kind,
                    source=source,
                    position=position,
                )
                for position, (ref, name, days, preds, team, kind, source) in enumerate(
                    seed_.rows, start=1
                )
            ]
        )


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ("implementations", "0001_initial"),
        ("implementations", "0002_seed_templates"),
        ("implementations", "0003_version_and_survey"),
        ("implementations", "0004_eligibility_test_round"),
    ]

    dependencies = [
        ("accounts", "0001_initial"),
        ("lake", "0006_batch_rejected_claims"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Template',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.SlugField(max_length=60, unique=True)),
                ('name', models.CharField(max_length=160)),
                ('kind', models.CharField(choices=[('new_self_funded', 'New self-funded (ASO) account'), ('new_fully_insured', 'New fully insured account'), ('renewal_plan_change', 'Renewal with plan changes'), ('new_product', 'New product (pharmacy carve-in, point solution)')], max_length=24)),
                ('description', models.TextField(blank=True)),
                ('source', models.TextField(blank=True, verbose_name='where the lead times come from')),
                ('is_active', models.BooleanField(default=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
            ],
            options={
                'ordering': ['kind', 'name'],
            },
        ),
        migrations.CreateModel(
            name='Implementation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=160)),
                ('kind', models.CharField(choices=[('new_self_funded', 'New self-funded (ASO) account'), ('new_fully_insured', 'New fully insured account'), ('renewal_plan_change', 'Renewal with plan changes'), ('new_product', 'New product (pharmacy carve-in, point solution)')], max_length=24)),
                ('effective_date', models.DateField()),
                ('status', models.CharField(choices=[('draft', 'Draft'), ('approved', 'Approved (baseline saved)'), ('live', 'Live (hypercare)'), ('closed', 'Closed')], default='draft', max_length=12)),
                ('project_length', models.IntegerField(default=0, verbose_name='project length (business days)')),
                ('anchor_offset', models.IntegerField(default=0, help_text="Go-live's business-day offset.")),
                ('start_date', models.DateField(blank=True, null=True)),
                ('baseline', models.JSONField(blank=True, default=dict, help_text='ref -> [start, finish]')),
                ('baseline_saved_at', models.DateTimeField(blank=True, null=True)),
                ('went_live_on', models.DateField(blank=True, null=True)),
                ('review_notes', models.TextField(blank=True, verbose_name='post-go-live review')),
                ('survey_after_days', models.PositiveSmallIntegerField(blank=True, help_text="Empty: the team's setting (CLIENTDESK_IMPLEMENTATION_SURVEY_DAYS).", null=True, validators=[django.core.validators.MaxValueValidator(180)], verbose_name='implementation survey, days after go-live')),
                ('survey_sent_at', models.DateTimeField(blank=True, null=True)),
                ('survey_send_id', models.BigIntegerField(blank=True, help_text="The surveys app's send of the implementation survey.", null=True)),
                ('version', models.PositiveIntegerField(default=1, editable=False)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='implementations', to='accounts.account')),
                ('approved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('template', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='implementations', to='implementations.template')),
            ],
            options={
                'ordering': ['effective_date', 'id'],
                'indexes': [models.Index(fields=['account', 'effective_date'], name='implementat_account_d46731_idx')],
            },
        ),
        migrations.CreateModel(
            name='EligibilityTestRound',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('source_name', models.CharField(max_length=255)),
                ('source_format', models.CharField(choices=[('csv', "CSV (the lake's eligibility columns)"), ('x12', 'X12 834')], max_length=8)),
                ('checksum', models.CharField(max_length=64, verbose_name='SHA-256 of the file')),
                ('report', models.JSONField(blank=True, default=dict, help_text="The 834's acceptance report ({} for a CSV).")),
                ('members_loaded', models.PositiveIntegerField(blank=True, help_text='Distinct members with a span in the test batch.', null=True)),
                ('loaded_at', models.DateTimeField()),
                ('batch', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='lake.ingestbatch')),
                ('loaded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('implementation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='test_rounds', to='implementations.implementation')),
            ],
            options={
                'ordering': ['implementation', 'loaded_at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='Lesson',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('text', models.TextField()),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('implementation', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='lessons', to='implementations.implementation')),
                ('template', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='lessons', to='implementations.template')),
            ],
            options={
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='TemplateTask',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('ref', models.CharField(max_length=20, verbose_name='ID')),
                ('name', models.CharField(max_length=200)),
                ('owner_team', models.CharField(blank=True, choices=[('eligibility', 'Eligibility'), ('benefit_configuration', 'Benefit configuration'), ('network', 'Network'), ('pharmacy', 'Pharmacy'), ('fulfillment', 'Fulfillment'), ('communications', 'Communications'), ('member_services', 'Member services'), ('service_operations', 'Service operations'), ('billing', 'Billing'), ('client_management', 'Client management')], max_length=24)),
                ('duration', models.PositiveIntegerField(verbose_name='duration (business days)')),
                ('predecessors', models.CharField(blank=True, help_text='e.g. 4FS+3;2SS+4', max_length=300)),
                ('kind', models.CharField(choices=[('task', 'Task'), ('plan_design', 'Plan design sign-off'), ('eligibility_test', 'Eligibility test round'), ('eligibility_load', 'Production eligibility load'), ('id_cards', 'ID cards mailed'), ('test_claims', 'Test claims'), ('training', 'Service training'), ('go_live', 'Go-live'), ('review', 'Post-go-live review')], default='task', max_length=20)),
                ('source', models.CharField(blank=True, max_length=300, verbose_name='lead-time source')),
                ('position', models.PositiveIntegerField(default=0)),
                ('template', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='tasks', to='implementations.template')),
            ],
            options={
                'ordering': ['template', 'position', 'id'],
                'constraints': [models.UniqueConstraint(fields=('template', 'ref'), name='one_template_task_per_ref')],
            },
        ),
        migrations.CreateModel(
            name='Task',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('ref', models.CharField(max_length=20, verbose_name='ID')),
                ('name', models.CharField(max_length=200)),
                ('owner_team', models.CharField(blank=True, choices=[('eligibility', 'Eligibility'), ('benefit_configuration', 'Benefit configuration'), ('network', 'Network'), ('pharmacy', 'Pharmacy'), ('fulfillment', 'Fulfillment'), ('communications', 'Communications'), ('member_services', 'Member services'), ('service_operations', 'Service operations'), ('billing', 'Billing'), ('client_management', 'Client management')], max_length=24)),
                ('duration', models.PositiveIntegerField(verbose_name='duration (business days)')),
                ('predecessors', models.CharField(blank=True, max_length=300)),
                ('kind', models.CharField(choices=[('task', 'Task'), ('plan_design', 'Plan design sign-off'), ('eligibility_test', 'Eligibility test round'), ('eligibility_load', 'Production eligibility load'), ('id_cards', 'ID cards mailed'), ('test_claims', 'Test claims'), ('training', 'Service training'), ('go_live', 'Go-live'), ('review', 'Post-go-live review')], default='task', max_length=20)),
                ('source', models.CharField(blank=True, max_length=300, verbose_name='lead-time source')),
                ('position', models.PositiveIntegerField(default=0)),
                ('status', models.CharField(choices=[('not_started', 'Not started'), ('in_progress', 'In progress'), ('blocked', 'Blocked'), ('done', 'Done')], default='not_started', max_length=12)),
                ('percent_done', models.PositiveSmallIntegerField(default=0)),
                ('actual_start', models.DateField(blank=True, null=True)),
                ('actual_finish', models.DateField(blank=True, null=True)),
                ('notes', models.TextField(blank=True)),
                ('blocker', models.CharField(blank=True, max_length=300)),
                ('early_start', models.IntegerField(default=0)),
                ('early_finish', models.IntegerField(default=0)),
                ('late_start', models.IntegerField(default=0)),
                ('late_finish', models.IntegerField(default=0)),
                ('slack', models.IntegerField(default=0)),
                ('critical', models.BooleanField(default=False)),
                ('start_date', models.DateField(blank=True, null=True)),
                ('finish_date', models.DateField(blank=True, null=True)),
                ('late_finish_date', models.DateField(blank=True, null=True)),
                ('version', models.PositiveIntegerField(default=1, editable=False)),
                ('implementation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='tasks', to='implementations.implementation')),
                ('owner', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='implementation_tasks', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['implementation', 'position', 'id'],
                'indexes': [models.Index(fields=['owner_team', 'status'], name='implementat_owner_t_fd5017_idx')],
                'constraints': [models.UniqueConstraint(fields=('implementation', 'ref'), name='one_task_per_ref'), models.CheckConstraint(condition=models.Q(('percent_done__lte', 100)), name='percent_done_max_100')],
            },
        ),
        migrations.RunPython(seed_templates, migrations.RunPython.noop),
    ]
