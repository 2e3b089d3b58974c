"""The team: people and skills, licenses, training, time off, recruiting, one-to-ones.

HR data is the most private in the product (DESIGN.md §1): every read of it goes through
``access.py``, which audits the reads of a person's record and of a candidate's file.
Voluntary self-identification is stored apart from candidates (no link back to a person).
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q

from clientdesk.accounts.models import US_STATES, Account


class Location(models.TextChoices):
    ONSITE = "onsite", "Onsite at a sponsor"
    REMOTE = "remote", "Remote"
    OFFICE = "office", "Office"


class Leaving(models.TextChoices):
    VOLUNTARY = "voluntary", "Voluntary"
    INVOLUNTARY = "involuntary", "Involuntary"


class Person(models.Model):
    """A team member's HR record: who manages them, where they work, what they know."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_person"
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="direct_reports",
    )
    title = models.CharField(max_length=120, default="Client-based associate")
    location = models.CharField(max_length=8, choices=Location.choices, default=Location.REMOTE)
    onsite_account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hire_date = models.DateField()
    products = models.JSONField(default=list, blank=True, help_text="Product codes.")
    languages = models.JSONField(default=list, blank=True, help_text="Languages spoken.")
    segments = models.JSONField(default=list, blank=True, help_text="Segment codes.")
    capacity = models.PositiveSmallIntegerField(
        default=6, help_text="Accounts this person can carry as lead or backup."
    )
    left_on = models.DateField(null=True, blank=True)
    leaving = models.CharField(max_length=12, choices=Leaving.choices, blank=True)
    agent_id = models.CharField(
        "agent id",
        max_length=40,
        blank=True,
        help_text="Their login on the call centre's phone system (ACD), as the lake's call "
        "records name the agent who answered; their calls count towards schedule adherence.",
    )
    # Optimistic locking: each save adds one; a save from an older version is refused (the
    # editor sees both versions) instead of silently erasing the other person's change.
    version = models.PositiveIntegerField(default=1, editable=False)
    # The weekly schedule (their Shift rows) is saved as a whole apart from the record: its
    # own counter, so a schedule and a record edit never refuse each other.
    schedule_version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["user__last_name", "user__first_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agent_id"], condition=~Q(agent_id=""), name="one_person_per_agent_id"
            ),
        ]

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()


class LineOfAuthority(models.TextChoices):
    HEALTH = "health", "Accident and health"
    LIFE = "life", "Life"


class License(models.Model):
    """An insurance producer license held in one state."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="licenses"
    )
    state = models.CharField(max_length=2, choices=[(s, s) for s in US_STATES])
    number = models.CharField(max_length=40)
    line = models.CharField(
        "line of authority",
        max_length=8,
        choices=LineOfAuthority.choices,
        default=LineOfAuthority.HEALTH,
    )
    issued_on = models.DateField()
    expires_on = models.DateField()
    ce_required = models.PositiveSmallIntegerField("CE credits required", default=24)
    ce_earned = models.PositiveSmallIntegerField("CE credits earned", default=0)
    alerted = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The last expiry alert mailed: 90, 60, 30 days, 0 lapsed."
    )
    # Optimistic locking, as on the person's record: a save from an older version is refused.
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["expires_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "state", "line"], name="one_license_per_line"),
        ]

    def __str__(self) -> str:
        return f"{self.state} {self.get_line_display()} {self.number}"


class Recurrence(models.TextChoices):
    ONCE = "once", "Once"
    YEARLY = "yearly", "Every year"


class Course(models.Model):
    """A course of modules. A compliance course is required of everyone on the team."""

    code = models.CharField(max_length=24, unique=True)
    title = models.CharField(max_length=160)
    description = models.TextField(blank=True)
    compliance = models.BooleanField("required compliance course", default=False)
    recurrence = models.CharField(max_length=8, choices=Recurrence.choices, default=Recurrence.ONCE)
    at_hire = models.BooleanField("assigned at hire", default=False)
    days_to_complete = models.PositiveSmallIntegerField(default=30)
    passing_score = models.PositiveSmallIntegerField(default=80, help_text="Percent.")
    policy_version = models.PositiveIntegerField(default=1)
    guards_member_data = models.BooleanField(
        "required to open member data",
        default=False,
        help_text="While it is overdue (HIPAA privacy and security), the person cannot open "
        "member-level data.",
    )

    class Meta:
        ordering = ["-compliance", "title", "id"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class ModuleKind(models.TextChoices):
    DOCUMENT = "document", "Document"
    LINK = "link", "Link"
    VIDEO = "video", "Video"
    QUIZ = "quiz", "Quiz"


class Module(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="modules")
    order = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=8, choices=ModuleKind.choices)
    title = models.CharField(max_length=160)
    body = models.TextField(blank=True)
    url = models.URLField(blank=True)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return f"{self.course.code} · {self.title}"


class Question(models.Model):
    """A multiple-choice question of a quiz module. The answer never leaves the server."""

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(default=0)
    prompt = models.CharField(max_length=300)
    choices = models.JSONField(default=list)
    answer = models.PositiveSmallIntegerField(help_text="Index of the right choice, from 0.")

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.prompt


class LearningPath(models.Model):
    """Courses for a role (every associate) or for the team of one account (onboarding)."""

    name = models.CharField(max_length=160)
    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    courses = models.ManyToManyField(Course, related_name="paths")

    def __str__(self) -> str:
        return self.name


class AssignmentReason(models.TextChoices):
    HIRE = "hire", "At hire"
    YEARLY = "yearly", "Yearly"
    POLICY = "policy", "Policy change"
    NEED = "need", "Training need"
    PATH = "path", "Learning path"
    MANUAL = "manual", "Assigned"


class TrainingAssignment(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training"
    )
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="assignments")
    reason = models.CharField(
        max_length=8, choices=AssignmentReason.choices, default=AssignmentReason.MANUAL
    )
    assigned_on = models.DateField()
    due_on = models.DateField()
    completed_on = models.DateField(null=True, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    reminded_on = models.DateField(null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "course"],
                condition=Q(completed_on__isnull=True),
                name="one_open_assignment_per_course",
            ),
        ]
        indexes = [
            models.Index(fields=["completed_on", "due_on"]),
            # The compliance matrix reads each person's courses off this index alone.
            models.Index(
                fields=["user", "course", "completed_on", "due_on"], name="team_assign_matrix"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course.code} for {self.user} due {self.due_on}"

    def is_overdue(self, today: dt.date) -> bool:
        return self.completed_on is None and self.due_on < today

    @property
    def certificate_number(self) -> str:
        return f"CD-{self.course.code}-{self.pk:06d}"


class PrivateFileStorage(FileSystemStorage):
    """Files under DATA_DIR/media, looked up on each use (a test's own data dir holds its
    files). Never served as static media: only the team's views hand them out, after the
    access check."""

    @property
    def base_location(self) -> str:
        return str(Path(settings.DATA_DIR) / "media")

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)


def private_storage() -> PrivateFileStorage:
    return PrivateFileStorage()


def certificate_path(instance: Certificate, filename: str) -> str:
    return f"team/certificates/{instance.assignment_id}/{uuid.uuid4().hex}.pdf"


class Certificate(models.Model):
    """A certificate of completion, made when the course is completed: numbered, dated, with
    the holder's name, the course and the score as they were then. Its PDF is printed from
    these fields (never from the person's record of today) the first time it is opened and
    kept as a file with its SHA-256; every later open hands out that file."""

    assignment = models.OneToOneField(
        TrainingAssignment, on_delete=models.CASCADE, related_name="certificate"
    )
    number = models.CharField(max_length=40, unique=True)
    holder_name = models.CharField(max_length=300)
    course_code = models.CharField(max_length=24)
    course_title = models.CharField(max_length=200)
    policy_version = models.PositiveIntegerField()
    completed_on = models.DateField()
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The printed PDF, once opened: empty until then.
    file = models.FileField(
        upload_to=certificate_path, storage=private_storage, max_length=255, blank=True
    )
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    size = models.PositiveIntegerField(null=True, blank=True)
    printed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"certificate {self.number}"


class QuizAttempt(models.Model):
    """One sitting of a quiz: started, then submitted once; scored on the server."""

    assignment = models.ForeignKey(
        TrainingAssignment, on_delete=models.CASCADE, related_name="attempts"
    )
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="attempts")
    started_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    answers = models.JSONField(default=dict, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    passed = models.BooleanField(default=False)

    class Meta:
        ordering = ["started_at", "id"]

    def __str__(self) -> str:
        return f"attempt {self.pk} at {self.module_id}"


class NeedStatus(models.TextChoices):
    OPEN = "open", "Open"
    ADDRESSED = "addressed", "Module made and assigned"


class TrainingNeed(models.Model):
    """A gap found in the work (an emerging-issues training finding): topic, evidence, who."""

    topic = models.CharField(max_length=200)
    evidence = models.JSONField(default=list, blank=True, help_text="Problem references.")
    people = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="training_needs")
    status = models.CharField(max_length=10, choices=NeedStatus.choices, default=NeedStatus.OPEN)
    module = models.ForeignKey(
        Module, null=True, blank=True, on_delete=models.SET_NULL, related_name="needs"
    )
    opened_on = models.DateField()
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    addressed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["status", "-opened_on", "id"]

    def __str__(self) -> str:
        return self.topic


class Weekday(models.IntegerChoices):
    MON = 0, "Monday"
    TUE = 1, "Tuesday"
    WED = 2, "Wednesday"
    THU = 3, "Thursday"
    FRI = 4, "Friday"
    SAT = 5, "Saturday"
    SUN = 6, "Sunday"


class Shift(models.Model):
    """A weekly working day: hours, and whether it is spent onsite at the sponsor."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shifts"
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    starts = models.TimeField(default=dt.time(8, 30))
    ends = models.TimeField(default=dt.time(17, 0))
    onsite = models.BooleanField(default=False)

    class Meta:
        ordering = ["weekday"]
        constraints = [
            models.UniqueConstraint(fields=["user", "weekday"], name="one_shift_per_weekday")
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts:%H:%M}-{self.ends:%H:%M}"


class TimeOffType(models.Model):
    code = models.CharField(max_length=16, unique=True)
    name = models.CharField(max_length=60)
    accrual_hours = models.DecimalField(
        "hours accrued per month", max_digits=5, decimal_places=2, default=Decimal(0)
    )
    max_balance = models.DecimalField(
        "balance cap (hours)", max_digits=6, decimal_places=2, null=True, blank=True
    )

    def __str__(self) -> str:
        return self.name


class Balance(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="time_off_balances"
    )
    kind = models.ForeignKey(TimeOffType, on_delete=models.CASCADE, related_name="balances")
    hours = models.DecimalField(max_digits=7, decimal_places=2, default=Decimal(0))
    accrued_through = models.DateField(
        null=True, blank=True, help_text="First day of the last month accrued."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_balance_per_type")
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.hours} h"


class RequestStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"


class TimeOffRequest(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="time_off_requests"
    )
    kind = models.ForeignKey(TimeOffType, on_delete=models.PROTECT, related_name="requests")
    first_day = models.DateField()
    last_day = models.DateField()
    hours = models.DecimalField(max_digits=6, decimal_places=2)
    note = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=10, choices=RequestStatus.choices, default=RequestStatus.REQUESTED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["first_day", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.first_day}–{self.last_day}"


class RequisitionReason(models.TextChoices):
    GROWTH = "growth", "Growth"
    BACKFILL = "backfill", "Backfill"


class Requisition(models.Model):
    title = models.CharField(max_length=160)
    location = models.CharField(max_length=8, choices=Location.choices)
    reason = models.CharField(max_length=8, choices=RequisitionReason.choices)
    approved_on = models.DateField()
    filled_on = models.DateField(null=True, blank=True)
    hiring_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="requisitions"
    )

    class Meta:
        ordering = ["filled_on", "-approved_on", "id"]

    def __str__(self) -> str:
        return f"REQ-{self.pk} {self.title}"


class Stage(models.TextChoices):
    APPLIED = "applied", "Applied"
    SCREENED = "screened", "Screened"
    INTERVIEWED = "interviewed", "Interviewed"
    OFFER = "offer", "Offer"
    HIRED = "hired", "Hired"
    DECLINED = "declined", "Declined"
    REJECTED = "rejected", "Rejected"


class Source(models.TextChoices):
    REFERRAL = "referral", "Employee referral"
    JOB_BOARD = "job_board", "Job board"
    CAREER_SITE = "career_site", "Career site"
    AGENCY = "agency", "Agency"
    CAMPUS = "campus", "Campus"


class Candidate(models.Model):
    """A candidate's file: personal data, for the hiring manager and admins only."""

    requisition = models.ForeignKey(
        Requisition, on_delete=models.CASCADE, related_name="candidates"
    )
    name = models.CharField(max_length=120)
    email = models.EmailField(blank=True)
    source = models.CharField(max_length=12, choices=Source.choices)
    stage = models.CharField(max_length=12, choices=Stage.choices, default=Stage.APPLIED)
    applied_on = models.DateField()
    stage_since = models.DateField()
    closed_reason = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["applied_on", "id"]

    def __str__(self) -> str:
        return f"Candidate {self.pk}"  # never the name: this lands in audit labels


class StageChange(models.Model):
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="history")
    from_stage = models.CharField(max_length=12, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=12, choices=Stage.choices)
    on = models.DateField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["on", "id"]

    def __str__(self) -> str:
        return f"{self.from_stage or 'new'} -> {self.to_stage} on {self.on}"


class Scorecard(models.Model):
    """A structured interview: a score of 1 to 5 per competency, and a recommendation."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="scorecards")
    interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scorecards"
    )
    scheduled_on = models.DateField()
    scores = models.JSONField(default=dict, blank=True)
    recommend = models.BooleanField(null=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["scheduled_on", "id"]

    def __str__(self) -> str:
        return f"scorecard {self.pk} for candidate {self.candidate_id}"


class Offer(models.Model):
    candidate = models.OneToOneField(Candidate, on_delete=models.CASCADE, related_name="offer")
    salary = models.DecimalField(max_digits=10, decimal_places=2)
    start_on = models.DateField()
    made_on = models.DateField()
    accepted_on = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"offer to candidate {self.candidate_id}"


class SelfIdentification(models.Model):
    """Voluntary self-identification, stored apart: it names a requisition, never a person,
    and is read only in aggregate with cells under 5 suppressed."""

    requisition = models.ForeignKey(Requisition, on_delete=models.CASCADE, related_name="+")
    gender = models.CharField(max_length=24, blank=True)
    ethnicity = models.CharField(max_length=40, blank=True)
    veteran = models.CharField(max_length=12, blank=True)
    disability = models.CharField(max_length=12, blank=True)

    def __str__(self) -> str:
        return f"self-identification {self.pk}"


class OneToOne(models.Model):
    """A manager's one-to-one with a report; the notes are the manager's alone."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="one_to_ones"
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    held_on = models.DateField()
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"one-to-one on {self.held_on}"


class QualityReview(models.Model):
    """One reviewer's scorecard of one resolved inquiry, sampled for its owner's month."""

    inquiry = models.ForeignKey(
        "inquiries.Inquiry", on_delete=models.CASCADE, related_name="quality_reviews"
    )
    associate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quality_reviews"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(help_text="First day of the month sampled.")
    scores = models.JSONField(default=dict, help_text="Criterion -> 0 to 5.")
    auto_fail = models.JSONField(default=list, blank=True)
    total = models.PositiveSmallIntegerField(help_text="Weighted percent; 0 on an auto-fail.")
    notes = models.TextField(blank=True)
    reviewed_at = models.DateTimeField()

    class Meta:
        ordering = ["-month", "associate_id", "inquiry_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["inquiry", "reviewer"], name="one_review_per_reviewer")
        ]

    def __str__(self) -> str:
        return f"review of inquiry {self.inquiry_id} by {self.reviewer_id}"


class OccurrenceKind(models.TextChoices):
    TARDY = "tardy", "Late or left early"
    ABSENCE = "absence", "Unplanned absence"
    NO_CALL = "no_call", "No call, no show"


OCCURRENCE_POINTS = {
    OccurrenceKind.TARDY: Decimal("0.5"),
    OccurrenceKind.ABSENCE: Decimal("1"),
    OccurrenceKind.NO_CALL: Decimal("3"),
}


class Occurrence(models.Model):
    """An attendance occurrence under the points policy (points fall off after a year)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="occurrences"
    )
    on = models.DateField()
    kind = models.CharField(max_length=8, choices=OccurrenceKind.choices)
    note = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.on}"

    @property
    def points(self) -> Decimal:
        return OCCURRENCE_POINTS[OccurrenceKind(self.kind)]
