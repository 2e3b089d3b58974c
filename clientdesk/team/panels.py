"""The team's account panel (coverage and licensed states) and its home-page work lists."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone

from clientdesk.accounts.models import Account
from clientdesk.lake.memo import ReaderMemo
from clientdesk.lib.panels import Panel
from clientdesk.lib.work import WorkItem, WorkList
from clientdesk.people.roles import Role, roles_of
from clientdesk.team.access import has_own_records, managed_people, manages_team
from clientdesk.team.models import Person
from clientdesk.team.queries import (
    account_coverage,
    account_licensing,
    coverage_gaps,
    expiring_licenses,
    interviews_to_score,
    overdue_assignments,
    pending_requests,
)

COVERAGE_DAYS = 10
LIMIT = 5


def team_panel_audience(user: Any) -> bool:
    """The account team and its managers; executives read aggregates only."""
    return bool(roles_of(user) & {Role.ADMIN, Role.MANAGER, Role.ASSOCIATE})


# The panel per reader and account, until the next write, lake batch or minute (lake/memo.py):
# seven queries of schedules, time off and absences on every view of an account's Overview.
_SECTIONS: ReaderMemo[dict[str, Any]] = ReaderMemo(256)


def team_panel(user: Any, account: Account, now: dt.datetime) -> Panel:
    """Coverage for the next working days and, for managers, whether the people serving the
    account hold a license in its state (a lapsed one is flagged)."""
    today = timezone.localdate(now)

    def build() -> dict[str, Any]:
        return {
            "coverage": account_coverage(account, today, COVERAGE_DAYS),
            "licensing": account_licensing(account, today) if manages_team(user) else None,
        }

    context = _SECTIONS.get(user, now, build, about=(account.pk,))
    return Panel("team/_account_section.html", context)


def training_work(user: Any, now: dt.datetime) -> WorkList | None:
    """Overdue training: the reader's own, and for a manager their team's."""
    if not has_own_records(user):
        return None
    today = timezone.localdate(now)
    people = managed_people(user) | Person.objects.filter(user_id=user.pk or 0)
    overdue = overdue_assignments(people, today)
    total = overdue.count()
    items = [
        WorkItem(
            title=f"{a.course.title}",
            detail=f"{a.user.get_full_name() or a.user.get_username()} · due {a.due_on:%b %-d}",
            url=reverse("team:assignment", args=[a.pk]),
            when=a.due_on,
            urgent=True,
        )
        for a in overdue[:LIMIT]
    ]
    return WorkList(
        key="training",
        heading="Overdue training",
        total=total,
        url=reverse("team:matrix") if manages_team(user) else reverse("team:me"),
        empty="No overdue training.",
        items=items,
    )


def licenses_work(user: Any, now: dt.datetime) -> WorkList | None:
    """Licenses lapsed or expiring within 90 days: the reader's own and their team's."""
    if not has_own_records(user):
        return None
    today = timezone.localdate(now)
    people = managed_people(user) | Person.objects.filter(user_id=user.pk or 0)
    rows = expiring_licenses(people.values_list("user_id", flat=True), today)
    items = [
        WorkItem(
            title=f"{r.license.state} license {r.license.number}",
            detail=(
                f"{r.license.user.get_full_name() or r.license.user.get_username()} · "
                f"{r.label.lower()} · {r.license.expires_on:%b %-d, %Y}"
            ),
            url=reverse("team:licenses") if manages_team(user) else reverse("team:me"),
            when=r.license.expires_on,
            urgent=r.alert in (0, 30),
        )
        for r in rows[:LIMIT]
    ]
    return WorkList(
        key="licenses",
        heading="Licenses expiring",
        total=len(rows),
        url=reverse("team:licenses") if manages_team(user) else reverse("team:me"),
        empty="No license expires within 90 days.",
        items=items,
    )


def coverage_work(user: Any, now: dt.datetime) -> WorkList | None:
    """The accounts of the manager's team left without their people in the next working
    days (or that would be if the time off asked were approved): `queries.coverage_gaps`."""
    if not manages_team(user):
        return None
    gaps = coverage_gaps(managed_people(user), timezone.localdate(now), COVERAGE_DAYS)
    items = [
        WorkItem(
            title=f"{g.account.name}: {g.day.warning.lower()}",
            detail=f"{g.day.day:%a %b %-d} · away: {', '.join(g.day.out) or 'no one'}",
            url=reverse("team:coverage", args=[g.account.pk]),
            when=g.day.day,
            urgent=True,
        )
        for g in gaps[:LIMIT]
    ]
    return WorkList(
        key="coverage",
        heading="Coverage gaps",
        total=len(gaps),
        url=reverse("team:time_off"),
        empty=f"Every account is covered for the next {COVERAGE_DAYS} days.",
        items=items,
    )


def time_off_work(user: Any, now: dt.datetime) -> WorkList | None:
    if not manages_team(user):
        return None
    pending = pending_requests(user)
    items = [
        WorkItem(
            title=f"{r.user.get_full_name() or r.user.get_username()}: {r.kind.name}",
            detail=f"{r.first_day:%b %-d} – {r.last_day:%b %-d} · {r.hours:g} hours",
            url=reverse("team:time_off"),
            when=r.first_day,
        )
        for r in pending[:LIMIT]
    ]
    return WorkList(
        key="time_off",
        heading="Time off to approve",
        total=pending.count(),
        url=reverse("team:time_off"),
        empty="No request waiting for you.",
        items=items,
    )


def interviews_work(user: Any, now: dt.datetime) -> WorkList | None:
    if not manages_team(user):
        return None
    cards = interviews_to_score(user)
    items = [
        WorkItem(
            title=f"Interview for {c.candidate.requisition.title}",
            detail=f"Candidate {c.candidate_id} · {c.scheduled_on:%b %-d}",
            url=reverse("team:candidate", args=[c.candidate_id]),
            when=c.scheduled_on,
        )
        for c in cards[:LIMIT]
    ]
    return WorkList(
        key="interviews",
        heading="Interviews to score",
        total=cards.count(),
        url=reverse("team:recruiting"),
        empty="No interview waiting for your scorecard.",
        items=items,
    )
