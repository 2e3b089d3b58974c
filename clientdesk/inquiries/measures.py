"""The live figures inquiries states about an account, in the account-measures registry
(lib/measures.py)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence

from django.db.models import Count, Q, Sum

from clientdesk.accounts.models import Account
from clientdesk.inquiries.models import (
    AccountEscalation,
    Inquiry,
    SlaEventKind,
    SlaMetric,
    SlaOutcomeDay,
)
from clientdesk.lib.measures import ACCOUNT_MEASURES, Direction, Measure, Unit, Value

SLA_WINDOW_DAYS = 90


def sla_attainment(account_ids: Sequence[int], as_of: dt.date) -> Mapping[int, Value]:
    """Inquiries resolved within SLA ÷ resolved with an SLA, resolution clock, over the 90 days
    to `as_of` (the daily outcome counts the SLA recompute keeps)."""
    since = as_of - dt.timedelta(days=SLA_WINDOW_DAYS - 1)
    rows = (
        SlaOutcomeDay.objects.filter(
            dimension=SlaOutcomeDay.Dimension.ACCOUNT,
            key__in=[str(a) for a in account_ids],
            metric=SlaMetric.RESOLUTION,
            kind__in=[SlaEventKind.MET, SlaEventKind.BREACHED],
            day__gte=since,
            day__lte=as_of,
        )
        .values("key", "kind")
        .annotate(n=Sum("count"))
    )
    met: dict[int, int] = defaultdict(int)
    judged: dict[int, int] = defaultdict(int)
    for row in rows:
        account_id = int(row["key"])
        judged[account_id] += int(row["n"])
        if row["kind"] == SlaEventKind.MET:
            met[account_id] += int(row["n"])
    return {
        a: Value(
            round(100.0 * met[a] / n, 1),
            f"{met[a]:,} of {n:,} inquiries resolved within SLA in 90 days",
        )
        for a, n in judged.items()
        if n
    }


def open_escalations(account_ids: Sequence[int], as_of: dt.date) -> Mapping[int, Value]:
    """Account escalations raised by `as_of` and not resolved by then; every account given
    has a figure (0 when none)."""
    end = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    counts = dict(
        AccountEscalation.objects.filter(account_id__in=account_ids, raised_at__lt=end)
        .filter(Q(resolved_at__isnull=True) | Q(resolved_at__gte=end))
        .values_list("account_id")
        .annotate(n=Count("id"))
        .values_list("account_id", "n")
    )
    return {a: Value(counts.get(a, 0), f"{counts.get(a, 0)} open escalations") for a in account_ids}


def inquiries_per_1000(account_ids: Sequence[int], as_of: dt.date) -> Mapping[int, Value]:
    """Inquiries opened in the 12 months to `as_of` per 1,000 covered members."""
    end = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    start = end - dt.timedelta(days=365)
    counts = dict(
        Inquiry.objects.filter(account_id__in=account_ids, opened_at__gte=start, opened_at__lt=end)
        .values_list("account_id")
        .annotate(n=Count("id"))
        .values_list("account_id", "n")
    )
    out = {}
    for a, members in Account.objects.filter(pk__in=account_ids).values_list("pk", "members"):
        if members:
            n = counts.get(a, 0)
            out[a] = Value(round(1000.0 * n / members, 1), f"{n:,} inquiries, {members:,} members")
    return out


def register() -> None:
    ACCOUNT_MEASURES.register(
        Measure(
            "sla_attainment",
            "Inquiries resolved within SLA (90 days)",
            Unit.PERCENT,
            Direction.HIGHER,
            "inquiries: resolution SLA outcomes, business-hours clock, last 90 days",
            sla_attainment,
        )
    )
    ACCOUNT_MEASURES.register(
        Measure(
            "open_escalations",
            "Open account escalations",
            Unit.COUNT,
            Direction.LOWER,
            "inquiries: account escalations not resolved",
            open_escalations,
        )
    )
    ACCOUNT_MEASURES.register(
        Measure(
            "inquiries_per_1000",
            "Inquiries per 1,000 members (12 months)",
            Unit.RATIO,
            Direction.LOWER,
            "inquiries: opened in the last 12 months ÷ covered members × 1,000",
            inquiries_per_1000,
        )
    )
