"""Period and threshold inputs shared by the pages, the API and the CLI."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils import timezone

from clientdesk.lib.periods import (
    Period,
    PeriodError,
    PeriodKind,
    month_index,
    parse_period,
    period_of_kind,
)
from clientdesk.utilization.analysis import Request
from clientdesk.utilization.metrics import DEFAULT_HIGH_COST_THRESHOLD
from clientdesk.utilization.report import RUNOUT_MONTHS


def default_period(today: dt.date | None = None) -> Period:
    """The rolling 12 months ending RUNOUT_MONTHS before this month (complete claims)."""
    today = today or timezone.localdate()
    return period_of_kind(PeriodKind.ROLLING_12, month_index(today) - RUNOUT_MONTHS)


class UtilizationForm(forms.Form):
    period = forms.CharField(
        required=False,
        help_text="2026-03, 2026Q1, 2026, R12-2026-03 or 2025-04..2026-03",
    )
    threshold = forms.DecimalField(
        required=False,
        min_value=Decimal(1000),
        max_digits=12,
        decimal_places=0,
        help_text="High-cost claimant threshold (plan paid in the period)",
    )

    def clean_period(self) -> Period:
        text = (self.cleaned_data.get("period") or "").strip()
        if not text:
            return default_period()
        try:
            return parse_period(text)
        except PeriodError as error:
            raise forms.ValidationError(str(error)) from None

    def request(self) -> Request:
        period: Period = self.cleaned_data["period"]
        threshold = self.cleaned_data.get("threshold") or DEFAULT_HIGH_COST_THRESHOLD
        return Request(period, period.prior(), high_cost_threshold=Decimal(threshold))


def parse_threshold(text: str | None) -> Decimal:
    if not text:
        return DEFAULT_HIGH_COST_THRESHOLD
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{text!r} is not an amount") from None
    if value < 1000:
        raise ValueError("the high-cost threshold is at least $1,000")
    return value


def quick_periods(period: Period) -> list[tuple[str, Period]]:
    """Month, quarter, year and rolling 12 around the period's last month."""
    return [
        (kind.value, period_of_kind(kind, period.last_month))
        for kind in (PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.YEAR, PeriodKind.ROLLING_12)
    ]
