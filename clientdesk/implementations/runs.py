"""End-to-end jobs of the implementations app, called by the clock (web/clock.py) and the CLI.

`run_implementation_surveys`: every day, each plan whose survey is due (go-live + N days,
`survey_timing`) is sent the implementation survey through the survey app, once
(`actions.do_send_implementation_survey` locks the plan and records the send).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from clientdesk.implementations import actions
from clientdesk.implementations.models import MAX_SURVEY_AFTER_DAYS, Implementation
from clientdesk.implementations.survey_timing import GRACE_DAYS, after_days, survey_is_due
from clientdesk.lib.survey_service import SendOutcome


@dataclass
class SurveyRun:
    due: int = 0
    sent: int = 0
    invited: int = 0
    skipped: int = 0
    # plan id -> why nothing was sent (no survey, no contact): tried again the next day
    not_sent: dict[int, str] = field(default_factory=dict)

    def summary(self) -> str:
        text = (
            f"implementation surveys: {self.due} due, {self.sent} sent "
            f"({self.invited} invited, {self.skipped} left out)"
        )
        if self.not_sent:
            reasons = sorted(set(self.not_sent.values()))
            text += f"; {len(self.not_sent)} not sent: {'; '.join(reasons)}"
        return text


def due_plans(now: dt.datetime) -> list[Implementation]:
    """The plans whose survey is due today (each in its account's own today)."""
    # Only plans live within the last N + grace days can be due; N is at most the model's cap.
    horizon = timezone.localdate(now) - dt.timedelta(days=MAX_SURVEY_AFTER_DAYS + GRACE_DAYS + 1)
    plans = Implementation.objects.filter(
        went_live_on__isnull=False, went_live_on__gte=horizon, survey_sent_at__isnull=True
    ).select_related("account")
    return [
        p
        for p in plans.order_by("went_live_on", "pk")
        if survey_is_due(
            p.went_live_on,
            after_days(p.survey_after_days),
            p.survey_sent_at,
            actions.today_in(p.account, now),
        )
    ]


def run_implementation_surveys(now: dt.datetime | None = None) -> SurveyRun:
    """Send every due implementation survey (each plan in its own transaction)."""
    now = now or timezone.now()
    run = SurveyRun()
    for plan in due_plans(now):
        run.due += 1
        outcome: SendOutcome = actions.do_send_implementation_survey(plan, now=now)
        if outcome.sent and not outcome.reason:
            run.sent += 1
            run.invited += outcome.invited
            run.skipped += outcome.skipped
        elif not outcome.sent:
            run.not_sent[plan.pk] = outcome.reason
    return run
