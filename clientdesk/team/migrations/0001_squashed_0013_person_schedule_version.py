"""team: its 13 migrations (0001_initial to 0013_person_schedule_version) squashed into one.

Made from the models (`makemigrations`), each model's indexes and constraints inside its
CreateModel: a new database is made from far fewer operations. It `replaces` the migrations,
so a database that applied them all is taken as migrated, and one half way through them goes
on with them; they stay until every installation has migrated past them.

0010_certificate_content's backfill (certificates of courses completed before) is not carried
over: a squashed migration runs only on a database where none of the migrations it replaces is
applied, so the tables it fills are the ones just made here, empty.
"""

import clientdesk.team.models
import datetime
import django.db.models.deletion
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ("team", "0001_initial"),
        ("team", "0002_qualityreview"),
        ("team", "0003_trainingneed_addressed_on"),
        ("team", "0004_occurrence"),
        ("team", "0005_trainingassignment_matrix_index"),
        ("team", "0006_course_guards_member_data"),
        ("team", "0007_certificate"),
        ("team", "0008_license_alerted"),
        ("team", "0009_person_agent_id"),
        ("team", "0010_certificate_content"),
        ("team", "0011_person_version"),
        ("team", "0012_license_version"),
        ("team", "0013_person_schedule_version"),
    ]

    dependencies = [
        ("accounts", "0001_initial"),
        ("inquiries", "0002_default_sla_policies"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Candidate',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=120)),
                ('email', models.EmailField(blank=True, max_length=254)),
                ('source', models.CharField(choices=[('referral', 'Employee referral'), ('job_board', 'Job board'), ('career_site', 'Career site'), ('agency', 'Agency'), ('campus', 'Campus')], max_length=12)),
                ('stage', models.CharField(choices=[('applied', 'Applied'), ('screened', 'Screened'), ('interviewed', 'Interviewed'), ('offer', 'Offer'), ('hired', 'Hired'), ('declined', 'Declined'), ('rejected', 'Rejected')], default='applied', max_length=12)),
                ('applied_on', models.DateField()),
                ('stage_since', models.DateField()),
                ('closed_reason', models.CharField(blank=True, max_length=200)),
                ('notes', models.TextField(blank=True)),
            ],
            options={
                'ordering': ['applied_on', 'id'],
            },
        ),
        migrations.CreateModel(
            name='Course',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(max_length=24, unique=True)),
                ('title', models.CharField(max_length=160)),
                ('description', models.TextField(blank=True)),
                ('compliance', models.BooleanField(default=False, verbose_name='required compliance course')),
                ('recurrence', models.CharField(choices=[('once', 'Once'), ('yearly', 'Every year')], default='once', max_length=8)),
                ('at_hire', models.BooleanField(default=False, verbose_name='assigned at hire')),
                ('days_to_complete', models.PositiveSmallIntegerField(default=30)),
                ('passing_score', models.PositiveSmallIntegerField(default=80, help_text='Percent.')),
                ('policy_version', models.PositiveIntegerField(default=1)),
                ('guards_member_data', models.BooleanField(default=False, help_text='While it is overdue (HIPAA privacy and security), the person cannot open member-level data.', verbose_name='required to open member data')),
            ],
            options={
                'ordering': ['-compliance', 'title', 'id'],
            },
        ),
        migrations.CreateModel(
            name='TimeOffType',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(max_length=16, unique=True)),
                ('name', models.CharField(max_length=60)),
                ('accrual_hours', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=5, verbose_name='hours accrued per month')),
                ('max_balance', models.DecimalField(blank=True, decimal_places=2, max_digits=6, null=True, verbose_name='balance cap (hours)')),
            ],
        ),
        migrations.CreateModel(
            name='LearningPath',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=160)),
                ('account', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.account')),
                ('courses', models.ManyToManyField(related_name='paths', to='team.course')),
            ],
        ),
        migrations.CreateModel(
            name='Module',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('order', models.PositiveSmallIntegerField(default=0)),
                ('kind', models.CharField(choices=[('document', 'Document'), ('link', 'Link'), ('video', 'Video'), ('quiz', 'Quiz')], max_length=8)),
                ('title', models.CharField(max_length=160)),
                ('body', models.TextField(blank=True)),
                ('url', models.URLField(blank=True)),
                ('course', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='modules', to='team.course')),
            ],
            options={
                'ordering': ['order', 'id'],
            },
        ),
        migrations.CreateModel(
            name='Occurrence',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('on', models.DateField()),
                ('kind', models.CharField(choices=[('tardy', 'Late or left early'), ('absence', 'Unplanned absence'), ('no_call', 'No call, no show')], max_length=8)),
                ('note', models.CharField(blank=True, max_length=200)),
                ('recorded_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='occurrences', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-on', '-id'],
            },
        ),
        migrations.CreateModel(
            name='Offer',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('salary', models.DecimalField(decimal_places=2, max_digits=10)),
                ('start_on', models.DateField()),
                ('made_on', models.DateField()),
                ('accepted_on', models.DateField(blank=True, null=True)),
                ('candidate', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='offer', to='team.candidate')),
            ],
        ),
        migrations.CreateModel(
            name='OneToOne',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('held_on', models.DateField()),
                ('notes', models.TextField(blank=True)),
                ('manager', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='one_to_ones', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-held_on', '-id'],
            },
        ),
        migrations.CreateModel(
            name='Question',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('order', models.PositiveSmallIntegerField(default=0)),
                ('prompt', models.CharField(max_length=300)),
                ('choices', models.JSONField(default=list)),
                ('answer', models.PositiveSmallIntegerField(help_text='Index of the right choice, from 0.')),
                ('module', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='questions', to='team.module')),
            ],
            options={
                'ordering': ['order', 'id'],
            },
        ),
        migrations.CreateModel(
            name='Requisition',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=160)),
                ('location', models.CharField(choices=[('onsite', 'Onsite at a sponsor'), ('remote', 'Remote'), ('office', 'Office')], max_length=8)),
                ('reason', models.CharField(choices=[('growth', 'Growth'), ('backfill', 'Backfill')], max_length=8)),
                ('approved_on', models.DateField()),
                ('filled_on', models.DateField(blank=True, null=True)),
                ('hiring_manager', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='requisitions', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['filled_on', '-approved_on', 'id'],
            },
        ),
        migrations.AddField(
            model_name='candidate',
            name='requisition',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='candidates', to='team.requisition'),
        ),
        migrations.CreateModel(
            name='Scorecard',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('scheduled_on', models.DateField()),
                ('scores', models.JSONField(blank=True, default=dict)),
                ('recommend', models.BooleanField(null=True)),
                ('submitted_at', models.DateTimeField(blank=True, null=True)),
                ('candidate', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='scorecards', to='team.candidate')),
                ('interviewer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='scorecards', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['scheduled_on', 'id'],
            },
        ),
        migrations.CreateModel(
            name='SelfIdentification',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('gender', models.CharField(blank=True, max_length=24)),
                ('ethnicity', models.CharField(blank=True, max_length=40)),
                ('veteran', models.CharField(blank=True, max_length=12)),
                ('disability', models.CharField(blank=True, max_length=12)),
                ('requisition', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='team.requisition')),
            ],
        ),
        migrations.CreateModel(
            name='StageChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('from_stage', models.CharField(blank=True, choices=[('applied', 'Applied'), ('screened', 'Screened'), ('interviewed', 'Interviewed'), ('offer', 'Offer'), ('hired', 'Hired'), ('declined', 'Declined'), ('rejected', 'Rejected')], max_length=12)),
                ('to_stage', models.CharField(choices=[('applied', 'Applied'), ('screened', 'Screened'), ('interviewed', 'Interviewed'), ('offer', 'Offer'), ('hired', 'Hired'), ('declined', 'Declined'), ('rejected', 'Rejected')], max_length=12)),
                ('on', models.DateField()),
                ('reason', models.CharField(blank=True, max_length=200)),
                ('candidate', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='history', to='team.candidate')),
            ],
            options={
                'ordering': ['on', 'id'],
            },
        ),
        migrations.CreateModel(
            name='TimeOffRequest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('first_day', models.DateField()),
                ('last_day', models.DateField()),
                ('hours', models.DecimalField(decimal_places=2, max_digits=6)),
                ('note', models.CharField(blank=True, max_length=200)),
                ('status', models.CharField(choices=[('requested', 'Requested'), ('approved', 'Approved'), ('declined', 'Declined')], default='requested', max_length=10)),
                ('decided_at', models.DateTimeField(blank=True, null=True)),
                ('version', models.PositiveIntegerField(default=1)),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='time_off_requests', to=settings.AUTH_USER_MODEL)),
                ('kind', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='requests', to='team.timeofftype')),
            ],
            options={
                'ordering': ['first_day', 'id'],
            },
        ),
        migrations.CreateModel(
            name='TrainingAssignment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reason', models.CharField(choices=[('hire', 'At hire'), ('yearly', 'Yearly'), ('policy', 'Policy change'), ('need', 'Training need'), ('path', 'Learning path'), ('manual', 'Assigned')], default='manual', max_length=8)),
                ('assigned_on', models.DateField()),
                ('due_on', models.DateField()),
                ('completed_on', models.DateField(blank=True, null=True)),
                ('score', models.PositiveSmallIntegerField(blank=True, null=True)),
                ('reminded_on', models.DateField(blank=True, null=True)),
                ('assigned_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('course', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='assignments', to='team.course')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='training', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['due_on', 'id'],
                'indexes': [models.Index(fields=['completed_on', 'due_on'], name='team_traini_complet_4fd018_idx'), models.Index(fields=['user', 'course', 'completed_on', 'due_on'], name='team_assign_matrix')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('completed_on__isnull', True)), fields=('user', 'course'), name='one_open_assignment_per_course')],
            },
        ),
        migrations.CreateModel(
            name='QuizAttempt',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('started_at', models.DateTimeField()),
                ('submitted_at', models.DateTimeField(blank=True, null=True)),
                ('answers', models.JSONField(blank=True, default=dict)),
                ('score', models.PositiveSmallIntegerField(blank=True, null=True)),
                ('passed', models.BooleanField(default=False)),
                ('module', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attempts', to='team.module')),
                ('assignment', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attempts', to='team.trainingassignment')),
            ],
            options={
                'ordering': ['started_at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='Certificate',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.CharField(max_length=40, unique=True)),
                ('holder_name', models.CharField(max_length=300)),
                ('course_code', models.CharField(max_length=24)),
                ('course_title', models.CharField(max_length=200)),
                ('policy_version', models.PositiveIntegerField()),
                ('completed_on', models.DateField()),
                ('score', models.PositiveSmallIntegerField(blank=True, null=True)),
                ('issued_at', models.DateTimeField()),
                ('file', models.FileField(blank=True, max_length=255, storage=clientdesk.team.models.private_storage, upload_to=clientdesk.team.models.certificate_path)),
                ('sha256', models.CharField(blank=True, max_length=64, verbose_name='SHA-256')),
                ('size', models.PositiveIntegerField(blank=True, null=True)),
                ('printed_at', models.DateTimeField(blank=True, null=True)),
                ('issued_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('assignment', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='certificate', to='team.trainingassignment')),
            ],
        ),
        migrations.CreateModel(
            name='TrainingNeed',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('topic', models.CharField(max_length=200)),
                ('evidence', models.JSONField(blank=True, default=list, help_text='Problem references.')),
                ('status', models.CharField(choices=[('open', 'Open'), ('addressed', 'Module made and assigned')], default='open', max_length=10)),
                ('opened_on', models.DateField()),
                ('addressed_on', models.DateField(blank=True, null=True)),
                ('module', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='needs', to='team.module')),
                ('opened_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('people', models.ManyToManyField(related_name='training_needs', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['status', '-opened_on', 'id'],
            },
        ),
        migrations.CreateModel(
            name='License',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('state', models.CharField(choices=[('AL', 'AL'), ('AK', 'AK'), ('AZ', 'AZ'), ('AR', 'AR'), ('CA', 'CA'), ('CO', 'CO'), ('CT', 'CT'), ('DE', 'DE'), ('DC', 'DC'), ('FL', 'FL'), ('GA', 'GA'), ('HI', 'HI'), ('ID', 'ID'), ('IL', 'IL'), ('IN', 'IN'), ('IA', 'IA'), ('KS', 'KS'), ('KY', 'KY'), ('LA', 'LA'), ('ME', 'ME'), ('MD', 'MD'), ('MA', 'MA'), ('MI', 'MI'), ('MN', 'MN'), ('MS', 'MS'), ('MO', 'MO'), ('MT', 'MT'), ('NE', 'NE'), ('NV', 'NV'), ('NH', 'NH'), ('NJ', 'NJ'), ('NM', 'NM'), ('NY', 'NY'), ('NC', 'NC'), ('ND', 'ND'), ('OH', 'OH'), ('OK', 'OK'), ('OR', 'OR'), ('PA', 'PA'), ('RI', 'RI'), ('SC', 'SC'), ('SD', 'SD'), ('TN', 'TN'), ('TX', 'TX'), ('UT', 'UT'), ('VT', 'VT'), ('VA', 'VA'), ('WA', 'WA'), ('WV', 'WV'), ('WI', 'WI'), ('WY', 'WY'), ('PR', 'PR')], max_length=2)),
                ('number', models.CharField(max_length=40)),
                ('line', models.CharField(choices=[('health', 'Accident and health'), ('life', 'Life')], default='health', max_length=8, verbose_name='line of authority')),
                ('issued_on', models.DateField()),
                ('expires_on', models.DateField()),
                ('ce_required', models.PositiveSmallIntegerField(default=24, verbose_name='CE credits required')),
                ('ce_earned', models.PositiveSmallIntegerField(default=0, verbose_name='CE credits earned')),
                ('alerted', models.PositiveSmallIntegerField(blank=True, help_text='The last expiry alert mailed: 90, 60, 30 days, 0 lapsed.', null=True)),
                ('version', models.PositiveIntegerField(default=1, editable=False)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='licenses', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['expires_on', 'id'],
                'constraints': [models.UniqueConstraint(fields=('user', 'state', 'line'), name='one_license_per_line')],
            },
        ),
        migrations.CreateModel(
            name='Person',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(default='Client-based associate', max_length=120)),
                ('location', models.CharField(choices=[('onsite', 'Onsite at a sponsor'), ('remote', 'Remote'), ('office', 'Office')], default='remote', max_length=8)),
                ('hire_date', models.DateField()),
                ('products', models.JSONField(blank=True, default=list, help_text='Product codes.')),
                ('languages', models.JSONField(blank=True, default=list, help_text='Languages spoken.')),
                ('segments', models.JSONField(blank=True, default=list, help_text='Segment codes.')),
                ('capacity', models.PositiveSmallIntegerField(default=6, help_text='Accounts this person can carry as lead or backup.')),
                ('left_on', models.DateField(blank=True, null=True)),
                ('leaving', models.CharField(blank=True, choices=[('voluntary', 'Voluntary'), ('involuntary', 'Involuntary')], max_length=12)),
                ('agent_id', models.CharField(blank=True, help_text="Their login on the call centre's phone system (ACD), as the lake's call records name the agent who answered; their calls count towards schedule adherence.", max_length=40, verbose_name='agent id')),
                ('version', models.PositiveIntegerField(default=1, editable=False)),
                ('schedule_version', models.PositiveIntegerField(default=1, editable=False)),
                ('manager', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='direct_reports', to=settings.AUTH_USER_MODEL)),
                ('onsite_account', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='accounts.account')),
                ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='team_person', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['user__last_name', 'user__first_name', 'id'],
                'constraints': [models.UniqueConstraint(condition=models.Q(('agent_id', ''), _negated=True), fields=('agent_id',), name='one_person_per_agent_id')],
            },
        ),
        migrations.CreateModel(
            name='QualityReview',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField(help_text='First day of the month sampled.')),
                ('scores', models.JSONField(default=dict, help_text='Criterion -> 0 to 5.')),
                ('auto_fail', models.JSONField(blank=True, default=list)),
                ('total', models.PositiveSmallIntegerField(help_text='Weighted percent; 0 on an auto-fail.')),
                ('notes', models.TextField(blank=True)),
                ('reviewed_at', models.DateTimeField()),
                ('associate', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='quality_reviews', to=settings.AUTH_USER_MODEL)),
                ('inquiry', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='quality_reviews', to='inquiries.inquiry')),
                ('reviewer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-month', 'associate_id', 'inquiry_id', 'id'],
                'constraints': [models.UniqueConstraint(fields=('inquiry', 'reviewer'), name='one_review_per_reviewer')],
            },
        ),
        migrations.CreateModel(
            name='Shift',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('weekday', models.PositiveSmallIntegerField(choices=[(0, 'Monday'), (1, 'Tuesday'), (2, 'Wednesday'), (3, 'Thursday'), (4, 'Friday'), (5, 'Saturday'), (6, 'Sunday')])),
                ('starts', models.TimeField(default=datetime.time(8, 30))),
                ('ends', models.TimeField(default=datetime.time(17, 0))),
                ('onsite', models.BooleanField(default=False)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='shifts', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['weekday'],
                'constraints': [models.UniqueConstraint(fields=('user', 'weekday'), name='one_shift_per_weekday')],
            },
        ),
        migrations.CreateModel(
            name='Balance',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('hours', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=7)),
                ('accrued_through', models.DateField(blank=True, help_text='First day of the last month accrued.', null=True)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='time_off_balances', to=settings.AUTH_USER_MODEL)),
                ('kind', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='balances', to='team.timeofftype')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('user', 'kind'), name='one_balance_per_type')],
            },
        ),
    ]
