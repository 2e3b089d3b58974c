"""Emerging issues (what the detector found, with its evidence), problem records (root-cause
analysis) and their corrective actions, and the detection runs that produced them."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

from clientdesk.insights.figures import IssueFigures, issue_figures


class DetectionRun(models.Model):
    """One `clientdesk issues detect` run: what it scanned, its thresholds, what it found."""

    as_of = models.DateField()
    since = models.DateField()
    started_at = models.DateTimeField()
    seconds = models.FloatField(default=0)
    series = models.PositiveIntegerField(default=0)
    series_days = models.PositiveIntegerField(default=0)
    alerts = models.PositiveIntegerField(default=0)
    issues_created = models.PositiveIntegerField(default=0)
    issues_updated = models.PositiveIntegerField(default=0)
    settings = models.JSONField(default=dict)
    thresholds = models.JSONField(default=dict, help_text="Per family and volume band.")
    dispersion = models.JSONField(default=dict)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Detection as of {self.as_of:%Y-%m-%d}"


class IssueStatus(models.TextChoices):
    NEW = "new", "New"
    PROBLEM = "problem", "Problem opened"
    DISMISSED = "dismissed", "Dismissed"


class EmergingIssue(models.Model):
    """An unusual rise the detector found: related alerts merged (same account or the book
    level, same cause, adjacent dates), with the evidence a person needs to act on it."""

    fingerprint = models.CharField(max_length=300, unique=True)
    account = models.ForeignKey(
        "accounts.Account",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="emerging_issues",
        help_text="Empty for a book-level issue.",
    )
    family = models.CharField(max_length=32)
    cause_key = models.CharField(max_length=200, blank=True)
    dimension = models.JSONField(default=dict)
    title = models.CharField(max_length=200)
    summary = models.TextField()
    estimated_start = models.DateField()
    first_alert_date = models.DateField(db_index=True)
    last_alert_date = models.DateField()
    alert_days = models.PositiveIntegerField(default=1)
    observed = models.FloatField()
    expected = models.FloatField()
    p_value = models.FloatField()
    detectors = models.JSONField(default=list)
    series = models.JSONField(default=list, help_text="Member series with their totals.")
    contributors = models.JSONField(default=list, help_text="Ranked by excess.")
    evidence = models.JSONField(default=dict, help_text="Daily observed, expected and limit.")
    affected = models.JSONField(default=dict)
    affected_members = models.PositiveIntegerField(default=0)
    affected_claims = models.PositiveIntegerField(default=0)
    affected_dollars = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    guarantees_at_risk = models.JSONField(default=list)
    theme = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=12, choices=IssueStatus.choices, default=IssueStatus.NEW)
    problem = models.ForeignKey(
        "Problem", null=True, blank=True, on_delete=models.SET_NULL, related_name="issues"
    )
    run = models.ForeignKey(
        DetectionRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="issues"
    )
    detected_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-first_alert_date", "-id"]
        indexes = [models.Index(fields=["account", "-first_alert_date"])]

    def __str__(self) -> str:
        return self.title

    @property
    def ratio(self) -> float | None:
        return self.observed / self.expected if self.expected > 0 else None

    @property
    def figures(self) -> IssueFigures:
        """Observed, expected, excess and ratio as text, as the summary words them."""
        return issue_figures(self.observed, self.expected)

    @property
    def excess(self) -> float:
        return self.observed - self.expected


class ProblemStatus(models.TextChoices):
    OPEN = "open", "Open"
    ROOT_CAUSE = "root_cause", "Finding the root cause"
    FIXING = "fixing", "Corrective actions under way"
    MONITORING = "monitoring", "Fixed, watching the metric"
    VERIFIED = "verified", "Verified back to normal"
    REOPENED = "reopened", "Reopened: not back to normal"
    CLOSED = "closed", "Closed without a fix"


OPEN_PROBLEM_STATUSES = [
    ProblemStatus.OPEN,
    ProblemStatus.ROOT_CAUSE,
    ProblemStatus.FIXING,
    ProblemStatus.MONITORING,
    ProblemStatus.REOPENED,
]


class RootCauseCategory(models.TextChoices):
    PEOPLE = "people", "People"
    PROCESS = "process", "Process"
    SYSTEM = "system_configuration", "System / configuration"
    POLICY = "policy", "Policy"
    PROVIDER = "provider", "Provider"
    VENDOR = "vendor", "Vendor"
    SPONSOR_DATA = "sponsor_data", "Sponsor data"


class Problem(models.Model):
    """A problem record (RCA): what was affected, the evidence, the root cause and its five
    whys, the service-operations owner, corrective actions, and whether the fix held."""

    title = models.CharField(max_length=200)
    account = models.ForeignKey(
        "accounts.Account",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="problems",
        help_text="Empty for a book-level problem.",
    )
    status = models.CharField(
        max_length=12, choices=ProblemStatus.choices, default=ProblemStatus.OPEN
    )
    description = models.TextField(blank=True)
    evidence = models.TextField(blank=True, help_text="The detection evidence, in plain words.")
    root_cause_category = models.CharField(
        max_length=24, choices=RootCauseCategory.choices, blank=True
    )
    root_cause = models.TextField(blank=True)
    whys = models.JSONField(default=list, blank=True, help_text="The five whys, in order.")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_problems",
        help_text="The service-operations partner who owns the fix.",
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField()
    # What the detection found affected (from the lake when the problem was opened).
    affected_members = models.PositiveIntegerField(default=0)
    affected_claims = models.PositiveIntegerField(default=0)
    affected_dollars = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    # What the linked inquiries (inquiries.Inquiry.problem_id = this problem, written only by
    # insights.links) touch; recounted on every link change.
    affected_inquiries = models.PositiveIntegerField(
        default=0, help_text="Inquiries linked to this problem."
    )
    linked_members = models.PositiveIntegerField(default=0)
    linked_claims = models.PositiveIntegerField(default=0)
    linked_dollars = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        null=True,
        help_text="Billed charges of the claims the linked inquiries are about; empty when "
        "suppressed (a book-level problem whose claims are about fewer than 11 members).",
    )
    sponsor_summary = models.TextField("summary for the sponsor", blank=True)
    # The series to watch after the fix, and the effectiveness check.
    watch_family = models.CharField(max_length=32, blank=True)
    watch_account = models.ForeignKey(
        "accounts.Account", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    watch_dimension = models.JSONField(default=dict, blank=True)
    fix_date = models.DateField(null=True, blank=True)
    verify_days = models.PositiveIntegerField(
        default=14, help_text="Days in a row within control limits that verify the fix."
    )
    last_checked_on = models.DateField(null=True, blank=True)
    days_in_control = models.PositiveIntegerField(default=0)
    verified_on = models.DateField(null=True, blank=True)
    reopened_count = models.PositiveIntegerField(default=0)
    check_result = models.JSONField(default=dict, blank=True)
    training_topic = models.CharField(max_length=200, blank=True)
    # Optimistic locking: each save adds one; a save from an older version is refused (the
    # editor sees both versions) instead of silently erasing the other person's change.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(verify_days__gte=1), name="problem_verify_days_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        return f"PRB-{self.pk:04d}" if self.pk else "PRB-new"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_PROBLEM_STATUSES


class ActionStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class CorrectiveAction(models.Model):
    """One corrective action of a problem, with its owner, due date and status."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="corrective_actions"
    )
    due_date = models.DateField()
    status = models.CharField(
        max_length=12, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    completed_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # Optimistic locking: each save adds one; a save from an older version is refused (the
    # editor sees both versions) instead of silently erasing the other person's change.
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return self.description
