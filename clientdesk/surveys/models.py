"""Surveys and their versions, sends and invitations (one token link per recipient), the
responses (ours and imported), unsubscribes, and the follow-up of every detractor."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from clientdesk.surveys.questions import QuestionSet, parse_questions


class SurveyKind(models.TextChoices):
    RELATIONSHIP = "relationship", "Relationship (sponsor contacts)"
    TRANSACTIONAL = "transactional", "Transactional (after a resolved inquiry)"
    IMPLEMENTATION = "implementation", "Implementation (after go-live)"


class Language(models.TextChoices):
    EN = "en", "English"
    ES = "es", "Español"


_QUESTION_SETS: dict[str, QuestionSet] = {}


class Survey(models.Model):
    """A survey: a name, a kind and its versions of questions (the latest is sent)."""

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=SurveyKind.choices)
    is_active = models.BooleanField("active", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name

    def current_version(self) -> SurveyVersion:
        version = self.versions.order_by("-number").first()
        if version is None:
            raise SurveyVersion.DoesNotExist(f"{self} has no version")
        return version


class SurveyVersion(models.Model):
    """The questions of a survey as sent: never changed once made (a change is a new version),
    so every answer reads against the questions its respondent saw."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    questions = models.JSONField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["survey", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "number"], name="one_survey_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.survey} v{self.number}"

    def question_set(self) -> QuestionSet:
        """The parsed questions, kept for the life of the process by their text (a version's
        questions never change): the public page reads them on every request."""
        key = json.dumps(self.questions, sort_keys=True)
        cached = _QUESTION_SETS.get(key)
        if cached is None:
            if len(_QUESTION_SETS) >= 256:
                _QUESTION_SETS.clear()
            cached = _QUESTION_SETS[key] = parse_questions(self.questions)
        return cached


class SurveySend(models.Model):
    """One distribution: a survey version to a list of people (an account's contacts, or the
    requesters of resolved inquiries), delivered by the background worker."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"

    version = models.ForeignKey(SurveyVersion, on_delete=models.PROTECT, related_name="sends")
    account = models.ForeignKey(
        "accounts.Account",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="survey_sends",
        help_text="Empty for a transactional send across accounts.",
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)
    invited = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.version} send {self.requested_at:%Y-%m-%d}"


class InvitationStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    STARTED = "started", "Started (partly answered)"
    COMPLETED = "completed", "Completed"
    SKIPPED = "skipped", "Not sent"


class Invitation(models.Model):
    """One person asked once: the token link (only its hash is kept), where it stands."""

    send = models.ForeignKey(SurveySend, on_delete=models.CASCADE, related_name="invitations")
    version = models.ForeignKey(SurveyVersion, on_delete=models.PROTECT, related_name="+")
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="survey_invitations"
    )
    contact = models.ForeignKey(
        "accounts.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    contact_role = models.CharField(max_length=24, blank=True)
    associate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The account's lead (or the inquiry's owner) when the invitation was made.",
    )
    inquiry_id = models.BigIntegerField(null=True, blank=True, unique=True)
    email = models.EmailField()
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.EN)
    status = models.CharField(
        max_length=10, choices=InvitationStatus.choices, default=InvitationStatus.QUEUED
    )
    skip_reason = models.CharField(max_length=120, blank=True)
    nonce = models.CharField(max_length=64)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["email", "sent_at"], name="survey_inv_email_sent"),
            models.Index(fields=["account", "sent_at"], name="survey_inv_account_sent"),
        ]

    def __str__(self) -> str:
        return f"Invitation {self.pk} ({self.get_status_display()})"

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()


class Audience(models.TextChoices):
    """Who answers, in the lake feed's words (the satisfaction guarantees read member and
    sponsor satisfaction apart)."""

    SPONSOR = "sponsor", "The sponsor's people (contacts, brokers)"
    MEMBER = "member", "Members"


class ResponseSource(models.TextChoices):
    SURVEY = "survey", "Our survey"
    IMPORT = "import", "Imported export"


class ResponseImport(models.Model):
    """One CSV import of another tool's export: its mapping, and every row loaded or rejected."""

    source_name = models.CharField(max_length=255)
    tool = models.CharField(max_length=40, blank=True)
    mapping = models.JSONField(default=dict)
    kind = models.CharField(max_length=16, choices=SurveyKind.choices)
    audience = models.CharField(
        max_length=8,
        choices=Audience.choices,
        default=Audience.SPONSOR,
        help_text="Who answered the other tool's survey: members or the sponsor's people.",
    )
    rows_read = models.PositiveIntegerField(default=0)
    loaded = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    rejections = models.JSONField(default=list, help_text="[{row, reason}]")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"Import of {self.source_name}"


class SurveyResponse(models.Model):
    """An answer: to one of our invitations (saved as it is typed: submitted_at is empty until
    the respondent finishes), or one row of an imported export. The headline scores are copied
    out of the answers for the results."""

    source = models.CharField(max_length=8, choices=ResponseSource.choices)
    invitation = models.OneToOneField(
        Invitation, null=True, blank=True, on_delete=models.CASCADE, related_name="response"
    )
    import_batch = models.ForeignKey(
        ResponseImport, null=True, blank=True, on_delete=models.CASCADE, related_name="responses"
    )
    external_id = models.CharField(max_length=120, blank=True)
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="survey_responses"
    )
    survey = models.ForeignKey(
        Survey, null=True, blank=True, on_delete=models.SET_NULL, related_name="responses"
    )
    kind = models.CharField(max_length=16, choices=SurveyKind.choices)
    contact_role = models.CharField(max_length=24, blank=True)
    associate = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answers = models.JSONField(default=dict)
    nps = models.SmallIntegerField(null=True, blank=True)
    csat = models.SmallIntegerField(null=True, blank=True)
    ces = models.SmallIntegerField(null=True, blank=True)
    verbatim = models.TextField(blank=True)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.EN)
    started_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["account", "submitted_at"], name="survey_resp_account_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(nps__isnull=True) | Q(nps__gte=0, nps__lte=10), name="survey_nps_0_10"
            ),
            models.CheckConstraint(
                condition=Q(csat__isnull=True) | Q(csat__gte=1, csat__lte=5),
                name="survey_csat_1_5",
            ),
            models.CheckConstraint(
                condition=Q(ces__isnull=True) | Q(ces__gte=1, ces__lte=7), name="survey_ces_1_7"
            ),
            models.UniqueConstraint(
                fields=["import_batch", "external_id"],
                condition=Q(import_batch__isnull=False) & ~Q(external_id=""),
                name="one_imported_row_per_external_id",
            ),
        ]

    def __str__(self) -> str:
        return f"Response {self.pk}"

    def scores(self) -> dict[str, Any]:
        return {"nps": self.nps, "csat": self.csat, "ces": self.ces}


class Unsubscribe(models.Model):
    """An address that asked never to be surveyed again: every send leaves it out."""

    email = models.EmailField(unique=True)
    at = models.DateTimeField()
    invitation = models.ForeignKey(
        Invitation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"Unsubscribed {self.at:%Y-%m-%d}"


class FollowUpStatus(models.TextChoices):
    OPEN = "open", "Open"
    CONTACTED = "contacted", "Contacted"
    CLOSED = "closed", "Closed"


class FollowUp(models.Model):
    """The closed loop of one detractor's answer: who calls back, by when, what came of it."""

    response = models.OneToOneField(
        SurveyResponse, on_delete=models.CASCADE, related_name="follow_up"
    )
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="survey_follow_ups"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN
    )
    due = models.DateField()
    opened_at = models.DateTimeField()
    contacted_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True)
    outcome = models.CharField(max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["due", "id"]
        indexes = [models.Index(fields=["status", "due"], name="survey_followup_status_due")]

    def __str__(self) -> str:
        return f"Follow-up of response {self.response_id}"


class Cadence(models.TextChoices):
    QUARTERLY = "quarterly", "Every quarter"
    HALF_YEARLY = "half_yearly", "Twice a year"
    YEARLY = "yearly", "Once a year"


CADENCE_MONTHS = {Cadence.QUARTERLY: 3, Cadence.HALF_YEARLY: 6, Cadence.YEARLY: 12}


class SurveySchedule(models.Model):
    """A relationship survey sent to an account's contacts again and again: on `next_on`
    the daily clock sends it (to the contacts of `roles`, every contact with an address when
    empty) and moves `next_on` on by the cadence, past today (a missed turn is sent once)."""

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="schedules")
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="survey_schedules"
    )
    cadence = models.CharField(max_length=12, choices=Cadence.choices)
    roles = models.JSONField(default=list, blank=True, help_text="Contact roles; empty: all.")
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.EN)
    next_on = models.DateField("next send")
    is_active = models.BooleanField("active", default=True)
    last_send = models.ForeignKey(
        SurveySend, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_run_on = models.DateField(null=True, blank=True)
    last_outcome = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["next_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "account"], name="one_schedule_per_survey")
        ]

    def __str__(self) -> str:
        return f"{self.survey} for {self.account_id}, {self.get_cadence_display().lower()}"
