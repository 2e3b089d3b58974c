"""Financials: the assumptions (audited), the saved IBNR estimates and the monthly P&L."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from clientdesk.accounts.models import Account, Segment

ZERO = Decimal("0")


def _money(label: str, default: str = "0", **extra: object) -> models.DecimalField:  # type: ignore[type-arg]
    return models.DecimalField(
        label,
        max_digits=14,
        decimal_places=2,
        default=Decimal(default),
        validators=[MinValueValidator(ZERO)],
        **extra,  # type: ignore[arg-type]
    )


class SegmentExpense(models.Model):
    """Administrative expense allocated to an account of the segment: a PMPM on members and a
    PEPM on subscribers (employees). Edited by Admins only, audited."""

    segment = models.CharField(max_length=20, choices=Segment.choices, unique=True)
    admin_pmpm = _money("admin expense PMPM")
    admin_pepm = _money("admin expense PEPM", "28.00")
    # Optimistic locking: each save adds one; a save from an older version is refused.
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["segment"]

    def __str__(self) -> str:
        return f"{self.get_segment_display()}: {self.admin_pepm} PEPM + {self.admin_pmpm} PMPM"


class AccountTerms(models.Model):
    """The financial terms of an account the contract row does not carry (the admin fee PEPM
    and the premium PMPM live on accounts.Contract): stop-loss premium and specific
    deductible, vendor and pass-through costs, premium taxes and fees, the budget. Edited by
    Managers and Admins, audited."""

    account = models.OneToOneField(
        Account, on_delete=models.CASCADE, related_name="financial_terms"
    )
    stop_loss_premium_pepm = _money("stop-loss premium PEPM")
    stop_loss_deductible = _money("stop-loss specific deductible", "100000.00")
    vendor_pepm = _money("vendor and pass-through costs PEPM")
    premium_tax_pct = models.DecimalField(
        "premium taxes and fees %",
        max_digits=5,
        decimal_places=2,
        default=Decimal("2.50"),
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal("50"))],
    )
    quality_improvement_pct = models.DecimalField(
        "quality-improvement expense % of premium",
        max_digits=5,
        decimal_places=2,
        default=Decimal("0.80"),
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal("50"))],
    )
    budget_pmpm = models.DecimalField(
        "budgeted claims PMPM", max_digits=10, decimal_places=2, null=True, blank=True
    )
    budget_members = models.PositiveIntegerField(
        "budgeted average members",
        null=True,
        blank=True,
        help_text="The enrollment the budget assumed; empty: the members enrolled (no "
        "enrollment variance).",
    )
    average_deductible = _money("average deductible (MLR deductible factor)")
    small_group = models.BooleanField(
        "small group (MLR standard 80 %)", default=False, help_text="Large group: 85 %."
    )
    # Optimistic locking: each save adds one; a save from an older version is refused (the
    # editor sees both versions) instead of silently erasing the other person's change.
    version = models.PositiveIntegerField(default=1, editable=False)

    def __str__(self) -> str:
        return f"Financial terms of {self.account}"


class IbnrEstimate(models.Model):
    """A saved IBNR estimate with everything behind it: the method, the factors, the
    averaging period, the tail, the PMPM blend, each incurred month (JSON of
    chain_ladder.IbnrEstimate.as_dict()). `account` empty: the book's estimate whose factors
    the accounts' estimates of the same run use."""

    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.CASCADE, related_name="ibnr_estimates"
    )
    as_of = models.DateField()
    method = models.TextField()
    average_periods = models.PositiveIntegerField(null=True, blank=True)
    tail = models.DecimalField(max_digits=8, decimal_places=5, default=Decimal("1"))
    immature_periods = models.PositiveIntegerField(default=3)
    paid_total = models.DecimalField(max_digits=16, decimal_places=2)
    ibnr_total = models.DecimalField(max_digits=16, decimal_places=2)
    ultimate_total = models.DecimalField(max_digits=16, decimal_places=2)
    detail = models.JSONField(default=dict)
    book_figures = models.JSONField(default=dict, blank=True)
    computed_at = models.DateTimeField()
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-computed_at", "-id"]

    def __str__(self) -> str:
        return f"IBNR {self.account or 'book'} as of {self.as_of}: {self.ibnr_total}"


class PnlMonth(models.Model):
    """One account's profit and loss for one month (the latest run's), traceable: exposure
    from eligibility, fees from the contract in force, claims paid by incurred month plus
    IBNR from `estimate`."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="pnl_months")
    month = models.DateField(help_text="First day of the month.")
    funding = models.CharField(max_length=20)
    member_months = models.PositiveIntegerField(default=0)
    subscriber_months = models.PositiveIntegerField(default=0)
    admin_fee_pepm = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    premium_pmpm = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    admin_fees = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    stop_loss_premium = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    premium = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    paid_claims = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    ibnr = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    completion = models.DecimalField(max_digits=8, decimal_places=6, default=Decimal("1"))
    ibnr_method = models.CharField(max_length=20, blank=True)
    stop_loss_claims = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    penalties = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    vendor = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    premium_taxes = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    admin_expense = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    estimate = models.ForeignKey(
        IbnrEstimate, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["account_id", "month"]
        constraints = [
            models.UniqueConstraint(fields=["account", "month"], name="one_pnl_per_account_month")
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.month:%Y-%m}"

    @property
    def completed_claims(self) -> Decimal:
        return self.paid_claims + self.ibnr

    @property
    def completed_pmpm(self) -> Decimal | None:
        return self.completed_claims / self.member_months if self.member_months else None

    @property
    def revenue(self) -> Decimal:
        return self.admin_fees + self.stop_loss_premium + self.premium

    @property
    def costs(self) -> Decimal:
        """Our costs: claims are ours only when fully insured (ASO claims are the sponsor's
        money; we bear the stop-loss claims above the specific deductible)."""
        claims = self.completed_claims if self.funding == "fully_insured" else self.stop_loss_claims
        return claims + self.penalties + self.vendor + self.premium_taxes + self.admin_expense

    @property
    def margin(self) -> Decimal:
        return self.revenue - self.costs
