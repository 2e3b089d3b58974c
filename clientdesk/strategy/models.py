"""Account strategy: calls to action, the health score and its daily history, the strategic
plan (challenges, needs and wants, objectives with measures), directives to the support teams,
the sponsor's people and visits."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from clientdesk.accounts.models import Account, Contact


class CallStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    DISMISSED = "dismissed", "Dismissed"


class CallUrgency(models.TextChoices):
    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"


class CallToAction(models.Model):
    """Something on one account a person must act on, opened by a rule (lib/calls.py). One
    open call per account, rule and cause: the same cause found again updates it."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="calls_to_action")
    rule_key = models.CharField(max_length=60)
    cause_key = models.CharField(max_length=200)
    title = models.CharField(max_length=200)
    reason = models.TextField()
    urgency = models.CharField(max_length=8, choices=CallUrgency.choices, default="normal")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=CallStatus.choices, default=CallStatus.OPEN)
    url = models.CharField(max_length=300, blank=True)
    opened_at = models.DateTimeField()
    last_found_at = models.DateTimeField()
    times_found = models.PositiveIntegerField(default=1)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    close_note = models.TextField(blank=True)
    # Optimistic locking on what people change (status, note, owner, due): a rule finding the
    # cause again refreshes the call without a new version.
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["due", "-opened_at", "id"]
        indexes = [models.Index(fields=["status", "account"], name="cta_status_account")]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "rule_key", "cause_key"],
                condition=Q(status="open"),
                name="one_open_call_per_cause",
            )
        ]

    def __str__(self) -> str:
        return f"{self.account.name}: {self.title}"

    @property
    def reference(self) -> str:
        return f"CTA-{self.pk:05d}" if self.pk else "CTA-new"


class CallTask(models.Model):
    """One step of a call's playbook, ticked off by a person."""

    call = models.ForeignKey(CallToAction, on_delete=models.CASCADE, related_name="tasks")
    position = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=300)
    done = models.BooleanField(default=False)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text


class Band(models.TextChoices):
    POOR = "poor", "Poor"
    FAIR = "fair", "Fair"
    GOOD = "good", "Good"


class HealthWeights(models.Model):
    """The manager's weights of the health measures for one segment (an empty segment is the
    default for every segment without weights of its own)."""

    segment = models.CharField(max_length=20, blank=True, unique=True)
    weights = models.JSONField(default=dict, help_text='{"sla_attainment": 15, ...}')
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)  # optimistic locking

    def __str__(self) -> str:
        return f"Health weights ({self.segment or 'default'})"


class HealthSnapshot(models.Model):
    """One account's health on one day, with every measure's value, score and weight, and
    the words that explain the change from the previous snapshot."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="health_snapshots")
    day = models.DateField()
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    band = models.CharField(max_length=6, choices=Band.choices, blank=True)
    measures = models.JSONField(default=dict)
    change = models.SmallIntegerField(null=True, blank=True)
    explanation = models.TextField(blank=True)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["account", "-day"]
        constraints = [
            models.UniqueConstraint(fields=["account", "day"], name="one_health_snapshot_per_day")
        ]
        indexes = [models.Index(fields=["day", "account"], name="health_day_account")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.day}: {self.score}"


class HealthOverride(models.Model):
    """A manager's band for an account, with a note, until an expiry; the computed score stays
    visible beside it."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="health_overrides")
    band = models.CharField(max_length=6, choices=Band.choices)
    note = models.TextField()
    expires_on = models.DateField()
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_at = models.DateTimeField()
    cleared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-set_at", "-id"]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.band} until {self.expires_on}"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
    CLOSED = "closed", "Closed"


class AccountPlan(models.Model):
    """The strategic plan of one account for one plan year."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="strategic_plans")
    year = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default="draft")
    challenges = models.TextField("the sponsor's business challenges", blank=True)
    sponsor_objectives = models.TextField("the sponsor's objectives, in their words", blank=True)
    strategy = models.TextField("our strategy", blank=True)
    version = models.PositiveIntegerField(default=1)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["account", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["account", "year"], name="one_plan_per_account_year")
        ]

    def __str__(self) -> str:
        return f"{self.account.name} plan {self.year}"


class NeedKind(models.TextChoices):
    NEED = "need", "Need"
    WANT = "want", "Want"


class PlanNeed(models.Model):
    """One entry of the needs and wants register: what the sponsor said, where, when."""

    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="needs")
    kind = models.CharField(max_length=4, choices=NeedKind.choices)
    text = models.CharField(max_length=300)
    source = models.CharField(max_length=200)
    noted_on = models.DateField()

    class Meta:
        ordering = ["-noted_on", "id"]

    def __str__(self) -> str:
        return self.text


class ObjectiveStatus(models.TextChoices):
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"
    NO_VALUE = "no_value", "No value yet"


class Better(models.TextChoices):
    HIGHER = "higher", "Higher is better"
    LOWER = "lower", "Lower is better"


class Objective(models.Model):
    """An objective of the plan with its measure: live (a key of lib/measures.py) or entered
    by hand with its source; a target, a direction, an owner and a due date. The status
    follows from the value (objectives.py)."""

    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="objectives")
    title = models.CharField(max_length=200)
    measure_key = models.CharField(max_length=60, blank=True)
    manual_value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    manual_source = models.CharField(max_length=200, blank=True)
    target = models.DecimalField(max_digits=14, decimal_places=2)
    better = models.CharField(max_length=6, choices=Better.choices, default=Better.HIGHER)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=ObjectiveStatus.choices, default=ObjectiveStatus.NO_VALUE
    )
    value = models.FloatField(null=True, blank=True)
    value_detail = models.CharField(max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["plan", "due", "id"]

    def __str__(self) -> str:
        return self.title


class ObjectiveReading(models.Model):
    """The objective's value and status on one day: its history."""

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="readings")
    day = models.DateField()
    value = models.FloatField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=ObjectiveStatus.choices)

    class Meta:
        ordering = ["objective", "-day"]
        constraints = [
            models.UniqueConstraint(fields=["objective", "day"], name="one_reading_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.objective_id} {self.day}: {self.status}"


class SupportTeam(models.TextChoices):
    CLAIMS = "claims", "Claims"
    ELIGIBILITY = "eligibility", "Eligibility"
    PHARMACY = "pharmacy", "Pharmacy"
    MEMBER_SERVICES = "member_services", "Member services"
    SERVICE_OPERATIONS = "service_operations", "Service operations"


class DirectiveKind(models.TextChoices):
    SPECIAL_HANDLING = "special_handling", "Special handling"
    ESCALATION_CONTACT = "escalation_contact", "Escalation contact"
    DO_NOT = "do_not", "Do not"
    COMMUNICATION = "communication", "Communication preference"


class Directive(models.Model):
    """A direction the support teams must follow for one account, from a date, until a date."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="directives")
    team = models.CharField(max_length=20, choices=SupportTeam.choices)
    kind = models.CharField(max_length=20, choices=DirectiveKind.choices)
    text = models.TextField()
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["account", "team", "-effective_from", "id"]

    def __str__(self) -> str:
        return f"{self.get_team_display()}: {self.text[:60]}"


class DirectiveAcknowledgement(models.Model):
    """A service-operations user read this version of the directive."""

    directive = models.ForeignKey(
        Directive, on_delete=models.CASCADE, related_name="acknowledgements"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField()
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["directive", "user", "version"], name="one_ack_per_directive_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.directive_id} v{self.version} by {self.user_id}"


class Influence(models.TextChoices):
    DECISION_MAKER = "decision_maker", "Decision maker"
    INFLUENCER = "influencer", "Influencer"
    USER = "user", "User"
    BLOCKER = "blocker", "Blocker"


class Sentiment(models.TextChoices):
    POSITIVE = "positive", "Positive"
    NEUTRAL = "neutral", "Neutral"
    NEGATIVE = "negative", "Negative"


class Stakeholder(models.Model):
    """A sponsor's person on the relationship map: their influence, sentiment, our owner and
    how often they should hear from us."""

    contact = models.OneToOneField(Contact, on_delete=models.CASCADE, related_name="stakeholder")
    influence = models.CharField(max_length=16, choices=Influence.choices)
    sentiment = models.CharField(max_length=10, choices=Sentiment.choices, default="neutral")
    our_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cadence_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="A touch is due this many days after the last one."
    )
    version = models.PositiveIntegerField(default=1, editable=False)  # optimistic locking

    def __str__(self) -> str:
        return f"{self.contact.name} ({self.get_influence_display()})"


class Visit(models.Model):
    """A meeting with the sponsor: purpose, who attends, travel dates, outcome."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="visits")
    purpose = models.CharField(max_length=200)
    starts_on = models.DateField()
    ends_on = models.DateField()
    location = models.CharField(max_length=200, blank=True)
    attendees = models.ManyToManyField(Contact, blank=True, related_name="visits")
    outcome = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)  # optimistic locking

    class Meta:
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return f"{self.account.name}: {self.purpose} ({self.starts_on})"
