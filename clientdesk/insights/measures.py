"""The live figures insights states about an account, in the account-measures registry
(lib/measures.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from django.db.models import Count, Q

from clientdesk.insights.models import OPEN_PROBLEM_STATUSES, EmergingIssue, IssueStatus, Problem
from clientdesk.lib.measures import ACCOUNT_MEASURES, Direction, Measure, Unit, Value

ISSUE_WINDOW_DAYS = 90
YEAR_WINDOW_DAYS = 365


def open_problems(account_ids: Sequence[int], as_of: dt.date) -> Mapping[int, Value]:
    """Problems of the account opened by `as_of` and not verified or closed (a problem closed
    since counts as closed: its status holds no history of dates). Every account has a
    figure."""
    end = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    counts = dict(
        Problem.objects.filter(
            account_id__in=account_ids, opened_at__lt=end, status__in=OPEN_PROBLEM_STATUSES
        )
        .values_list("account_id")
        .annotate(n=Count("id"))
        .values_list("account_id", "n")
    )
    return {a: Value(counts.get(a, 0), f"{counts.get(a, 0)} open problems") for a in account_ids}


def _issues_alerting(
    account_ids: Sequence[int], as_of: dt.date, days: int, words: str
) -> Mapping[int, Value]:
    since = as_of - dt.timedelta(days=days - 1)
    counts = dict(
        EmergingIssue.objects.filter(
            account_id__in=account_ids, first_alert_date__lte=as_of, last_alert_date__gte=since
        )
        .filter(~Q(status=IssueStatus.DISMISSED))
        .values_list("account_id")
        .annotate(n=Count("id"))
        .values_list("account_id", "n")
    )
    return {
        a: Value(counts.get(a, 0), f"{counts.get(a, 0)} emerging issues in {words}")
        for a in account_ids
    }


def emerging_issues(account_ids: Sequence[int], as_of: dt.date) -> Mapping[int, Value]:
    """Emerging issues of the account that alerted in the 90 days to `as_of` and were not
    dismissed. Every account has a figure."""
    return _issues_alerting(account_ids, as_of, ISSUE_WINDOW_DAYS, "90 days")


def emerging_issues_year(account_ids: Sequence[int], as_of: dt.date) -> Mapping[int, Value]:
    """Emerging issues of the account that alerted in the 12 months to `as_of` and were not
    dismissed: the service failures a sponsor remembers at its renewal (a contract year).
    Every account has a figure."""
    return _issues_alerting(account_ids, as_of, YEAR_WINDOW_DAYS, "12 months")


def register() -> None:
    ACCOUNT_MEASURES.register(
        Measure(
            "open_problems",
            "Open problems",
            Unit.COUNT,
            Direction.LOWER,
            "insights: problem records not verified or closed",
            open_problems,
        )
    )
    ACCOUNT_MEASURES.register(
        Measure(
            "emerging_issues",
            "Emerging issues (90 days)",
            Unit.COUNT,
            Direction.LOWER,
            "insights: detected issues alerting in the last 90 days, not dismissed",
            emerging_issues,
        )
    )
    ACCOUNT_MEASURES.register(
        Measure(
            "emerging_issues_12m",
            "Emerging issues (12 months)",
            Unit.COUNT,
            Direction.LOWER,
            "insights: detected issues alerting in the last 12 months, not dismissed",
            emerging_issues_year,
        )
    )
