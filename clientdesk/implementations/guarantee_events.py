"""The implementation guarantees' events, counted from the plans for the guarantees app
(lib/guarantee_events.py): it defines the metrics in its library and evaluates them like
every other guarantee, without importing this app.

- ``implementation_id_cards``: one event per approved plan with an ID-card task, dated by
  its effective date once that date has come; met when the task is done and its actual
  finish is at least N business days (the account's business calendar, as the plan's
  schedule counts them) before the effective date.
- ``implementation_milestones``: one event per readiness milestone of an approved plan
  (production eligibility load, ID cards, test claims, service training, go-live), dated by
  its baseline finish date, counted once that date has come or the task is done; met when
  the task is done by that date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from clientdesk.accounts.models import Account
from clientdesk.implementations.actions import business_days
from clientdesk.implementations.models import (
    Implementation,
    PlanStatus,
    Task,
    TaskKind,
    TaskStatus,
)
from clientdesk.lib.guarantee_events import GUARANTEE_EVENTS, EventCount
from clientdesk.lib.survey_service import IMPLEMENTATION, SURVEY_SERVICE

ID_CARDS = "implementation_id_cards"
MILESTONES = "implementation_milestones"
SATISFACTION = "implementation_satisfaction"
DEFAULT_ID_CARD_LEAD = 10  # business days; the guarantees library's default threshold
READINESS_MILESTONES = (
    TaskKind.ELIGIBILITY_LOAD,
    TaskKind.ID_CARDS,
    TaskKind.TEST_CLAIMS,
    TaskKind.TRAINING,
    TaskKind.GO_LIVE,
)


def _plans(account_ids: Sequence[int] | None) -> list[Implementation]:
    plans = Implementation.objects.exclude(status=PlanStatus.DRAFT).select_related("account")
    if account_ids is not None:
        plans = plans.filter(account_id__in=list(account_ids))
    return list(plans)


def id_card_events(
    account_ids: Sequence[int] | None,
    first: dt.date,
    last: dt.date,
    threshold: int | None,
    today: dt.date,
) -> list[EventCount]:
    lead_needed = DEFAULT_ID_CARD_LEAD if threshold is None else threshold
    plans = [p for p in _plans(account_ids) if first <= p.effective_date <= min(last, today)]
    cards: dict[int, Task] = {}
    for task in Task.objects.filter(implementation__in=plans, kind=TaskKind.ID_CARDS).order_by(
        "-position", "-id"
    ):
        cards[task.implementation_id] = task  # the first ID-card task of each plan
    out = []
    for plan in plans:
        card = cards.get(plan.pk)
        if card is None:
            continue
        mailed = card.actual_finish if card.status == TaskStatus.DONE else None
        if mailed is None:
            met, words = False, f"{plan.name}: ID cards not mailed by {plan.effective_date}"
        else:
            days = business_days(plan)
            lead = days.offset(plan.effective_date) - days.offset(mailed)
            met = lead >= lead_needed
            words = (
                f"{plan.name}: ID cards mailed {mailed}, {lead} business days before"
                f" {plan.effective_date}"
            )
        out.append(EventCount(plan.account_id, plan.effective_date, float(met), 1.0, 0.0, words))
    return out


def milestone_events(
    account_ids: Sequence[int] | None,
    first: dt.date,
    last: dt.date,
    threshold: int | None,
    today: dt.date,
) -> list[EventCount]:
    plans = {p.pk: p for p in _plans(account_ids) if p.baseline}
    out = []
    for task in Task.objects.filter(
        implementation_id__in=list(plans), kind__in=READINESS_MILESTONES
    ).order_by("implementation_id", "position", "id"):
        plan = plans[task.implementation_id]
        saved = plan.baseline.get(task.ref) or ["", ""]
        if not saved[1]:
            continue
        due = dt.date.fromisoformat(saved[1])
        done = task.actual_finish if task.status == TaskStatus.DONE else None
        if not first <= due <= last or (due > today and done is None):
            continue
        met = done is not None and done <= due
        when = f"done {done}" if done is not None else "not done"
        words = f"{plan.name}: {task.ref} {task.name}, due {due}, {when}"
        out.append(EventCount(plan.account_id, due, float(met), 1.0, 0.0, words))
    return out


def satisfaction_events(
    account_ids: Sequence[int] | None,
    first: dt.date,
    last: dt.date,
    threshold: int | None,
    today: dt.date,
) -> list[EventCount]:
    """One event per implementation-survey answer with a CSAT, answered on an account-local
    day in first..min(last, today): met = the CSAT, squares = its square."""
    accounts = (
        Account.objects.all()
        if account_ids is None
        else Account.objects.filter(pk__in=list(account_ids))
    )
    zones = {pk: ZoneInfo(zone) for pk, zone in accounts.values_list("id", "timezone")}
    last = min(last, today)
    if not zones or last < first:
        return []
    # A day either side in UTC holds every account-local day of first..last.
    start = dt.datetime.combine(first - dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    end = dt.datetime.combine(last + dt.timedelta(days=2), dt.time(), tzinfo=dt.UTC)
    out = []
    for answer in SURVEY_SERVICE.answers(IMPLEMENTATION, sorted(zones), start, end):
        if answer.answered_at is None or answer.csat is None:
            continue
        day = answer.answered_at.astimezone(zones[answer.account_id]).date()
        if not first <= day <= last:
            continue
        score = float(answer.csat)
        words = f"implementation survey answer {answer.response_id}: CSAT {answer.csat}, {day}"
        out.append(EventCount(answer.account_id, day, score, 1.0, score * score, words))
    return sorted(out, key=lambda e: (e.account_id, e.day, e.detail))


def register() -> None:
    GUARANTEE_EVENTS.register(ID_CARDS, id_card_events)
    GUARANTEE_EVENTS.register(MILESTONES, milestone_events)
    GUARANTEE_EVENTS.register(SATISFACTION, satisfaction_events)
