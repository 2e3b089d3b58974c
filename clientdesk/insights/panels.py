"""What insights shows elsewhere: the account page's emerging issues and open problems (in
the Service tab) and the home page's new issues, owned problems and corrective actions
(registered in apps.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from clientdesk.accounts.models import Account
from clientdesk.insights.access import can_browse_issues, issues_visible_to, problems_visible_to
from clientdesk.insights.models import OPEN_PROBLEM_STATUSES
from clientdesk.insights.queries import (
    AnyUser,
    action_work_list,
    issue_work_list,
    problem_work_list,
)
from clientdesk.lib.panels import Panel
from clientdesk.lib.work import WorkList
from clientdesk.people.roles import Role, roles_of


def account_insights(user: AnyUser, account_id: int) -> dict[str, Any]:
    """What the account page shows: the account's recent issues and open problems."""
    issues = issues_visible_to(user).filter(account_id=account_id).order_by("-first_alert_date")
    problems = problems_visible_to(user).filter(
        account_id=account_id, status__in=OPEN_PROBLEM_STATUSES
    )
    return {"insight_issues": list(issues[:5]), "insight_problems": list(problems[:5])}


def insights_panel(user: AnyUser, account: Account, now: dt.datetime) -> Panel:
    """The Service tab's emerging issues (the five newest) and open problems (five)."""
    return Panel("insights/_account_section.html", account_insights(user, account.pk))


def issues_work(user: AnyUser, now: dt.datetime) -> WorkList | None:
    """New emerging issues, for the readers of the issue pages."""
    return issue_work_list(user) if can_browse_issues(user) else None


def problems_work(user: AnyUser, now: dt.datetime) -> WorkList | None:
    """The open problems a service-operations partner owns."""
    return problem_work_list(user) if Role.SERVICE_OPS in roles_of(user) else None


def actions_work(user: AnyUser, now: dt.datetime) -> WorkList:
    """The reader's corrective actions, for everyone (anyone may own one)."""
    return action_work_list(user, timezone.localdate(now))
