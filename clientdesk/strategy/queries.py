"""Reads of strategy, always from the caller's visible accounts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Q, QuerySet

from clientdesk.accounts.access import AnyUser, accounts_visible_to
from clientdesk.accounts.models import LOGGED_ACTIVITY_KINDS, Account, ActivityEvent, Contact
from clientdesk.lib.measures import ACCOUNT_MEASURES
from clientdesk.strategy.models import (
    AccountPlan,
    CallStatus,
    CallToAction,
    Directive,
    HealthOverride,
    HealthSnapshot,
    Objective,
    ObjectiveStatus,
    Stakeholder,
    Visit,
)
from clientdesk.strategy.own_measures import contract_renewals, renewal_on_or_after
from clientdesk.strategy.scoring import RULES


def open_calls(account: Account) -> QuerySet[CallToAction]:
    return (
        CallToAction.objects.filter(account=account, status=CallStatus.OPEN)
        .select_related("owner")
        .annotate(tasks_total=Count("tasks"), tasks_done=Count("tasks", filter=Q(tasks__done=True)))
        .order_by("due", "id")
    )


def calls_for(user: AnyUser, *, status: str = "open", mine: bool = False) -> QuerySet[CallToAction]:
    qs = CallToAction.objects.filter(account__in=accounts_visible_to(user))
    if status:
        qs = qs.filter(status=status)
    if mine:
        qs = qs.filter(owner_id=user.pk or 0)
    return (
        qs.select_related("account", "owner")
        .annotate(tasks_total=Count("tasks"), tasks_done=Count("tasks", filter=Q(tasks__done=True)))
        .order_by("due", "id")
    )


def latest_snapshot(account: Account) -> HealthSnapshot | None:
    return HealthSnapshot.objects.filter(account=account).order_by("-day").first()


def active_override(account: Account, today: dt.date) -> HealthOverride | None:
    return (
        HealthOverride.objects.filter(
            account=account, cleared_at__isnull=True, expires_on__gte=today
        )
        .select_related("set_by")
        .first()
    )


@dataclass
class MeasureLine:
    key: str
    label: str
    value: float
    score: float
    weight_share: float
    detail: str
    rule: str


def measure_lines(snapshot: HealthSnapshot | None) -> list[MeasureLine]:
    """The snapshot's measures, the heaviest first, with their rule in words."""
    if snapshot is None:
        return []
    total = sum(float(m["weight"]) for m in snapshot.measures.values()) or 1.0
    lines = []
    for key, m in snapshot.measures.items():
        measure = ACCOUNT_MEASURES.get(key)
        lines.append(
            MeasureLine(
                key=key,
                label=measure.label if measure else key,
                value=float(m["value"]),
                score=float(m["score"]),
                weight_share=100.0 * float(m["weight"]) / total,
                detail=str(m.get("detail", "")),
                rule=RULES[key].words if key in RULES else "",
            )
        )
    return sorted(lines, key=lambda line: (-line.weight_share, line.key))


def history(account: Account, days: int = 365) -> list[HealthSnapshot]:
    latest = latest_snapshot(account)
    if latest is None:
        return []
    return list(
        HealthSnapshot.objects.filter(
            account=account, day__gt=latest.day - dt.timedelta(days=days)
        ).order_by("day")
    )


def current_plan(account: Account, today: dt.date) -> AccountPlan | None:
    """This year's plan, else the latest one."""
    plans = AccountPlan.objects.filter(account=account)
    return plans.filter(year=today.year).first() or plans.order_by("-year").first()


def objectives_at_risk(account: Account) -> QuerySet[Objective]:
    return (
        Objective.objects.filter(
            plan__account=account,
            plan__status__in=["draft", "approved"],
            status__in=[ObjectiveStatus.AT_RISK, ObjectiveStatus.OFF_TRACK],
        )
        .select_related("owner", "plan")
        .order_by("due", "id")
    )


@dataclass
class Touch:
    contact: Contact
    stakeholder: Stakeholder | None
    last: dt.date | None
    next_due: dt.date | None
    overdue: bool


def touches(account: Account, today: dt.date) -> list[Touch]:
    """Each contact's last logged touch, and when the next is due by its cadence."""
    # The latest touch per contact in the database (one row a contact, not one an event: an
    # account of two years holds hundreds of logged touches).
    last: dict[int, dt.date] = {
        contact_id: at.date()
        for contact_id, at in ActivityEvent.objects.filter(
            account=account, kind__in=LOGGED_ACTIVITY_KINDS, contacts__isnull=False
        )
        .values("contacts")
        .annotate(last=Max("occurred_at"))
        .values_list("contacts", "last")
    }
    out = []
    for contact in account.contacts.all().select_related("stakeholder__our_owner"):
        stakeholder = getattr(contact, "stakeholder", None)
        seen = last.get(contact.pk)
        next_due = None
        if stakeholder is not None and stakeholder.cadence_days:
            next_due = (seen or today) + dt.timedelta(days=stakeholder.cadence_days)
            if seen is None:
                next_due = today
        out.append(
            Touch(contact, stakeholder, seen, next_due, next_due is not None and next_due < today)
        )
    return out


def next_renewal(account: Account, today: dt.date) -> dt.date:
    ends = contract_renewals([account.pk]).get(account.pk, ())
    return renewal_on_or_after(account.renewal_date, today, ends)


def last_and_next_touch(account: Account, today: dt.date) -> dict[str, Any]:
    last = (
        ActivityEvent.objects.filter(account=account, kind__in=LOGGED_ACTIVITY_KINDS)
        .order_by("-occurred_at")
        .first()
    )
    upcoming = Visit.objects.filter(account=account, starts_on__gte=today).order_by("starts_on")
    return {"last_touch": last, "next_visit": upcoming.first()}


def directives_for(account: Account, today: dt.date) -> list[Directive]:
    """The account's directives in force today or later, by team."""
    return list(
        Directive.objects.filter(account=account)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=today))
        .prefetch_related("acknowledgements__user")
        .order_by("team", "-effective_from", "id")
    )


@dataclass
class PortfolioRow:
    account: Account
    snapshot: HealthSnapshot | None
    previous_score: int | None
    override: HealthOverride | None
    renewal: dt.date

    @property
    def trend(self) -> str:
        if self.snapshot is None or self.snapshot.score is None or self.previous_score is None:
            return ""
        if self.snapshot.score > self.previous_score:
            return "up"
        if self.snapshot.score < self.previous_score:
            return "down"
        return "same"


PORTFOLIO_PAGE_SIZE = 25
PORTFOLIO_SORTS = ("score", "-score", "name", "renewal")


@dataclass
class PortfolioPage:
    """One page of the portfolio: its rows, the heat map's columns, and where it sits."""

    rows: list[PortfolioRow]
    keys: list[str]
    total: int
    number: int
    pages: int
    day: dt.date | None

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def _sort_key(sort: str) -> Any:
    """How the light index rows (pk, name, renewal, score) sort: unscored accounts last."""

    def by_score(r: tuple[int, str, dt.date, int | None]) -> tuple[int, str]:
        return (r[3] if r[3] is not None else 101, r[1])

    def by_score_desc(r: tuple[int, str, dt.date, int | None]) -> tuple[int, str]:
        return (-r[3] if r[3] is not None else 1, r[1])

    def by_renewal(r: tuple[int, str, dt.date, int | None]) -> tuple[dt.date, str]:
        return (r[2], r[1])

    def by_name(r: tuple[int, str, dt.date, int | None]) -> tuple[str, int]:
        return (r[1], r[0])

    return {"score": by_score, "-score": by_score_desc, "renewal": by_renewal}.get(sort, by_name)


def portfolio(
    user: AnyUser,
    today: dt.date,
    filters: dict[str, Any] | None = None,
    *,
    page: int = 1,
    per_page: int | None = PORTFOLIO_PAGE_SIZE,
) -> PortfolioPage:
    """The visible accounts' latest stored health snapshots, filtered, sorted and one page of
    them (every row with `per_page=None`, for the exports). Nothing is computed here: the
    daily snapshot stored each account's score and measures. One light query orders every
    visible account (id, name, renewal, latest score); only the page's accounts are then read
    in full with their snapshot, their score 30 days before and their override: seven
    queries whatever the size of the book."""
    filters = filters or {}
    accounts = accounts_visible_to(user)
    if filters.get("segment"):
        accounts = accounts.filter(segment=filters["segment"])
    if filters.get("funding"):
        accounts = accounts.filter(funding=filters["funding"])
    if filters.get("associate"):
        accounts = accounts.filter(assignments__user_id=filters["associate"]).distinct()
    latest_day: dt.date | None = HealthSnapshot.objects.filter(
        account__in=accounts.values("pk"), day__lte=today
    ).aggregate(day=Max("day"))["day"]
    scores: dict[int, int | None] = dict(
        HealthSnapshot.objects.filter(day=latest_day).values_list("account_id", "score")
        if latest_day is not None
        else []
    )
    listed = list(accounts.order_by().values_list("pk", "name", "renewal_date"))
    ends = contract_renewals([pk for pk, _, _ in listed])
    index: list[tuple[int, str, dt.date, int | None]] = [
        (pk, name, renewal_on_or_after(renewal, today, ends.get(pk, ())), scores.get(pk))
        for pk, name, renewal in listed
    ]
    window = filters.get("renewal_within")
    if window:
        index = [r for r in index if (r[2] - today).days <= int(window)]
    index.sort(key=_sort_key(filters.get("sort") or "score"))
    total = len(index)
    if per_page is None:
        pages, number, chosen = 1, 1, index
    else:
        pages = max(1, -(-total // per_page))
        number = min(max(1, page), pages)
        chosen = index[(number - 1) * per_page : number * per_page]
    ids = [r[0] for r in chosen]
    by_id = Account.objects.in_bulk(ids)
    latest: dict[int, HealthSnapshot] = {}
    previous: dict[int, int | None] = {}
    if latest_day is not None and ids:
        latest = {
            s.account_id: s
            for s in HealthSnapshot.objects.filter(account_id__in=ids, day=latest_day)
        }
        earlier = latest_day - dt.timedelta(days=30)
        previous = dict(
            HealthSnapshot.objects.filter(
                account_id__in=ids, day__lte=earlier, day__gt=earlier - dt.timedelta(days=14)
            )
            .order_by("account_id", "day")
            .values_list("account_id", "score")
        )
    overrides = {
        o.account_id: o
        for o in HealthOverride.objects.filter(
            account_id__in=ids, cleared_at__isnull=True, expires_on__gte=today
        )
    }
    rows = [
        PortfolioRow(by_id[pk], latest.get(pk), previous.get(pk), overrides.get(pk), renewal)
        for pk, _, renewal, _ in chosen
    ]
    keys: list[str] = []
    for snap in latest.values():
        for k in snap.measures:
            if k not in keys:
                keys.append(k)
    order = list(RULES)
    keys.sort(key=lambda k: order.index(k) if k in order else len(order))
    return PortfolioPage(rows, keys, total, number, pages, latest_day)
