"""The figures strategy itself states about an account (lib/measures.py): days since the last
touch with a decision maker and how many touches in 12 months, days to the renewal, and the
cost trend (the completed-claims PMPM of the latest months against the same months a year
before, from financials' stored P&L)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

from django.db.models import Max

from clientdesk.accounts.models import (
    LOGGED_ACTIVITY_KINDS,
    Account,
    ActivityEvent,
    Contact,
    Contract,
)
from clientdesk.financials.models import PnlMonth
from clientdesk.lib.measures import ACCOUNT_MEASURES, Direction, Measure, Unit, Value
from clientdesk.strategy.models import Influence, Stakeholder

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


def pmpm_trend(account_ids: Sequence[int], as_of: dt.date) -> Mapping[int, Value]:
    """The PMPM trend in % a year: (paid + IBNR) / member months of the latest full months
    before `as_of`'s month (up to 12) against the same calendar months a year before (so the
    seasons cancel), for accounts with at least 3 such pairs with members on both sides.
    One query: every account's stored months of the 24 before `as_of`."""
    last = _month_index(as_of) - 1
    first = last - TREND_MONTHS * 2 + 1
    first_day = dt.date(first // 12, first % 12 + 1, 1)
    months: dict[int, dict[int, tuple[int, float]]] = {}
    for account_id, month, members, paid, ibnr in PnlMonth.objects.filter(
        account_id__in=account_ids, month__gte=first_day, month__lt=as_of.replace(day=1)
    ).values_list("account_id", "month", "member_months", "paid_claims", "ibnr"):
        months.setdefault(account_id, {})[_month_index(month)] = (members, float(paid + ibnr))
    out: dict[int, Value] = {}
    for account_id, by_month in months.items():
        pairs = [
            (by_month[m], by_month[m - 12])
            for m in range(last - TREND_MONTHS + 1, last + 1)
            if m in by_month and m - 12 in by_month and by_month[m][0] and by_month[m - 12][0]
        ]
        if len(pairs) < TREND_MIN_PAIRS:
            continue
        now_pmpm = sum(c for (_, c), _ in pairs) / sum(n for (n, _), _ in pairs)
        then_pmpm = sum(c for _, (_, c) in pairs) / sum(n for _, (n, _) in pairs)
        if then_pmpm <= 0:
            continue
        trend = round((now_pmpm / then_pmpm - 1) * 100, 1)
        out[account_id] = Value(
            trend,
            f"completed claims ${now_pmpm:,.0f} PMPM over {len(pairs)} months against "
            f"${then_pmpm:,.0f} a year before, {trend:+.1f} %",
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
            "days_to_renewal",
            "Days to renewal",
            Unit.DAYS,
            Direction.HIGHER,
            "accounts: the next renewal anniversary",
            days_to_renewal,
        )
    )
