"""Reads of inquiries, always starting from the caller's scope: the list and its filters,
"My work", the manager's dashboard, "% met", an inquiry's timeline, the account page's
summary.

The SLA state shown is live: a running clock is on track, at risk or breached by comparing
the request's time with the instants the SLA recompute stored.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.urls import reverse
from django.utils import timezone

from clientdesk.accounts.access import accounts_visible_to
from clientdesk.accounts.models import Account
from clientdesk.inquiries.access import inquiries_visible_to
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
    SlaState,
)
from clientdesk.lib.periods import Period
from clientdesk.people.roles import SEES_ALL_ACCOUNTS, roles_of

AnyUser = AbstractBaseUser | AnonymousUser
PRIORITY_RANK = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2, Priority.LOW: 3}


def local_midnight(day: dt.date) -> dt.datetime:
    """The start of a calendar day in the team's time zone (settings.TIME_ZONE)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


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
        events = events.filter(owner__isnull=True)
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
        digits = q.upper().removeprefix("Q-").lstrip("0")
        qs = qs.filter(pk=int(digits)) if digits.isdigit() else qs.filter(subject__icontains=q)
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
            opened_at__gte=local_midnight(period.start), opened_at__lt=local_midnight(period.end)
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
    "id", "subject", "status", "priority", "category", "subcategory", "channel",
    "requester_type", "member_reference", "broker_name", "opened_at", "resolved_at",
    "sla_state", "sla_due_at", "sla_at_risk_at", "merged_into_id", "contact_id",
    "account__id", "account__name", "account__group_number",
    "owner__id", "owner__first_name", "owner__last_name", "owner__username",
]  # fmt: skip


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


@lru_cache(maxsize=1)
def _list_path() -> str:
    return reverse("inquiries:list")


def list_url(**params: Any) -> str:
    """The inquiry list filtered by these parameters (what every dashboard number links to)."""
    clean = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in params.items()
             if v not in (None, "")}  # fmt: skip
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


@dataclass
class Attainment:
    """ "% met" of one group: met ÷ (met + breached) current outcomes, per clock."""

    label: str
    met: dict[str, Cell] = field(default_factory=dict)
    breached: dict[str, Cell] = field(default_factory=dict)

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


def _person(first: str | None, last: str | None, username: str | None) -> str:
    return f"{first or ''} {last or ''}".strip() or username or "?"


def attainment(user: AnyUser, start: dt.date, end: dt.date) -> dict[str, list[Attainment]]:
    """% met by associate, account and category for outcomes between two dates (inclusive),
    from the current SLA outcome events (one query)."""
    events = SlaEvent.objects.filter(
        kind__in=OUTCOME_KINDS,
        superseded_at__isnull=True,
        occurred_at__gte=local_midnight(start),
        occurred_at__lt=local_midnight(end + dt.timedelta(days=1)),
    )
    if not roles_of(user) & SEES_ALL_ACCOUNTS:
        events = events.filter(account__in=accounts_visible_to(user).values("pk"))
    rows = (
        events.values(
            "owner_id", "owner__first_name", "owner__last_name", "owner__username",
            "account_id", "account__name", "category", "metric", "kind",
        )
        .annotate(n=Count("id"))
        .order_by()
    )  # fmt: skip
    groups: dict[str, dict[Any, Attainment]] = {"associate": {}, "account": {}, "category": {}}
    categories = dict(Category.choices)
    window = {"outcome_from": start, "outcome_to": end}
    for row in rows:
        person = (
            _person(row["owner__first_name"], row["owner__last_name"], row["owner__username"])
            if row["owner_id"]
            else "Nobody"
        )
        keys = {
            "associate": (row["owner_id"], person),
            "account": (row["account_id"], row["account__name"]),
            "category": (row["category"], categories.get(row["category"], row["category"])),
        }
        for group, (key, label) in keys.items():
            item = groups[group].setdefault(key, Attainment(str(label)))
            target = item.met if row["kind"] == SlaEventKind.MET else item.breached
            cell = target.get(row["metric"])
            if cell is None:
                filters: dict[str, Any] = {
                    **window,
                    "outcome": row["kind"],
                    "metric": row["metric"],
                }
                if group == "associate":
                    filters["accountable"] = key if key is not None else "none"
                elif group == "account":
                    filters["account"] = key
                else:
                    filters["category"] = key
                cell = target[row["metric"]] = Cell(0, filters)
            cell.value += row["n"]
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


def manager_dashboard(
    user: AnyUser, now: dt.datetime, *, attainment_from: dt.date, attainment_to: dt.date,
    weeks: int = 12,
) -> Dashboard:  # fmt: skip
    """Open work by associate and age, SLA attainment, the at-risk list, volume and categories
    by week and the top accounts by volume. Every number comes with the list URL behind it."""
    today = timezone.localdate(now)
    visible = inquiries_visible_to(user)
    buckets = age_buckets(today)
    active = visible.filter(status__in=ACTIVE_STATUSES)
    counts: dict[tuple[int | None, int], int] = defaultdict(int)
    names: dict[int | None, str] = {None: "Nobody (in the queue)"}
    for row in (
        active.annotate(bucket=_bucket_case(buckets))
        .values("owner_id", "owner__first_name", "owner__last_name", "owner__username", "bucket")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts[(row["owner_id"], row["bucket"])] += row["n"]
        if row["owner_id"] is not None:
            names[row["owner_id"]] = _person(
                row["owner__first_name"], row["owner__last_name"], row["owner__username"]
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
    state_counts = {
        row["live"]: row["n"]
        for row in risky.annotate(live=live_sla_state(now))
        .values("live")
        .annotate(n=Count("id"))
        .order_by()
    }
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
    week_case = Case(
        *(When(opened_at__lt=local_midnight(w + dt.timedelta(weeks=1)), then=Value(i))
          for i, w in enumerate(week_starts)),
        default=Value(weeks - 1), output_field=IntegerField(),
    )  # fmt: skip
    recent = visible.filter(opened_at__gte=local_midnight(first_week))
    by_week: dict[tuple[int, str], int] = defaultdict(int)
    for week, category, n in (
        recent.annotate(week=week_case)
        .values("week", "category")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("week", "category", "n")
    ):
        by_week[(week, category)] += n

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

    top = (
        recent.values("account_id", "account__name")
        .annotate(n=Count("id"))
        .order_by("-n", "account__name")[:10]
    )
    top_accounts = [
        (row["account__name"], Cell(row["n"], {"account": row["account_id"],
                                                       "opened_from": first_week,
                                                       "opened_to": today}))
        for row in top
    ]  # fmt: skip
    return Dashboard(
        buckets=buckets,
        open_rows=open_rows,
        open_totals=open_totals,
        open_total=open_total,
        queue=Cell(
            sum(counts[(None, i)] for i in range(len(buckets))), bucket_url("none", None)
        ),
        attainment=attainment(user, attainment_from, attainment_to),
        attainment_from=attainment_from,
        attainment_to=attainment_to,
        at_risk=at_risk,
        at_risk_count=Cell(state_counts.get(LiveSlaState.AT_RISK, 0),
                           {"status": "active", "sla": LiveSlaState.AT_RISK, "sort": "due"}),
        breached_count=Cell(state_counts.get(LiveSlaState.BREACHED, 0),
                            {"status": "active", "sla": LiveSlaState.BREACHED, "sort": "due"}),
        weeks=week_starts,
        week_totals=week_totals,
        category_weeks=category_weeks,
        top_accounts=top_accounts,
    )  # fmt: skip


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
            if change.from_status else f"Status: {change.get_to_status_display()}"
        )  # fmt: skip
        entries.append(
            TimelineEntry(change.at, "status", title, change.reason, _actor(change.actor))
        )
    for note in inquiry.notes.select_related("author", "moved_from"):
        extra = f" (moved from {note.moved_from.reference})" if note.moved_from else ""
        emailed = f" · e-mailed to {note.emailed_to}" if note.emailed_to else ""
        entries.append(TimelineEntry(
            note.created_at, "note", note.get_visibility_display() + extra + emailed, note.body,
            _actor(note.author), "warn" if note.visibility == "internal" else "ok",
            internal=note.visibility == "internal",
        ))  # fmt: skip
    entries.extend(
        TimelineEntry(event.at, "event", event.summary, "", _actor(event.actor))
        for event in inquiry.events.select_related("actor")
    )
    for sla_event in inquiry.sla_events.all():
        metric = SlaMetric(sla_event.metric).label
        kind = SlaEventKind(sla_event.kind).label.lower()
        superseded = " (superseded by a recompute)" if sla_event.superseded_at else ""
        badge = {"met": "ok", "breached": "bad", "at_risk": "warn"}.get(sla_event.kind, "")
        entries.append(TimelineEntry(
            sla_event.occurred_at, "sla", f"SLA: {metric} {kind}{superseded}",
            f"Due {timezone.localtime(sla_event.due_at):%b %-d, %-I:%M %p}; "
            f"target {sla_event.target_minutes / 60:g} business hours.", "clientdesk", badge,
        ))  # fmt: skip
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
        .only("id", "subject", "status", "priority", "category", "opened_at", "sla_state",
              "sla_due_at", "sla_at_risk_at", "owner__first_name", "owner__last_name",
              "owner__username")
        .order_by("-opened_at", "-id")[:8]
    )  # fmt: skip
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
