"""The account book: plan sponsors, their contacts, contracts, products, team and timeline."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q


class Segment(models.TextChoices):
    COMMERCIAL = "commercial", "Commercial employer"
    PUBLIC_SECTOR = "public_sector", "Public sector"
    LABOR_FUND = "labor_fund", "Labor (Taft-Hartley) fund"


class Funding(models.TextChoices):
    ASO = "aso", "ASO (self-funded)"
    FULLY_INSURED = "fully_insured", "Fully insured"


class AccountStatus(models.TextChoices):
    PROSPECT = "prospect", "Prospect"
    IMPLEMENTATION = "implementation", "In implementation"
    ACTIVE = "active", "Active"
    AT_RISK = "at_risk", "At risk"
    TERMINATED = "terminated", "Terminated"


class Tier(models.TextChoices):
    KEY = "key", "Key account"
    STANDARD = "standard", "Standard"


class Region(models.TextChoices):
    NORTHEAST = "Northeast", "Northeast"
    MIDWEST = "Midwest", "Midwest"
    SOUTH = "South", "South"
    WEST = "West", "West"


US_STATES = [
    "AL",
    "AK",
    "AZ",
    "AR",
    "CA",
    "CO",
    "CT",
    "DE",
    "DC",
    "FL",
    "GA",
    "HI",
    "ID",
    "IL",
    "IN",
    "IA",
    "KS",
    "KY",
    "LA",
    "ME",
    "MD",
    "MA",
    "MI",
    "MN",
    "MS",
    "MO",
    "MT",
    "NE",
    "NV",
    "NH",
    "NJ",
    "NM",
    "NY",
    "NC",
    "ND",
    "OH",
    "OK",
    "OR",
    "PA",
    "RI",
    "SC",
    "SD",
    "TN",
    "TX",
    "UT",
    "VT",
    "VA",
    "WA",
    "WV",
    "WI",
    "WY",
    "PR",
]

US_TIMEZONES = [
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/Puerto_Rico",
]

group_number_validator = RegexValidator(
    r"^[A-Z0-9][A-Z0-9-]{2,19}$",
    "Use 3–20 capital letters, digits or dashes, e.g. G100001.",
)


class Account(models.Model):
    """A plan sponsor: the employer, public body or labor fund that buys the plan."""

    name = models.CharField(max_length=200)
    group_number = models.CharField(
        "sponsor group number", max_length=20, unique=True, validators=[group_number_validator]
    )
    segment = models.CharField(max_length=20, choices=Segment.choices)
    funding = models.CharField(max_length=20, choices=Funding.choices)
    tier = models.CharField(max_length=12, choices=Tier.choices, default=Tier.STANDARD)
    status = models.CharField(
        max_length=20, choices=AccountStatus.choices, default=AccountStatus.ACTIVE
    )
    employees = models.PositiveIntegerField("employees (subscribers)", default=0)
    members = models.PositiveIntegerField("covered members", default=0)
    state = models.CharField(max_length=2, choices=[(s, s) for s in US_STATES])
    region = models.CharField(max_length=12, choices=Region.choices)
    timezone = models.CharField(
        max_length=40, choices=[(t, t) for t in US_TIMEZONES], default="America/New_York"
    )
    broker = models.CharField("broker or consultant", max_length=120, blank=True)
    effective_date = models.DateField()
    renewal_date = models.DateField()
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text="The parent sponsor, for a division or a union local.",
    )
    special_handling = models.TextField(
        "special handling instructions",
        blank=True,
        help_text="What everyone serving this account must know (escalation paths, VIPs, "
        "reporting preferences).",
    )
    # Optimistic locking: each save adds one; a save from an older version is refused (the
    # editor sees both versions) instead of silently erasing the other person's change.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(renewal_date__gt=models.F("effective_date")),
                name="account_renewal_after_effective",
            ),
            models.CheckConstraint(
                condition=~Q(parent=models.F("id")), name="account_not_its_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.group_number})"


class ContactRole(models.TextChoices):
    BENEFITS_MANAGER = "benefits_manager", "Benefits manager"
    HR_DIRECTOR = "hr_director", "HR director"
    UNION_TRUSTEE = "union_trustee", "Union trustee"
    FUND_ADMINISTRATOR = "fund_administrator", "Fund administrator"
    CFO = "cfo", "CFO / finance"
    BROKER = "broker", "Broker or consultant"
    OTHER = "other", "Other"


class Contact(models.Model):
    """A person at the plan sponsor (or its broker) the team works with."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=120)
    title = models.CharField(max_length=120, blank=True)
    role = models.CharField(max_length=24, choices=ContactRole.choices)
    email = models.EmailField(blank=True)
    phone = models.CharField(
        max_length=30,
        blank=True,
        validators=[RegexValidator(r"^[0-9+().\- x]{7,30}$", "Enter a phone number.")],
    )
    is_primary = models.BooleanField("primary contact", default=False)
    notes = models.TextField(blank=True)
    # Optimistic locking: each save adds one; a save from an older version is refused (the
    # editor sees both versions) instead of silently erasing the other person's change.
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-is_primary", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["account"],
                condition=Q(is_primary=True),
                name="one_primary_contact_per_account",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"


class Product(models.TextChoices):
    MEDICAL = "medical", "Medical"
    PHARMACY = "pharmacy", "Pharmacy"
    DENTAL = "dental", "Dental"
    VISION = "vision", "Vision"
    BEHAVIORAL = "behavioral", "Behavioral health"
    STOP_LOSS = "stop_loss", "Stop-loss"


class Contract(models.Model):
    """A contract term: products bought and the price (admin fee PEPM or premium PMPM)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="contracts")
    number = models.CharField("contract number", max_length=40, unique=True)
    start_date = models.DateField()
    end_date = models.DateField()
    products = models.JSONField(default=list, help_text="Product codes (see Product).")
    admin_fee_pepm = models.DecimalField(
        "admin fee PEPM",
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    premium_pmpm = models.DecimalField(
        "premium PMPM",
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )

    # Optimistic locking: each save adds one; a save from an older version is refused (the
    # editor sees both versions) instead of silently erasing the other person's change.
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gt=models.F("start_date")), name="contract_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(admin_fee_pepm__isnull=True) | Q(admin_fee_pepm__gte=0),
                name="contract_admin_fee_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(premium_pmpm__isnull=True) | Q(premium_pmpm__gte=0),
                name="contract_premium_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def product_labels(self) -> list[str]:
        labels = dict(Product.choices)
        return [labels.get(code, code) for code in self.products]


class TeamRole(models.TextChoices):
    LEAD = "lead", "Lead associate"
    BACKUP = "backup", "Backup associate"
    ANALYST = "analyst", "Analyst"


class Assignment(models.Model):
    """Which associate serves which account, in which role."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments"
    )
    role = models.CharField(max_length=12, choices=TeamRole.choices, default=TeamRole.LEAD)
    since = models.DateField()

    class Meta:
        ordering = ["role", "user__last_name"]
        constraints = [
            models.UniqueConstraint(fields=["account", "user"], name="one_assignment_per_user"),
            models.UniqueConstraint(
                fields=["account"], condition=Q(role="lead"), name="one_lead_per_account"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.account} ({self.get_role_display()})"


class ActivityKind(models.TextChoices):
    MEETING = "meeting", "Meeting"
    VISIT = "visit", "Onsite visit"
    CALL = "call", "Call"
    EMAIL = "email", "E-mail"
    NOTE = "note", "Note"
    # Events that other capabilities add to the timeline.
    CHANGE = "change", "Account change"
    DATA_LOAD = "data_load", "Data load"
    INQUIRY = "inquiry", "Inquiry"
    GUARANTEE = "guarantee", "Performance guarantee"
    ISSUE = "issue", "Emerging issue"
    REPORT = "report", "Report"


LOGGED_ACTIVITY_KINDS = [
    ActivityKind.MEETING,
    ActivityKind.VISIT,
    ActivityKind.CALL,
    ActivityKind.EMAIL,
    ActivityKind.NOTE,
]


class ActivityEvent(models.Model):
    """One entry of an account's timeline, logged by a person or added by the system."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="activity")
    occurred_at = models.DateTimeField(db_index=True)
    kind = models.CharField(max_length=16, choices=ActivityKind.choices)
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    contacts = models.ManyToManyField(Contact, blank=True, related_name="activity")
    # For system events: what produced it (e.g. "inquiries.Inquiry", "42").
    source_type = models.CharField(max_length=64, blank=True)
    source_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["account", "-occurred_at"])]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d} {self.get_kind_display()}: {self.subject}"
