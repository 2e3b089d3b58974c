"""Reads of inquiries, always starting from the caller's scope: the list and its filters,
"My work", the manager's dashboard, "% met", an inquiry's timeline, the account page's
summary.

The SLA state shown is live: a running clock is on track, at risk or breached by comparing
the request's time with the instants the SLA recompute stored.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, overload
from urllib.parse import urlencode

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.urls import reverse
from django.utils import timezone

from clientdesk.accounts.access import accounts_visible_to
from clientdesk.accounts.models import Account
from clientdesk.inquiries.access import inquiries_visible_to as inquiries_visible_to
from clientdesk.inquiries.models import (
    ACTIVE_STATUSES,
    DONE_STATUSES,
    OUTCOME_KINDS,
    AccountEscalation,
    Category,
    EscalationStatus,
    Inquiry,
    LiveSlaState,
    Priority,
    SlaEvent,
    SlaEventKind,
    SlaMetric,
    SlaOutcomeDay,
    SlaState,
)
from clientdesk.inquiries.sla import count_outcomes
from clientdesk.lib import formatting
from clientdesk.lib.periods import Period
from clientdesk.lib.record_ids import parse_record_id
from clientdesk.lib.work import WorkItem, WorkList
from clientdesk.people.roles import EDITS_ASSIGNED_ACCOUNTS, SEES_ALL_ACCOUNTS, roles_of

AnyUser = AbstractBaseUser | AnonymousUser
PRIORITY_RANK = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2, Priority.LOW: 3}


def local_midnight(day: dt.date) -> dt.datetime:
    """The start of a calendar day in the team's time zone (settings.TIME_ZONE)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time()), timezone.get_default_timezone())


def live_sla_state(now: dt.datetime) -> Case:
    return Case(
        When(sla_state=SlaState.RUNNING, sla_due_at__lt=now, then=Value(LiveSlaState.BREACHED)),
        When(sla_state=SlaState.RUNNING, sla_at_risk_at__lte=now, then=Value(LiveSlaState.AT_RISK)),
        When(sla_state=SlaState.RUNNING, then=Value(LiveSlaState.ON_TRACK)),
        default=F("sla_state"),
        output_field=CharField(),
    )


def sla_state_filter(state: str, now: dt.datetime) -> Q:
    """Inquiries whose live SLA state is `state`, as a condition the indexes can serve."""
    running = Q(sla_state=SlaState.RUNNING)
    if state == LiveSlaState.BREACHED:
        return Q(sla_state=SlaState.BREACHED) | (running & Q(sla_due_at__lt=now))
    if state == LiveSlaState.AT_RISK:
        return running & Q(sla_at_risk_at__lte=now, sla_due_at__gte=now)
    if state == LiveSlaState.ON_TRACK:
        return (
            running
            & Q(sla_due_at__gte=now)
            & (Q(sla_at_risk_at__gt=now) | Q(sla_at_risk_at__isnull=True))
        )
    return Q(sla_state=state)


def priority_rank() -> Case:
    return Case(
        *(When(priority=p, then=Value(rank)) for p, rank in PRIORITY_RANK.items()),
        default=Value(9),
        output_field=IntegerField(),
    )


def _outcome_filter(params: dict[str, Any]) -> Q | None:
    wanted = params.get("outcome")
    keys = ("metric", "outcome_from", "outcome_to", "accountable")
    if not (wanted or any(params.get(k) for k in keys)):
        return None
    events = SlaEvent.objects.filter(inquiry=OuterRef("pk"), superseded_at__isnull=True)
    events = events.filter(kind=wanted) if wanted else events.filter(kind__in=OUTCOME_KINDS)
    if params.get("metric"):
        events = events.filter(metric=params["metric"])
    if params.get("outcome_from"):
        events = events.filter(occurred_at__gte=local_midnight(params["outcome_from"]))
    if params.get("outcome_to"):
        end = params["outcome_to"] + dt.timedelta(days=1)
        events = events.filter(occurred_at__lt=local_midnight(end))
    accountable = params.get("accountable")
    if accountable == "none":
        events = events.filter(owner__isnull=True, inquiry__import_batch__isnull=True)
    elif accountable == IMPORTED:
        events = events.filter(owner__isnull=True, inquiry__import_batch__isnull=False)
    elif accountable:
        events = events.filter(owner_id=int(accountable))
    return Q(Exists(events))


def filtered_inquiries(
    user: AnyUser, params: dict[str, Any], now: dt.datetime
) -> QuerySet[Inquiry]:
    """The user's inquiries narrowed by the list's cleaned filter values."""
    qs = inquiries_visible_to(user)
    q = (params.get("q") or "").strip()
    if q:
        pk = parse_record_id(q.upper().removeprefix("Q-"))
        qs = qs.filter(pk=pk) if pk is not None else qs.filter(subject__icontains=q)
    status = params.get("status")
    if status == "active":
        qs = qs.filter(status__in=ACTIVE_STATUSES)
    elif status == "done":
        qs = qs.filter(status__in=DONE_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    for name in ("category", "priority"):
        if params.get(name):
            qs = qs.filter(**{name: params[name]})
    owner = params.get("owner")
    if owner == "none":
        qs = qs.filter(owner__isnull=True)
    elif owner == "me":
        qs = qs.filter(owner_id=user.pk or 0)
    elif owner:
        qs = qs.filter(owner_id=int(owner))
    if params.get("account"):
        qs = qs.filter(account=params["account"])
    if params.get("sla"):
        qs = qs.filter(sla_state_filter(params["sla"], now))
    period: Period | None = params.get("period")
    if period is not None:
        qs = qs.filter(
            opened_at__gte=local_midnight(period.start),
            opened_at__lt=local_midnight(period.day_after),
        )
    if params.get("opened_from"):
        qs = qs.filter(opened_at__gte=local_midnight(params["opened_from"]))
    if params.get("opened_to"):
        qs = qs.filter(opened_at__lt=local_midnight(params["opened_to"] + dt.timedelta(days=1)))
    outcome = _outcome_filter(params)
    if outcome is not None:
        qs = qs.filter(outcome)
    sort = params.get("sort") or "-opened"
    if sort == "due":
        order: list[Any] = [F("sla_due_at").asc(nulls_last=True), "opened_at", "id"]
    elif sort == "opened":
        order = ["opened_at", "id"]
    elif sort == "priority":
        qs = qs.annotate(priority_rank=priority_rank())
        order = ["priority_rank", "-opened_at", "-id"]
    else:
        order = ["-opened_at", "-id"]
    return (
        qs.annotate(live_sla=live_sla_state(now))
        .select_related("account", "owner")
        .only(*LIST_FIELDS)
        .order_by(*order)
    )


LIST_FIELDS = [
    "id",
    "subject",
    "status",
    "priority",
    "category",
    "subcategory",
    "channel",
    "requester_type",
    "member_reference",
    "broker_name",
    "opened_at",
    "resolved_at",
    "sla_state",
    "sla_due_at",
    "sla_at_risk_at",
    "merged_into_id",
    "contact_id",
    "account__id",
    "account__name",
    "account__group_number",
    "owner__id",
    "owner__first_name",
    "owner__last_name",
    "owner__username",
    "import_batch_id",
]


class IdFirst(Sequence[Inquiry]):
    """A list query read in two steps, for pagination: the page's ids from the inquiry table
    alone (which the indexes serve), then those rows with their account and owner. In one
    query with the joins, SQLite's planner may walk the accounts and sort the whole book."""

    def __init__(self, qs: QuerySet[Inquiry], *, count_limit: int | None = None) -> None:
        self.qs = qs
        # Counting a million rows costs more than the page itself: with a limit, the count
        # stops at limit + 1 (and so does paging: a deeper page needs narrower filters).
        self.count_limit = count_limit
        self._count: int | None = None

    def all(self) -> IdFirst:  # django-ninja's pagination counts through .all().count()
        return self

    def count(self, value: object = None) -> int:  # Paginator calls count() without a value
        if self._count is None:
            if self.count_limit is None:
                self._count = self.qs.count()
            else:
                self._count = self.qs.order_by().values("id")[: self.count_limit + 1].count()
        return self._count

    @property
    def capped(self) -> bool:
        """More rows match than the count went to."""
        return self.count_limit is not None and self.count() > self.count_limit

    @property
    def count_label(self) -> str:
        """How many match, as the list says it: "1,234 inquiries" or "over 10,000 …"."""
        if self.capped:
            return f"over {self.count_limit:,} inquiries"
        n = self.count()
        return f"{n:,} inquir{'y' if n == 1 else 'ies'}"

    def __len__(self) -> int:
        return self.count()

    @overload
    def __getitem__(self, index: int) -> Inquiry: ...

    @overload
    def __getitem__(self, index: slice) -> list[Inquiry]: ...

    def __getitem__(self, index: int | slice) -> Inquiry | list[Inquiry]:
        if isinstance(index, int):
            return self.qs[index]
        ids = list(self.qs.values_list("id", flat=True)[index])
        rows = {row.pk: row for row in self.qs.filter(pk__in=ids).order_by()}
        return [rows[pk] for pk in ids if pk in rows]

    def __iter__(self) -> Iterator[Inquiry]:
        return self.qs.iterator()


# The list counts (and pages) up to this many matching inquiries.
LIST_COUNT_LIMIT = 10_000


def my_work(user: AnyUser, now: dt.datetime) -> QuerySet[Inquiry]:
    """The user's active inquiries, the next SLA deadline first (paused ones last)."""
    return (
        inquiries_visible_to(user)
        .filter(owner_id=user.pk or 0, status__in=ACTIVE_STATUSES)
        .annotate(live_sla=live_sla_state(now))
        .select_related("account", "owner")
        .only(*LIST_FIELDS)
        .order_by(F("sla_due_at").asc(nulls_last=True), "opened_at", "id")
    )


def work_list(user: AnyUser, now: dt.datetime, limit: int = 5) -> WorkList:
    """Active inquiries past or near their SLA deadline: the reader's own for associates, the
    team's for those who see every account. Breached first, then the nearest deadline."""
    own = bool(roles_of(user) & EDITS_ASSIGNED_ACCOUNTS)
    qs = inquiries_visible_to(user).filter(status__in=ACTIVE_STATUSES)
    if own:
        qs = qs.filter(owner_id=user.pk or 0)
    late = qs.filter(
        sla_state_filter(LiveSlaState.BREACHED, now) | sla_state_filter(LiveSlaState.AT_RISK, now)
    ).annotate(live_sla=live_sla_state(now))
    total = late.count()
    rows = late.select_related("account").order_by(
        F("sla_due_at").asc(nulls_last=True), "opened_at", "id"
    )[:limit]
    items = [
        WorkItem(
            title=f"{q.reference} · {q.subject}",
            detail=(
                f"{'SLA breached' if q.live_sla == LiveSlaState.BREACHED else 'SLA at risk'}"
                f" · {q.account.name}"
                + (
                    f" · due {timezone.localtime(q.sla_due_at):%b %-d, %-I:%M %p}"
                    if q.sla_due_at
                    else ""
                )
            ),
            url=reverse("inquiries:detail", args=[q.pk]),
            when=timezone.localtime(q.sla_due_at).date() if q.sla_due_at else None,
            urgent=q.live_sla == LiveSlaState.BREACHED,
        )
        for q in rows
    ]
    return WorkList(
        key="inquiries",
        heading="My inquiries past or near their SLA"
        if own
        else "Inquiries past or near their SLA",
        total=total,
        url=list_url(owner="me" if own else None, status="active", sort="due"),
        empty="No active inquiry is at risk of missing its SLA.",
        items=items,
    )


@lru_cache(maxsize=1)
def _list_path() -> str:
    return reverse("inquiries:list")


def list_url(**params: Any) -> str:
    """The inquiry list filtered by these parameters (what every dashboard number links to)."""
    clean = {
        k: (v.isoformat() if isinstance(v, dt.date) else v)
        for k, v in params.items()
        if v not in (None, "")
    }
    return _list_path() + ("?" + urlencode(clean) if clean else "")


# ── the manager's dashboard ────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class AgeBucket:
    label: str
    opened_from: dt.date | None
    opened_to: dt.date | None


def age_buckets(today: dt.date) -> list[AgeBucket]:
    day = dt.timedelta(days=1)
    return [
        AgeBucket("Today", today, None),
        AgeBucket("1–2 days", today - 2 * day, today - day),
        AgeBucket("3–7 days", today - 7 * day, today - 3 * day),
        AgeBucket("8–14 days", today - 14 * day, today - 8 * day),
        AgeBucket("Older", None, today - 15 * day),
    ]


class Unordered(Func):
    """`+column`: the same value, but SQLite no longer walks a whole index in this column's
    order to group by it (a full scan) when a range on another column is far cheaper."""

    template = "+%(expressions)s"
    output_field = IntegerField()


def _bucket_case(buckets: list[AgeBucket]) -> Case:
    whens = []
    for index, bucket in enumerate(buckets):
        if bucket.opened_from is not None:
            whens.append(When(opened_at__gte=local_midnight(bucket.opened_from), then=Value(index)))
    return Case(*whens, default=Value(len(buckets) - 1), output_field=IntegerField())


@dataclass
class Cell:
    """A number and the list filters behind it; the link is built only when shown."""

    value: int
    params: dict[str, Any]

    @property
    def url(self) -> str:
        return list_url(**self.params)


IMPORTED = "imported"
"""The owner key of imported inquiries whose owner is not a clientdesk user."""


@dataclass
class Attainment:
    """ "% met" of one group: met ÷ (met + breached) current outcomes, per clock.

    `unrecorded`: imported inquiries of the group resolved in the window whose first response
    the feed did not record; they have no first-response outcome (left out, not late)."""

    label: str
    met: dict[str, Cell] = field(default_factory=dict)
    breached: dict[str, Cell] = field(default_factory=dict)
    unrecorded: int = 0

    @property
    def first_response_note(self) -> str:
        """ "first response: n of N inquiries have a recorded first response", when some
        imported ones have none (else empty)."""
        return first_response_note(self.decided(SlaMetric.FIRST_RESPONSE), self.unrecorded)

    def percent(self, metric: str) -> float | None:
        met = self.met[metric].value if metric in self.met else 0
        late = self.breached[metric].value if metric in self.breached else 0
        return round(100 * met / (met + late), 1) if met + late else None

    def columns(self) -> list[tuple[Cell | None, Cell | None, float | None]]:
        """(met, breached, % met) for first response, then resolution (for the template)."""
        return [
            (self.met.get(m), self.breached.get(m), self.percent(m))
            for m in (SlaMetric.FIRST_RESPONSE, SlaMetric.RESOLUTION)
        ]

    def decided(self, metric: str) -> int:
        met = self.met[metric].value if metric in self.met else 0
        return met + (self.breached[metric].value if metric in self.breached else 0)


def first_response_note(recorded: int, unrecorded: int) -> str:
    """What first-response attainment rests on, when imported history without a recorded
    first response is left out of it."""
    if not unrecorded:
        return ""
    return (
        f"first response: {recorded:,} of {recorded + unrecorded:,} inquiries have a recorded "
        "first response (imported inquiries without one are left out)"
    )


def _imported_counts(
    user: AnyUser, start: dt.date, end: dt.date
) -> tuple[list[tuple[str, str, int]], list[tuple[int | None, int, str, int]]]:
    """Imported inquiries seen apart in attainment, between two dates (inclusive): the current
    outcomes of those without an owner, as (clock, kind, count); and those resolved without
    a recorded first response, as (owner id, account id, category, count)."""
    since, until = local_midnight(start), local_midnight(end + dt.timedelta(days=1))
    events = SlaEvent.objects.filter(
        owner__isnull=True,
        inquiry__import_batch__isnull=False,
        kind__in=OUTCOME_KINDS,
        superseded_at__isnull=True,
        occurred_at__gte=since,
        occurred_at__lt=until,
    )
    unanswered = Inquiry.objects.filter(
        import_batch__isnull=False,
        first_responded_at__isnull=True,
        sla_policy__isnull=False,
        merged_into__isnull=True,
        resolved_at__gte=since,
        resolved_at__lt=until,
    )
    if not roles_of(user) & SEES_ALL_ACCOUNTS:
        visible = accounts_visible_to(user).values("pk")
        events = events.filter(account__in=visible)
        unanswered = unanswered.filter(account__in=visible)
    outcomes: list[tuple[str, str, int]] = list(
        events.values("metric", "kind")
        .annotate(n=Count("*"))
        .order_by()
        .values_list("metric", "kind", "n")
    )
    missing: list[tuple[int | None, int, str, int]] = list(
        unanswered.values("owner_id", "account_id", "category")
        .annotate(n=Count("*"))
        .order_by()
        .values_list("owner_id", "account_id", "category", "n")
    )
    return outcomes, missing


def _outcome_counts(
    user: AnyUser, start: dt.date, end: dt.date
) -> list[tuple[str, str, str, str, int]]:
    """(dimension, key, clock, kind, count) of the current outcomes between two dates."""
    if roles_of(user) & SEES_ALL_ACCOUNTS:
        return outcome_counts_from_days(start, end)
    events = SlaEvent.objects.filter(account__in=accounts_visible_to(user).values("pk"))
    return outcome_counts_from_events(events, start, end)


def outcome_counts_from_days(start: dt.date, end: dt.date) -> list[tuple[str, str, str, str, int]]:
    """The whole book's outcome counts between two dates (inclusive), from the per-day
    rollup (SlaOutcomeDay, rebuilt from the events whenever they change)."""
    return list(
        SlaOutcomeDay.objects.filter(day__gte=start, day__lte=end)
        .values("dimension", "key", "metric", "kind")
        .annotate(n=Sum("count"))
        .order_by()
        .values_list("dimension", "key", "metric", "kind", "n")
    )


def outcome_counts_from_events(
    events: QuerySet[SlaEvent], start: dt.date, end: dt.date
) -> list[tuple[str, str, str, str, int]]:
    """The same counts read from the SlaEvent rows themselves (for a scoped reader)."""
    counts = count_outcomes(
        events.filter(
            occurred_at__gte=local_midnight(start),
            occurred_at__lt=local_midnight(end + dt.timedelta(days=1)),
        )
    )
    return [(*key, n) for key, n in counts.items()]


def attainment(user: AnyUser, start: dt.date, end: dt.date) -> dict[str, list[Attainment]]:
    """% met by associate, account and category for outcomes between two dates (inclusive):
    met ÷ (met + breached) of the current SLA outcomes. Every count links to the inquiries
    behind it (the list filtered by the same outcome, clock, dates and group). Imported
    inquiries whose owner is not a user are a group of their own, and each group counts the
    imported inquiries it leaves out of first response (`Attainment.unrecorded`)."""
    rows = _outcome_counts(user, start, end)
    imported, missing = _imported_counts(user, start, end)
    moved = {(metric, kind): n for metric, kind, n in imported}
    rows = [
        (d, k, m, kind, n - moved.get((m, kind), 0) if d == "owner" and not k else n)
        for d, k, m, kind, n in rows
    ]
    rows = [r for r in rows if r[4] > 0]
    rows += [("owner", IMPORTED, m, kind, n) for (m, kind), n in moved.items() if n > 0]
    owner_ids = {int(k) for d, k, *_ in rows if d == "owner" and k.isdigit()}
    owner_ids |= {o for o, *_ in missing if o is not None}
    account_ids = {int(k) for d, k, *_ in rows if d == "account" and k}
    account_ids |= {a for _, a, *_ in missing}
    people = {
        str(u.pk): u.get_full_name() or u.username
        for u in User.objects.filter(pk__in=owner_ids).only("first_name", "last_name", "username")
    }
    names = {
        "owner": {"": "Nobody", IMPORTED: "Imported (owner not a user)", **people},
        "account": {
            str(pk): name
            for pk, name in Account.objects.filter(pk__in=account_ids).values_list("pk", "name")
        },
        "category": {str(code): str(label) for code, label in Category.choices},
    }
    group_of = {"owner": "associate", "account": "account", "category": "category"}
    groups: dict[str, dict[str, Attainment]] = {"associate": {}, "account": {}, "category": {}}
    window = {"outcome_from": start, "outcome_to": end}
    for dimension, key, metric, kind, n in rows:
        label = names[dimension].get(key, f"#{key}")
        item = groups[group_of[dimension]].setdefault(key, Attainment(label))
        target = item.met if kind == SlaEventKind.MET else item.breached
        if metric not in target:
            filters: dict[str, Any] = {**window, "outcome": kind, "metric": metric}
            if dimension == "owner":
                filters["accountable"] = key or "none"
            else:
                filters[dimension] = key
            target[metric] = Cell(0, filters)
        target[metric].value += n
    for owner_id, account_id, category, n in missing:
        owner = IMPORTED if owner_id is None else str(owner_id)
        for name, key, label in (
            ("associate", owner, names["owner"].get(owner, f"#{owner}")),
            ("account", str(account_id), names["account"].get(str(account_id), f"#{account_id}")),
            ("category", str(category), names["category"].get(str(category), str(category))),
        ):
            groups[name].setdefault(key, Attainment(label)).unrecorded += n
    metric = SlaMetric.RESOLUTION
    return {
        name: sorted(items.values(), key=lambda a: (-a.decided(metric), a.label))
        for name, items in groups.items()
    }


@dataclass
class Dashboard:
    buckets: list[AgeBucket]
    open_rows: list[tuple[str, list[Cell], Cell]]
    open_totals: list[Cell]
    open_total: Cell
    queue: Cell
    attainment: dict[str, list[Attainment]]
    attainment_from: dt.date
    attainment_to: dt.date
    at_risk: Sequence[Inquiry]
    at_risk_count: Cell
    breached_count: Cell
    weeks: list[dt.date]
    week_totals: list[Cell]
    category_weeks: list[tuple[str, list[Cell], Cell]]
    top_accounts: list[tuple[str, Cell]]
    first_response_note: str = ""


def manager_dashboard(
    user: AnyUser,
    now: dt.datetime,
    *,
    attainment_from: dt.date,
    attainment_to: dt.date,
    weeks: int = 12,
) -> Dashboard:
    """Open work by associate and age, SLA attainment, the at-risk list, volume and categories
    by week and the top accounts by volume. Every number comes with the list URL behind it."""
    today = timezone.localdate(now)
    visible = inquiries_visible_to(user)
    buckets = age_buckets(today)
    active = visible.filter(status__in=ACTIVE_STATUSES)
    counts: dict[tuple[int | None, int], int] = defaultdict(int)
    # No join in the grouping query: alone on the table, it starts from the status index.
    for owner_id, bucket, n in (
        active.annotate(bucket=_bucket_case(buckets))
        .values("owner_id", "bucket")
        .annotate(n=Count("*"))
        .order_by()
        .values_list("owner_id", "bucket", "n")
    ):
        counts[(owner_id, bucket)] += n
    names: dict[int | None, str] = {None: "Nobody (in the queue)"}
    names.update(
        (u.pk, u.get_full_name() or u.username)
        for u in User.objects.filter(pk__in={o for o, _ in counts if o is not None}).only(
            "first_name", "last_name", "username"
        )
    )

    def bucket_url(owner: Any, bucket: AgeBucket | None) -> dict[str, Any]:
        span = {"opened_from": bucket.opened_from, "opened_to": bucket.opened_to} if bucket else {}
        return {"status": "active", "owner": owner, "sort": "due", **span}

    owners = sorted({o for o, _ in counts}, key=lambda o: (o is None, names[o]))
    open_rows = []
    for owner in owners:
        key = "none" if owner is None else owner
        cells = [Cell(counts[(owner, i)], bucket_url(key, b)) for i, b in enumerate(buckets)]
        open_rows.append(
            (names[owner], cells, Cell(sum(c.value for c in cells), bucket_url(key, None)))
        )
    open_totals = [
        Cell(sum(counts[(o, i)] for o in owners), bucket_url("", b)) for i, b in enumerate(buckets)
    ]
    open_total = Cell(sum(c.value for c in open_totals), bucket_url("", None))

    risky = active.filter(
        sla_state_filter(LiveSlaState.AT_RISK, now) | sla_state_filter(LiveSlaState.BREACHED, now)
    )
    state_counts = risky.aggregate(
        at_risk=Count("id", filter=sla_state_filter(LiveSlaState.AT_RISK, now)),
        breached=Count("id", filter=sla_state_filter(LiveSlaState.BREACHED, now)),
    )
    # Ids first: with the joins in, SQLite's planner walks the accounts instead of the index.
    first = list(risky.order_by("sla_due_at", "id").values_list("id", flat=True)[:15])
    at_risk = list(
        Inquiry.objects.filter(pk__in=first)
        .annotate(live_sla=live_sla_state(now))
        .select_related("account", "owner")
        .only(*LIST_FIELDS)
        .order_by("sla_due_at", "id")
    )

    first_week = today - dt.timedelta(days=today.weekday()) - dt.timedelta(weeks=weeks - 1)
    week_starts = [first_week + dt.timedelta(weeks=i) for i in range(weeks)]
    # One range query per week, glued with UNION ALL: each walks its slice of the
    # (opened_at, category, account) index; a CASE over the whole span costs far more.
    # COUNT(*), not COUNT(id): PostgreSQL's index has no id, so counting ids reads the table
    # (an index-only scan becomes an index scan: 4x slower on a million inquiries).
    per_week = [
        visible.filter(
            opened_at__gte=local_midnight(w),
            opened_at__lt=local_midnight(w + dt.timedelta(weeks=1)),
        )
        .values("category")
        .annotate(n=Count("*"), week=Value(i, output_field=IntegerField()))
        .order_by()
        for i, w in enumerate(week_starts)
    ]
    by_week: dict[tuple[int, str], int] = defaultdict(int)
    for row in per_week[0].union(*per_week[1:], all=True):
        by_week[(row["week"], row["category"])] += row["n"]

    def week_url(index: int, **extra: Any) -> dict[str, Any]:
        start = week_starts[index]
        return {"opened_from": start, "opened_to": start + dt.timedelta(days=6), **extra}

    week_totals = [
        Cell(sum(n for (w, _), n in by_week.items() if w == i), week_url(i)) for i in range(weeks)
    ]
    category_weeks = []
    for code, label in Category.choices:
        cells = [Cell(by_week[(i, code)], week_url(i, category=code)) for i in range(weeks)]
        total = Cell(
            sum(c.value for c in cells),
            {"opened_from": first_week, "opened_to": today, "category": code},
        )
        if total.value:
            category_weeks.append((str(label), cells, total))
    category_weeks.sort(key=lambda row: -row[2].value)

    period = visible.filter(
        opened_at__gte=local_midnight(attainment_from),
        opened_at__lt=local_midnight(attainment_to + dt.timedelta(days=1)),
    )
    top = list(
        period.annotate(key=Unordered(F("account_id")))
        .values("key")
        .annotate(n=Count("*"))
        .order_by("-n", "key")
        .values_list("key", "n")[:10]
    )
    account_names = dict(
        Account.objects.filter(pk__in=[k for k, _ in top]).values_list("pk", "name")
    )
    groups = attainment(user, attainment_from, attainment_to)
    top_accounts = [
        (
            account_names.get(key, f"#{key}"),
            Cell(n, {"account": key, "opened_from": attainment_from, "opened_to": attainment_to}),
        )
        for key, n in top
    ]
    return Dashboard(
        buckets=buckets,
        open_rows=open_rows,
        open_totals=open_totals,
        open_total=open_total,
        queue=Cell(sum(counts[(None, i)] for i in range(len(buckets))), bucket_url("none", None)),
        attainment=groups,
        first_response_note=first_response_note(
            sum(a.decided(SlaMetric.FIRST_RESPONSE) for a in groups["account"]),
            sum(a.unrecorded for a in groups["account"]),
        ),
        attainment_from=attainment_from,
        attainment_to=attainment_to,
        at_risk=at_risk,
        at_risk_count=Cell(
            state_counts["at_risk"],
            {"status": "active", "sla": LiveSlaState.AT_RISK, "sort": "due"},
        ),
        breached_count=Cell(
            state_counts["breached"],
            {"status": "active", "sla": LiveSlaState.BREACHED, "sort": "due"},
        ),
        weeks=week_starts,
        week_totals=week_totals,
        category_weeks=category_weeks,
        top_accounts=top_accounts,
    )


# ── one inquiry, one account ───────────────────────────────────────────────────────────


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    kind: str
    title: str
    body: str = ""
    actor: str = ""
    badge: str = ""
    internal: bool = False

    @property
    def label(self) -> str:
        """The entry's kind as the page names it (SLA, not "Sla")."""
        return TIMELINE_LABELS.get(self.kind, self.kind.capitalize())


TIMELINE_LABELS = {"status": "Status", "event": "Event", "note": "Note", "sla": "SLA"}


def _actor(user: User | None) -> str:
    if user is None:
        return "clientdesk"
    return user.get_full_name() or user.username


def inquiry_timeline(inquiry: Inquiry) -> list[TimelineEntry]:
    """Status changes, notes, events and SLA events of one inquiry, oldest first."""
    entries: list[TimelineEntry] = []
    for change in inquiry.status_changes.select_related("actor"):
        title = (
            f"Status: {change.get_from_status_display()} → {change.get_to_status_display()}"
            if change.from_status
            else f"Status: {change.get_to_status_display()}"
        )
        entries.append(
            TimelineEntry(change.at, "status", title, change.reason, _actor(change.actor))
        )
    for note in inquiry.notes.select_related("author", "moved_from"):
        extra = f" (moved from {note.moved_from.reference})" if note.moved_from else ""
        emailed = f" · e-mailed to {note.emailed_to}" if note.emailed_to else ""
        entries.append(
            TimelineEntry(
                note.created_at,
                "note",
                note.get_visibility_display() + extra + emailed,
                note.body,
                _actor(note.author),
                "warn" if note.visibility == "internal" else "ok",
                internal=note.visibility == "internal",
            )
        )
    entries.extend(
        TimelineEntry(event.at, "event", event.summary, "", _actor(event.actor))
        for event in inquiry.events.select_related("actor")
    )
    for sla_event in inquiry.sla_events.all():
        metric = SlaMetric(sla_event.metric).label
        kind = SlaEventKind(sla_event.kind).label.lower()
        superseded = " (superseded by a recompute)" if sla_event.superseded_at else ""
        badge = {"met": "ok", "breached": "bad", "at_risk": "warn"}.get(sla_event.kind, "")
        entries.append(
            TimelineEntry(
                sla_event.occurred_at,
                "sla",
                f"SLA: {metric} {kind}{superseded}",
                f"Due {formatting.moment(timezone.localtime(sla_event.due_at))}; "
                f"target {sla_event.target_minutes / 60:g} business hours.",
                "clientdesk",
                badge,
            )
        )
    order = {"status": 0, "event": 1, "note": 2, "sla": 3}
    return sorted(entries, key=lambda e: (e.at, order[e.kind]))


def account_inquiry_summary(account: Account, now: dt.datetime) -> dict[str, Any]:
    """The account page's inquiry section: counts, the latest inquiries, open escalations."""
    inquiries = Inquiry.objects.filter(account=account)
    active = inquiries.filter(status__in=ACTIVE_STATUSES)
    counts = active.aggregate(
        open=Count("id"),
        breached=Count("id", filter=sla_state_filter(LiveSlaState.BREACHED, now)),
        at_risk=Count("id", filter=sla_state_filter(LiveSlaState.AT_RISK, now)),
    )
    recent = list(
        inquiries.annotate(live_sla=live_sla_state(now))
        .select_related("owner")
        .only(
            "id",
            "subject",
            "status",
            "priority",
            "category",
            "opened_at",
            "sla_state",
            "sla_due_at",
            "sla_at_risk_at",
            "owner__first_name",
            "owner__last_name",
            "owner__username",
        )
        .order_by("-opened_at", "-id")[:8]
    )
    escalations = list(
        AccountEscalation.objects.filter(account=account)
        .exclude(status=EscalationStatus.RESOLVED)
        .select_related("owner")
        .order_by("-raised_at")
    )
    return {
        "inquiry_counts": counts,
        "recent_inquiries": recent,
        "open_escalations": escalations,
        "inquiries_url": list_url(account=account.pk),
        "open_inquiries_url": list_url(account=account.pk, status="active", sort="due"),
        "breached_inquiries_url": list_url(account=account.pk, status="active", sla="breached"),
    }
