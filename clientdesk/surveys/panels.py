"""What surveys shows elsewhere: the account's Surveys tab and the home page's detractors to
call back (registered in apps.py)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from clientdesk.accounts.models import Account
from clientdesk.lib.panels import Panel
from clientdesk.lib.work import WorkList
from clientdesk.people.roles import Role, roles_of
from clientdesk.surveys.access import AnyUser, follow_ups_visible_to, reads_surveys
from clientdesk.surveys.queries import account_summary, follow_up_work


def surveys_panel(user: AnyUser, account: Account, now: dt.datetime) -> Panel:
    """The Surveys tab: the 12 months' results, detractors to call back, the latest invitations."""
    return Panel("surveys/_account_section.html", account_summary(account, now))


def follow_ups_work(user: AnyUser, now: dt.datetime) -> WorkList | None:
    """Detractor follow-ups: the reader's own (an associate's accounts), every one for the
    managers. Executives read the portfolio, not this queue."""
    if not reads_surveys(user):
        return None
    if roles_of(user) <= {Role.EXECUTIVE}:
        return None
    return follow_up_work(follow_ups_visible_to(user), timezone.localdate(now))
