"""Recomputing SLA states and applying the escalation rules.

`recompute` rebuilds the clocks of the given inquiries from their status history and the
current policies (clientdesk.inquiries.clocks), stores the result on the inquiry (a cache for
sorting and filtering), writes SLA events idempotently and applies the rules:

- a clock past the at-risk share of its target → mail the owner (once per clock);
- a clock past its target → a `breached` event and mail to the managers;
- a clock past its target by `CLIENTDESK_SLA_REASSIGN_AFTER_HOURS` business hours while the
  inquiry is still active → reassign to the least-loaded associate on the account team
  (else the least-loaded manager), once per breach.

The reassignment itself is a write of the actions (`do_reassign_after_breach`, passed in as
`reassign`: this module sits below the actions, which recompute after their writes).
`clientdesk.inquiries.runs.run_sla` does this for every active inquiry (or every inquiry), in
chunks, each chunk in one transaction; `clientdesk inquiries sla` calls it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, NamedTuple, Protocol

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import Count, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from clientdesk.accounts.models import Account
from clientdesk.inquiries import conf
from clientdesk.inquiries.clocks import (
    InquiryClocks,
    MetricClock,
    choose_policy,
    evaluate,
    team_calendar,
)
from clientdesk.inquiries.models import (
    ACTIVE_STATUSES,
    OUTCOME_KINDS,
    Inquiry,
    InquiryStatusChange,
    SlaEvent,
    SlaEventKind,
    SlaMetric,
    SlaOutcomeDay,
    SlaPolicy,
    SlaState,
)
from clientdesk.inquiries.notifications import Outbox, inquiry_line
from clientdesk.inquiries.routing import escalation_owner, managers
from clientdesk.lib.business_calendar import BusinessCalendar

CACHE_FIELDS = [
    "sla_policy_id",
    "sla_state",
    "first_response_due_at",
    "resolution_due_at",
    "sla_due_at",
    "sla_at_risk_at",
]
_ROW_FIELDS = [
    "id",
    "account_id",
    "category",
    "priority",
    "status",
    "opened_at",
    "first_responded_at",
    "resolved_at",
    "merged_into_id",
    "owner_id",
    *CACHE_FIELDS,
    "import_batch_id",
]


@dataclass
class SlaRunResult:
    inquiries: int = 0
    changed: int = 0
    at_risk: int = 0
    breached: int = 0
    met: int = 0
    superseded: int = 0
    reassigned: int = 0
    seconds: float = 0.0

    def add(self, other: SlaRunResult) -> None:
        for name in (
            "inquiries",
            "changed",
            "at_risk",
            "breached",
            "met",
            "superseded",
            "reassigned",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class Reassign(Protocol):
    """The action that gives an inquiry to a new owner after a breach of `metric`, adding its
    mail to the run's `outbox` (`clientdesk.inquiries.actions.do_reassign_after_breach`)."""

    def __call__(
        self, inquiry: Inquiry, owner: User, *, metric: str, now: dt.datetime, outbox: Outbox
    ) -> Inquiry: ...


class _Row(NamedTuple):
    id: int
    account_id: int
    tier: str
    timezone: str
    category: str
    priority: str
    status: str
    opened_at: dt.datetime
    first_responded_at: dt.datetime | None
    resolved_at: dt.datetime | None
    merged_into_id: int | None
    owner_id: int | None
    cache: tuple[Any, ...]
    import_batch_id: int | None


def clocks_for(inquiry: Inquiry, *, now: dt.datetime) -> InquiryClocks:
    """The clocks of one inquiry as of `now` (for its page; reads its history)."""
    rules = conf.sla_rules()
    policy = choose_policy(
        list(SlaPolicy.objects.filter(is_active=True)),
        inquiry.account.tier,
        inquiry.category,
        inquiry.priority,
    )
    changes = list(inquiry.status_changes.order_by("at", "id").values_list("at", "to_status"))
    return evaluate(
        opened_at=inquiry.opened_at,
        status=inquiry.status,
        changes=changes,
        first_responded_at=inquiry.first_responded_at,
        resolved_at=inquiry.resolved_at,
        merged=inquiry.merged_into_id is not None,
        policy=policy,
        calendar=team_calendar(inquiry.account.timezone, rules.opens, rules.closes),
        rules=rules,
        now=now,
        imported=inquiry.import_batch_id is not None,
    )


def _utc(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    # SQLite answers naive UTC datetimes (or ISO text); PostgreSQL answers aware datetimes.
    moment: dt.datetime = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


ColumnParser = Callable[[Sequence[Any]], list[dt.datetime | None]]


def _utc_column(values: Sequence[Any]) -> list[dt.datetime | None]:
    return [_utc(v) for v in values]


def _utc_text_column(values: Sequence[str | None]) -> list[dt.datetime | None]:
    """SQLite's text of naive UTC datetimes, parsed: fromisoformat with the offset appended,
    in one comprehension, is several times faster than parsing and then replace(tzinfo=...)."""
    try:
        return [None if v is None else dt.datetime.fromisoformat(v + "+00:00") for v in values]
    except ValueError:  # text with an offset of its own (not what Django writes)
        return _utc_column(values)


def _utc_iso_column(values: Sequence[str | None]) -> list[dt.datetime | None]:
    """PostgreSQL's text of timestamptz in a UTC session ("2026-03-02 14:05:00.5+00"), parsed
    by fromisoformat in one comprehension; values in another zone are made UTC."""
    moments = [None if v is None else dt.datetime.fromisoformat(v) for v in values]
    first = next((m for m in moments if m is not None), None)
    if first is not None and first.utcoffset() != dt.timedelta(0):
        return [None if m is None else m.astimezone(dt.UTC) for m in moments]
    return moments


def read_raw(
    qs: QuerySet[Any], fields: Sequence[str], *, datetimes: tuple[int, ...] = ()
) -> tuple[list[tuple[Any, ...]], ColumnParser]:
    """These fields of the queryset's rows as the database driver answers them, read without
    the ORM's per-value converters (a few Python calls per value: the slowest part of
    recomputing a large book), and the function that turns a column of the listed datetime
    fields into aware UTC datetimes.

    The datetime columns are read as text and parsed a column at a time: on SQLite a CAST has
    no declared type, so neither sqlite3 nor Django converts it; on PostgreSQL Django's
    timestamptz loader is Python (psycopg's C loader is not used under it) and took 40 % of a
    full recompute."""
    names = list(fields)
    parse: ColumnParser = _utc_column
    if connection.vendor in ("sqlite", "postgresql") and datetimes:
        texts = {f"sla_text_{i}": Cast(names[i], output_field=TextField()) for i in datetimes}
        qs = qs.annotate(**texts)
        for index in datetimes:
            names[index] = f"sla_text_{index}"
        parse = _utc_text_column if connection.vendor == "sqlite" else _utc_iso_column
    sql, params = qs.values_list(*names).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall(), parse


def fetch_rows(
    qs: QuerySet[Any], fields: Sequence[str], *, datetimes: tuple[int, ...] = ()
) -> list[tuple[Any, ...]]:
    """These fields of the queryset's rows (read_raw), the listed datetime columns aware, in
    UTC."""
    raw, parse = read_raw(qs, fields, datetimes=datetimes)
    if not raw:
        return []
    columns: list[Sequence[Any]] = list(zip(*raw, strict=True))
    for index in datetimes:
        columns[index] = parse(columns[index])
    return list(zip(*columns, strict=True))


def _db_datetime(value: dt.datetime | None) -> Any:
    """A datetime as the backend stores it (naive UTC text on SQLite), as the ORM would."""
    return connection.ops.adapt_datetimefield_value(value)


class NewEvent(NamedTuple):
    """An SLA event about to be written (the columns of SlaEvent, in order)."""

    inquiry_id: int
    account_id: int
    owner_id: int | None
    category: str
    priority: str
    metric: str
    kind: str
    due_at: dt.datetime
    occurred_at: dt.datetime
    recorded_at: dt.datetime
    policy_id: int | None
    target_minutes: int
    elapsed_minutes: int


def _insert_events(events: list[NewEvent]) -> None:
    """INSERT the events with executemany: building a model instance per event costs more
    than the computation when a recompute writes millions of them."""
    if not events:
        return
    table = connection.ops.quote_name(SlaEvent._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in NewEvent._fields)
    marks = ", ".join(["%s"] * len(NewEvent._fields))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608  (model names)
    rows = [
        e._replace(
            due_at=_db_datetime(e.due_at),
            occurred_at=_db_datetime(e.occurred_at),
            recorded_at=_db_datetime(e.recorded_at),
        )
        for e in events
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _write_cache(updates: list[tuple[Any, ...]]) -> None:
    """UPDATE … WHERE id = ? for each changed row (executemany: fast on SQLite and PG)."""
    if not updates:
        return
    updates = [
        tuple(_db_datetime(v) if isinstance(v, dt.datetime) else v for v in row) for row in updates
    ]
    table = connection.ops.quote_name(Inquiry._meta.db_table)
    # The cache fields have no db_column, so their attribute names are their column names.
    assignments = ", ".join(f"{connection.ops.quote_name(c)} = %s" for c in CACHE_FIELDS)
    computed = connection.ops.quote_name("sla_computed_at")
    # Names come from the model and values are bound, so this is not an injection risk.
    sql = f"UPDATE {table} SET {assignments}, {computed} = %s WHERE id = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, updates)


_OUTCOME_KINDS = frozenset(OUTCOME_KINDS)
_FIRST_RESPONSE: str = SlaMetric.FIRST_RESPONSE.value
_RESOLUTION: str = SlaMetric.RESOLUTION.value

# pg_advisory_xact_lock(namespace, day): one lock per calendar day of outcomes.
_OUTCOME_DAY_LOCK = 0x51A0


def outcome_days(instants: Iterable[dt.datetime]) -> set[dt.date]:
    """The calendar days (in the team's time zone, settings.TIME_ZONE) of these instants."""
    zone = timezone.get_default_timezone()
    return {moment.astimezone(zone).date() for moment in instants}


def count_outcomes(
    events: QuerySet[SlaEvent],
) -> dict[tuple[str, str, str, str], int]:
    """(dimension, key, clock, kind) → number of current outcomes among `events`, for the
    three dimensions "% met" groups by: owner (user id, "" for nobody), account, category.
    The one definition both the per-day rollup and the scoped dashboard count with.
    COUNT(*) so that PostgreSQL answers from the outcome index alone (it holds no id)."""
    counts: dict[tuple[str, str, str, str], int] = defaultdict(int)
    for owner, account, category, metric, kind, n in (
        events.filter(kind__in=OUTCOME_KINDS, superseded_at__isnull=True)
        .values("owner_id", "account_id", "category", "metric", "kind")
        .annotate(n=Count("*"))
        .order_by()
        .values_list("owner_id", "account_id", "category", "metric", "kind", "n")
    ):
        for dimension, key in (("owner", owner), ("account", account), ("category", category)):
            counts[(dimension, "" if key is None else str(key), metric, kind)] += n
    return counts


def rebuild_outcome_days(days: Iterable[dt.date]) -> None:
    """Recount the current outcomes of these days (in the team's time zone) from the SlaEvent
    rows; run in the transaction that changed those rows.

    Two transactions that change outcomes of the same day must not both recount it from
    their own snapshot (each would miss the other's rows, and both would insert). SQLite
    serializes writers (transactions begin IMMEDIATE); on PostgreSQL each day is locked
    (an advisory lock held to the end of the transaction, taken in date order) before it is
    recounted, so the count reads every outcome committed before it."""
    wanted = sorted(set(days))
    if not wanted:
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for day in wanted:
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(%s, %s)", [_OUTCOME_DAY_LOCK, day.toordinal()]
                )
    zone = timezone.get_default_timezone()
    fresh: list[SlaOutcomeDay] = []
    for day in wanted:
        start = timezone.make_aware(dt.datetime.combine(day, dt.time()), zone)
        end = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()), zone)
        day_events = SlaEvent.objects.filter(occurred_at__gte=start, occurred_at__lt=end)
        counts = count_outcomes(day_events)
        fresh.extend(
            SlaOutcomeDay(day=day, dimension=d, key=k, metric=m, kind=kind, count=n)
            for (d, k, m, kind), n in counts.items()
        )
    SlaOutcomeDay.objects.filter(day__in=wanted).delete()
    SlaOutcomeDay.objects.bulk_create(fresh, batch_size=1000)


class _Chunk:
    """Recompute one chunk of inquiries inside one transaction."""

    def __init__(
        self,
        ids: Sequence[int],
        *,
        now: dt.datetime,
        policies: list[SlaPolicy],
        reassign: Reassign | None,
        notify: bool,
        loads: dict[int, int],
        outbox: Outbox,
        dense: bool = False,
        deferred_days: set[dt.date] | None = None,
    ) -> None:
        self.ids, self.now, self.policies, self.reassign = ids, now, policies, reassign
        self.notify = notify
        self.dense = dense
        self.deferred_days = deferred_days
        self.loads, self.outbox = loads, outbox
        self.rules = conf.sla_rules()
        self.result = SlaRunResult()
        self._policy_cache: dict[tuple[str, str, str], SlaPolicy | None] = {}
        self._managers: list[User] | None = None

    def policy(self, tier: str, category: str, priority: str) -> SlaPolicy | None:
        key = (tier, category, priority)
        if key not in self._policy_cache:
            self._policy_cache[key] = choose_policy(self.policies, tier, category, priority)
        return self._policy_cache[key]

    def managers(self) -> list[User]:
        if self._managers is None:
            self._managers = managers()
        return self._managers

    def _scope(self, field: str) -> dict[str, Any]:
        # A dense chunk (every inquiry in an id range) reads by range: much cheaper than a
        # long IN list; a sparse one (some inquiries) reads by id.
        if self.dense:
            return {f"{field}__gte": self.ids[0], f"{field}__lte": self.ids[-1]}
        return {f"{field}__in": self.ids}

    def run(self) -> SlaRunResult:
        wanted = set(self.ids)
        found = [
            v
            for v in fetch_rows(
                Inquiry.objects.select_for_update(of=("self",))
                .filter(**self._scope("pk"))
                .order_by("id"),
                _ROW_FIELDS,
                datetimes=(5, 6, 7, 12, 13, 14, 15),
            )
            if v[0] in wanted
        ]
        # The accounts' tier and time zone in a query of their own: a few hundred accounts,
        # rather than a join for each of the chunk's inquiries.
        accounts = {
            pk: (tier, zone)
            for pk, tier, zone in Account.objects.filter(pk__in={v[1] for v in found}).values_list(
                "id", "tier", "timezone"
            )
        }
        rows = [_Row._make((v[0], v[1], *accounts[v[1]], *v[2:10], v[10:16], v[16])) for v in found]
        # The status history and current events of every inquiry of the chunk, one query
        # each (read_raw: a few hundred thousand rows, each parsed in one pass).
        changes: dict[int, list[tuple[dt.datetime, str]]] = defaultdict(list)
        raw, parse = read_raw(
            InquiryStatusChange.objects.filter(**self._scope("inquiry_id")).order_by(
                "inquiry_id", "at", "id"
            ),
            ("inquiry_id", "at", "to_status"),
            datetimes=(1,),
        )
        for (inquiry_id, _, status), at in zip(raw, parse([r[1] for r in raw]), strict=True):
            # `at` is never null.
            changes[inquiry_id].append((at, status))  # type: ignore[arg-type]
        current: dict[tuple[int, str], list[tuple[int, str, dt.datetime]]] = defaultdict(list)
        occurred: dict[int, dt.datetime] = {}
        raw, parse = read_raw(
            SlaEvent.objects.filter(**self._scope("inquiry_id"), superseded_at__isnull=True),
            ("id", "inquiry_id", "metric", "kind", "due_at", "occurred_at"),
            datetimes=(4, 5),
        )
        dues = parse([r[4] for r in raw])
        happenings = parse([r[5] for r in raw])
        for (event_id, inquiry_id, metric, kind, _, _), due, happened in zip(
            raw, dues, happenings, strict=True
        ):
            # Neither column is nullable.
            current[(inquiry_id, metric)].append((event_id, kind, due))  # type: ignore[arg-type]
            occurred[event_id] = happened  # type: ignore[assignment]

        updates: list[tuple[Any, ...]] = []
        new_events: list[NewEvent] = []
        superseded: list[int] = []
        escalations: dict[int, tuple[_Row, list[MetricClock]]] = {}
        notices: list[tuple[_Row, NewEvent]] = []
        calendars: dict[str, BusinessCalendar] = {}
        no_events: list[tuple[int, str, dt.datetime]] = []
        policies = self._policy_cache
        for row in rows:
            key = (row.tier, row.category, row.priority)
            policy = policies[key] if key in policies else self.policy(*key)
            calendar = calendars.get(row.timezone)
            if calendar is None:
                calendar = team_calendar(row.timezone, self.rules.opens, self.rules.closes)
                calendars[row.timezone] = calendar
            clocks = evaluate(
                opened_at=row.opened_at,
                status=row.status,
                changes=changes.get(row.id, ()),
                first_responded_at=row.first_responded_at,
                resolved_at=row.resolved_at,
                merged=row.merged_into_id is not None,
                policy=policy,
                calendar=calendar,
                rules=self.rules,
                now=self.now,
                imported=row.import_batch_id is not None,
            )
            cache = (
                clocks.policy.pk if clocks.policy else None,
                clocks.state,
                clocks.first_response.due_at if clocks.first_response else None,
                clocks.resolution.due_at if clocks.resolution else None,
                clocks.due_at,
                clocks.at_risk_at,
            )
            if cache != row.cache:
                updates.append((*cache, self.now, row.id))
            for metric, clock in (
                (_FIRST_RESPONSE, clocks.first_response),
                (_RESOLUTION, clocks.resolution),
            ):
                existing = current.get((row.id, metric), no_events)
                if clock is None and not existing:
                    continue  # no clock and nothing recorded: nothing to write
                added, dropped = self._sync(row, clocks.policy, metric, clock, existing)
                if dropped:
                    superseded.extend(dropped)
                if added:
                    new_events.extend(added)
                    # A breach re-dated by a recompute (policy or calendar change) was told.
                    told = any(
                        kind == SlaEventKind.BREACHED and i in dropped for i, kind, _ in existing
                    )
                    notices.extend(
                        (row, e)
                        for e in added
                        if not (
                            e.kind == SlaEventKind.BREACHED
                            and (told or row.status not in ACTIVE_STATUSES)
                        )
                    )
                if (
                    self.reassign is not None
                    and clock is not None
                    and clock.state == SlaState.BREACHED
                    and not clock.final
                    and row.status in ACTIVE_STATUSES
                    and clock.escalate_at is not None
                    and clock.escalate_at <= self.now
                    and not any(
                        kind == SlaEventKind.ESCALATED and due == clock.due_at
                        for _, kind, due in existing
                    )
                ):
                    escalations.setdefault(row.id, (row, []))[1].append(clock)

        _write_cache(updates)
        if superseded:
            SlaEvent.objects.filter(pk__in=superseded).update(superseded_at=self.now)
        _insert_events(new_events)
        days = outcome_days(
            [e.occurred_at for e in new_events if e.kind in OUTCOME_KINDS]
            + [occurred[i] for i in superseded]
        )
        if self.deferred_days is not None:
            self.deferred_days.update(days)
        else:
            rebuild_outcome_days(days)
        self.result.inquiries = len(rows)
        self.result.changed = len(updates)
        self.result.superseded = len(superseded)
        self._notify(notices)
        for row, clocks_due in escalations.values():
            self._reassign(row, clocks_due)
        return self.result

    def _sync(
        self,
        row: _Row,
        policy: SlaPolicy | None,
        metric: str,
        clock: MetricClock | None,
        existing: list[tuple[int, str, dt.datetime]],
    ) -> tuple[list[NewEvent], list[int]]:
        """The events to add and the current outcome rows to supersede for one clock."""
        wanted: tuple[str, dt.datetime, dt.datetime] | None = None
        if clock is not None and clock.due_at is not None:
            if clock.state == SlaState.BREACHED:
                wanted = (SlaEventKind.BREACHED, clock.due_at, clock.due_at)
            elif clock.state == SlaState.MET and clock.stopped_at is not None:
                wanted = (SlaEventKind.MET, clock.due_at, clock.stopped_at)
        added: list[NewEvent] = []
        keep = False
        dropped: list[int] = []
        for i, kind, due in existing:
            if kind in _OUTCOME_KINDS:
                if wanted is not None and kind == wanted[0] and due == wanted[1]:
                    keep = True
                else:
                    dropped.append(i)
        if wanted is not None and not keep and clock is not None:
            added.append(self._event(row, policy, clock, wanted[0], wanted[1], wanted[2]))
        if (
            clock is not None
            and not clock.final
            and clock.state == SlaState.RUNNING
            and clock.at_risk_at is not None
            and clock.due_at is not None
            and clock.at_risk_at <= self.now
            and not any(kind == SlaEventKind.AT_RISK for _, kind, _ in existing)
        ):
            added.append(
                self._event(
                    row, policy, clock, SlaEventKind.AT_RISK, clock.due_at, clock.at_risk_at
                )
            )
        return added, dropped

    def _event(
        self,
        row: _Row,
        policy: SlaPolicy | None,
        clock: MetricClock,
        kind: str,
        due: dt.datetime,
        occurred: dt.datetime,
    ) -> NewEvent:
        return NewEvent(
            inquiry_id=row.id,
            account_id=row.account_id,
            owner_id=row.owner_id,
            category=row.category,
            priority=row.priority,
            metric=clock.metric,
            kind=kind,
            due_at=due,
            occurred_at=occurred,
            recorded_at=self.now,
            policy_id=policy.pk if policy else None,
            target_minutes=clock.minutes(clock.target),
            elapsed_minutes=clock.minutes(clock.elapsed),
        )

    def _notify(self, notices: list[tuple[_Row, NewEvent]]) -> None:
        for _, event in notices:
            if event.kind == SlaEventKind.AT_RISK:
                self.result.at_risk += 1
            elif event.kind == SlaEventKind.BREACHED:
                self.result.breached += 1
            elif event.kind == SlaEventKind.MET:
                self.result.met += 1
        notices = [
            (row, e)
            for row, e in notices
            if e.kind in (SlaEventKind.AT_RISK, SlaEventKind.BREACHED)
        ]
        if not notices or not self.notify:
            return
        inquiries = Inquiry.objects.select_related("account", "owner").in_bulk(
            {row.id for row, _ in notices}
        )
        for row, event in notices:
            inquiry = inquiries[row.id]
            metric = SlaMetric(event.metric).label.lower()
            local_due = timezone.localtime(
                event.due_at, team_calendar(row.timezone, self.rules.opens, self.rules.closes).zone
            )
            due_text = f"{local_due:%a %b %-d, %-I:%M %p %Z}"
            if event.kind == SlaEventKind.AT_RISK:
                recipients = [inquiry.owner] if inquiry.owner else self.managers()
                self.outbox.add(
                    recipients,
                    "inquiries at risk",
                    f"{inquiry.reference} at risk",
                    inquiry_line(inquiry, f"The {metric} is due {due_text}."),
                )
            else:
                self.outbox.add(
                    self.managers(),
                    "SLA breaches",
                    f"{inquiry.reference} breached its SLA",
                    inquiry_line(
                        inquiry,
                        f"The {metric} was due {due_text}. Owner: "
                        f"{inquiry.owner.get_full_name() if inquiry.owner else 'nobody'}.",
                    ),
                )

    def _reassign(self, row: _Row, breached: list[MetricClock]) -> None:
        """Reassign once, however many of its clocks are past the reassignment threshold,
        and record an `escalated` event for each of those breaches (so each moves it once)."""
        inquiry = Inquiry.objects.select_related("account", "owner").get(pk=row.id)
        new_owner = escalation_owner(row.account_id, inquiry.owner_id, self.loads)
        previous_id = inquiry.owner_id
        _insert_events(
            [
                self._event(
                    row,
                    inquiry.sla_policy,
                    clock,
                    SlaEventKind.ESCALATED,
                    clock.due_at,
                    clock.escalate_at or self.now,
                )
                for clock in breached
                if clock.due_at is not None  # a breached clock always has its breach instant
            ]
        )
        if self.reassign is None or new_owner is None or new_owner.pk == previous_id:
            return
        self.reassign(
            inquiry, new_owner, metric=breached[0].metric, now=self.now, outbox=self.outbox
        )
        self.loads[new_owner.pk] = self.loads.get(new_owner.pk, 0) + 1
        if previous_id is not None and previous_id in self.loads:
            self.loads[previous_id] = max(0, self.loads[previous_id] - 1)
        self.result.reassigned += 1


def recompute(
    inquiry_ids: Iterable[int],
    *,
    now: dt.datetime,
    reassign: Reassign | None = None,
    notify: bool = True,
    loads: dict[int, int] | None = None,
    dense: bool = False,
    deferred_days: set[dt.date] | None = None,
) -> SlaRunResult:
    """Recompute the SLA of these inquiries in one transaction and apply the rules
    (without `reassign`, no reassignment: after a write and for imports of history; without
    `notify`, no mail: for imports of history).

    The per-day outcome counts of the days whose outcomes changed are rebuilt in the same
    transaction; a caller that recomputes several batches in one transaction may collect
    those days in `deferred_days` instead and call `rebuild_outcome_days` once, before it
    commits (one pass over the days, and their locks taken once, in order)."""
    ids = sorted(set(inquiry_ids))
    outbox = Outbox()
    with transaction.atomic():
        result = _Chunk(
            ids,
            now=now,
            policies=list(SlaPolicy.objects.filter(is_active=True)),
            reassign=reassign,
            notify=notify,
            loads=loads if loads is not None else {},
            outbox=outbox,
            dense=dense,
            deferred_days=deferred_days,
        ).run()
        outbox.flush()
    return result
