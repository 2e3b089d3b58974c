"""Reads of the implementations app, in the reader's scope."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, QuerySet, Sum
from django.urls import reverse

from clientdesk.accounts.access import AnyUser, accounts_visible_to
from clientdesk.accounts.models import Account
from clientdesk.implementations.evidence import PlanState, plan_states
from clientdesk.implementations.hypercare import HYPERCARE_DAYS, Watch, watch
from clientdesk.implementations.hypercare_feeds import (
    CALLS,
    DENIALS,
    Window,
    account_feed_counts,
    book_feed_counts,
)
from clientdesk.implementations.models import (
    OPERATIONS_TEAMS,
    Implementation,
    OwnerTeam,
    PlanStatus,
    Task,
    TaskStatus,
)
from clientdesk.implementations.survey_timing import after_days, survey_due_on
from clientdesk.inquiries.models import Inquiry
from clientdesk.insights.queries import account_period_insights
from clientdesk.lake.gateway import LakeError, Reader
from clientdesk.lib.calls import Cause, Urgency
from clientdesk.lib.survey_answers import is_satisfied
from clientdesk.lib.survey_service import IMPLEMENTATION, SURVEY_SERVICE
from clientdesk.people.roles import Role, roles_of

OPEN_STATUSES = (PlanStatus.DRAFT, PlanStatus.APPROVED, PlanStatus.LIVE)


def implementations_visible_to(user: AnyUser) -> QuerySet[Implementation]:
    return Implementation.objects.filter(account__in=accounts_visible_to(user)).select_related(
        "account", "template"
    )


def plan_url(implementation: Implementation) -> str:
    return reverse(
        "implementations:detail",
        kwargs={"account_id": implementation.account_id, "implementation_id": implementation.pk},
    )


def board(user: AnyUser, today: dt.date, *, reader: Reader | None) -> list[PlanState]:
    """Open implementations by effective date, with forecast and readiness."""
    plans = list(
        implementations_visible_to(user)
        .filter(status__in=OPEN_STATUSES)
        .order_by("effective_date", "id")
    )
    states = plan_states(plans, today, reader=reader)
    return [states[p.pk] for p in plans]


def sees_team_lists(user: AnyUser) -> bool:
    return bool(roles_of(user))


def team_tasks(user: AnyUser, team: str) -> QuerySet[Task]:
    """Open tasks of one owner team on open plans: of the reader's accounts, or, for service
    operations (who see no accounts), of the operations teams and those assigned to them."""
    tasks = (
        Task.objects.filter(implementation__status__in=OPEN_STATUSES)
        .exclude(status=TaskStatus.DONE)
        .select_related("implementation__account", "owner")
        .order_by("start_date", "implementation__effective_date", "id")
    )
    if team:
        tasks = tasks.filter(owner_team=team)
    roles = roles_of(user)
    if Role.SERVICE_OPS in roles and not roles - {Role.SERVICE_OPS}:
        if team and team not in OPERATIONS_TEAMS:
            return tasks.filter(owner_id=user.pk)
        return tasks.filter(owner_team__in=OPERATIONS_TEAMS) | tasks.filter(owner_id=user.pk)
    return tasks.filter(implementation__account__in=accounts_visible_to(user))


def team_choices() -> list[tuple[str, str]]:
    return list(OwnerTeam.choices)


@dataclass(frozen=True)
class Hypercare:
    started: dt.date
    ends: dt.date
    days: int
    inquiries: int
    watches: list[Watch]
    insights: dict[str, Any]
    denials: int | None = None  # None: the lake was not read
    denial_watches: list[Watch] = field(default_factory=list)
    calls: int | None = None
    call_watches: list[Watch] = field(default_factory=list)
    denied_claims_of: int | None = None  # the account's claims finalized since go-live
    lake_note: str = ""
    # Implementation satisfaction: answers to implementation surveys only (never the
    # relationship surveys' or the lake feed's), with a CSAT, since go-live.
    survey_answers: int = 0
    survey_satisfied: int = 0
    survey_due_on: dt.date | None = None
    survey_sent_at: dt.datetime | None = None

    @property
    def feeds(self) -> list[tuple[str, list[Watch]]]:
        return [
            ("Denial reason (CARC)", self.denial_watches),
            ("Call reason", self.call_watches),
        ]


def implementation_satisfaction(
    account_id: int, start: dt.datetime, end: dt.datetime
) -> tuple[int, int]:
    """Answers with a CSAT to the account's implementation surveys in [start, end), and how
    many are satisfied (lib.survey_answers' rule): the survey app's answers of that kind
    alone (lib.survey_service), so relationship surveys never count here."""
    answered = [
        a.csat
        for a in SURVEY_SERVICE.answers(IMPLEMENTATION, [account_id], start, end)
        if a.answered_at is not None and a.csat is not None and start <= a.answered_at < end
    ]
    return len(answered), sum(is_satisfied(csat) for csat in answered)


def _local_start(day: dt.date, zone: str) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=ZoneInfo(zone))


def hypercare(
    implementation: Implementation, today: dt.date, *, reader: Reader | None = None
) -> Hypercare | None:
    """The first 90 days after go-live: the account's inquiries by category, and (with a
    ``reader``) its denials by adjustment reason and calls by reason from the lake, each
    against the rest of the book's rate per member (the new-account prior); and the emerging
    issues and problems the insights app found for the account in the window."""
    if implementation.went_live_on is None:
        return None
    start = implementation.went_live_on
    ends = start + dt.timedelta(days=HYPERCARE_DAYS)
    last = min(today, ends)
    days = max((last - start).days + 1, 1)
    account = implementation.account
    window = (
        _local_start(start, account.timezone),
        _local_start(last + dt.timedelta(days=1), account.timezone),
    )
    observed = Counter(
        dict(
            Inquiry.objects.filter(
                account=account, opened_at__gte=window[0], opened_at__lt=window[1]
            )
            .values_list("category")
            .annotate(n=Count("id"))
            .values_list("category", "n")
        )
    )
    # The prior: the rest of the book over the same number of days before today.
    book_first = last - dt.timedelta(days=days - 1)
    book = Inquiry.objects.filter(
        opened_at__gte=_local_start(book_first, account.timezone),
        opened_at__lt=window[1],
    ).exclude(account=account)
    book_counts = dict(
        book.values_list("category").annotate(n=Count("id")).values_list("category", "n")
    )
    book_members = (
        Account.objects.exclude(pk=account.pk)
        .filter(pk__in=book.values("account_id"))
        .aggregate(total=Sum("members"))["total"]
        or 0
    )
    watches = watch(
        observed,
        book_counts,
        book_exposure=float(book_members * days),
        exposure=float(max(account.members, 1) * days),
    )
    answers, satisfied = implementation_satisfaction(
        account.pk, window[0], _local_start(today + dt.timedelta(days=1), account.timezone)
    )
    result = Hypercare(
        started=start,
        ends=ends,
        days=days,
        inquiries=sum(observed.values()),
        watches=watches,
        insights=account_period_insights(account.pk, start, last),
        survey_answers=answers,
        survey_satisfied=satisfied,
        survey_due_on=survey_due_on(start, after_days(implementation.survey_after_days)),
        survey_sent_at=implementation.survey_sent_at,
    )
    if reader is None:
        return result
    try:
        return _with_lake_feeds(result, account, reader, book_first=book_first, last=last)
    except LakeError as error:
        return dataclasses.replace(result, lake_note=f"Denials and calls not read: {error}")


def _with_lake_feeds(
    result: Hypercare, account: Account, reader: Reader, *, book_first: dt.date, last: dt.date
) -> Hypercare:
    """The account's denials and calls since go-live against the book's over the same number
    of days before today. The book's members: every other account effective by then."""
    zone = account.timezone
    mine = Window(
        result.started,
        last,
        _local_start(result.started, zone),
        _local_start(last + dt.timedelta(days=1), zone),
    )
    own = account_feed_counts(reader, account.pk, mine)
    prior_window = Window(book_first, last, _local_start(book_first, zone), mine.end)
    book = book_feed_counts(
        reader, account.pk, prior_window, {f: set(c) for f, c in own.counts.items()}
    )
    book_members = (
        Account.objects.exclude(pk=account.pk)
        .filter(effective_date__lte=book_first)
        .aggregate(total=Sum("members"))["total"]
        or 0
    )
    # Calls per member-day; denials per claim finalized (the book's claims a small cell:
    # every reason withheld, taken as none).
    denials = own.counts[DENIALS]
    denial_withheld = book.withheld[DENIALS] | (
        frozenset(denials) if book.claims is None else frozenset()
    )
    return dataclasses.replace(
        result,
        denials=sum(denials.values()),
        denial_watches=watch(
            denials,
            {} if book.claims is None else book.counts[DENIALS],
            book_exposure=float(book.claims or 0),
            exposure=float(own.claims),
            withheld=denial_withheld,
        ),
        calls=sum(own.counts[CALLS].values()),
        call_watches=watch(
            own.counts[CALLS],
            book.counts[CALLS],
            book_exposure=float(book_members * result.days),
            exposure=float(max(account.members, 1) * result.days),
            withheld=book.withheld[CALLS],
        ),
        denied_claims_of=own.claims,
    )


def late_critical_causes(states: list[PlanState]) -> list[Cause]:
    """A call to action per plan with a late task on the critical path."""
    causes = []
    for state in states:
        fc = state.forecast
        if not fc.late_refs or state.implementation.status not in (
            PlanStatus.DRAFT,
            PlanStatus.APPROVED,
        ):
            continue  # after go-live, hypercare watches the account
        implementation = state.implementation
        names = {t.ref: t.name for t in state.tasks}
        worst = fc.tasks[fc.late_refs[0]]
        tasks = ", ".join(f"{ref} {names[ref]}" for ref in fc.late_refs[:3])
        more = f" and {len(fc.late_refs) - 3} more" if len(fc.late_refs) > 3 else ""
        causes.append(
            Cause(
                account_id=implementation.account_id,
                key=f"implementation:{implementation.pk}",
                reason=(
                    f"{implementation.name}: {tasks}{more} late on the critical path; "
                    f"{-worst.slack} business days lost"
                    + (
                        f", go-live forecast {fc.go_live:%b %d, %Y} instead of "
                        f"{implementation.effective_date:%b %d, %Y}"
                        if fc.days_lost and fc.go_live
                        else ""
                    )
                ),
                due=worst.finish,
                urgency=Urgency.HIGH if fc.days_lost else Urgency.NORMAL,
                url=plan_url(implementation),
            )
        )
    return causes


@dataclass(frozen=True)
class InstallationLine:
    """One implementation of an account as the stewardship deck states it."""

    name: str
    effective_date: dt.date
    status: str  # the plan status in words
    done: int
    tasks: int
    readiness: int | None  # from the plan and the eligibility test loads (no lake read)
    band: str
    days_lost: int  # business days the forecast go-live slips past the effective date
    went_live_on: dt.date | None
    hypercare_ends: dt.date | None


def installation_status(account: Account, today: dt.date) -> list[InstallationLine]:
    """The account's implementations for its stewardship deck: every plan of an account in
    its first year (effective within the 365 days to ``today``, or not yet effective); of an
    older account, the plans still being installed or in their 90 days of hypercare.
    Readiness is scored from the plan and the test loads (``plan_states`` without the lake)."""
    first_year = account.effective_date > today - dt.timedelta(days=365)
    plans = [
        p
        for p in account.implementations.exclude(status=PlanStatus.CLOSED).order_by(
            "effective_date", "id"
        )
        if first_year
        or p.status in (PlanStatus.DRAFT, PlanStatus.APPROVED)
        or (p.went_live_on is not None and today <= p.went_live_on + dt.timedelta(HYPERCARE_DAYS))
    ]
    states = plan_states(plans, today, reader=None)
    lines = []
    for plan in plans:
        state = states[plan.pk]
        live = plan.went_live_on
        lines.append(
            InstallationLine(
                name=plan.name,
                effective_date=plan.effective_date,
                status=plan.get_status_display(),
                done=state.done_count,
                tasks=len(state.tasks),
                readiness=None if live else state.readiness.score,
                band="" if live else state.readiness.band,
                days_lost=0 if live else state.forecast.days_lost,
                went_live_on=live,
                hypercare_ends=None if live is None else live + dt.timedelta(HYPERCARE_DAYS),
            )
        )
    return lines
