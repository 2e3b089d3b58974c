"""The clock: the jobs a team relies on happening by themselves, run at their interval by one
long-lived process (`clientdesk clock`, started beside the server by `clientdesk serve` and
`clientdesk demo`, or from cron with `--once`).

- every 5 minutes, the SLA clocks of open inquiries: at-risk mail, breach mail to the
  managers, reassignment after a breach (docs/inquiries.md);
- every hour, the report schedules that are due (docs/reports.md);
- every day, the team's training reminders (yearly courses assigned again before they lapse,
  overdue mail), time-off accruals and the erasing of candidate files past retention
  (docs/team.md);
- every day, the lake's rejects and warnings files past their retention
  (CLIENTDESK_REJECTS_RETENTION_DAYS, clientdesk/lake/retention.py), report files
  (CLIENTDESK_REPORT_RETENTION_DAYS, clientdesk/reports/retention.py) and the attachments of
  inquiries closed long ago (CLIENTDESK_ATTACHMENT_RETENTION_DAYS, inquiries/retention.py);
- every day, the implementation survey of each plan live for N days, sent once to the
  sponsor's contacts (CLIENTDESK_IMPLEMENTATION_SURVEY_DAYS, docs/implementations.md);
- every day, the recurring relationship surveys that are due and the one reminder of
  unanswered invitations (docs/surveys.md).

A job that fails is logged (its exception type and message, never a row) and tried again at
its next turn; the other jobs go on.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.utils import timezone

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    every: dt.timedelta
    run: Callable[[dt.datetime], str]
    """Does the work as of the given moment; returns a one-line summary for the log."""


def _inquiry_sla(now: dt.datetime) -> str:
    from clientdesk.inquiries.runs import run_sla

    result = run_sla(now=now)
    return (
        f"{result.inquiries} inquiries: {result.at_risk} at risk, {result.breached} breached, "
        f"{result.reassigned} reassigned"
    )


def _due_reports(now: dt.datetime) -> str:
    from clientdesk.reports.schedules import run_due

    outcomes = run_due(timezone.localdate(now))
    return f"{len(outcomes)} scheduled reports run"


def _health_daily(now: dt.datetime) -> str:
    from clientdesk.strategy.runs import run_calls, run_objectives, run_snapshot

    today = timezone.localdate(now)
    snapshot, seconds = run_snapshot(today)
    measured = run_objectives(today)
    calls = run_calls(now)
    return (
        f"health: {snapshot.scored} accounts scored in {seconds:.1f} s, {measured} objectives "
        f"measured; calls to action: {calls.total.opened} opened, {calls.total.updated} updated"
    )


def _team_nightly(now: dt.datetime) -> str:
    from clientdesk.team.runs import run_accruals, run_purge, run_reminders

    today = timezone.localdate(now)
    reminded = run_reminders(today)
    accrued = run_accruals(today)
    erased = run_purge(today)
    return (
        f"training: {reminded.reassigned} re-assigned, {reminded.mails} reminder mails; "
        f"time off: {accrued.balances} balances accrued; {erased} candidate files erased"
    )


def _surveys_daily(now: dt.datetime) -> str:
    from clientdesk.surveys.runs import run_daily

    done = run_daily(now)
    return (
        f"survey schedules: {done.sent} of {done.due} due sent, {done.invited} invited; "
        f"{done.reminded} reminders"
    )


def _rejects_retention(now: dt.datetime) -> str:
    from clientdesk.lake.retention import purge_rejects

    purged = purge_rejects(now)
    return f"rejects retention: {purged.files} files of {purged.batches} loads erased"


def _files_retention(now: dt.datetime) -> str:
    from clientdesk.inquiries.retention import purge_attachments
    from clientdesk.reports.retention import purge_report_files

    reports = purge_report_files(now)
    attachments = purge_attachments(now)
    return (
        f"files retention: {reports.files} report files of {reports.runs} runs, "
        f"{attachments} inquiry attachments erased"
    )


def _implementation_surveys(now: dt.datetime) -> str:
    from clientdesk.implementations.runs import run_implementation_surveys

    return run_implementation_surveys(now).summary()


JOBS = (
    Job("inquiry SLA", dt.timedelta(minutes=5), _inquiry_sla),
    Job("scheduled reports", dt.timedelta(hours=1), _due_reports),
    Job("team reminders and accruals", dt.timedelta(hours=24), _team_nightly),
    Job("account health and calls to action", dt.timedelta(hours=24), _health_daily),
    Job("rejects retention", dt.timedelta(hours=24), _rejects_retention),
    Job("report and attachment retention", dt.timedelta(hours=24), _files_retention),
    Job("implementation surveys", dt.timedelta(hours=24), _implementation_surveys),
    Job("survey schedules and reminders", dt.timedelta(hours=24), _surveys_daily),
)


def due(jobs: tuple[Job, ...], last_run: Mapping[str, dt.datetime], now: dt.datetime) -> list[Job]:
    """The jobs whose interval has passed since their last run (all of them at first)."""
    return [j for j in jobs if j.name not in last_run or now - last_run[j.name] >= j.every]


def tick(jobs: tuple[Job, ...], last_run: dict[str, dt.datetime], now: dt.datetime) -> int:
    """Run the due jobs once, in order; record when each ran (failed ones too, so a job that
    keeps failing does not run in a tight loop). Returns how many failed."""
    failed = 0
    for job in due(jobs, last_run, now):
        last_run[job.name] = now
        try:
            log.info("clock: %s: %s", job.name, job.run(now))
        except Exception as error:  # a job's failure must not stop the others
            failed += 1
            log.error("clock: %s failed: %s: %s", job.name, type(error).__name__, error)
    return failed


def next_wake(jobs: tuple[Job, ...], last_run: Mapping[str, dt.datetime]) -> dt.datetime:
    """When the first job is next due."""
    return min(last_run[j.name] + j.every for j in jobs if j.name in last_run)
