"""Reads of issues and problems, always starting from the caller's scope."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from clientdesk.insights.access import issues_visible_to, problems_visible_to
from clientdesk.insights.models import (
    OPEN_PROBLEM_STATUSES,
    EmergingIssue,
    IssueStatus,
    Problem,
    ProblemStatus,
)

AnyUser = AbstractBaseUser | AnonymousUser


def filtered_issues(user: AnyUser, params: dict[str, Any]) -> QuerySet[EmergingIssue]:
    qs = issues_visible_to(user).select_related("account", "problem")
    if params.get("account"):
        qs = qs.filter(account=params["account"])
    if params.get("family"):
        qs = qs.filter(family=params["family"])
    if params.get("status"):
        qs = qs.filter(status=params["status"])
    if params.get("level") == "book":
        qs = qs.filter(account__isnull=True)
    elif params.get("level") == "account":
        qs = qs.filter(account__isnull=False)
    return qs.order_by("-first_alert_date", "-id")


def issue_stats(qs: QuerySet[EmergingIssue]) -> dict[str, int]:
    return {
        "issues": qs.count(),
        "new": qs.filter(status=IssueStatus.NEW).count(),
        "with_problem": qs.filter(status=IssueStatus.PROBLEM).count(),
        "book_level": qs.filter(account__isnull=True).count(),
    }


def problem_columns(user: AnyUser) -> list[tuple[str, str, list[Problem]]]:
    """The board: one column per status, the user's problems in each."""
    problems = list(
        problems_visible_to(user).select_related("account", "owner").prefetch_related("actions")
    )
    return [
        (value, label, [p for p in problems if p.status == value])
        for value, label in ProblemStatus.choices
    ]


def account_insights(user: AnyUser, account_id: int) -> dict[str, Any]:
    """What the account page shows: the account's recent issues and open problems."""
    issues = issues_visible_to(user).filter(account_id=account_id).order_by("-first_alert_date")
    problems = problems_visible_to(user).filter(
        account_id=account_id, status__in=OPEN_PROBLEM_STATUSES
    )
    return {"insight_issues": list(issues[:5]), "insight_problems": list(problems[:5])}
