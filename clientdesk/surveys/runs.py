"""The surveys' daily job, run by the clock (`web/clock.py`): the recurring relationship
surveys that are due, then the one reminder of invitations left unanswered."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from clientdesk.surveys.actions import do_run_schedule, do_send_reminders
from clientdesk.surveys.models import SurveySchedule
from clientdesk.surveys.tasks import enqueue_send


@dataclass(frozen=True)
class DailyRun:
    due: int  # schedules due today or earlier
    sent: int  # of them, sent (the others had nobody to ask: the reason is on the schedule)
    invited: int
    reminded: int


def run_schedules(today: dt.date, now: dt.datetime | None = None) -> tuple[int, int, int]:
    """Send every active schedule due on or before today, each in its own transaction (one
    account's failure leaves the others sent). Run twice, the second run sends nothing.
    Returns (due, sent, invited)."""
    now = now or timezone.now()
    due = list(
        SurveySchedule.objects.filter(is_active=True, next_on__lte=today)
        .order_by("next_on", "pk")
        .values_list("pk", flat=True)
    )
    sent = invited = 0
    for schedule_id in due:
        send = do_run_schedule(schedule_id, today, enqueue=enqueue_send, now=now)
        if send is not None:
            sent += 1
            invited += send.invited
    return len(due), sent, invited


def run_daily(now: dt.datetime) -> DailyRun:
    today = timezone.localdate(now)
    due, sent, invited = run_schedules(today, now)
    reminded = do_send_reminders(now=now, acting_user=None)
    return DailyRun(due, sent, invited, reminded)
