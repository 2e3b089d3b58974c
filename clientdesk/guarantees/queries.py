"""Reads for the guarantee pages, always starting from the caller's visible accounts."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.urls import reverse

from clientdesk.accounts.access import AnyUser, accounts_visible_to
from clientdesk.accounts.models import Account
from clientdesk.guarantees.models import (
    AlertStatus,
    Guarantee,
    GuaranteeAlert,
    GuaranteeForecast,
    GuaranteeResult,
    ResultKind,
    ResultStatus,
)
from clientdesk.lib import formatting
from clientdesk.lib.work import WorkItem, WorkList

ZERO = Decimal("0.00")


@dataclass
class GuaranteeCard:
    """One guarantee on the scorecard: this period, the forecast, history and money."""

    guarantee: Guarantee
    current: GuaranteeResult | None
    forecast: GuaranteeForecast | None
    settlement: GuaranteeResult | None  # the latest contract year's
    history: list[GuaranteeResult]
    alert: GuaranteeAlert | None


@dataclass
class Scorecard:
    account: Account
    cards: list[GuaranteeCard]
    at_risk: Decimal = ZERO
    owed: Decimal = ZERO
    expected_penalty: Decimal = ZERO
    missed: int = 0
    alerts: int = 0
    calendar: list[dict[str, Any]] = field(default_factory=list)
    evaluated_at: dt.datetime | None = None


def account_guarantees(account: Account) -> QuerySet[Guarantee]:
    return (
        Guarantee.objects.filter(contract__account=account)
        .select_related("contract__account")
        .order_by("-contract__start_date", "id")
    )


MONITORED_METRICS = ("ivr_containment", "auto_adjudication_rate")


def monitor_targets(account: Account) -> dict[str, float]:
    """The contractual targets the IVR and auto-adjudication monitors draw beside their
    control limits: each monitored metric's target in the account's latest contract that
    guarantees it (a newer contract's target replaces an older one's)."""
    targets: dict[str, float] = {}
    for g in account_guarantees(account).filter(metric__in=MONITORED_METRICS):
        targets.setdefault(g.metric, float(g.target))  # newest contract first
    return targets


def _current(results: list[GuaranteeResult], today: dt.date) -> GuaranteeResult | None:
    periods = [r for r in results if r.kind == ResultKind.PERIOD]
    holding = [r for r in periods if r.period_start <= today <= r.period_end]
    if holding:
        return holding[0]
    with_data = [r for r in periods if r.actual is not None]
    return max(with_data or periods, key=lambda r: r.period_end, default=None)


def scorecard(account: Account, today: dt.date) -> Scorecard:
    """Every guarantee of the account with its latest numbers; money per latest contract year."""
    guarantees = list(
        account_guarantees(account).prefetch_related(
            Prefetch("results", queryset=GuaranteeResult.objects.order_by("period_start")),
            Prefetch("forecasts", queryset=GuaranteeForecast.objects.order_by("-as_of", "-id")),
            Prefetch(
                "alerts",
                queryset=GuaranteeAlert.objects.filter(status=AlertStatus.OPEN),
                to_attr="open_alerts",
            ),
        )
    )
    cards = []
    card_total = Scorecard(account, [])
    for g in guarantees:
        results = list(g.results.all())
        for r in results:
            r.guarantee = g  # the prefetch already holds it: no query per row
        settlements = [r for r in results if r.kind == ResultKind.SETTLEMENT]
        settlement = max(settlements, key=lambda r: r.period_start, default=None)
        forecasts = [f for f in g.forecasts.all() if f.span_end >= today] or list(g.forecasts.all())
        open_alerts: list[GuaranteeAlert] = getattr(g, "open_alerts", [])
        card = GuaranteeCard(
            guarantee=g,
            current=_current(results, today),
            forecast=forecasts[0] if forecasts else None,
            settlement=settlement,
            history=[r for r in results if r.kind == ResultKind.PERIOD],
            alert=open_alerts[0] if open_alerts else None,
        )
        cards.append(card)
        if settlement is not None:
            card_total.at_risk += settlement.amount_at_risk
            card_total.owed += settlement.owed or ZERO
        if card.forecast is not None and card.forecast.span_end >= today:
            card_total.expected_penalty += card.forecast.expected_penalty
        card_total.missed += sum(1 for r in card.history if r.met is False and r.settles)
        card_total.alerts += len(open_alerts)
        for r in results:
            if card_total.evaluated_at is None or r.computed_at > card_total.evaluated_at:
                card_total.evaluated_at = r.computed_at
    card_total.cards = cards
    card_total.calendar = calendar_items(cards, today)
    return card_total


def period_results(account: Account, first: dt.date, last: dt.date) -> list[GuaranteeResult]:
    """The account's guarantee results for measurement periods inside `first`..`last` (both
    included) that are over: a report of a quarter shows that quarter's (or its months')
    results, never an open period's or a later one's. Guarantee by guarantee, oldest first."""
    return list(
        GuaranteeResult.objects.filter(
            guarantee__contract__account=account,
            kind=ResultKind.PERIOD,
            period_start__gte=first,
            period_end__lte=last,
        )
        .exclude(status=ResultStatus.PROVISIONAL)
        .select_related("guarantee__contract")
        .order_by("guarantee__contract__start_date", "guarantee_id", "period_start")
    )


@dataclass(frozen=True)
class RecordedPeriod:
    """A period the attestation page offers, with the result stored for it (None: nothing
    yet) and its version (0 for none), which the page posts back as `seen_<period>`."""

    label: str
    result: GuaranteeResult | None

    @property
    def version(self) -> int:
        return self.result.version if self.result is not None else 0

    @property
    def recorded_on(self) -> dt.date | None:
        """The day the result was attested (kept in its evidence), None when not attested."""
        if self.result is None or not (self.result.evidence or {}).get("attested_on"):
            return None
        return dt.date.fromisoformat(self.result.evidence["attested_on"])


def recorded_periods(guarantee: Guarantee, periods: list[str]) -> list[RecordedPeriod]:
    """The periods offered for attestation, each with what is recorded for it now."""
    stored = {
        r.period_label: r
        for r in GuaranteeResult.objects.filter(
            guarantee=guarantee, kind=ResultKind.PERIOD, period_label__in=periods
        ).select_related("attested_by")
    }
    for r in stored.values():
        r.guarantee = guarantee
    return [RecordedPeriod(label, stored.get(label)) for label in periods]


def calendar_items(cards: list[GuaranteeCard], today: dt.date) -> list[dict[str, Any]]:
    """Report, reconciliation and payment dates due from today on, soonest first."""
    seen: set[tuple[str, dt.date, str]] = set()
    items = []
    for card in cards:
        rows = [*card.history, *([card.settlement] if card.settlement else [])]
        for r in rows:
            for what, due in (
                ("Report due", r.report_due if r.kind == ResultKind.PERIOD else None),
                ("Reconciliation due", r.reconciliation_due),
                ("Payment due", r.payment_due),
            ):
                if due is None or due < today:
                    continue
                label = r.period_label if what == "Report due" else r.contract_year
                key = (what, due, label)
                if key not in seen:
                    seen.add(key)
                    items.append({"what": what, "due": due, "period": label})
    return sorted(items, key=lambda i: (i["due"], i["what"]))[:12]


@dataclass
class PortfolioRow:
    account: Account
    guarantees: int = 0
    at_risk: Decimal = ZERO
    owed: Decimal = ZERO
    expected_penalty: Decimal = ZERO
    missed: int = 0
    alerts: int = 0
    worst_p_miss: Decimal | None = None


@dataclass(frozen=True)
class PortfolioTotals:
    """The portfolio's sums, for its footer and tiles."""

    accounts: int
    guarantees: int
    at_risk: Decimal
    owed: Decimal
    expected_penalty: Decimal
    missed: int
    alerts: int


def portfolio_totals(rows: list[PortfolioRow]) -> PortfolioTotals:
    return PortfolioTotals(
        accounts=len(rows),
        guarantees=sum(r.guarantees for r in rows),
        at_risk=sum((r.at_risk for r in rows), ZERO),
        owed=sum((r.owed for r in rows), ZERO),
        expected_penalty=sum((r.expected_penalty for r in rows), ZERO),
        missed=sum(r.missed for r in rows),
        alerts=sum(r.alerts for r in rows),
    )


def portfolio(user: AnyUser, today: dt.date) -> list[PortfolioRow]:
    """Every visible account with guarantees, the most money owed and expected first: a
    penalty owed is a payment to the sponsor already due, an expected one what the open periods
    are forecast to add, and both leave the building; then the most periods missed.

    At risk and owed are the latest contract year's (settlement rows); expected penalty sums
    the latest forecast of each guarantee whose span has not ended; missed counts settling
    periods missed in the last 12 months."""
    accounts = accounts_visible_to(user)
    rows: dict[int, PortfolioRow] = {}
    for account in accounts.filter(contracts__guarantees__isnull=False).distinct():
        rows[account.pk] = PortfolioRow(account)
    counts: dict[int, int] = defaultdict(int)
    for account_id in Guarantee.objects.filter(contract__account__in=accounts).values_list(
        "contract__account_id", flat=True
    ):
        counts[account_id] += 1
    latest: dict[int, GuaranteeResult] = {}
    settlements = GuaranteeResult.objects.filter(
        guarantee__contract__account__in=accounts, kind=ResultKind.SETTLEMENT
    ).only("guarantee_id", "period_start", "amount_at_risk", "owed")
    for r in settlements:
        best = latest.get(r.guarantee_id)
        if best is None or r.period_start > best.period_start:
            latest[r.guarantee_id] = r
    owner = dict(
        Guarantee.objects.filter(contract__account__in=accounts).values_list(
            "id", "contract__account_id"
        )
    )
    for guarantee_id, r in latest.items():
        row = rows[owner[guarantee_id]]
        row.at_risk += r.amount_at_risk
        row.owed += r.owed or ZERO
    since = today - dt.timedelta(days=365)
    for account_id in GuaranteeResult.objects.filter(
        guarantee__contract__account__in=accounts,
        kind=ResultKind.PERIOD,
        met=False,
        settles=True,
        period_end__gte=since,
    ).values_list("guarantee__contract__account_id", flat=True):
        rows[account_id].missed += 1
    newest: dict[int, GuaranteeForecast] = {}
    for f in GuaranteeForecast.objects.filter(
        guarantee__contract__account__in=accounts, span_end__gte=today
    ).order_by("as_of", "id"):
        newest[f.guarantee_id] = f
    for guarantee_id, f in newest.items():
        row = rows[owner[guarantee_id]]
        row.expected_penalty += f.expected_penalty
        if f.p_miss is not None and (row.worst_p_miss is None or f.p_miss > row.worst_p_miss):
            row.worst_p_miss = f.p_miss
    for account_id in GuaranteeAlert.objects.filter(
        guarantee__contract__account__in=accounts, status=AlertStatus.OPEN
    ).values_list("guarantee__contract__account_id", flat=True):
        rows[account_id].alerts += 1
    for account_id, n in counts.items():
        rows[account_id].guarantees = n
    return sorted(
        rows.values(),
        key=lambda r: (-(r.owed + r.expected_penalty), -r.owed, -r.missed, r.account.name),
    )


def work_list(user: AnyUser, limit: int = 5) -> WorkList:
    """Open risk alerts on the reader's accounts: guarantees forecast to miss, the likeliest
    miss first."""
    alerts = GuaranteeAlert.objects.filter(
        status=AlertStatus.OPEN, guarantee__contract__account__in=accounts_visible_to(user)
    )
    total = alerts.count()
    rows = alerts.select_related("guarantee__contract__account").order_by("-p_miss_latest", "id")[
        :limit
    ]
    items = [
        WorkItem(
            title=f"{a.guarantee.account.name}: {a.guarantee.display_name}",
            detail=(
                f"{a.period_label}: {formatting.share(a.p_miss_latest)} chance of a miss"
                + (
                    f", {formatting.money(a.expected_penalty, 0)} expected penalty"
                    if a.expected_penalty
                    else ""
                )
            ),
            url=reverse("guarantees:detail", args=[a.guarantee.account.pk, a.guarantee_id]),
            when=a.latest_as_of,
            urgent=a.p_miss_latest >= Decimal("0.5"),
        )
        for a in rows
    ]
    return WorkList(
        key="guarantees",
        heading="Guarantees at risk",
        total=total,
        url=reverse("guarantees:portfolio"),
        empty="No guarantee is forecast to miss.",
        items=items,
    )
