"""Case installation: templates of implementation plans, plans per account, their tasks, the
baseline saved on approval, lessons learned per template.

Task dates are not typed in: they are computed from durations and links on the business
calendar (``scheduling.py``), backward from the plan's effective date, and stored on each
task whenever the plan changes (``actions.reschedule``), so lists and the board read them.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q

from clientdesk.accounts.models import Account

MAX_SURVEY_AFTER_DAYS = 180


class OwnerTeam(models.TextChoices):
    ELIGIBILITY = "eligibility", "Eligibility"
    BENEFIT_CONFIGURATION = "benefit_configuration", "Benefit configuration"
    NETWORK = "network", "Network"
    PHARMACY = "pharmacy", "Pharmacy"
    FULFILLMENT = "fulfillment", "Fulfillment"
    COMMUNICATIONS = "communications", "Communications"
    MEMBER_SERVICES = "member_services", "Member services"
    SERVICE_OPERATIONS = "service_operations", "Service operations"
    BILLING = "billing", "Billing"
    CLIENT_MANAGEMENT = "client_management", "Client management"


# The teams whose work service-operations partners do (they see these teams' task lists).
OPERATIONS_TEAMS = frozenset(OwnerTeam) - {OwnerTeam.CLIENT_MANAGEMENT}


class TemplateKind(models.TextChoices):
    NEW_SELF_FUNDED = "new_self_funded", "New self-funded (ASO) account"
    NEW_FULLY_INSURED = "new_fully_insured", "New fully insured account"
    RENEWAL_PLAN_CHANGE = "renewal_plan_change", "Renewal with plan changes"
    NEW_PRODUCT = "new_product", "New product (pharmacy carve-in, point solution)"


class TaskKind(models.TextChoices):
    """What a task is evidence for: readiness reads the lake for some kinds."""

    TASK = "task", "Task"
    PLAN_DESIGN = "plan_design", "Plan design sign-off"
    ELIGIBILITY_TEST = "eligibility_test", "Eligibility test round"
    ELIGIBILITY_LOAD = "eligibility_load", "Production eligibility load"
    ID_CARDS = "id_cards", "ID cards mailed"
    TEST_CLAIMS = "test_claims", "Test claims"
    TRAINING = "training", "Service training"
    GO_LIVE = "go_live", "Go-live"
    REVIEW = "review", "Post-go-live review"


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    BLOCKED = "blocked", "Blocked"
    DONE = "done", "Done"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved (baseline saved)"
    LIVE = "live", "Live (hypercare)"
    CLOSED = "closed", "Closed"


class Template(models.Model):
    """A reusable implementation plan: tasks with owner teams, durations and links."""

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=160)
    kind = models.CharField(max_length=24, choices=TemplateKind.choices)
    description = models.TextField(blank=True)
    source = models.TextField("where the lead times come from", blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class TemplateTask(models.Model):
    template = models.ForeignKey(Template, on_delete=models.CASCADE, related_name="tasks")
    ref = models.CharField("ID", max_length=20)
    name = models.CharField(max_length=200)
    owner_team = models.CharField(max_length=24, choices=OwnerTeam.choices, blank=True)
    duration = models.PositiveIntegerField("duration (business days)")
    predecessors = models.CharField(max_length=300, blank=True, help_text="e.g. 4FS+3;2SS+4")
    kind = models.CharField(max_length=20, choices=TaskKind.choices, default=TaskKind.TASK)
    source = models.CharField("lead-time source", max_length=300, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["template", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["template", "ref"], name="one_template_task_per_ref")
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.name}"


class Implementation(models.Model):
    """One account's implementation plan (a new account, a renewal, a new product)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="implementations")
    template = models.ForeignKey(
        Template, null=True, blank=True, on_delete=models.SET_NULL, related_name="implementations"
    )
    name = models.CharField(max_length=160)
    kind = models.CharField(max_length=24, choices=TemplateKind.choices)
    effective_date = models.DateField()
    status = models.CharField(max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    project_length = models.IntegerField("project length (business days)", default=0)
    anchor_offset = models.IntegerField(default=0, help_text="Go-live's business-day offset.")
    start_date = models.DateField(null=True, blank=True)
    baseline = models.JSONField(default=dict, blank=True, help_text="ref -> [start, finish]")
    baseline_saved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    went_live_on = models.DateField(null=True, blank=True)
    review_notes = models.TextField("post-go-live review", blank=True)
    survey_after_days = models.PositiveSmallIntegerField(
        "implementation survey, days after go-live",
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_SURVEY_AFTER_DAYS)],
        help_text="Empty: the team's setting (CLIENTDESK_IMPLEMENTATION_SURVEY_DAYS).",
    )
    survey_sent_at = models.DateTimeField(null=True, blank=True)
    survey_send_id = models.BigIntegerField(
        null=True, blank=True, help_text="The surveys app's send of the implementation survey."
    )
    # Optimistic locking: an edit based on an older version is refused (audit.updating).
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["effective_date", "id"]
        indexes = [models.Index(fields=["account", "effective_date"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.effective_date:%Y-%m-%d})"


class Task(models.Model):
    """One task of a plan, with its computed schedule and its progress."""

    implementation = models.ForeignKey(
        Implementation, on_delete=models.CASCADE, related_name="tasks"
    )
    ref = models.CharField("ID", max_length=20)
    name = models.CharField(max_length=200)
    owner_team = models.CharField(max_length=24, choices=OwnerTeam.choices, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="implementation_tasks",
    )
    duration = models.PositiveIntegerField("duration (business days)")
    predecessors = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=20, choices=TaskKind.choices, default=TaskKind.TASK)
    source = models.CharField("lead-time source", max_length=300, blank=True)
    position = models.PositiveIntegerField(default=0)
    status = models.CharField(
        max_length=12, choices=TaskStatus.choices, default=TaskStatus.NOT_STARTED
    )
    percent_done = models.PositiveSmallIntegerField(default=0)
    actual_start = models.DateField(null=True, blank=True)
    actual_finish = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    blocker = models.CharField(max_length=300, blank=True)
    # The plan's schedule (backward from the effective date), kept by actions.reschedule.
    early_start = models.IntegerField(default=0)
    early_finish = models.IntegerField(default=0)
    late_start = models.IntegerField(default=0)
    late_finish = models.IntegerField(default=0)
    slack = models.IntegerField(default=0)
    critical = models.BooleanField(default=False)
    start_date = models.DateField(null=True, blank=True)
    finish_date = models.DateField(null=True, blank=True)
    late_finish_date = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["implementation", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["implementation", "ref"], name="one_task_per_ref"),
            models.CheckConstraint(condition=Q(percent_done__lte=100), name="percent_done_max_100"),
        ]
        indexes = [models.Index(fields=["owner_team", "status"])]

    def __str__(self) -> str:
        return f"{self.ref} {self.name}"

    @property
    def is_milestone(self) -> bool:
        return self.duration == 0


class Lesson(models.Model):
    """A lesson learned, fed back to the template from a post-go-live review."""

    template = models.ForeignKey(Template, on_delete=models.CASCADE, related_name="lessons")
    implementation = models.ForeignKey(
        Implementation, null=True, blank=True, on_delete=models.SET_NULL, related_name="lessons"
    )
    text = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.text[:60]


class RoundFormat(models.TextChoices):
    CSV = "csv", "CSV (the lake's eligibility columns)"
    X12 = "x12", "X12 834"


class EligibilityTestRound(models.Model):
    """One eligibility test file loaded for a plan (`actions.do_load_test_file`): the lake's
    test batch it made (none when an 834 was rejected whole: nothing to load) and, for an 834,
    the file's acceptance report (999/TA1 style: per transaction set accepted, accepted with
    errors or rejected, segment positions and reasons; counts of member records and spans).
    Its pass or fail is derived from these counts (`readiness.EligibilityRound.verdict`).
    Test batches loaded outside a plan (`clientdesk ingest --test`) count as rounds of every
    plan of their account too (`evidence.plan_states`)."""

    implementation = models.ForeignKey(
        Implementation, on_delete=models.CASCADE, related_name="test_rounds"
    )
    batch = models.ForeignKey(
        "lake.IngestBatch", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source_name = models.CharField(max_length=255)
    source_format = models.CharField(max_length=8, choices=RoundFormat.choices)
    checksum = models.CharField("SHA-256 of the file", max_length=64)
    report = models.JSONField(
        default=dict, blank=True, help_text="The 834's acceptance report ({} for a CSV)."
    )
    members_loaded = models.PositiveIntegerField(
        null=True, blank=True, help_text="Distinct members with a span in the test batch."
    )
    loaded_at = models.DateTimeField()
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["implementation", "loaded_at", "id"]

    def __str__(self) -> str:
        return f"test round {self.source_name} ({self.loaded_at:%Y-%m-%d})"
