"""Inquiries from members, sponsors and brokers; their status history, SLA clocks and events;
queues and routing; whole-account escalations."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from decimal import Decimal
from pathlib import Path, PurePath
from typing import Any, ClassVar

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from clientdesk.accounts.models import Account, Contact, Tier


class Channel(models.TextChoices):
    PHONE = "phone", "Phone"
    EMAIL = "email", "E-mail"
    PORTAL = "portal", "Portal"
    ONSITE = "onsite", "Onsite"


class RequesterType(models.TextChoices):
    MEMBER = "member", "Member (on the member's behalf)"
    SPONSOR = "sponsor", "Plan-sponsor contact"
    BROKER = "broker", "Broker or consultant"


class Category(models.TextChoices):
    CLAIMS = "claims", "Claims"
    ELIGIBILITY = "eligibility_enrollment", "Eligibility and enrollment"
    ID_CARDS = "id_cards", "ID cards"
    BENEFITS = "benefits", "Benefits"
    PHARMACY = "pharmacy", "Pharmacy"
    PROVIDER_NETWORK = "provider_network", "Provider network"
    BILLING = "billing_fees", "Billing and fees"
    REPORTS = "reports", "Reports"
    OTHER = "other", "Other"


# Subcategories per category (the codes the inquiry_import feed uses).
SUBCATEGORIES: dict[str, list[tuple[str, str]]] = {
    Category.CLAIMS: [
        ("claim_status", "Claim status"),
        ("denial_prior_auth", "Denial: prior authorization"),
        ("denial_other", "Denial: other reason"),
        ("payment_amount", "Payment amount"),
        ("eob_question", "EOB question"),
        ("reprocessing_request", "Reprocessing request"),
        ("coordination_of_benefits", "Coordination of benefits"),
    ],
    Category.ELIGIBILITY: [
        ("coverage_verification", "Coverage verification"),
        ("termination_error", "Termination error"),
        ("new_hire_add", "New hire add"),
        ("dependent_add", "Dependent add"),
        ("qualifying_event", "Qualifying life event"),
        ("cobra", "COBRA"),
    ],
    Category.ID_CARDS: [
        ("card_not_received", "Card not received"),
        ("card_incorrect", "Card incorrect"),
        ("replacement_request", "Replacement request"),
        ("pharmacy_rejected_card", "Pharmacy rejected the card"),
    ],
    Category.BENEFITS: [
        ("deductible_question", "Deductible question"),
        ("coverage_question", "Coverage question"),
        ("preventive_coverage", "Preventive coverage"),
        ("out_of_network", "Out of network"),
    ],
    Category.PHARMACY: [
        ("formulary_question", "Formulary question"),
        ("prior_authorization_rx", "Prior authorization (Rx)"),
        ("mail_order", "Mail order"),
        ("specialty_pharmacy", "Specialty pharmacy"),
        ("copay_question", "Copay question"),
    ],
    Category.PROVIDER_NETWORK: [
        ("find_provider", "Find a provider"),
        ("directory_incorrect", "Directory incorrect"),
        ("network_status", "Network status"),
    ],
    Category.BILLING: [
        ("invoice_discrepancy", "Invoice discrepancy"),
        ("fee_question", "Fee question"),
        ("stop_loss_reimbursement", "Stop-loss reimbursement"),
    ],
    Category.REPORTS: [
        ("utilization_report_request", "Utilization report request"),
        ("claims_experience_report", "Claims experience report"),
        ("guarantee_report", "Performance guarantee report"),
    ],
    Category.OTHER: [
        ("general", "General"),
        ("complaint", "Complaint"),
        ("compliment", "Compliment"),
    ],
}
SUBCATEGORY_LABELS: dict[str, str] = {
    code: label for pairs in SUBCATEGORIES.values() for code, label in pairs
}


class Priority(models.TextChoices):
    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"
    URGENT = "urgent", "Urgent"


class Status(models.TextChoices):
    NEW = "new", "New"
    OPEN = "open", "Open"
    WAITING_ON_SPONSOR = "waiting_on_sponsor", "Waiting on sponsor"
    WAITING_ON_SERVICE_OPS = "waiting_on_service_ops", "Waiting on service operations"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


ACTIVE_STATUSES: tuple[str, ...] = (
    Status.NEW,
    Status.OPEN,
    Status.WAITING_ON_SPONSOR,
    Status.WAITING_ON_SERVICE_OPS,
)
DONE_STATUSES: tuple[str, ...] = (Status.RESOLVED, Status.CLOSED)
# Status categories drive the SLA clocks: they run, pause (waiting on the sponsor) or stop.
CLOCK_RUNS: frozenset[str] = frozenset({Status.NEW, Status.OPEN, Status.WAITING_ON_SERVICE_OPS})
CLOCK_PAUSES: frozenset[str] = frozenset({Status.WAITING_ON_SPONSOR})

# Which status may follow which. Resolved or closed go back to open by reopening.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.NEW: (
        Status.OPEN,
        Status.WAITING_ON_SPONSOR,
        Status.WAITING_ON_SERVICE_OPS,
        Status.RESOLVED,
    ),
    Status.OPEN: (Status.WAITING_ON_SPONSOR, Status.WAITING_ON_SERVICE_OPS, Status.RESOLVED),
    Status.WAITING_ON_SPONSOR: (Status.OPEN, Status.WAITING_ON_SERVICE_OPS, Status.RESOLVED),
    Status.WAITING_ON_SERVICE_OPS: (Status.OPEN, Status.WAITING_ON_SPONSOR, Status.RESOLVED),
    Status.RESOLVED: (Status.CLOSED, Status.OPEN),
    Status.CLOSED: (Status.OPEN,),
}


class ResolutionCode(models.TextChoices):
    ANSWERED = "answered", "Answered: information given"
    CLAIM_REPROCESSED = "claim_reprocessed", "Claim reprocessed"
    ELIGIBILITY_CORRECTED = "eligibility_corrected", "Eligibility corrected"
    ID_CARD_REISSUED = "id_card_reissued", "ID card reissued"
    RECORD_CORRECTED = "record_corrected", "Other record corrected"
    REFERRED = "referred", "Referred to another team"
    NO_ACTION = "no_action", "No action needed"
    WITHDRAWN = "withdrawn", "Withdrawn by the requester"
    DUPLICATE = "duplicate", "Duplicate (merged)"
    OTHER = "other", "Other"


class SlaState(models.TextChoices):
    """Stored by the SLA recompute. A running clock's live state (on track, at risk or
    breached) follows from the stored instants and the time of the request."""

    NONE = "none", "No SLA"
    RUNNING = "running", "Running"
    PAUSED = "paused", "Paused"
    MET = "met", "Met"
    BREACHED = "breached", "Breached"


class LiveSlaState(models.TextChoices):
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    BREACHED = "breached", "Breached"
    PAUSED = "paused", "Paused"
    MET = "met", "Met"
    NONE = "none", "No SLA"


class SlaMetric(models.TextChoices):
    FIRST_RESPONSE = "first_response", "First response"
    RESOLUTION = "resolution", "Resolution"


class SlaEventKind(models.TextChoices):
    AT_RISK = "at_risk", "At risk"
    BREACHED = "breached", "Breached"
    MET = "met", "Met"
    ESCALATED = "escalated", "Reassigned after breach"


OUTCOME_KINDS: tuple[str, ...] = (SlaEventKind.MET, SlaEventKind.BREACHED)


class RoutingMethod(models.TextChoices):
    LEAST_LOADED = "least_loaded", "Least loaded on the account team"
    ROUND_ROBIN = "round_robin", "Round robin over the account team"
    ACCOUNT_TEAM = "account_team", "Account team: the lead first"
    MANUAL = "manual", "Leave in the queue"


member_reference_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9-]{2,39}$", "Use 3-40 letters, digits or dashes (the member ID)."
)


def mask_member_reference(value: str) -> str:
    """A member reference as lists and exports show it: only the last four characters."""
    if not value:
        return ""
    return "••••" + (value[-4:] if len(value) > 6 else "")


class SlaPolicy(models.Model):
    """First-response and resolution targets in business hours. A policy matches an inquiry
    when each of its tier, category and priority is blank or equal; the most specific
    matching policy wins (most fields set; then priority, category, tier; then lowest id)."""

    name = models.CharField(max_length=100)
    tier = models.CharField(max_length=12, choices=Tier.choices, blank=True)
    category = models.CharField(max_length=32, choices=Category.choices, blank=True)
    priority = models.CharField(max_length=8, choices=Priority.choices, blank=True)
    first_response_hours = models.DecimalField(
        "first response (business hours)",
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.25"))],
    )
    resolution_hours = models.DecimalField(
        "resolution (business hours)",
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.25"))],
    )
    is_active = models.BooleanField("active", default=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)  # optimistic locking

    class Meta:
        ordering = ["tier", "category", "priority", "id"]
        verbose_name_plural = "SLA policies"
        constraints = [
            models.UniqueConstraint(
                fields=["tier", "category", "priority"],
                condition=Q(is_active=True),
                name="one_active_sla_policy_per_scope",
            ),
            models.CheckConstraint(
                condition=Q(resolution_hours__gte=models.F("first_response_hours")),
                name="sla_resolution_not_before_response",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def matches(self, tier: str, category: str, priority: str) -> bool:
        return (
            (not self.tier or self.tier == tier)
            and (not self.category or self.category == category)
            and (not self.priority or self.priority == priority)
        )

    def specificity(self) -> tuple[int, bool, bool, bool, int]:
        fields = (bool(self.priority), bool(self.category), bool(self.tier))
        return (sum(fields), *fields, -self.pk if self.pk else 0)

    def scope_label(self) -> str:
        parts = [
            self.get_tier_display() if self.tier else "",
            self.get_category_display() if self.category else "",
            self.get_priority_display() if self.priority else "",
        ]
        return " · ".join(p for p in parts if p) or "Every inquiry"

    def target(self, metric: str) -> dt.timedelta:
        hours = (
            self.first_response_hours
            if metric == SlaMetric.FIRST_RESPONSE
            else self.resolution_hours
        )
        return dt.timedelta(seconds=int(hours * 3600))


class InquiryImport(models.Model):
    """One run of the inquiry_import feed loader."""

    source = models.CharField(max_length=255, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    rows_read = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    already_present = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"import {self.pk} of {self.source or 'rows'} ({self.created} new)"


class Inquiry(models.Model):
    """A question or problem raised by a member (through the sponsor), a sponsor contact or a
    broker, worked by the account team under an SLA."""

    # The composite indexes below start with account and with owner: no single-column ones.
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="inquiries", db_index=False
    )
    requester_type = models.CharField(max_length=8, choices=RequesterType.choices)
    # PHI: masked in every list, page and export; shown in full only on purpose (audited).
    member_reference = models.CharField(
        "member ID", max_length=40, blank=True, validators=[member_reference_validator]
    )
    contact = models.ForeignKey(
        Contact,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inquiries",
        verbose_name="sponsor contact",
    )
    broker_name = models.CharField("broker or consultant", max_length=120, blank=True)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    category = models.CharField(max_length=32, choices=Category.choices)
    subcategory = models.CharField(max_length=40, blank=True)
    priority = models.CharField(max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    subject = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    claim_ids = models.JSONField("related claim IDs", default=list, blank=True)
    call_ids = models.JSONField("related call IDs", default=list, blank=True)
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.NEW)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_inquiries",
        db_index=False,
    )
    assigned_by = models.CharField(
        "how the owner was chosen", max_length=16, blank=True
    )  # a RoutingMethod, "manual" or "escalation"
    watchers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="watched_inquiries"
    )
    resolution_code = models.CharField(max_length=24, choices=ResolutionCode.choices, blank=True)
    resolution_summary = models.TextField(blank=True)
    opened_at = models.DateTimeField()
    first_responded_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates"
    )
    # Extension point for emerging issues (DESIGN.md duty 2): the problem record this inquiry
    # is linked to. The insights app turns this column into a ForeignKey to its Problem model
    # (same column name, so existing links carry over); nothing here reads it yet.
    problem_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    external_id = models.CharField(max_length=64, null=True, blank=True, unique=True)
    # Rarely looked up from the other side (and never deleted in practice): no index.
    import_batch = models.ForeignKey(
        InquiryImport,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inquiries",
        db_index=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic locking: every change of the fields people edit adds one; a form or API
    # call carries the version it read and is refused when the row has moved on.
    version = models.PositiveIntegerField(default=1)

    # SLA cache, written only by clientdesk.inquiries.sla (recomputed from the status history
    # and the current policy; never added up by hand). Kept for sorting and filtering.
    sla_policy = models.ForeignKey(
        SlaPolicy,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    sla_state = models.CharField(max_length=8, choices=SlaState.choices, default=SlaState.NONE)
    first_response_due_at = models.DateTimeField(null=True, blank=True)
    resolution_due_at = models.DateTimeField(null=True, blank=True)
    sla_due_at = models.DateTimeField(
        null=True, blank=True, help_text="The next deadline of a running clock."
    )
    sla_at_risk_at = models.DateTimeField(null=True, blank=True)
    sla_computed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name_plural = "inquiries"
        indexes = [
            models.Index(fields=["opened_at", "category", "account"], name="inq_opened_cat_acct"),
            models.Index(fields=["account", "opened_at"], name="inq_account_opened"),
            models.Index(fields=["status", "owner", "opened_at"], name="inq_status_owner_opened"),
            models.Index(fields=["owner", "status", "sla_due_at"], name="inq_owner_status_due"),
            models.Index(fields=["owner", "opened_at"], name="inq_owner_opened"),
            models.Index(fields=["category", "opened_at"], name="inq_category_opened"),
            models.Index(fields=["priority", "opened_at"], name="inq_priority_opened"),
            models.Index(fields=["sla_state", "sla_due_at"], name="inq_sla_state_due"),
            # Active work is a few percent of the book: these let its filters start there.
            models.Index(fields=["status", "sla_state", "sla_due_at"], name="inq_status_sla_due"),
            models.Index(fields=["status", "category", "opened_at"], name="inq_status_cat_opened"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(merged_into=models.F("id")), name="inquiry_not_merged_into_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"

    @property
    def reference(self) -> str:
        return f"Q-{self.pk:06d}" if self.pk else "Q-new"

    @property
    def owner_label(self) -> str:
        """The owner as pages show it: their name; "Imported" for an inquiry worked in another
        system by someone who is not a clientdesk user; "In the queue" for one waiting."""
        if self.owner_id is not None and self.owner is not None:
            return self.owner.get_full_name() or self.owner.username
        if self.import_batch_id is not None and self.status in DONE_STATUSES:
            return "Imported"
        return "In the queue"

    @property
    def member_reference_masked(self) -> str:
        return mask_member_reference(self.member_reference)

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def subcategory_label(self) -> str:
        return SUBCATEGORY_LABELS.get(self.subcategory, self.subcategory)

    def requester_label(self) -> str:
        if self.requester_type == RequesterType.SPONSOR and self.contact is not None:
            return self.contact.name
        if self.requester_type == RequesterType.BROKER:
            return self.broker_name or (self.contact.name if self.contact else "Broker")
        if self.requester_type == RequesterType.MEMBER:
            return f"Member {self.member_reference_masked}".strip()
        return self.get_requester_type_display()

    def allowed_statuses(self) -> tuple[str, ...]:
        if self.merged_into_id is not None:
            return ()
        return TRANSITIONS.get(self.status, ())


class AppendOnlyQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> int:
        raise RuntimeError("the status history is append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise RuntimeError("the status history is append-only")


class InquiryStatusChange(models.Model):
    """The append-only status history; SLA clocks are rebuilt from it."""

    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=24, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=24, choices=Status.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=200, blank=True)

    objects: ClassVar[AppendOnlyQuerySet] = AppendOnlyQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["inquiry", "at"], name="inq_status_change_at")]

    def __str__(self) -> str:
        return f"{self.inquiry_id}: {self.from_status or '-'} → {self.to_status} at {self.at}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("the status history is append-only")
        super().save(*args, **kwargs)


class NoteVisibility(models.TextChoices):
    INTERNAL = "internal", "Internal note"
    CUSTOMER = "customer", "Note to the customer"


class InquiryNote(models.Model):
    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    visibility = models.CharField(
        max_length=8, choices=NoteVisibility.choices, default=NoteVisibility.INTERNAL
    )
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    emailed_to = models.CharField(max_length=254, blank=True)
    moved_from = models.ForeignKey(
        Inquiry, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["inquiry", "created_at"], name="inq_note_created")]

    def __str__(self) -> str:
        return f"{self.get_visibility_display()} on {self.inquiry_id}"


class InquiryEventKind(models.TextChoices):
    CREATED = "created", "Opened"
    IMPORTED = "imported", "Imported"
    UPDATED = "updated", "Details changed"
    ASSIGNED = "assigned", "Assigned"
    WATCHING = "watching", "Watchers changed"
    ATTACHMENT = "attachment", "Attachment added"
    MERGED_INTO = "merged_into", "Merged into another inquiry"
    MERGED_FROM = "merged_from", "A duplicate was merged in"
    ESCALATED = "escalated", "Reassigned after an SLA breach"


class InquiryEvent(models.Model):
    """Timeline entries other than status changes, notes and SLA events."""

    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=InquiryEventKind.choices)
    summary = models.CharField(max_length=255)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["inquiry", "at"], name="inq_event_at")]

    def __str__(self) -> str:
        return f"{self.inquiry_id}: {self.summary}"


class AttachmentStorage(FileSystemStorage):
    """Files under MEDIA_ROOT (settings: DATA_DIR/media), looked up on each use so that a
    test's own data dir holds its files. Never served as static media: only the attachment
    view hands them out, after the access check and with an audit row."""

    @property
    def base_location(self) -> str:
        return str(Path(settings.DATA_DIR) / "media")

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)


def attachment_storage() -> AttachmentStorage:
    return AttachmentStorage()


def attachment_path(instance: InquiryAttachment, filename: str) -> str:
    # A random name: the original file name may carry member data and stays in the row only.
    suffix = PurePath(filename).suffix.lower()
    return f"inquiries/{instance.inquiry_id}/{uuid.uuid4().hex}{suffix}"


class InquiryAttachment(models.Model):
    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, storage=attachment_storage, max_length=255)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class SlaEvent(models.Model):
    """One SLA event of one inquiry's metric: at risk, breached, met, or reassigned after a
    breach. Written idempotently by the SLA recompute: the same event is never written twice.

    Rows are never deleted. When a recompute (after a policy or calendar change, or a reopen)
    finds a different outcome, the old outcome row is stamped `superseded_at` and the new one
    is added, so "% met" counts current outcomes while the history stays readable.
    """

    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="sla_events")
    # Reports group by these; the outcome index covers them, so no index of their own (each
    # index costs on every one of the millions of rows a recompute may write).
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+", db_index=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        help_text="The inquiry's owner when the event happened (who is accountable).",
    )
    category = models.CharField(max_length=32, choices=Category.choices)
    priority = models.CharField(max_length=8, choices=Priority.choices)
    metric = models.CharField(max_length=16, choices=SlaMetric.choices)
    kind = models.CharField(max_length=10, choices=SlaEventKind.choices)
    due_at = models.DateTimeField()
    occurred_at = models.DateTimeField()
    recorded_at = models.DateTimeField(default=timezone.now)
    policy = models.ForeignKey(
        SlaPolicy,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    target_minutes = models.PositiveIntegerField()
    elapsed_minutes = models.PositiveIntegerField()
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["inquiry", "metric", "kind", "due_at"],
                condition=Q(superseded_at__isnull=True),
                name="one_current_sla_event",
            )
        ]
        indexes = [
            # Outcomes by the time they happened, covering what "% met" groups by.
            models.Index(
                fields=[
                    "occurred_at",
                    "kind",
                    "metric",
                    "owner",
                    "account",
                    "category",
                    "superseded_at",
                ],
                name="sla_event_outcome",
            ),
            models.Index(fields=["inquiry", "metric"], name="sla_event_inquiry"),
        ]

    def __str__(self) -> str:
        return f"{self.inquiry_id} {self.metric} {self.kind} (due {self.due_at:%Y-%m-%d %H:%M})"


class SlaOutcomeDay(models.Model):
    """Current SLA outcomes counted per day (in the team's time zone), per associate, account
    and category, clock and kind. Each day's rows are rebuilt from the SlaEvent rows whenever
    a recompute writes or supersedes an outcome of that day, in the same transaction (never
    added to by hand), so "% met" over a month reads a few thousand rows, not every event."""

    class Dimension(models.TextChoices):
        OWNER = "owner", "Associate"
        ACCOUNT = "account", "Account"
        CATEGORY = "category", "Category"

    day = models.DateField()
    dimension = models.CharField(max_length=8, choices=Dimension.choices)
    key = models.CharField(max_length=32, help_text="User id, account id or category code.")
    metric = models.CharField(max_length=16, choices=SlaMetric.choices)
    kind = models.CharField(max_length=10, choices=SlaEventKind.choices)
    count = models.PositiveIntegerField()

    class Meta:
        indexes = [
            models.Index(
                fields=["day", "dimension", "key", "metric", "kind", "count"],
                name="sla_outcome_day",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.dimension}={self.key} {self.metric} {self.kind}: {self.count}"


class RoutingRule(models.Model):
    """How new inquiries of one account are assigned (the default is a setting)."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="routing_rule")
    method = models.CharField(max_length=16, choices=RoutingMethod.choices)
    use_competence = models.BooleanField(
        "only associates competent in the category",
        default=False,
        help_text="Falls back to the whole team when no one on it is competent.",
    )
    version = models.PositiveIntegerField(default=1, editable=False)  # optimistic locking

    def __str__(self) -> str:
        return f"{self.account}: {self.get_method_display()}"


class Competence(models.Model):
    """An associate is competent in an inquiry category (skill-based routing)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inquiry_competences"
    )
    category = models.CharField(max_length=32, choices=Category.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "category"], name="one_competence_per_category")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_category_display()}"


class Severity(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class EscalationStatus(models.TextChoices):
    OPEN = "open", "Open"
    MONITORING = "monitoring", "Monitoring"
    RESOLVED = "resolved", "Resolved"


class AccountEscalation(models.Model):
    """A whole sponsor relationship in trouble, tracked to resolution with progress notes."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="escalations")
    title = models.CharField(max_length=200)
    reason = models.TextField("what is wrong")
    severity = models.CharField(max_length=8, choices=Severity.choices, default=Severity.HIGH)
    status = models.CharField(
        max_length=12, choices=EscalationStatus.choices, default=EscalationStatus.OPEN
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_escalations",
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    raised_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)  # optimistic locking

    class Meta:
        ordering = ["-raised_at", "-id"]
        indexes = [models.Index(fields=["account", "status"], name="escalation_account_status")]

    def __str__(self) -> str:
        return f"{self.account.name}: {self.title}"


class EscalationNote(models.Model):
    escalation = models.ForeignKey(
        AccountEscalation, on_delete=models.CASCADE, related_name="notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    body = models.TextField("progress note")

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"note on escalation {self.escalation_id}"
