"""The team's nightly jobs, end to end: training reminders (and yearly re-assignment),
time-off accruals, and the end of candidate files past their retention. The CLI
(`clientdesk team remind|accrue|purge`) and the clock call these."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Max, Q
from django.urls import reverse

from clientdesk.audit.recording import record_audit
from clientdesk.team.actions import do_erase_candidate
from clientdesk.team.models import (
    AssignmentReason,
    Balance,
    Candidate,
    Course,
    License,
    Person,
    Recurrence,
    TimeOffType,
    TrainingAssignment,
)
from clientdesk.team.rules import (
    CLOSED_STAGES,
    LICENSE_ALERT_DAYS,
    accrual,
    license_alert,
    month_start,
    next_due,
)

REMIND_EVERY_DAYS = 7
"""An overdue course is mailed about again a week after the last reminder."""
REASSIGN_AHEAD_DAYS = 30
"""A yearly course is assigned again 30 days before the last completion lapses."""


@dataclass(frozen=True)
class ReminderRun:
    reassigned: int
    overdue: int
    mails: int
    manager_mails: int = 0
    license_alerts: int = 0


@dataclass(frozen=True)
class _LicenseAlert:
    """A license that crossed an alert (90, 60, 30 days before expiry, or lapsed) since the
    last one mailed."""

    pk: int
    user_id: int
    state: str
    number: str
    expires_on: dt.date
    alert: int

    @property
    def words(self) -> str:
        if self.alert == 0:
            return f"{self.state} license {self.number} lapsed on {self.expires_on:%b %-d, %Y}"
        return (
            f"{self.state} license {self.number} expires on {self.expires_on:%b %-d, %Y} "
            f"(within {self.alert} days)"
        )


@dataclass(frozen=True)
class _Overdue:
    """One overdue assignment as a reminder needs it (no model built per row)."""

    pk: int
    user_id: int
    title: str
    due_on: dt.date
    reminded_on: dt.date | None


def run_reminders(today: dt.date, *, acting_user: User | None = None) -> ReminderRun:
    """Assign the yearly courses again a month before they lapse, then mail each person with
    overdue training (at most once a week per course) the list of what is overdue, and each
    of their managers one digest of the reports they mailed. A fixed number of queries
    whatever the team's size; one audit row for the run."""
    with transaction.atomic():
        reassigned = _reassign_yearly(today, acting_user)
        overdue = [
            _Overdue(*row)
            for row in TrainingAssignment.objects.filter(
                completed_on=None, due_on__lt=today, user__team_person__left_on=None
            )
            .order_by("user_id", "due_on", "id")
            .values_list("pk", "user_id", "course__title", "due_on", "reminded_on")
        ]
        stale = dt.timedelta(days=REMIND_EVERY_DAYS)
        due_now = [a for a in overdue if a.reminded_on is None or a.reminded_on <= today - stale]
        by_person: dict[int, list[_Overdue]] = defaultdict(list)
        for a in due_now:
            by_person[a.user_id].append(a)
        TrainingAssignment.objects.filter(pk__in=[a.pk for a in due_now]).update(reminded_on=today)
        alerts = _license_alerts(today)
        record_audit(
            actor=acting_user,
            action="team.training.remind",
            object_type="team.trainingassignment",
            object_label=f"reminders of {today.isoformat()}",
            detail={
                "reassigned": reassigned,
                "overdue": len(overdue),
                "mailed": len(by_person),
                "license_alerts": len(alerts),
            },
        )
        by_holder: dict[int, list[_LicenseAlert]] = defaultdict(list)
        for alert in alerts:
            by_holder[alert.user_id].append(alert)
        people = {
            user_id: (email, first or username, manager_id)
            for user_id, email, first, username, manager_id in User.objects.filter(
                pk__in=[*by_person, *by_holder]
            ).values_list("pk", "email", "first_name", "username", "team_person__manager_id")
        }
        link = reverse("team:assignment", args=[0]).replace("/0/", "/{}/")
        mails = [
            _reminder(people[user_id][1], people[user_id][0], items, today, link)
            for user_id, items in by_person.items()
            if people[user_id][0]
        ]
        license_mails = [
            _license_mail(people[user_id][1], people[user_id][0], items)
            for user_id, items in by_holder.items()
            if people[user_id][0]
        ]
        digests = _manager_digests(by_person, by_holder, people)
        transaction.on_commit(
            lambda: get_connection().send_messages([*mails, *license_mails, *digests])
        )
    return ReminderRun(reassigned, len(overdue), len(mails), len(digests), len(alerts))


def _license_alerts(today: dt.date) -> list[_LicenseAlert]:
    """Licenses of active people whose alert today (90/60/30 days, lapsed) is not the one
    last mailed; each is marked so that it is mailed once. A renewed license (no alert any
    more) is cleared silently, so that its next expiry is announced again."""
    horizon = today + dt.timedelta(days=max(LICENSE_ALERT_DAYS))
    rows = License.objects.filter(user__team_person__left_on=None).filter(
        Q(expires_on__lte=horizon) | Q(alerted__isnull=False)
    )
    found: list[_LicenseAlert] = []
    renewed: list[int] = []
    for pk, user_id, state, number, expires_on, alerted in rows.values_list(
        "pk", "user_id", "state", "number", "expires_on", "alerted"
    ):
        alert = license_alert(expires_on, today)
        if alert is None:
            renewed.append(pk)
        elif alert != alerted:
            found.append(_LicenseAlert(pk, user_id, state, number, expires_on, alert))
    License.objects.filter(pk__in=renewed).update(alerted=None)
    for level in {a.alert for a in found}:
        License.objects.filter(pk__in=[a.pk for a in found if a.alert == level]).update(
            alerted=level
        )
    return sorted(found, key=lambda a: (a.user_id, a.expires_on, a.pk))


def _license_mail(name: str, email: str, items: list[_LicenseAlert]) -> EmailMessage:
    lines = [f"- {a.words}" for a in items]
    body = (
        f"Hello {name},\n\nYour insurance license needs attention:\n"
        + "\n".join(lines)
        + f"\n\nYour records: {reverse('team:me')}\n\nclientdesk"
    )
    lapsed = any(a.alert == 0 for a in items)
    subject = "Your license has lapsed" if lapsed else "Your license expires soon"
    return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [email])


def _reminder(
    name: str, email: str, items: list[_Overdue], today: dt.date, link: str
) -> EmailMessage:
    lines = [
        f"- {a.title}: due {a.due_on:%b %-d, %Y} "
        f"({(today - a.due_on).days} days overdue) {link.format(a.pk)}"
        for a in items
    ]
    body = f"Hello {name},\n\nThis training is overdue:\n" + "\n".join(lines) + "\n\nclientdesk"
    subject = f"Overdue training: {len(items)} course{'s' if len(items) > 1 else ''}"
    return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [email])


def _manager_digests(
    by_person: dict[int, list[_Overdue]],
    by_holder: dict[int, list[_LicenseAlert]],
    people: Mapping[int, tuple[str, str, int | None]],
) -> list[EmailMessage]:
    """One mail to each manager: the reports just reminded, each with their overdue courses
    and the oldest due date, and their licenses that lapsed or reached an expiry alert (links
    to the matrix and the licenses page, no scores or HR detail)."""
    reports: dict[int, list[int]] = defaultdict(list)
    for user_id in sorted({*by_person, *by_holder}):
        manager_id = people[user_id][2]
        if manager_id is not None:
            reports[manager_id].append(user_id)
    managers = dict(
        User.objects.filter(pk__in=list(reports), is_active=True)
        .exclude(email="")
        .values_list("pk", "email")
    )
    matrix, licenses = reverse("team:matrix"), reverse("team:licenses")
    digests = []
    for manager_id, user_ids in sorted(reports.items()):
        if manager_id not in managers:
            continue
        ordered = sorted(user_ids, key=lambda u: people[u][1])
        training = [
            f"- {people[u][1]}: {len(by_person[u])} overdue, the oldest due "
            f"{min(a.due_on for a in by_person[u]):%b %-d, %Y}"
            for u in ordered
            if u in by_person
        ]
        alerts = [f"- {people[u][1]}: {a.words}" for u in ordered for a in by_holder.get(u, [])]
        parts = []
        if training:
            parts.append("Overdue training, reminded today:\n" + "\n".join(training))
            parts.append(f"The matrix: {matrix}")
        if alerts:
            parts.append("Licenses:\n" + "\n".join(alerts))
            parts.append(f"The team's licenses: {licenses}")
        subject = ", ".join(
            words
            for words in (
                f"{len(training)} with overdue training" if training else "",
                f"{len(alerts)} license{'s' if len(alerts) > 1 else ''} to renew" if alerts else "",
            )
            if words
        )
        digests.append(
            EmailMessage(
                f"Your team: {subject}",
                "\n\n".join(parts) + "\n",
                settings.DEFAULT_FROM_EMAIL,
                [managers[manager_id]],
            )
        )
    return digests


def _reassign_yearly(today: dt.date, acting_user: User | None) -> int:
    courses = {c.pk: c for c in Course.objects.filter(recurrence=Recurrence.YEARLY)}
    if not courses:
        return 0
    active = Person.objects.filter(left_on=None).values_list("user_id", flat=True)
    last_done = (
        TrainingAssignment.objects.filter(course_id__in=courses, user_id__in=active)
        .exclude(completed_on=None)
        .values("user_id", "course_id")
        .annotate(last=Max("completed_on"))
        .values_list("user_id", "course_id", "last")
    )
    open_ = set(
        TrainingAssignment.objects.filter(course_id__in=courses, completed_on=None).values_list(
            "user_id", "course_id"
        )
    )
    horizon = today + dt.timedelta(days=REASSIGN_AHEAD_DAYS)
    new = []
    for user_id, course_id, last in last_done:
        lapses = next_due(last)
        if lapses <= horizon and (user_id, course_id) not in open_:
            new.append(
                TrainingAssignment(
                    user_id=user_id,
                    course_id=course_id,
                    reason=AssignmentReason.YEARLY,
                    assigned_on=today,
                    due_on=max(lapses, today),
                    assigned_by=acting_user,
                )
            )
    TrainingAssignment.objects.bulk_create(new, batch_size=2000)
    return len(new)


@dataclass(frozen=True)
class AccrualRun:
    month: dt.date
    balances: int
    hours: Decimal


def run_accruals(month: dt.date, *, acting_user: User | None = None) -> AccrualRun:
    """Accrue every accruing time-off type for every active person, through ``month``
    (idempotent: a month already accrued adds nothing). One audit row for the run."""
    month = month_start(month)
    kinds = list(TimeOffType.objects.filter(accrual_hours__gt=0))
    people = list(
        Person.objects.filter(left_on=None, hire_date__lte=month.replace(day=28)).values_list(
            "user_id", "hire_date"
        )
    )
    with transaction.atomic():
        existing = {
            (b.user_id, b.kind_id): b
            for b in Balance.objects.select_for_update().filter(kind__in=kinds)
        }
        changed: list[Balance] = []
        created: list[Balance] = []
        added = Decimal(0)
        for kind in kinds:
            for user_id, hire_date in people:
                balance = existing.get((user_id, kind.pk))
                fresh = balance is None
                if balance is None:
                    balance = Balance(user_id=user_id, kind=kind, hours=Decimal(0))
                hours, through = accrual(
                    hours=balance.hours,
                    accrued_through=balance.accrued_through,
                    hire_date=hire_date,
                    month=month,
                    per_month=kind.accrual_hours,
                    cap=kind.max_balance,
                )
                if through == balance.accrued_through:
                    continue
                added += hours - balance.hours
                balance.hours, balance.accrued_through = hours, through
                (created if fresh else changed).append(balance)
        Balance.objects.bulk_create(created, batch_size=2000)
        Balance.objects.bulk_update(changed, ["hours", "accrued_through"], batch_size=2000)
        record_audit(
            actor=acting_user,
            action="team.time_off.accrue",
            object_type="team.balance",
            object_label=f"accruals through {month:%Y-%m}",
            detail={"balances": len(created) + len(changed), "hours": str(added)},
        )
    return AccrualRun(month, len(created) + len(changed), added)


def run_purge(today: dt.date, *, acting_user: User | None = None) -> int:
    """Erase the candidate files closed (hired, declined, rejected) longer ago than the
    retention period (``CLIENTDESK_CANDIDATE_RETENTION_DAYS``)."""
    cutoff = today - dt.timedelta(days=settings.CANDIDATE_RETENTION_DAYS)
    expired = Candidate.objects.filter(stage__in=CLOSED_STAGES, stage_since__lt=cutoff)
    erased = 0
    for candidate in expired:
        do_erase_candidate(candidate, reason="retention period ended", acting_user=acting_user)
        erased += 1
    return erased
