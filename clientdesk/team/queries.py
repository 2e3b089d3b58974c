"""Reads of the team app, in the caller's scope (``access.py`` decides whose records)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db import connection
from django.db.models import Count, Max, Min, Q, QuerySet, Sum

from clientdesk.accounts.models import LOGGED_ACTIVITY_KINDS, Account, ActivityEvent, Assignment
from clientdesk.inquiries.models import (
    ACTIVE_STATUSES,
    AccountEscalation,
    EscalationStatus,
    Inquiry,
    InquiryNote,
    InquiryStatusChange,
)
from clientdesk.insights.queries import training_findings
from clientdesk.lake.gateway import Reader, open_lake
from clientdesk.lib.business_calendar import is_business_day
from clientdesk.team.access import managed_people, requisitions_visible_to
from clientdesk.team.marts import mart_agent_calls
from clientdesk.team.models import (
    Candidate,
    Course,
    License,
    NeedStatus,
    Occurrence,
    OccurrenceKind,
    OneToOne,
    Person,
    QualityReview,
    Recurrence,
    RequestStatus,
    Scorecard,
    SelfIdentification,
    Shift,
    Source,
    Stage,
    StageChange,
    TimeOffRequest,
    TrainingAssignment,
    TrainingNeed,
)
from clientdesk.team.rules import (
    QUALITY_TOPIC,
    TEAM_CALENDAR,
    Adherence,
    Cell,
    CoverageDay,
    Risk,
    Seat,
    Span,
    compliance_cell,
    coverage_day,
    flight_risk,
    license_alert,
    quality_sample,
    review_flaws,
    schedule_adherence,
    suppressed_counts,
    tenure_years,
)

AnyUser = AbstractBaseUser | AnonymousUser


# ── roster ────────────────────────────────────────────────────────────────────────────────


@dataclass
class RosterRow:
    person: Person
    accounts: int = 0
    members: int = 0
    open_inquiries: int = 0
    overdue_training: int = 0
    license_states: list[str] = field(default_factory=list)

    @property
    def load(self) -> str:
        return f"{self.accounts} of {self.person.capacity}"

    @property
    def over_capacity(self) -> bool:
        return self.accounts > self.person.capacity


def roster(people: QuerySet[Person], today: dt.date) -> list[RosterRow]:
    """Each person with their account load (accounts and members served, open inquiries they
    own), overdue courses and the states they are licensed in today. A fixed number of
    queries, whatever the team's size."""
    rows = {
        p.user_id: RosterRow(p)
        for p in people.filter(left_on=None).select_related("user", "manager", "onsite_account")
    }
    ids = list(rows)
    for user_id, accounts, members in (
        Assignment.objects.filter(user_id__in=ids)
        .values("user_id")
        .annotate(n=Count("account_id"), m=Sum("account__members"))
        .values_list("user_id", "n", "m")
    ):
        rows[user_id].accounts = accounts
        rows[user_id].members = int(members or 0)
    for user_id, n in (
        Inquiry.objects.filter(owner_id__in=ids, status__in=ACTIVE_STATUSES)
        .values("owner_id")
        .annotate(n=Count("id"))
        .values_list("owner_id", "n")
    ):
        rows[user_id].open_inquiries = n
    for user_id, n in (
        TrainingAssignment.objects.filter(user_id__in=ids, completed_on=None, due_on__lt=today)
        .values("user_id")
        .annotate(n=Count("id"))
        .values_list("user_id", "n")
    ):
        rows[user_id].overdue_training = n
    for user_id, state in License.objects.filter(
        user_id__in=ids, expires_on__gte=today
    ).values_list("user_id", "state"):
        rows[user_id].license_states.append(state)
    return list(rows.values())


def skilled_for(user_ids: Sequence[int], account_id: int, category: str) -> set[int] | None:
    """Skill-based routing's question (lib/skills.py): of these people, who fits an inquiry
    of this category on this account? Someone whose record lists segments fits an account of
    one of them; a pharmacy inquiry needs the pharmacy product among their skills. People
    without a record are kept (nothing is known of them); None when no one has one."""
    records = list(
        Person.objects.filter(user_id__in=list(user_ids), left_on=None).values_list(
            "user_id", "segments", "products"
        )
    )
    if not records:
        return None
    segment = Account.objects.filter(pk=account_id).values_list("segment", flat=True).first()
    known = {user_id for user_id, _, _ in records}
    fit = {
        user_id
        for user_id, segments, products in records
        if (not segments or segment in segments)
        and (category != "pharmacy" or "pharmacy" in (products or []))
    }
    return fit | (set(user_ids) - known)


# ── licenses ──────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class LicenseRow:
    license: License
    alert: int | None  # 0 lapsed, 30/60/90 days, None fine

    @property
    def label(self) -> str:
        if self.alert == 0:
            return "Lapsed"
        if self.alert is None:
            return "Current"
        return f"Expires within {self.alert} days"

    @property
    def ce_short(self) -> int:
        return max(0, self.license.ce_required - self.license.ce_earned)


def licenses_of(users: Iterable[int], today: dt.date) -> list[LicenseRow]:
    qs = License.objects.filter(user_id__in=list(users)).select_related("user")
    return [LicenseRow(lic, license_alert(lic.expires_on, today)) for lic in qs]


def expiring_licenses(users: Iterable[int], today: dt.date) -> list[LicenseRow]:
    """Licenses lapsed or expiring within 90 days, the soonest first."""
    horizon = today + dt.timedelta(days=90)
    qs = License.objects.filter(user_id__in=list(users), expires_on__lte=horizon)
    return [
        LicenseRow(lic, license_alert(lic.expires_on, today))
        for lic in qs.select_related("user").order_by("expires_on", "id")
    ]


@dataclass(frozen=True)
class AccountLicensing:
    user: User
    role: str
    state: str
    status: str  # "licensed", "lapsed", "expiring", "none"
    expires_on: dt.date | None


def account_licensing(account: Account, today: dt.date) -> list[AccountLicensing]:
    """Whether each person serving the account holds a health license in its state."""
    rows: list[AccountLicensing] = []
    assignments = account.assignments.select_related("user").order_by("role", "user__last_name")
    licenses = {
        lic.user_id: lic
        for lic in License.objects.filter(
            user_id__in=[a.user_id for a in assignments], state=account.state, line="health"
        )
    }
    for a in assignments:
        lic = licenses.get(a.user_id)
        if lic is None:
            status = "none"
        else:
            alert = license_alert(lic.expires_on, today)
            status = "lapsed" if alert == 0 else "expiring" if alert is not None else "licensed"
        rows.append(
            AccountLicensing(
                a.user, a.get_role_display(), account.state, status, lic.expires_on if lic else None
            )
        )
    return rows


# ── training ──────────────────────────────────────────────────────────────────────────────


def required_courses() -> QuerySet[Course]:
    return Course.objects.filter(compliance=True).order_by("code")


@dataclass(frozen=True)
class MatrixPerson:
    user_id: int
    name: str

    def __str__(self) -> str:
        return self.name


@dataclass
class Matrix:
    courses: list[Course]
    rows: list[tuple[MatrixPerson, list[Cell]]]
    overdue: int
    current: int


def compliance_matrix(people: QuerySet[Person], today: dt.date) -> Matrix:
    """The manager's matrix: people x required courses, each cell current (until when), due,
    overdue or missing. Three queries, whatever the size; no model is built per person.

    The database gathers each person's assignments into one row (read off the covering index
    ``team_assign_matrix``); Python keeps the last completion and the earliest open due date
    of each required course and turns each distinct (last, due, yearly) into a cell once."""
    courses = list(required_courses())
    active = people.filter(left_on=None)
    team = [
        MatrixPerson(user_id, f"{first} {last}".strip() or username)
        for user_id, first, last, username in active.order_by(
            "user__last_name", "user__first_name", "id"
        ).values_list("user_id", "user__first_name", "user__last_name", "user__username")
    ]
    column = {c.pk: index for index, c in enumerate(courses)}
    yearly = [c.recurrence == "yearly" for c in courses]
    missing = compliance_cell(last_completed=None, open_due=None, yearly=False, today=today)
    grid = {p.user_id: [missing] * len(courses) for p in team}
    seen: dict[tuple[str, str, bool], Cell] = {}
    overdue = current = 0
    for user_id, digest in _assignment_digests(active):
        last: dict[int, str] = {}
        due: dict[int, str] = {}
        for item in digest.split(","):
            course, done, due_on = item.split(" ")
            index = column.get(int(course))
            if index is None:  # not a required course
                continue
            if done != "-":
                if done > last.get(index, ""):
                    last[index] = done
            elif due_on < due.get(index, "9999"):
                due[index] = due_on
        row = grid.get(user_id)
        if row is None:
            continue
        for index in last.keys() | due.keys():
            key = (last.get(index, ""), due.get(index, ""), yearly[index])
            cell = seen.get(key)
            if cell is None:
                cell = seen[key] = compliance_cell(
                    last_completed=_as_date(key[0] or None),
                    open_due=_as_date(key[1] or None),
                    yearly=key[2],
                    today=today,
                )
            row[index] = cell
            if cell.state == "overdue":
                overdue += 1
            elif cell.state == "current":
                current += 1
    return Matrix(courses, [(p, grid[p.user_id]) for p in team], overdue, current)


def _assignment_digests(active: QuerySet[Person]) -> list[tuple[int, str]]:
    """Each person's training assignments as one text the database puts together: ``course
    completed due`` items (ISO dates, ``-`` for none) joined by commas, one row a person.
    For 500 people x 40 courses this hands Python 500 rows instead of 20,000 (turning each
    database value into a Python object is what costs, not finding the rows)."""
    quote = connection.ops.quote_name
    item = (
        "CAST(course_id AS TEXT) || ' ' || COALESCE(CAST(completed_on AS TEXT), '-')"
        " || ' ' || COALESCE(CAST(due_on AS TEXT), '-')"
    )
    joined = (
        f"string_agg({item}, ',')"
        if connection.vendor == "postgresql"
        else f"group_concat({item}, ',')"
    )
    people_sql, params = active.order_by().values("user_id").query.sql_with_params()
    sql = (
        f"SELECT user_id, {joined} FROM {quote(TrainingAssignment._meta.db_table)}"  # noqa: S608  (no input in it)
        f" WHERE user_id IN ({people_sql}) GROUP BY user_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _as_date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def member_data_refusal(user: Any, now: dt.datetime) -> str | None:
    """Why this person may not open member-level data now: a course that guards member data
    (HIPAA privacy and security) has lapsed for them, by the matrix's own rule (an open
    assignment past its due date, or a yearly completion more than a year old). People with
    no team record, or who have left, are none of this rule's business (None)."""
    today = now.astimezone(ZoneInfo("America/New_York")).date()
    rows = (
        TrainingAssignment.objects.filter(
            user_id=user.pk,
            course__guards_member_data=True,
            user__team_person__left_on=None,
        )
        .values("course__title", "course__recurrence")
        .annotate(
            last=Max("completed_on"),
            open_due=Min("due_on", filter=Q(completed_on=None)),
        )
        .order_by("course__title")
    )
    for row in rows:
        cell = compliance_cell(
            last_completed=row["last"],
            open_due=row["open_due"],
            yearly=row["course__recurrence"] == Recurrence.YEARLY,
            today=today,
        )
        if cell.state == "overdue" and cell.date is not None:
            return (
                f"Member data is closed to you while your “{row['course__title']}” training "
                f"is overdue (due {cell.date:%b %-d, %Y}): lapsed HIPAA training blocks "
                "member-level views. Complete it under Team → My records, then try again."
            )
    return None


def overdue_assignments(people: QuerySet[Person], today: dt.date) -> QuerySet[TrainingAssignment]:
    return (
        TrainingAssignment.objects.filter(
            user__team_person__in=people.filter(left_on=None),
            completed_on=None,
            due_on__lt=today,
        )
        .select_related("course", "user")
        .order_by("due_on", "id")
    )


def open_needs() -> QuerySet[TrainingNeed]:
    return TrainingNeed.objects.prefetch_related("people").order_by("status", "-opened_on", "id")


@dataclass(frozen=True)
class Effect:
    """One person's rate of the need's error before and after the module was assigned."""

    user: User
    before: int
    before_total: int
    after: int
    after_total: int
    unit: str = "inquiries"  # or "reviews", for a need opened from quality results

    def _rate(self, part: int, whole: int) -> str:
        return f"{part} of {whole} ({part * 100 / whole:.1f}%)" if whole else f"no {self.unit}"

    @property
    def before_text(self) -> str:
        return self._rate(self.before, self.before_total)

    @property
    def after_text(self) -> str:
        return self._rate(self.after, self.after_total)


EFFECT_WINDOW_DAYS = 90


def need_effect(need: TrainingNeed, today: dt.date) -> list[Effect]:
    """For each person the need names: of the inquiries they opened in the 90 days before the
    module was assigned, how many are linked to the need's problems (the same error), against
    the same in the days since (up to 90). Shown as it is, not claimed as the module's effect."""
    if need.addressed_on is None:
        return []
    if need.topic.startswith(QUALITY_TOPIC):
        flaw = need.topic.removeprefix(QUALITY_TOPIC)
        return _quality_effect(need, flaw, need.addressed_on, today)
    problem_ids = [
        int(ref.split("-", 1)[1])
        for ref in need.evidence
        if ref.upper().startswith("PRB-") and ref.split("-", 1)[1].isdigit()
    ]
    start, mid, end = _effect_windows(need.addressed_on, today)
    effects = []
    for user in need.people.order_by("last_name", "first_name"):
        mine = Inquiry.objects.filter(owner=user)
        before = mine.filter(opened_at__gte=start, opened_at__lt=mid)
        after = mine.filter(opened_at__gte=mid, opened_at__lt=end)
        effects.append(
            Effect(
                user,
                before.filter(problem_id__in=problem_ids).count(),
                before.count(),
                after.filter(problem_id__in=problem_ids).count(),
                after.count(),
            )
        )
    return effects


def _effect_windows(pivot: dt.date, today: dt.date) -> tuple[dt.datetime, ...]:
    """The 90 days before ``pivot`` and the days since (up to 90), as New York instants."""
    before_start = pivot - dt.timedelta(days=EFFECT_WINDOW_DAYS)
    after_end = min(today, pivot + dt.timedelta(days=EFFECT_WINDOW_DAYS))
    return (
        _day_bounds(before_start)[0],
        _day_bounds(pivot)[0],
        _day_bounds(after_end + dt.timedelta(days=1))[0],
    )


def _quality_effect(need: TrainingNeed, flaw: str, pivot: dt.date, today: dt.date) -> list[Effect]:
    """For a need opened from quality results: of each person's reviewed inquiries resolved
    in the 90 days before the module and since, how many reviews found the same flaw."""
    start, mid, end = _effect_windows(pivot, today)
    effects = []
    for user in need.people.order_by("last_name", "first_name"):
        before = [0, 0]  # reviews finding the flaw, reviews
        after = [0, 0]
        for resolved_at, scores, auto_fail in QualityReview.objects.filter(
            associate=user, inquiry__resolved_at__gte=start, inquiry__resolved_at__lt=end
        ).values_list("inquiry__resolved_at", "scores", "auto_fail"):
            side = after if resolved_at is not None and resolved_at >= mid else before
            side[1] += 1
            side[0] += flaw in review_flaws(scores, auto_fail)
        effects.append(Effect(user, before[0], before[1], after[0], after[1], unit="reviews"))
    return effects


def quality_findings(people: QuerySet[Person], since: dt.date) -> list[dict[str, Any]]:
    """Quality results that call for training: each flaw (an auto-fail item, or a criterion
    scored 2 of 5 or less) in the reviews of these people's months since ``since``, with the
    reviews as evidence (``QR-<id>``) and the people they reviewed; a flaw a need already took
    up (by its topic) is left out."""
    taken = {t.casefold() for t in TrainingNeed.objects.values_list("topic", flat=True)}
    by_flaw: dict[str, list[QualityReview]] = defaultdict(list)
    for review in (
        QualityReview.objects.filter(
            associate__team_person__in=people.filter(left_on=None), month__gte=since
        )
        .select_related("associate")
        .order_by("id")
    ):
        for flaw in review_flaws(review.scores, review.auto_fail):
            by_flaw[flaw].append(review)
    found = []
    for flaw, reviews in sorted(by_flaw.items()):
        topic = f"{QUALITY_TOPIC}{flaw}"
        if topic.casefold() in taken:
            continue
        who: dict[int, User] = {r.associate_id: r.associate for r in reviews}
        named = sorted(who.values(), key=lambda u: (u.last_name, u.first_name, u.pk))
        found.append({"topic": topic, "evidence": [f"QR-{r.pk}" for r in reviews], "people": named})
    return found


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    from clientdesk.lib.local_time import local_bounds

    return local_bounds("America/New_York", day, day)


def findings_without_need(since: dt.date | None = None) -> list[dict[str, Any]]:
    """The emerging-issues app's training findings no open need has taken up yet, each with
    the problems behind it and the people who serve those accounts."""
    taken = {t.casefold() for t in TrainingNeed.objects.values_list("topic", flat=True)}
    found = []
    for finding in training_findings(since):
        if finding["topic"].casefold() in taken:
            continue
        account_ids = {p["account_id"] for p in finding["problems"] if p["account_id"]}
        finding["people"] = list(
            User.objects.filter(assignments__account_id__in=account_ids, team_person__isnull=False)
            .distinct()
            .order_by("last_name", "first_name")
        )
        found.append(finding)
    return found


# ── schedules, time off and coverage ──────────────────────────────────────────────────────


def _name(user: User) -> str:
    return user.get_full_name() or user.get_username()


AWAY_OCCURRENCES = {
    OccurrenceKind.ABSENCE: "unplanned absence",
    OccurrenceKind.NO_CALL: "no call, no show",
}
"""Attendance occurrences that leave a person's day empty (a late start does not)."""


def coverage_of_accounts(
    account_ids: Sequence[int], first: dt.date, days: int
) -> dict[int, list[CoverageDay]]:
    """Each account's coverage for ``days`` days from ``first`` (`rules.coverage_day`): its
    team (lead and backups) and the people placed onsite at its sponsor, their weekly
    shifts, hire and leaving dates, approved time off, unplanned absences recorded as
    attendance occurrences and time off asked; holidays from the team's business calendar.
    A fixed number of queries whatever the number of accounts."""
    last = first + dt.timedelta(days=days - 1)
    ids = list(account_ids)
    members: dict[int, dict[int, bool]] = defaultdict(dict)  # account -> user -> on team
    for account_id, user_id in Assignment.objects.filter(account_id__in=ids).values_list(
        "account_id", "user_id"
    ):
        members[account_id][user_id] = True
    onsite_here: dict[int, set[int]] = defaultdict(set)
    for account_id, user_id in Person.objects.filter(onsite_account_id__in=ids).values_list(
        "onsite_account_id", "user_id"
    ):
        onsite_here[account_id].add(user_id)
        members[account_id].setdefault(user_id, False)
    everyone = {u for team in members.values() for u in team}
    users = {u.pk: u for u in User.objects.filter(pk__in=everyone)}
    employed = {
        p.user_id: (p.hire_date, p.left_on)
        for p in Person.objects.filter(user_id__in=everyone).only("user_id", "hire_date", "left_on")
    }
    shifts: dict[int, dict[int, bool]] = defaultdict(dict)
    for user_id, weekday, onsite in Shift.objects.filter(user_id__in=everyone).values_list(
        "user_id", "weekday", "onsite"
    ):
        shifts[user_id][weekday] = onsite
    away: dict[int, list[tuple[dt.date, dt.date, str]]] = defaultdict(list)
    pending: dict[int, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    for user_id, a, b, status, kind in TimeOffRequest.objects.filter(
        user_id__in=everyone,
        status__in=[RequestStatus.APPROVED, RequestStatus.REQUESTED],
        first_day__lte=last,
        last_day__gte=first,
    ).values_list("user_id", "first_day", "last_day", "status", "kind__name"):
        if status == RequestStatus.APPROVED:
            away[user_id].append((a, b, kind.lower()))
        else:
            pending[user_id].append((a, b))
    for user_id, on, kind in Occurrence.objects.filter(
        user_id__in=everyone, on__gte=first, on__lte=last, kind__in=list(AWAY_OCCURRENCES)
    ).values_list("user_id", "on", "kind"):
        away[user_id].append((on, on, AWAY_OCCURRENCES[OccurrenceKind(kind)]))
    working = {
        first + dt.timedelta(days=k): is_business_day(first + dt.timedelta(days=k), TEAM_CALENDAR)
        for k in range(days)
    }
    out: dict[int, list[CoverageDay]] = {}
    for account_id in ids:
        team = members.get(account_id, {})
        seats = [
            Seat(
                name=_name(users[uid]),
                on_team=on_team,
                onsite_here=uid in onsite_here[account_id],
                shifts=shifts.get(uid, {}),
                hired=employed.get(uid, (dt.date.min, None))[0],
                left=employed.get(uid, (dt.date.min, None))[1],
                away=away.get(uid, []),
                pending=pending.get(uid, []),
            )
            for uid, on_team in team.items()
        ]
        seats.sort(key=lambda s: (not s.on_team, s.name))
        out[account_id] = [coverage_day(day, open_, seats) for day, open_ in working.items()]
    return out


def account_coverage(account: Account, first: dt.date, days: int) -> list[CoverageDay]:
    """One account's coverage day by day (`coverage_of_accounts`)."""
    return coverage_of_accounts([account.pk], first, days)[account.pk]


@dataclass(frozen=True)
class CoverageGap:
    account: Account
    day: CoverageDay


def coverage_gaps(people: QuerySet[Person], first: dt.date, days: int) -> list[CoverageGap]:
    """The working days ahead on which an account of the given people (on its team or placed
    onsite at its sponsor) is left without its people, or would be if the time off asked
    were approved: every such account is looked at, whatever empties it (schedules,
    time off, absences, someone leaving)."""
    users = people.values_list("user_id", flat=True)
    accounts = Account.objects.filter(
        Q(assignments__user_id__in=users)
        | Q(pk__in=Person.objects.filter(user_id__in=users).values_list("onsite_account_id"))
    ).distinct()
    by_id = {a.pk: a for a in accounts.order_by("name", "id")}
    gaps = [
        CoverageGap(by_id[account_id], day)
        for account_id, coverage in coverage_of_accounts(list(by_id), first, days).items()
        for day in coverage
        if day.warning
    ]
    return sorted(gaps, key=lambda g: (g.day.day, g.account.name))


ADHERENCE_DAYS = 28
TEAM_ZONE = ZoneInfo("America/New_York")


def answered_calls(
    reader: Reader, agent_ids: Iterable[str], first: dt.date, last: dt.date
) -> dict[str, list[Span]]:
    """The calls each agent answered on ``first``..``last`` (team-zone days), as (answered,
    ended) in the team's zone, read from the lake's ``call_record`` through the gateway in the
    reader's scope: a call on an account the reader may not see is not read. A lake whose
    calls carry no agent ids (a feed loaded before the column) gives none."""
    ids = sorted({a for a in agent_ids if a})
    if not ids:
        return {}
    start, end = _day_bounds(first)[0], _day_bounds(last)[1]
    with open_lake(reader) as lake:
        calls = lake.call_record
        if "agent_id" not in calls.columns:
            return {}
        frame = lake.execute(mart_agent_calls(calls, ids, start, end))
    found: dict[str, list[Span]] = defaultdict(list)
    for agent, offered, wait, handle in frame[
        ["agent_id", "offered_at", "wait_seconds", "handle_seconds"]
    ].itertuples(index=False):
        answered = offered.to_pydatetime().astimezone(TEAM_ZONE) + dt.timedelta(seconds=int(wait))
        found[agent].append((answered, answered + dt.timedelta(seconds=int(handle))))
    return dict(found)


def _recorded_moments(
    user_ids: Sequence[int], start: dt.datetime, end: dt.datetime
) -> dict[int, list[dt.datetime]]:
    """The work the product records with its time and its author, by author: inquiry status
    changes and notes, and account activity they logged (calls, meetings, e-mails, visits)."""
    moments: dict[int, list[dt.datetime]] = defaultdict(list)
    for author, at in [
        *InquiryStatusChange.objects.filter(
            actor_id__in=user_ids, at__gte=start, at__lt=end
        ).values_list("actor_id", "at"),
        *InquiryNote.objects.filter(
            author_id__in=user_ids, created_at__gte=start, created_at__lt=end
        ).values_list("author_id", "created_at"),
        *ActivityEvent.objects.filter(
            actor_id__in=user_ids,
            kind__in=LOGGED_ACTIVITY_KINDS,
            occurred_at__gte=start,
            occurred_at__lt=end,
        ).values_list("actor_id", "occurred_at"),
    ]:
        moments[author].append(at.astimezone(TEAM_ZONE))
    return moments


def _adherence(reader: Reader, people: Sequence[Person], today: dt.date) -> list[Adherence]:
    """Each person's adherence over the 28 days to yesterday, in the order given: their
    shifts and approved time off against their answered calls (the lake) and recorded work
    (the database). One lake read and a fixed number of queries for the whole list."""
    first, last = today - dt.timedelta(days=ADHERENCE_DAYS), today - dt.timedelta(days=1)
    start, end = _day_bounds(first)[0], _day_bounds(last)[1]
    ids = [p.user_id for p in people]
    calls = answered_calls(reader, (p.agent_id for p in people), first, last)
    moments = _recorded_moments(ids, start, end)
    shifts: dict[int, dict[int, tuple[dt.time, dt.time]]] = defaultdict(dict)
    for s in Shift.objects.filter(user_id__in=ids):
        shifts[s.user_id][s.weekday] = (s.starts, s.ends)
    away: dict[int, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    for user_id, a, b in TimeOffRequest.objects.filter(
        user_id__in=ids, status=RequestStatus.APPROVED, first_day__lte=last, last_day__gte=first
    ).values_list("user_id", "first_day", "last_day"):
        away[user_id].append((a, b))
    return [
        schedule_adherence(
            shifts[p.user_id],
            away[p.user_id],
            calls.get(p.agent_id, []) if p.agent_id else [],
            moments[p.user_id],
            first,
            last,
        )
        for p in people
    ]


def adherence_of(reader: Reader, person: Person, today: dt.date) -> Adherence:
    """One person's schedule adherence over the 28 days to yesterday (``_adherence``), the
    calls read in the reader's scope."""
    return _adherence(reader, [person], today)[0]


@dataclass(frozen=True)
class AdherenceRow:
    person: Person
    adherence: Adherence


def team_adherence(reader: Reader, people: QuerySet[Person], today: dt.date) -> list[AdherenceRow]:
    """Each active person's schedule adherence over the last 28 days, in the roster's order:
    the manager's view of the team."""
    active = list(people.filter(left_on=None).select_related("user"))
    return [
        AdherenceRow(p, a) for p, a in zip(active, _adherence(reader, active, today), strict=True)
    ]


def pending_requests(user: AnyUser) -> QuerySet[TimeOffRequest]:
    """Requests waiting for the reader's decision (their reports')."""
    return (
        TimeOffRequest.objects.filter(
            status=RequestStatus.REQUESTED, user__team_person__in=managed_people(user)
        )
        .select_related("user", "kind")
        .order_by("first_day", "id")
    )


# ── recruiting ────────────────────────────────────────────────────────────────────────────


def days_in_stage(candidate_ids: Iterable[int], today: dt.date) -> dict[str, float]:
    """The mean days candidates spent in each stage they left (and are spending in the stage
    they are in), from the stage history."""
    spans: dict[str, list[int]] = defaultdict(list)
    history: dict[int, list[StageChange]] = defaultdict(list)
    for change in StageChange.objects.filter(candidate_id__in=list(candidate_ids)).order_by(
        "on", "id"
    ):
        history[change.candidate_id].append(change)
    for changes in history.values():
        for this, following in zip(changes, [*changes[1:], None], strict=True):
            if this.to_stage in {Stage.HIRED, Stage.DECLINED, Stage.REJECTED}:
                continue
            end = following.on if following is not None else today
            spans[this.to_stage].append((end - this.on).days)
    return {stage: round(sum(v) / len(v), 1) for stage, v in spans.items() if v}


@dataclass(frozen=True)
class SourceRow:
    source: str
    candidates: int
    hired: int

    @property
    def hire_rate(self) -> str:
        return f"{self.hired * 100 / self.candidates:.0f}%" if self.candidates else "—"


def recruiting_summary(user: AnyUser, today: dt.date) -> dict[str, Any]:
    reqs = requisitions_visible_to(user)
    candidates = Candidate.objects.filter(requisition__in=reqs)
    filled = [
        (r.filled_on - r.approved_on).days for r in reqs.exclude(filled_on=None) if r.filled_on
    ]
    labels = dict(Source.choices)
    sources = [
        SourceRow(labels.get(s, s), n, h)
        for s, n, h in candidates.values("source")
        .annotate(n=Count("id"), h=Count("id", filter=Q(stage=Stage.HIRED)))
        .values_list("source", "n", "h")
        .order_by("-h", "-n")
    ]
    return {
        "time_to_fill": round(sum(filled) / len(filled), 1) if filled else None,
        "filled": len(filled),
        "days_in_stage": days_in_stage(candidates.values_list("id", flat=True), today),
        "sources": sources,
    }


def interviews_to_score(user: AnyUser) -> QuerySet[Scorecard]:
    return (
        Scorecard.objects.filter(
            interviewer_id=user.pk or 0,
            submitted_at=None,
            candidate__requisition__in=requisitions_visible_to(user),
        )
        .select_related("candidate__requisition")
        .order_by("scheduled_on", "id")
    )


def self_id_report() -> dict[str, list[tuple[str, int | None]]]:
    """Self-identification in aggregate only, each question's cells under 5 withheld."""
    rows = list(
        SelfIdentification.objects.values_list("gender", "ethnicity", "veteran", "disability")
    )
    return {
        label: suppressed_counts(r[index] for r in rows)
        for index, label in enumerate(("Gender", "Race or ethnicity", "Veteran", "Disability"))
    }


# ── retention ─────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class RetentionRow:
    person: Person
    tenure: Decimal
    risk: Risk


def retention(people: QuerySet[Person], manager: AnyUser, today: dt.date) -> list[RetentionRow]:
    """Tenure and flight risk with its reasons; the last one-to-one is the reader's own."""
    rows = roster(people, today)
    ids = [r.person.user_id for r in rows]
    last_meeting = dict(
        OneToOne.objects.filter(user_id__in=ids, manager_id=manager.pk or 0)
        .values("user_id")
        .annotate(last=Max("held_on"))
        .values_list("user_id", "last")
    )
    open_escalations = AccountEscalation.objects.exclude(status=EscalationStatus.RESOLVED)
    escalations: dict[int, int] = dict(
        Assignment.objects.filter(user_id__in=ids, account__escalations__in=open_escalations)
        .values("user_id")
        .annotate(n=Count("account__escalations", distinct=True))
        .values_list("user_id", "n")
    )
    out = [
        RetentionRow(
            r.person,
            tenure_years(r.person.hire_date, today),
            flight_risk(
                overdue_training=r.overdue_training,
                accounts=r.accounts,
                capacity=r.person.capacity,
                escalations=escalations.get(r.person.user_id, 0),
                last_one_to_one=last_meeting.get(r.person.user_id),
                today=today,
            ),
        )
        for r in rows
    ]
    return sorted(out, key=lambda row: (-row.risk.score, str(row.person)))


def attrition(people: QuerySet[Person], year: int) -> dict[str, Any]:
    """Leavers in a calendar year by kind, and the rate over the average headcount (the
    headcount at the year's start and end)."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    left = people.filter(left_on__gte=start, left_on__lte=end)
    by_kind = dict(left.values("leaving").annotate(n=Count("id")).values_list("leaving", "n"))
    at_start = people.filter(hire_date__lte=start).exclude(left_on__lt=start).count()
    at_end = people.filter(hire_date__lte=end).exclude(left_on__lte=end).count()
    average = (at_start + at_end) / 2
    total = sum(by_kind.values())
    return {
        "year": year,
        "voluntary": by_kind.get("voluntary", 0),
        "involuntary": by_kind.get("involuntary", 0),
        "total": total,
        "rate": f"{total * 100 / average:.1f}%" if average else "—",
    }


# ── aggregates (executives) ───────────────────────────────────────────────────────────────


def team_aggregates(today: dt.date) -> dict[str, Any]:
    """The team in figures, no one named: headcount, compliance per required course,
    licenses lapsed or expiring, time to fill, attrition."""
    people = Person.objects.filter(left_on=None)
    matrix = compliance_matrix(Person.objects.all(), today)
    per_course = []
    for index, course in enumerate(matrix.courses):
        cells = [cells[index] for _, cells in matrix.rows]
        current = sum(c.state == "current" for c in cells)
        per_course.append(
            {
                "course": course,
                "current": current,
                "overdue": sum(c.state == "overdue" for c in cells),
                "rate": f"{current * 100 / len(cells):.0f}%" if cells else "—",
            }
        )
    ids = list(people.values_list("user_id", flat=True))
    licenses = expiring_licenses(ids, today)
    return {
        "headcount": people.count(),
        "onsite": people.filter(location="onsite").count(),
        "per_course": per_course,
        "lapsed": sum(r.alert == 0 for r in licenses),
        "expiring": sum(r.alert not in (None, 0) for r in licenses),
        "attrition": attrition(Person.objects.all(), today.year),
        "open_needs": TrainingNeed.objects.filter(status=NeedStatus.OPEN).count(),
    }


# ── quality ───────────────────────────────────────────────────────────────────────────────


@dataclass
class QualityRow:
    person: Person
    resolved: int
    sample: list[Inquiry]
    reviews: list[QualityReview]
    trend: list[tuple[dt.date, int | None]]  # the month and the mean total, oldest first

    @property
    def mean(self) -> int | None:
        totals = [r.total for r in self.reviews]
        return round(sum(totals) / len(totals)) if totals else None

    @property
    def fails(self) -> int:
        return sum(1 for r in self.reviews if r.auto_fail)


def _month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    from clientdesk.lib.local_time import local_bounds

    last = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1) - dt.timedelta(days=1)
    return local_bounds("America/New_York", month, last)


def quality_month(people: QuerySet[Person], month: dt.date, rate: float) -> list[QualityRow]:
    """For each person: the inquiries they resolved in the month (New York days), the sample
    drawn for review (reproducible, see rules.quality_sample), the month's reviews, and the
    mean total of the six months to this one."""
    month = month.replace(day=1)
    start, end = _month_bounds(month)
    team = list(people.filter(left_on=None).select_related("user"))
    ids = [p.user_id for p in team]
    resolved: dict[int, list[int]] = defaultdict(list)
    for owner_id, inquiry_id in Inquiry.objects.filter(
        owner_id__in=ids, resolved_at__gte=start, resolved_at__lt=end
    ).values_list("owner_id", "id"):
        resolved[owner_id].append(inquiry_id)
    samples = {
        p.user_id: quality_sample(resolved[p.user_id], rate, key=f"{p.user_id}:{month:%Y-%m}")
        for p in team
    }
    inquiries = Inquiry.objects.in_bulk([i for s in samples.values() for i in s])
    first = month
    for _ in range(5):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    reviews = list(
        QualityReview.objects.filter(associate_id__in=ids, month__gte=first, month__lte=month)
        .select_related("reviewer")
        .order_by("inquiry_id", "id")
    )
    months = [first]
    while months[-1] < month:
        months.append((months[-1] + dt.timedelta(days=32)).replace(day=1))
    rows = []
    for p in team:
        mine = [r for r in reviews if r.associate_id == p.user_id]
        trend: list[tuple[dt.date, int | None]] = []
        for m in months:
            totals = [r.total for r in mine if r.month == m]
            trend.append((m, round(sum(totals) / len(totals)) if totals else None))
        rows.append(
            QualityRow(
                person=p,
                resolved=len(resolved[p.user_id]),
                sample=[inquiries[i] for i in samples[p.user_id] if i in inquiries],
                reviews=[r for r in mine if r.month == month],
                trend=trend,
            )
        )
    return rows


def calibration(reviews: Iterable[QualityReview]) -> list[tuple[int, list[QualityReview], int]]:
    """Inquiries reviewed by two reviewers or more, with the gap between their totals."""
    by_inquiry: dict[int, list[QualityReview]] = defaultdict(list)
    for review in reviews:
        by_inquiry[review.inquiry_id].append(review)
    return [
        (inquiry_id, group, max(r.total for r in group) - min(r.total for r in group))
        for inquiry_id, group in sorted(by_inquiry.items())
        if len(group) > 1
    ]
