"""Growth: the product catalogue, what each account holds, opportunities and their history,
suggestions from the account's own data (rules kept as data), leads passed to sales, RFPs and
the answer library, vendors and the vendor contracts negotiated for a sponsor."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from clientdesk.accounts.models import Account

USER = settings.AUTH_USER_MODEL


class Family(models.TextChoices):
    MEDICAL = "medical", "Medical"
    PHARMACY = "pharmacy", "Pharmacy"
    DENTAL = "dental", "Dental"
    VISION = "vision", "Vision"
    BEHAVIORAL = "behavioral", "Behavioral health"
    STOP_LOSS = "stop_loss", "Stop-loss"
    CARE = "care", "Disease and care management"
    WELLNESS = "wellness", "Wellness"
    EAP = "eap", "EAP"
    POINT_SOLUTION = "point_solution", "Point solution"


class PriceBasis(models.TextChoices):
    PEPM = "pepm", "per employee per month"
    PMPM = "pmpm", "per member per month"


class Product(models.Model):
    """One product of the catalogue, with its list price per employee or per member a month."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    family = models.CharField(max_length=20, choices=Family.choices)
    basis = models.CharField(max_length=4, choices=PriceBasis.choices, default=PriceBasis.PEPM)
    list_price = models.DecimalField(
        max_digits=9, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    # The account book's product code (accounts.Product) a contract lists, when there is one.
    contract_code = models.CharField(max_length=20, blank=True)
    description = models.TextField(blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["family", "name"]

    def __str__(self) -> str:
        return self.name

    def annual_value(self, employees: int, members: int) -> Decimal:
        """List price x the account's enrollment x 12 months."""
        size = employees if self.basis == PriceBasis.PEPM else members
        return (self.list_price * size * 12).quantize(Decimal("0.01"))


class HoldingStatus(models.TextChoices):
    HELD = "held", "Held"
    DECLINED = "declined", "Declined"


class Holding(models.Model):
    """What an account holds of a product, or has declined (the whitespace matrix's facts)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="holdings")
    status = models.CharField(max_length=10, choices=HoldingStatus.choices)
    since = models.DateField()
    note = models.CharField(max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)  # optimistic locking

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "product"], name="one_holding_per_product")
        ]

    def __str__(self) -> str:
        return f"{self.product} {self.status}"


class Stage(models.TextChoices):
    IDENTIFIED = "identified", "Identified"
    QUALIFIED = "qualified", "Qualified"
    PROPOSED = "proposed", "Proposed"
    NEGOTIATING = "negotiating", "Negotiating"
    WON = "won", "Won"
    LOST = "lost", "Lost"


OPEN_STAGES = (Stage.IDENTIFIED, Stage.QUALIFIED, Stage.PROPOSED, Stage.NEGOTIATING)
CLOSED_STAGES = (Stage.WON, Stage.LOST)
# Default probability of closing by stage (Salesforce keeps one per stage the same way).
STAGE_PROBABILITY: dict[str, int] = {
    Stage.IDENTIFIED: 10,
    Stage.QUALIFIED: 25,
    Stage.PROPOSED: 50,
    Stage.NEGOTIATING: 75,
    Stage.WON: 100,
    Stage.LOST: 0,
}


class OpportunityKind(models.TextChoices):
    CROSS_SELL = "cross_sell", "Cross-sell"
    RENEWAL = "renewal", "Renewal"
    NEW_BUSINESS = "new_business", "New business"


class Opportunity(models.Model):
    """A product to sell to an account: its stage, value, probability and next step."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="opportunities")
    kind = models.CharField(
        max_length=14, choices=OpportunityKind.choices, default=OpportunityKind.CROSS_SELL
    )
    stage = models.CharField(max_length=12, choices=Stage.choices, default=Stage.IDENTIFIED)
    annual_value = models.DecimalField(max_digits=14, decimal_places=2)
    value_basis = models.CharField(max_length=120, blank=True)  # how the value was computed
    probability = models.PositiveSmallIntegerField(
        validators=[MaxValueValidator(100)], help_text="Percent; the stage's default."
    )
    expected_close = models.DateField()
    owner = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    next_step = models.CharField(max_length=200, blank=True)
    reason = models.CharField(max_length=200, blank=True, help_text="Why it was won or lost.")
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)  # a stale save is refused

    class Meta:
        ordering = ["expected_close", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(stage="lost") | ~Q(reason=""), name="lost_opportunity_has_reason"
            )
        ]

    def __str__(self) -> str:
        return f"{self.product} for {self.account.name}"

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES

    @property
    def weighted_value(self) -> Decimal:
        return (self.annual_value * self.probability / 100).quantize(Decimal("0.01"))


class OpportunityChange(models.Model):
    """Append-only: each stage, value, probability or close-date change of an opportunity."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="changes")
    at = models.DateTimeField()
    stage = models.CharField(max_length=12, choices=Stage.choices)
    annual_value = models.DecimalField(max_digits=14, decimal_places=2)
    probability = models.PositiveSmallIntegerField()
    expected_close = models.DateField()
    by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.opportunity_id} {self.stage} {self.at:%Y-%m-%d}"


class Measure(models.TextChoices):
    """What a suggestion rule can test, each computed per account (growth/evidence.py)."""

    # Per 1,000 employees: a program's fee is per employee, so this is what it pays against.
    DIABETES_PER_1000 = "diabetes_per_1000", "Members with diabetes per 1,000 employees"
    CARDIO_PER_1000 = (
        "cardio_per_1000",
        "Members with heart failure, CAD or COPD per 1,000 employees",
    )
    BEHAVIORAL_PER_1000 = (
        "behavioral_per_1000",
        "Members with depression or anxiety per 1,000 employees",
    )
    SPECIALTY_RX_SHARE = "specialty_rx_share", "Specialty drugs, % of pharmacy paid"
    ED_VISITS_PER_1000 = "ed_visits_per_1000", "Emergency department visits per 1,000"
    PAID_PMPM = "paid_pmpm", "Paid PMPM (medical + pharmacy)"
    BENEFITS_INQUIRY_RISE = "benefits_inquiry_rise", "Benefits inquiries, % change vs prior"


class Comparison(models.TextChoices):
    ABOVE = "gt", "above"
    AT_LEAST = "gte", "at or above"
    BELOW = "lt", "below"


class SuggestionRule(models.Model):
    """A rule kept as data: when an account's measure passes the threshold and the account has
    no product of the rule's, suggest that product. Managers edit these."""

    name = models.CharField(max_length=120)
    measure = models.CharField(max_length=30, choices=Measure.choices)
    comparison = models.CharField(max_length=3, choices=Comparison.choices, default="gt")
    threshold = models.DecimalField(max_digits=12, decimal_places=2)
    # An optional second test on the same account (cost above a level, say): both must pass.
    also_measure = models.CharField(max_length=30, choices=Measure.choices, blank=True)
    also_threshold = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="rules")
    rationale = models.TextField(blank=True)
    active = models.BooleanField(default=True)
    version = models.PositiveIntegerField(default=1, editable=False)  # a stale save is refused

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SuggestionStatus(models.TextChoices):
    OPEN = "open", "Open"
    CONVERTED = "converted", "Turned into an opportunity"
    DISMISSED = "dismissed", "Dismissed"


class Suggestion(models.Model):
    """A rule that passed for an account, with its evidence. A dismissed suggestion comes back
    only when its evidence changes (a new `evidence_key`)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    rule = models.ForeignKey(SuggestionRule, on_delete=models.CASCADE, related_name="suggestions")
    evidence = models.JSONField(default=dict)
    evidence_key = models.CharField(max_length=200)
    status = models.CharField(
        max_length=10, choices=SuggestionStatus.choices, default=SuggestionStatus.OPEN
    )
    reason = models.CharField(max_length=200, blank=True)
    opportunity = models.ForeignKey(
        Opportunity, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    found_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-found_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "rule", "evidence_key"], name="one_suggestion_per_evidence"
            )
        ]

    def __str__(self) -> str:
        return f"{self.rule} ({self.status})"


class LeadSource(models.TextChoices):
    SPONSOR = "sponsor", "Sponsor conversation"
    BROKER = "broker", "Broker"
    SUBSIDIARY = "subsidiary", "Subsidiary"
    VISIT = "visit", "Prospect met on a visit"


class LeadStatus(models.TextChoices):
    PASSED = "passed", "Passed to sales"
    ACCEPTED = "accepted", "Accepted"
    CONTACTED = "contacted", "Contacted"
    CONVERTED = "converted", "Converted"
    REJECTED = "rejected", "Rejected"


LEAD_NEXT: dict[str, tuple[str, ...]] = {
    LeadStatus.PASSED: (LeadStatus.ACCEPTED, LeadStatus.REJECTED),
    LeadStatus.ACCEPTED: (LeadStatus.CONTACTED, LeadStatus.REJECTED),
    LeadStatus.CONTACTED: (LeadStatus.CONVERTED, LeadStatus.REJECTED),
    LeadStatus.CONVERTED: (),
    LeadStatus.REJECTED: (),
}


class Lead(models.Model):
    """A prospect or a need passed to a sales owner, with its status coming back."""

    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    company = models.CharField(max_length=200)
    contact_name = models.CharField(max_length=120)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=30, blank=True)
    need = models.TextField()
    size = models.PositiveIntegerField("employees", default=0)
    source = models.CharField(max_length=12, choices=LeadSource.choices)
    passed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    sales_owner = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=LeadStatus.choices, default="passed")
    reason = models.CharField(max_length=200, blank=True)
    passed_at = models.DateTimeField()
    first_contact_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)  # optimistic locking

    class Meta:
        ordering = ["-passed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(reason=""), name="rejected_lead_has_reason"
            )
        ]

    def __str__(self) -> str:
        return self.company


class LeadChange(models.Model):
    """Append-only status history of a lead."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="changes")
    at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=LeadStatus.choices)
    note = models.CharField(max_length=200, blank=True)
    by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.lead_id} {self.status}"


class LibraryAnswer(models.Model):
    """An approved answer of the RFP library: who owns it, for which product, when reviewed."""

    question = models.TextField()
    answer = models.TextField()
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    owner = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    last_reviewed = models.DateField()
    review_due = models.DateField(help_text="Reviewed again by this date; past it, flagged.")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-last_reviewed", "id"]

    def __str__(self) -> str:
        return self.question[:80]


class RfpStatus(models.TextChoices):
    OPEN = "open", "Open"
    SUBMITTED = "submitted", "Submitted"
    WON = "won", "Won"
    LOST = "lost", "Lost"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Rfp(models.Model):
    """A request for proposal and its questionnaire, kept in the consultant's own file."""

    title = models.CharField(max_length=200)
    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    issuer = models.CharField(max_length=200)
    consultant = models.CharField(max_length=200, blank=True)
    intent_due = models.DateField(null=True, blank=True)
    questions_due = models.DateField(null=True, blank=True)
    final_due = models.DateField()
    status = models.CharField(max_length=10, choices=RfpStatus.choices, default="open")
    outcome_reason = models.CharField(max_length=200, blank=True)
    competitor = models.CharField(max_length=120, blank=True)
    source_name = models.CharField(max_length=200)
    source_format = models.CharField(max_length=4)  # xlsx or docx
    source_file = models.BinaryField()
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    # Optimistic locking on the outcome (status, reason, competitor): a save made on an older
    # version is refused with both versions.
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["final_due", "id"]

    def __str__(self) -> str:
        return self.title


class RfpSection(models.Model):
    rfp = models.ForeignKey(Rfp, on_delete=models.CASCADE, related_name="sections")
    name = models.CharField(max_length=200)
    position = models.PositiveIntegerField()
    due = models.DateField(null=True, blank=True)
    approved_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return self.name


class RfpQuestion(models.Model):
    """One question, where it sits in the file (to write the answer back), and its answer."""

    rfp = models.ForeignKey(Rfp, on_delete=models.CASCADE, related_name="questions")
    section = models.ForeignKey(RfpSection, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField()
    number = models.CharField(max_length=20, blank=True)
    text = models.TextField()
    # XLSX: {"sheet", "row", "answer_column"}; DOCX: {"table", "row", "answer_cell"}.
    location = models.JSONField(default=dict)
    answer = models.TextField(blank=True)
    from_library = models.ForeignKey(
        LibraryAnswer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    suggestions = models.JSONField(default=list)  # [[library answer id, score], ...]
    assignee = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due = models.DateField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)  # a stale answer is refused

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return self.text[:80]


class VendorKind(models.TextChoices):
    POINT_SOLUTION = "point_solution", "Point solution"
    PBM = "pbm", "PBM carve-out"
    EAP = "eap", "EAP"
    STOP_LOSS = "stop_loss", "Stop-loss carrier"


class Vendor(models.Model):
    name = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=16, choices=VendorKind.choices)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class FeeBasis(models.TextChoices):
    PEPM = "pepm", "PEPM"
    PER_CASE = "per_case", "per case"
    PERCENT_OF_SAVINGS = "pct_savings", "% of savings"


class VendorContract(models.Model):
    """A vendor's contract negotiated for a sponsor: the fee we won against the list or prior
    fee, over the enrolment and the term."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="contracts")
    services = models.CharField(max_length=200)
    fee_basis = models.CharField(max_length=12, choices=FeeBasis.choices)
    reference_fee = models.DecimalField(
        max_digits=10, decimal_places=2, help_text="The vendor's list fee, or the prior fee."
    )
    reference_is_prior = models.BooleanField(default=False)
    negotiated_fee = models.DecimalField(max_digits=10, decimal_places=2)
    volume = models.PositiveIntegerField(
        help_text="Employees covered (PEPM) or cases a year (per case)."
    )
    start_date = models.DateField()
    end_date = models.DateField()
    guarantees = models.TextField(blank=True, help_text="Performance and savings guarantees.")
    savings_claim = models.CharField(max_length=200, blank=True)
    claimed_savings_pmpm = models.DecimalField(
        "claimed savings PMPM",
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="What the vendor says it saves per participant per month (its own report); "
        "checked against the account's claims once its participant list is imported.",
    )

    class Meta:
        ordering = ["end_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gt=models.F("start_date")),
                name="vendor_contract_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.vendor} for {self.account.name}"


class NegotiationKind(models.TextChoices):
    ASK = "ask", "Ask"
    OFFER = "offer", "Offer"
    CONCESSION = "concession", "Concession"


class NegotiationEntry(models.Model):
    """One step of the negotiation log: an ask, an offer or a concession, with its date."""

    contract = models.ForeignKey(VendorContract, on_delete=models.CASCADE, related_name="log")
    on = models.DateField()
    kind = models.CharField(max_length=10, choices=NegotiationKind.choices)
    text = models.CharField(max_length=300)
    fee = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["on", "id"]

    def __str__(self) -> str:
        return f"{self.on} {self.kind}: {self.text[:60]}"


class ParticipantList(models.Model):
    """A vendor's list of the sponsor's members in its program, as imported: the accepted rows
    are its participants; the rejected rows are kept with their reasons, member ids masked.
    The newest list of a contract is the one its savings are measured on."""

    contract = models.ForeignKey(
        VendorContract, on_delete=models.CASCADE, related_name="participant_lists"
    )
    source_name = models.CharField(max_length=200)
    source_format = models.CharField(max_length=4)  # csv or xlsx
    rows_read = models.PositiveIntegerField()
    # [{"row": 7, "member": "W1•••01", "reason": "..."}], member ids masked.
    rejections = models.JSONField(default=list)
    imported_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField()

    class Meta:
        ordering = ["-imported_at", "-id"]

    def __str__(self) -> str:
        return f"{self.source_name} ({self.imported_at:%Y-%m-%d})"


class Participant(models.Model):
    """A member of the sponsor enrolled in the vendor's program, from the vendor's list."""

    roster = models.ForeignKey(
        ParticipantList, on_delete=models.CASCADE, related_name="participants"
    )
    member_id = models.CharField(max_length=40)
    enrolled_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["enrolled_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["roster", "member_id"], name="one_row_per_participant")
        ]

    def __str__(self) -> str:
        return f"participant since {self.enrolled_on}"


class SavingsCheck(models.Model):
    """The vendor's savings measured on the account's own claims (growth/outcomes.py): the
    participants' PMPM before and after they joined, next to a matched group of the account's
    non-participants, stored with its figures and method."""

    contract = models.ForeignKey(
        VendorContract, on_delete=models.CASCADE, related_name="savings_checks"
    )
    roster = models.ForeignKey(ParticipantList, on_delete=models.CASCADE, related_name="+")
    through = models.DateField(help_text="The last month of claims the follow-up counts.")
    measured_pmpm = models.DecimalField(max_digits=10, decimal_places=2, null=True)
    measured_total = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    figures = models.JSONField(default=dict)
    method = models.TextField()
    measured_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    measured_at = models.DateTimeField()

    class Meta:
        ordering = ["-measured_at", "-id"]

    def __str__(self) -> str:
        return f"savings check {self.measured_at:%Y-%m-%d}"

    @property
    def claimed_total(self) -> Decimal | None:
        value = self.figures.get("claimed_total")
        return Decimal(str(value)) if value is not None else None

    @property
    def claimed_pmpm(self) -> Decimal | None:
        value = self.figures.get("claimed_pmpm")
        return Decimal(str(value)) if value is not None else None

    @property
    def share_of_claim(self) -> Decimal | None:
        """Measured savings as a percentage of what the vendor claims (None when nothing was
        saved: a negative share of a claim reads as nonsense)."""
        claimed = self.claimed_pmpm
        if claimed is None or not claimed or self.measured_pmpm is None or self.measured_pmpm < 0:
            return None
        return (self.measured_pmpm * 100 / claimed).quantize(Decimal("0.1"))
