"""The figures strategy itself states about an account (lib/measures.py): days since the last
touch with a decision maker and how many touches in 12 months, days to the renewal, and the
cost trend (the completed-claims PMPM of the latest months against the same months a year
before, from financials' stored P&L)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.db.models import Max, Min

from clientdesk.accounts.models import (
    LOGGED_ACTIVITY_KINDS,
    Account,
    ActivityEvent,
    Contact,
    Contract,
)
from clientdesk.financials.models import PnlMonth
from clientdesk.lib.measures import ACCOUNT_MEASURES, Direction, Measure, Unit, Value
from clientdesk.strategy.models import Influence, Objective, PlanStatus, Stakeholder

NEVER_TOUCHED_DAYS = 365
"""The figure of an account with no decision-maker touch on record (the rule scores it 0)."""


def decision_makers(account_ids: Sequence[int]) -> dict[int, set[int]]:
    """Contact ids that decide, per account: those the relationship map marks decision makers,
    or, where the map marks none, the primary contact."""
    marked: dict[int, set[int]] = {}
    for contact_id, account_id in Stakeholder.objects.filter(
        contact__account_id__in=account_ids, influence=Influence.DECISION_MAKER
    ).values_list("contact_id", "contact__account_id"):
        marked.setdefault(account_id, set()).add(contact_id)
    for contact_id, account_id in Contact.objects.filter(
        account_id__in=account_ids, is_primary=True
    ).values_list("id", "account_id"):
        marked.setdefault(account_id, {contact_id})
    return marked


def days_since_decision_maker_touch(
    account_ids: Sequence[int], as_of: dt.date
) -> Mapping[int, Value]:
    """Days from the last logged meeting, visit, call or e-mail with a decision maker to
    `as_of`; accounts with decision makers and no touch on record have 365."""
    deciders = decision_makers(account_ids)
    end = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    # The latest touch per (account, contact) of the accounts, then kept where the contact
    # decides: no list of every decision maker's id in the query (slow at 2,000 accounts).
    last: dict[int, dt.datetime] = {}
    for account_id, contact_id, at in (
        ActivityEvent.objects.filter(
            account_id__in=account_ids,
            kind__in=LOGGED_ACTIVITY_KINDS,
            occurred_at__lt=end,
            contacts__isnull=False,
        )
        .values("account_id", "contacts")
        .annotate(last=Max("occurred_at"))
        .values_list("account_id", "contacts", "last")
    ):
        if contact_id in deciders.get(account_id, ()) and (
            account_id not in last or at > last[account_id]
        ):
            last[account_id] = at
    out = {}
    for account_id in deciders:
        if account_id in last:
            days = max(0, (as_of - last[account_id].date()).days)
            out[account_id] = Value(days, f"last decision-maker touch {days} days ago")
        else:
            out[account_id] = Value(NEVER_TOUCHED_DAYS, "no decision-maker touch on record")
    return out


def _decision_maker_touch_days(
    account_ids: Sequence[int], since: dt.date, as_of: dt.date
) -> dict[int, set[dt.date]]:
    """The days with a logged meeting, visit, call or e-mail with a decision maker, from
    `since` to `as_of`, per account (one query for the touches, one for the deciders)."""
    deciders = decision_makers(account_ids)
    start = dt.datetime.combine(since, dt.time(), tzinfo=dt.UTC)
    end = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    days: dict[int, set[dt.date]] = {a: set() for a in deciders}
    for account_id, contact_id, at in ActivityEvent.objects.filter(
        account_id__in=account_ids,
        kind__in=LOGGED_ACTIVITY_KINDS,
        occurred_at__gte=start,
        occurred_at__lt=end,
        contacts__isnull=False,
    ).values_list("account_id", "contacts", "occurred_at"):
        if contact_id in deciders.get(account_id, ()):
            days[account_id].add(at.date())
    return days


TOUCH_WINDOW_DAYS = 365


def decision_maker_touches(account_ids: Sequence[int], as_of: dt.date) -> Mapping[int, Value]:
    """Days with a touch with a decision maker in the 12 months to `as_of` (two touches on one
    day count once): the cadence, where the days since the last touch are only its latest
    gap. Every account with a decision maker has a figure."""
    since = as_of - dt.timedelta(days=TOUCH_WINDOW_DAYS - 1)
    return {
        a: Value(len(days), f"{len(days)} decision-maker touches in 12 months")
        for a, days in _decision_maker_touch_days(account_ids, since, as_of).items()
    }


RATE_WINDOW_DAYS = 730
RATE_MIN_DAYS = 90


def decision_maker_touch_rate(account_ids: Sequence[int], as_of: dt.date) -> Mapping[int, Value]:
    """Days with a decision-maker touch per year over the 24 months to `as_of`, or over the
    part of them the record covers for the account: from the later of its effective date and
    the day the activity log begins (the earliest event on any account's timeline), at least
    90 days. The sponsor's cadence, read from twice the touches a 12-month count sees, so one
    quiet or busy quarter moves it less. The span starts where the record does, not at the
    account's own first touch: a sponsor touched first four months into the record has gone
    four months untouched, and counting from its first touch would read it as busy. Every
    account with a decision maker has a figure."""
    first_day = as_of - dt.timedelta(days=RATE_WINDOW_DAYS - 1)
    log_begins = ActivityEvent.objects.aggregate(first=Min("occurred_at"))["first"]
    record_from = log_begins.date() if log_begins is not None else first_day
    effective = dict(Account.objects.filter(pk__in=account_ids).values_list("pk", "effective_date"))
    out = {}
    for account_id, days in _decision_maker_touch_days(account_ids, first_day, as_of).items():
        since = max(first_day, record_from, effective.get(account_id, first_day))
        span = max(RATE_MIN_DAYS, (as_of - since).days + 1)
        touched = sum(1 for day in days if day >= since)
        rate = round(touched * 365 / span, 1)
        out[account_id] = Value(
            rate, f"{touched} decision-maker touches in {span} days, {rate:g} a year"
        )
    return out


def renewal_on_or_after(
    renewal: dt.date, day: dt.date, contract_renewals: Iterable[dt.date] = ()
) -> dt.date:
    """The account's next renewal on or after `day`. With its contracts' terms: the earliest
    of the days after its contracts end (a two-year contract renews every other year) and its
    stored renewal date that is not before `day`. Without them, or past them all: the stored
    date's yearly anniversary on or after `day`."""
    ends = list(contract_renewals)
    ahead = [d for d in (renewal, *ends) if d >= day]
    if ends and ahead:
        return min(ahead)

    def shifted(years: int) -> dt.date:
        try:
            return renewal.replace(year=renewal.year + years)
        except ValueError:  # 29 February
            return renewal.replace(year=renewal.year + years, day=28)

    years = day.year - renewal.year - 1
    while shifted(years) < day:
        years += 1
    return shifted(years)


def contract_renewals(account_ids: Sequence[int]) -> dict[int, list[dt.date]]:
    """The day after each contract of the accounts ends (one query)."""
    out: dict[int, list[dt.date]] = {}
    for account_id, end in Contract.objects.filter(account_id__in=account_ids).values_list(
        "account_id", "end_date"
    ):
        out.setdefault(account_id, []).append(end + dt.timedelta(days=1))
    return out


def days_to_renewal(account_ids: Sequence[int], as_of: dt.date) -> Mapping[int, Value]:
    ends = contract_renewals(account_ids)
    out = {}
    for account_id, renewal in Account.objects.filter(pk__in=account_ids).values_list(
        "pk", "renewal_date"
    ):
        next_renewal = renewal_on_or_after(renewal, as_of, ends.get(account_id, ()))
        days = (next_renewal - as_of).days
        out[account_id] = Value(days, f"renews {next_renewal:%b %-d, %Y}, in {days} days")
    return out


TREND_MONTHS = 12
TREND_MIN_PAIRS = 3


def _month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def _trend_months(
    account_ids: Sequence[int] | None, as_of: dt.date
) -> tuple[int, dict[int, dict[int, tuple[int, float]]]]:
    """The latest full month before `as_of`'s and {account: {month index: (member months,
    paid + IBNR)}} of the 24 months to it (every account's when `account_ids` is None)."""
    last = _month_index(as_of) - 1
    first = last - TREND_MONTHS * 2 + 1
    rows = PnlMonth.objects.filter(
        month__gte=dt.date(first // 12, first % 12 + 1, 1), month__lt=as_of.replace(day=1)
    )
    if account_ids is not None:
        rows = rows.filter(account_id__in=account_ids)
    months: dict[int, dict[int, tuple[int, float]]] = {}
    for account_id, month, members, paid, ibnr in rows.values_list(
        "account_id", "month", "member_months", "paid_claims", "ibnr"
    ):
        months.setdefault(account_id, {})[_month_index(month)] = (members, float(paid + ibnr))
    return last, months


@dataclass(frozen=True)
class _Trend:
    now_pmpm: float
    then_pmpm: float
    pairs: int
    member_months: int  # of the latest months

    @property
    def percent(self) -> float:
        return (self.now_pmpm / self.then_pmpm - 1) * 100


def _trend(by_month: Mapping[int, tuple[int, float]], last: int) -> _Trend | None:
    """The latest months (up to 12) against the same calendar months a year before, of the
    months with members on both sides; None under 3 such pairs."""
    pairs = [
        (by_month[m], by_month[m - 12])
        for m in range(last - TREND_MONTHS + 1, last + 1)
        if m in by_month and m - 12 in by_month and by_month[m][0] and by_month[m - 12][0]
    ]
    if len(pairs) < TREND_MIN_PAIRS:
        return None
    now_members = sum(n for (n, _), _ in pairs)
    now_pmpm = sum(c for (_, c), _ in pairs) / now_members
    then_pmpm = sum(c for _, (_, c) in pairs) / sum(n for _, (n, _) in pairs)
    if then_pmpm <= 0:
        return None
    return _Trend(now_pmpm, then_pmpm, len(pairs), now_members)


def pmpm_trend(account_ids: Sequence[int], as_of: dt.date) -> Mapping[int, Value]:
    """The PMPM trend in % a year: (paid + IBNR) / member months of the latest full months
    before `as_of`'s month (up to 12) against the same calendar months a year before (so the
    seasons cancel), for accounts with at least 3 such pairs with members on both sides.
    One query: every account's stored months of the 24 before `as_of`."""
    last, months = _trend_months(account_ids, as_of)
    out: dict[int, Value] = {}
    for account_id, by_month in months.items():
        got = _trend(by_month, last)
        if got is None:
            continue
        trend = round(got.percent, 1)
        out[account_id] = Value(
            trend,
            f"completed claims ${got.now_pmpm:,.0f} PMPM over {got.pairs} months against "
            f"${got.then_pmpm:,.0f} a year before, {trend:+.1f} %",
        )
    return out


FULL_CREDIBILITY_MEMBER_MONTHS = 240_000
"""Member months (of the latest 12) at which an account's own cost trend is fully credible.
Limited fluctuation: the trend within 5 % of the true one 90 % of the time. A yearly PMPM of
n member-years varies by CV / sqrt(n), CV about 3 for a member's yearly claims (health claims'
heavy tail: our assumption, the domain notes give no figure); a trend is a ratio of two such
years, so 1.645 x 3 x sqrt(2 / n) <= 0.05 needs n of about 19,500 member-years, 240,000
member months a year. Below it Z = sqrt(member months / 240,000): a 200-member group's own
trend gets a tenth of the weight (Z 0.1), the rest goes to the book's."""


def plan_trend_targets(account_ids: Sequence[int], year: int) -> dict[int, float]:
    """The PMPM-trend target (% a year) of each account's approved (or since closed) plan of
    the year, where an objective reads the live PMPM trend."""
    return {
        account_id: float(target)
        for account_id, target in Objective.objects.filter(
            plan__account_id__in=account_ids,
            plan__year=year,
            plan__status__in=[PlanStatus.APPROVED, PlanStatus.CLOSED],
            measure_key="pmpm_trend",
        )
        .order_by("plan__account_id", "id")
        .values_list("plan__account_id", "target")
    }


def cost_trend_over_target(account_ids: Sequence[int], as_of: dt.date) -> Mapping[int, Value]:
    """Points by which the account's credible cost trend exceeds its plan's target (below the
    target: negative). Credible trend = Z x its own trend + (1 - Z) x the book's (every
    account's completed claims PMPM, the same months), Z = min(1, sqrt(member months /
    240,000)); the target is the approved plan's PMPM-trend objective for `as_of`'s year, or
    the book's trend where the plan sets none. Accounts with a trend (pmpm_trend) have a
    figure."""
    last, months = _trend_months(account_ids, as_of)
    _, book_months = _trend_months(None, as_of)
    pooled: dict[int, tuple[int, float]] = {}
    for by_month in book_months.values():
        for m, (members, claims) in by_month.items():
            n, c = pooled.get(m, (0, 0.0))
            pooled[m] = (n + members, c + claims)
    book = _trend(pooled, last)
    targets = plan_trend_targets(account_ids, as_of.year)
    out: dict[int, Value] = {}
    for account_id, by_month in months.items():
        own = _trend(by_month, last)
        if own is None or book is None:
            continue
        z = min(1.0, math.sqrt(own.member_months / FULL_CREDIBILITY_MEMBER_MONTHS))
        credible = z * own.percent + (1 - z) * book.percent
        target = targets.get(account_id)
        against = f"plan target {target:+.1f} %" if target is not None else "no plan target"
        if target is None:
            target = book.percent
            against += f": the book's {book.percent:+.1f} %"
        gap = round(credible - target, 1)
        out[account_id] = Value(
            gap,
            f"own trend {own.percent:+.1f} % on {own.member_months:,} member months "
            f"(credibility {z:.2f}), credible {credible:+.1f} % against {against}",
        )
    return out


def register() -> None:
    ACCOUNT_MEASURES.register(
        Measure(
            "pmpm_trend",
            "Cost trend (completed claims PMPM, % a year)",
            Unit.PERCENT,
            Direction.LOWER,
            "financials: stored P&L, paid claims by incurred month plus IBNR over member "
            "months, the latest 12 months against the same months a year before",
            pmpm_trend,
        )
    )
    ACCOUNT_MEASURES.register(
        Measure(
            "cost_trend_over_target",
            "Cost trend over the plan's target (credible, points)",
            Unit.PERCENT,
            Direction.LOWER,
            "financials: stored P&L, the account's PMPM trend weighted by its credibility "
            "(member months) with the book's, less the approved plan's PMPM-trend target "
            "(else the book's trend)",
            cost_trend_over_target,
        )
    )
    ACCOUNT_MEASURES.register(
        Measure(
            "days_since_decision_maker_touch",
            "Days since the last decision-maker touch",
            Unit.DAYS,
            Direction.LOWER,
            "accounts: logged meetings, visits, calls and e-mails with a decision maker "
            "(strategy's relationship map, else the primary contact)",
            days_since_decision_maker_touch,
        )
    )
    ACCOUNT_MEASURES.register(
        Measure(
            "decision_maker_touches",
            "Decision-maker touches (12 months)",
            Unit.COUNT,
            Direction.HIGHER,
            "accounts: days with a logged meeting, visit, call or e-mail with a decision maker "
            "in the last 12 months (strategy's relationship map, else the primary contact)",
            decision_maker_touches,
        )
    )
    ACCOUNT_MEASURES.register(
        Measure(
            "decision_maker_touch_rate",
            "Decision-maker touches a year (24 months)",
            Unit.COUNT,
            Direction.HIGHER,
            "accounts: days with a logged meeting, visit, call or e-mail with a decision maker "
            "per year, over the last 24 months or the part of them the account's timeline "
            "covers (strategy's relationship map, else the primary contact)",
            decision_maker_touch_rate,
        )
    )
    ACCOUNT_MEASURES.register(
        Measure(
            "days_to_renewal",
            "Days to renewal",
            Unit.DAYS,
            Direction.HIGHER,
            "accounts: the next renewal anniversary",
            days_to_renewal,
        )
    )
