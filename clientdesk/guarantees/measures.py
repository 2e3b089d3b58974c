"""The live figures guarantees states about an account, in the account-measures registry
(lib/measures.py): the health score and plan objectives read them without importing this app."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from decimal import Decimal

from clientdesk.guarantees.models import GuaranteeForecast, GuaranteeResult, ResultKind
from clientdesk.lib.measures import ACCOUNT_MEASURES, Direction, Measure, Unit, Value


def guarantees_missed(account_ids: Sequence[int], as_of: dt.date) -> Mapping[int, Value]:
    """Settling measurement periods that ended in the 12 months to `as_of` and missed; every
    account with a settling result in those months has a figure (0 when all were met)."""
    since = as_of - dt.timedelta(days=365)
    rows = GuaranteeResult.objects.filter(
        guarantee__contract__account_id__in=account_ids,
        kind=ResultKind.PERIOD,
        settles=True,
        met__isnull=False,
        period_end__gt=since,
        period_end__lte=as_of,
    ).values_list("guarantee__contract__account_id", "met")
    judged: dict[int, int] = defaultdict(int)
    missed: dict[int, int] = defaultdict(int)
    for account_id, met in rows:
        judged[account_id] += 1
        if not met:
            missed[account_id] += 1
    return {
        a: Value(missed[a], f"{missed[a]} of {n} settling periods missed in 12 months")
        for a, n in judged.items()
    }


def guarantees_met(account_ids: Sequence[int], as_of: dt.date) -> Mapping[int, Value]:
    """Share of settling periods met, of those that ended in the 12 months to `as_of`."""
    missed = guarantees_missed(account_ids, as_of)
    since = as_of - dt.timedelta(days=365)
    judged: dict[int, int] = defaultdict(int)
    for account_id in GuaranteeResult.objects.filter(
        guarantee__contract__account_id__in=list(missed),
        kind=ResultKind.PERIOD,
        settles=True,
        met__isnull=False,
        period_end__gt=since,
        period_end__lte=as_of,
    ).values_list("guarantee__contract__account_id", flat=True):
        judged[account_id] += 1
    out = {}
    for a, n in judged.items():
        met = n - int(missed[a].value)
        out[a] = Value(round(100.0 * met / n, 1), f"{met} of {n} settling periods met")
    return out


def expected_penalty(account_ids: Sequence[int], as_of: dt.date) -> Mapping[int, Value]:
    """Penalties forecast for periods still open on `as_of`: each guarantee's latest forecast
    made by then. Accounts with guarantees and no open forecast have $0."""
    newest: dict[int, tuple[int, Decimal]] = {}
    for guarantee_id, account_id, penalty in (
        GuaranteeForecast.objects.filter(
            guarantee__contract__account_id__in=account_ids,
            as_of__lte=as_of,
            span_end__gte=as_of,
        )
        .order_by("as_of", "id")
        .values_list("guarantee_id", "guarantee__contract__account_id", "expected_penalty")
    ):
        newest[guarantee_id] = (account_id, penalty)
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for account_id in (
        GuaranteeResult.objects.filter(
            guarantee__contract__account_id__in=account_ids, period_end__lte=as_of
        )
        .values_list("guarantee__contract__account_id", flat=True)
        .distinct()
    ):
        totals[account_id] += Decimal(0)
    for account_id, penalty in newest.values():
        totals[account_id] += penalty
    return {a: Value(float(t), f"${t:,.0f} of penalties forecast") for a, t in totals.items()}


def register() -> None:
    ACCOUNT_MEASURES.register(
        Measure(
            "guarantees_missed",
            "Guarantee periods missed (12 months)",
            Unit.COUNT,
            Direction.LOWER,
            "guarantees: settling period results, missed, ended in the last 12 months",
            guarantees_missed,
        )
    )
    ACCOUNT_MEASURES.register(
        Measure(
            "guarantees_met",
            "Guarantee periods met (12 months)",
            Unit.PERCENT,
            Direction.HIGHER,
            "guarantees: settling period results met ÷ judged, last 12 months",
            guarantees_met,
        )
    )
    ACCOUNT_MEASURES.register(
        Measure(
            "guarantee_expected_penalty",
            "Penalties forecast",
            Unit.DOLLARS,
            Direction.LOWER,
            "guarantees: latest forecast of every period still open",
            expected_penalty,
        )
    )
