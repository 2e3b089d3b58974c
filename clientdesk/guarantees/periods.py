"""Guarantee periods: measurement periods, contract years and the calendar of due dates.

* Measurement periods are calendar periods — months (`2026-03`), quarters (`2026Q2`), years
  (`2026`) — or, for a one-time guarantee, the dates the guarantee states.
* A period belongs to the contract term in force on its last day and is measured whole (the
  renewal term, whose guarantees normally carry over, settles a quarter that straddles the
  renewal). When the term ends inside a period and no later term carries the same metric,
  the term settles the period up to its own last day.
* Contract years run from the term's start date on each anniversary; a period belongs to the
  contract year that holds its last measured day. Annual reconciliation and caps work per
  contract year.
* Dates due (§1.5): a period's report `report_lag_days` after it ends (60); the contract
  year's reconciliation `reconciliation_lag_days` after the year ends (60) and payment
  `payment_lag_days` after it ends (90).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from clientdesk.lib.periods import parse_period


class PeriodKind:
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    ANNUAL = "annual"
    ONE_TIME = "one_time"


@dataclass(frozen=True)
class Span:
    """Dates `first` to `last`, both included."""

    label: str
    first: dt.date
    last: dt.date

    def overlaps(self, other: Span) -> bool:
        return self.first <= other.last and other.first <= self.last

    def contains(self, day: dt.date) -> bool:
        return self.first <= day <= self.last

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


@dataclass(frozen=True)
class MeasurementPeriod:
    """A period a guarantee is measured on: the whole `measured` span of data, and the part
    of it inside the contract term (`term_part`), on which fees at risk are counted."""

    measured: Span
    term_part: Span


def _month_start(year: int, month: int) -> dt.date:
    return dt.date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def period_containing(kind: str, day: dt.date) -> Span:
    """The calendar month, quarter or year holding `day`."""
    if kind == PeriodKind.MONTHLY:
        return parse_span(f"{day.year}-{day.month:02d}")
    if kind == PeriodKind.QUARTERLY:
        return parse_span(f"{day.year}Q{(day.month - 1) // 3 + 1}")
    if kind == PeriodKind.ANNUAL:
        return parse_span(str(day.year))
    raise ValueError(f"no calendar period of kind {kind!r}")


def parse_span(text: str) -> Span:
    """`2026-03`, `2026Q2` or `2026` as a span of dates (ValueError otherwise)."""
    period = parse_period(text)
    return Span(period.label, period.start, period.end - dt.timedelta(days=1))


def calendar_periods(kind: str, first: dt.date, last: dt.date) -> list[Span]:
    """Every calendar period of `kind` that overlaps first..last, in order."""
    spans: list[Span] = []
    day = first
    while day <= last:
        span = period_containing(kind, day)
        spans.append(span)
        day = span.last + dt.timedelta(days=1)
    return spans


def measurement_periods(
    kind: str,
    term: Span,
    *,
    later_term_covers: Callable[[dt.date], bool],
    one_time: Span | None = None,
) -> list[MeasurementPeriod]:
    """The periods a guarantee of one contract term settles (see the module docstring).

    `later_term_covers(day)` says whether a later term of the account carrying the same
    metric is in force on `day`."""
    if kind == PeriodKind.ONE_TIME:
        if one_time is None:
            raise ValueError("a one-time guarantee needs the dates it measures")
        return [MeasurementPeriod(one_time, one_time)]
    out: list[MeasurementPeriod] = []
    for span in calendar_periods(kind, term.first, term.last):
        if span.last <= term.last:
            part = Span(span.label, max(span.first, term.first), span.last)
            out.append(MeasurementPeriod(span, part))
        elif not later_term_covers(span.last):
            measured = Span(span.label, span.first, term.last)
            out.append(MeasurementPeriod(measured, Span(span.label, max(span.first, term.first),
                                                        term.last)))  # fmt: skip
    return out


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def contract_years(term: Span) -> list[Span]:
    """The term's contract years (the last one may be short)."""
    years: list[Span] = []
    first = term.first
    while first <= term.last:
        nxt = add_years(term.first, len(years) + 1)
        last = min(nxt - dt.timedelta(days=1), term.last)
        years.append(Span(f"{first.isoformat()}/{last.isoformat()}", first, last))
        first = nxt
    return years


def contract_year_of(term: Span, day: dt.date) -> Span:
    """The contract year of `term` that holds `day` (clamped to the first or last year)."""
    years = contract_years(term)
    for year in years:
        if year.contains(day):
            return year
    return years[0] if day < term.first else years[-1]


@dataclass(frozen=True)
class DueDates:
    report: dt.date
    reconciliation: dt.date
    payment: dt.date


def due_dates(
    period_last: dt.date,
    year_last: dt.date,
    *,
    report_lag_days: int,
    reconciliation_lag_days: int,
    payment_lag_days: int,
) -> DueDates:
    return DueDates(
        report=period_last + dt.timedelta(days=report_lag_days),
        reconciliation=year_last + dt.timedelta(days=reconciliation_lag_days),
        payment=year_last + dt.timedelta(days=payment_lag_days),
    )


def epoch_day(day: dt.date) -> int:
    """Days since 1970-01-01: the integer day key of the marts."""
    return (day - dt.date(1970, 1, 1)).days


def from_epoch_day(number: int) -> dt.date:
    return dt.date(1970, 1, 1) + dt.timedelta(days=number)


__all__ = [
    "DueDates",
    "MeasurementPeriod",
    "PeriodKind",
    "Span",
    "add_years",
    "calendar_periods",
    "contract_year_of",
    "contract_years",
    "due_dates",
    "epoch_day",
    "from_epoch_day",
    "measurement_periods",
    "parse_span",
    "period_containing",
]
