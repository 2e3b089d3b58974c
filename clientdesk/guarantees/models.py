"""Performance guarantees as the contract states them, their results, forecasts and alerts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from clientdesk.accounts.models import Account, Contract
from clientdesk.guarantees.metrics import METRIC_CHOICES, METRICS, MetricDef, MetricParams
from clientdesk.guarantees.penalties import PenaltyTerms, tiers_from_json
from clientdesk.lib import formatting


class Comparator(models.TextChoices):
    AT_MOST = "<=", "at most (≤)"
    AT_LEAST = ">=", "at least (≥)"


class Level(models.TextChoices):
    CLIENT = "client", "This sponsor's own data"
    BOOK = "book_of_business", "Book of business"


class PeriodKind(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    ANNUAL = "annual", "Annual (calendar year)"
    ONE_TIME = "one_time", "One-time"


class Settlement(models.TextChoices):
    PER_PERIOD = "per_period", "Each period settles; annual reconciliation adds them up"
    ANNUAL_AGGREGATE = "annual_aggregate", "Periods are interim; the contract year settles"


class AtRiskBasis(models.TextChoices):
    FIXED = "fixed", "Fixed amount ($)"
    PCT_OF_ADMIN_FEES = "pct_of_admin_fees", "% of admin fees (admin fee PEPM × employees)"
    PCT_OF_PREMIUM = "pct_of_premium", "% of premium (premium PMPM × members)"
    PEPM = "pepm", "PEPM × employees ($ per employee per month)"


class PenaltySchedule(models.TextChoices):
    ALL_OR_NOTHING = "all_or_nothing", "All or nothing"
    TIERS = "tiers", "Tiers by result"
    PER_POINT = "per_point", "Per point of shortfall"


class CallLine(models.TextChoices):
    MEMBER = "member", "Member line"
    SPONSOR = "sponsor", "Sponsor line"
    ALL = "*", "All lines"


class GuaranteeTerms(models.Model):
    """A contract's guarantee-wide terms: the at-risk pool, allocation cap and calendar."""

    contract = models.OneToOneField(
        Contract, on_delete=models.CASCADE, related_name="guarantee_terms"
    )
    pool_pct_of_fees = models.DecimalField(
        "at-risk pool (% of the contract year's fees)",
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="The most the contract year can owe in total. Empty: no pool cap.",
    )
    max_share_pct = models.DecimalField(
        "most any one guarantee may owe (% of the pool)",
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="e.g. 20: no more than 20 % of the pool on any one standard.",
    )
    report_lag_days = models.PositiveSmallIntegerField(
        "report due (days after a period)", default=60
    )
    reconciliation_lag_days = models.PositiveSmallIntegerField(
        "reconciliation due (days after the contract year)", default=60
    )
    payment_lag_days = models.PositiveSmallIntegerField(
        "payment due (days after the contract year)", default=90
    )
    version = models.PositiveIntegerField(default=1, editable=False)  # optimistic locking

    def __str__(self) -> str:
        return f"Guarantee terms of {self.contract}"


class Guarantee(models.Model):
    """One performance guarantee of a contract, with how it is measured and what it risks."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="guarantees")
    metric = models.CharField(max_length=40, choices=METRIC_CHOICES)
    label = models.CharField(max_length=120, blank=True, help_text="As the contract names it.")
    comparator = models.CharField(max_length=2, choices=Comparator.choices)
    target = models.DecimalField(max_digits=12, decimal_places=4)
    decimals = models.PositiveSmallIntegerField(
        "reported to (decimals)", default=2, help_text="0 for whole seconds, 2 for percentages."
    )
    threshold = models.PositiveIntegerField(
        "N (seconds or days)",
        null=True,
        blank=True,
        help_text="Service level: answered within N seconds; turnaround: within N calendar "
        "days; eligibility loads: within N business days.",
    )
    short_abandon_seconds = models.PositiveSmallIntegerField(
        "exclude abandons under (seconds)", default=5
    )
    line = models.CharField(
        "phone line", max_length=8, choices=CallLine.choices, default=CallLine.MEMBER
    )
    level = models.CharField(max_length=20, choices=Level.choices, default=Level.CLIENT)
    period = models.CharField(max_length=12, choices=PeriodKind.choices)
    measure_from = models.DateField(null=True, blank=True, help_text="One-time guarantees.")
    measure_to = models.DateField(null=True, blank=True, help_text="One-time guarantees.")
    settlement = models.CharField(
        max_length=20, choices=Settlement.choices, default=Settlement.PER_PERIOD
    )
    at_risk_basis = models.CharField(max_length=20, choices=AtRiskBasis.choices)
    at_risk_value = models.DecimalField(
        "at risk", max_digits=14, decimal_places=4, validators=[MinValueValidator(Decimal("0"))]
    )
    schedule = models.CharField(
        max_length=16, choices=PenaltySchedule.choices, default=PenaltySchedule.ALL_OR_NOTHING
    )
    tiers = models.JSONField(default=list, blank=True, help_text='[{"at": "34", "pct": "50"}, ...]')
    per_point_amount = models.DecimalField(
        "$ per point of shortfall", max_digits=14, decimal_places=2, null=True, blank=True
    )
    template = models.CharField(max_length=40, blank=True)
    notes = models.TextField(blank=True, help_text="The contract's wording, exclusions, sources.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Optimistic locking: each save adds one; a save from an older version is refused (the
    # editor sees both versions) instead of silently erasing the other person's change.
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["contract__start_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(comparator__in=["<=", ">="]), name="guarantee_comparator_known"
            ),
            models.CheckConstraint(
                condition=~Q(period="one_time")
                | Q(measure_from__isnull=False, measure_to__isnull=False),
                name="one_time_guarantee_has_dates",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} {self.comparator} {self.target_display}"

    def clean(self) -> None:
        super().clean()
        if self.contract_id is None:
            return
        contract = self.contract
        if self.at_risk_basis == AtRiskBasis.PCT_OF_ADMIN_FEES and contract.admin_fee_pepm is None:
            raise ValidationError(
                {
                    "at_risk_basis": "This contract has no admin fee PEPM: put a % of premium, a "
                    "fixed amount or a PEPM amount at risk."
                }
            )
        if self.at_risk_basis == AtRiskBasis.PCT_OF_PREMIUM and contract.premium_pmpm is None:
            raise ValidationError(
                {
                    "at_risk_basis": "This contract has no premium PMPM: put a % of admin fees, a "
                    "fixed amount or a PEPM amount at risk."
                }
            )

    @property
    def definition(self) -> MetricDef:
        return METRICS[self.metric]

    @property
    def account(self) -> Account:
        return self.contract.account

    @property
    def display_name(self) -> str:
        return self.label or self.definition.label

    @property
    def comparator_symbol(self) -> str:
        return {"<=": "≤", ">=": "≥"}.get(self.comparator, self.comparator)

    @property
    def short_abandons_apply(self) -> bool:
        return self.metric in ("service_level", "abandonment_rate")

    @property
    def target_display(self) -> str:
        return f"{self.target.normalize():f}{self.definition.unit_suffix}"

    @property
    def effective_threshold(self) -> int | None:
        return self.threshold or self.definition.default_threshold

    def params(self) -> MetricParams:
        return MetricParams(self.effective_threshold, self.short_abandon_seconds, self.line)

    def penalty_terms(self) -> PenaltyTerms:
        return PenaltyTerms(
            comparator=self.comparator,
            target=self.target,
            schedule=self.schedule,
            tiers=tiers_from_json(self.tiers or []),
            per_point_amount=self.per_point_amount,
            decimals=self.decimals,
        )

    def spec_fingerprint(self) -> dict[str, Any]:
        """What the result depends on, for the inputs hash."""
        return {
            "metric": self.metric,
            "comparator": self.comparator,
            "target": str(self.target),
            "decimals": self.decimals,
            "threshold": self.effective_threshold,
            "short_abandon_seconds": self.short_abandon_seconds,
            "line": self.line,
            "level": self.level,
            "period": self.period,
            "settlement": self.settlement,
            "at_risk_basis": self.at_risk_basis,
            "at_risk_value": str(self.at_risk_value),
            "schedule": self.schedule,
            "tiers": self.tiers,
            "per_point_amount": str(self.per_point_amount),
        }


class ResultKind(models.TextChoices):
    PERIOD = "period", "Measurement period"
    SETTLEMENT = "settlement", "Contract-year settlement"


class ResultStatus(models.TextChoices):
    PROVISIONAL = "provisional", "Provisional (period not over)"
    FINAL = "final", "Final"
    NO_DATA = "no_data", "No data"
    ATTESTED = "attested", "Attested"


class ResultSource(models.TextChoices):
    LAKE = "lake", "Computed from the lake"
    ATTESTED = "attested", "Attested with evidence"


class GuaranteeResult(models.Model):
    """A guarantee's result for one period (or its contract-year settlement), with evidence."""

    guarantee = models.ForeignKey(Guarantee, on_delete=models.CASCADE, related_name="results")
    kind = models.CharField(max_length=12, choices=ResultKind.choices, default=ResultKind.PERIOD)
    period_label = models.CharField(max_length=40)
    period_start = models.DateField()
    period_end = models.DateField()
    contract_year = models.CharField(max_length=40)
    settles = models.BooleanField(
        default=True, help_text="False for interim periods of an annual-aggregate guarantee."
    )
    status = models.CharField(max_length=12, choices=ResultStatus.choices)
    source = models.CharField(max_length=10, choices=ResultSource.choices)
    actual = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    numerator = models.DecimalField(max_digits=24, decimal_places=4, null=True, blank=True)
    denominator = models.DecimalField(max_digits=24, decimal_places=4, null=True, blank=True)
    sample_size = models.BigIntegerField(default=0)
    ci_low = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    ci_high = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    within_noise = models.BooleanField(default=False)
    met = models.BooleanField(null=True)
    amount_at_risk = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    penalty_pct = models.DecimalField(max_digits=7, decimal_places=2, default=Decimal("0"))
    penalty = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    owed = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Settlement rows: after the allocation and pool caps.",
    )
    report_due = models.DateField(null=True, blank=True)
    reconciliation_due = models.DateField(null=True, blank=True)
    payment_due = models.DateField(null=True, blank=True)
    inputs_hash = models.CharField(max_length=64, blank=True)
    evidence = models.JSONField(default=dict, blank=True)
    attested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    computed_at = models.DateTimeField()
    # Optimistic locking: each rewrite adds one (an attestation, an evaluation that changed the
    # figures); an attestation made from a page that showed an older version is refused.
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["guarantee_id", "kind", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["guarantee", "kind", "period_label"], name="one_result_per_period"
            )
        ]
        indexes = [models.Index(fields=["period_end", "met"])]

    def __str__(self) -> str:
        return f"{self.guarantee} {self.period_label}: {self.actual}"

    @property
    def actual_display(self) -> str:
        if self.actual is None:
            return "—"
        decimals = self.guarantee.decimals
        return formatting.number(self.actual, decimals) + self.guarantee.definition.unit_suffix


class GuaranteeForecast(models.Model):
    """Part way through a span: the chance the guarantee ends it missed, and what it costs."""

    guarantee = models.ForeignKey(Guarantee, on_delete=models.CASCADE, related_name="forecasts")
    period_label = models.CharField(max_length=40)
    span_start = models.DateField()
    span_end = models.DateField()
    as_of = models.DateField()
    p_miss = models.DecimalField(max_digits=6, decimal_places=4, null=True, blank=True)
    expected_penalty = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    amount_at_risk = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    observed_actual = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    expected_actual = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    actual_p10 = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    actual_p90 = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    observed_days = models.PositiveIntegerField(default=0)
    remaining_days = models.PositiveIntegerField(default=0)
    simulations = models.PositiveIntegerField(default=0)
    seed = models.BigIntegerField(default=0)
    method = models.CharField(max_length=200)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["-as_of", "guarantee_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["guarantee", "period_label", "as_of"], name="one_forecast_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.guarantee} {self.period_label} as of {self.as_of}: {self.p_miss}"


class AlertStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class GuaranteeAlert(models.Model):
    """A guarantee at risk of ending its span missed. One risk, one open alert."""

    guarantee = models.ForeignKey(Guarantee, on_delete=models.CASCADE, related_name="alerts")
    period_label = models.CharField(max_length=40)
    status = models.CharField(max_length=8, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    threshold = models.DecimalField(max_digits=5, decimal_places=4)
    p_miss_opened = models.DecimalField(max_digits=6, decimal_places=4)
    p_miss_latest = models.DecimalField(max_digits=6, decimal_places=4)
    expected_penalty = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    opened_as_of = models.DateField()
    latest_as_of = models.DateField()
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["guarantee", "period_label"],
                condition=Q(status="open"),
                name="one_open_alert_per_guarantee_period",
            )
        ]

    def __str__(self) -> str:
        return f"Risk: {self.guarantee} {self.period_label} ({self.get_status_display()})"
