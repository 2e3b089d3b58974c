"""Scheduled reports: `clientdesk report run-due` (from cron) runs each due schedule for the
last whole period before today, mails the files to the schedule's list and moves it on."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage

from clientdesk.lib.periods import Period, PeriodKind, month_index, period_of_kind
from clientdesk.reports.actions import do_advance_schedule, do_request_report
from clientdesk.reports.models import CONTENT_TYPES, Cadence, ReportRun, ReportSchedule, RunStatus
from clientdesk.reports.runs import execute_run

CADENCE_MONTHS = {Cadence.MONTHLY: 1, Cadence.QUARTERLY: 3, Cadence.YEARLY: 12}
CADENCE_KIND = {
    Cadence.MONTHLY: PeriodKind.MONTH,
    Cadence.QUARTERLY: PeriodKind.QUARTER,
    Cadence.YEARLY: PeriodKind.YEAR,
}


def period_before(cadence: str, today: dt.date) -> Period:
    """The last whole month, quarter or year that ended before `today`."""
    kind = CADENCE_KIND[Cadence(cadence)]
    current = period_of_kind(kind, month_index(today))
    return period_of_kind(kind, current.first_month - 1)


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, min(day.day, 28))


def next_run_after(schedule: ReportSchedule, today: dt.date) -> dt.date:
    """The schedule's next date strictly after today, on its cadence."""
    step = CADENCE_MONTHS[Cadence(schedule.cadence)]
    day = schedule.next_run_on
    while day <= today:
        day = add_months(day, step)
    return day


@dataclass
class Outcome:
    schedule: ReportSchedule
    run: ReportRun
    sent_to: list[str]

    @property
    def ok(self) -> bool:
        return self.run.status == RunStatus.DONE


def _mail(schedule: ReportSchedule, run: ReportRun) -> list[str]:
    recipients = schedule.recipient_list()
    what = run.account.name if run.account else "Portfolio"
    message = EmailMessage(
        subject=f"{what}: {schedule.get_kind_display()} for {run.period}",
        body=(
            f"Attached: the {schedule.get_kind_display().lower()} for {run.period}, "
            f"as scheduled in clientdesk (“{schedule.name}”).\n\n"
            "It may hold figures about the plan's members: keep it within the people it is "
            "meant for.\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=recipients,
    )
    for f in run.files:
        path = run.folder / str(f["name"])
        message.attach(str(f["name"]), path.read_bytes(), CONTENT_TYPES[str(f["format"])])
    message.send()
    return recipients


def run_due(today: dt.date, *, engine: str | None = None) -> list[Outcome]:
    """Run every active schedule due on or before `today`. A run that fails leaves its
    schedule due, so the next `run-due` tries again."""
    outcomes = []
    due = ReportSchedule.objects.filter(active=True, next_run_on__lte=today).select_related(
        "account", "owner"
    )
    for schedule in due.order_by("next_run_on", "id"):
        period = period_before(schedule.cadence, today)
        run = do_request_report(
            schedule.kind,
            account=schedule.account,
            period=period.code,
            formats=list(schedule.formats),
            acting_user=schedule.owner,
            schedule=schedule,
        )
        run = execute_run(run.pk, today=today, engine=engine)
        sent: list[str] = []
        if run.status == RunStatus.DONE:
            sent = _mail(schedule, run)
            do_advance_schedule(schedule, run, next_run_after(schedule, today), sent_to=sent)
        outcomes.append(Outcome(schedule, run, sent))
    return outcomes
