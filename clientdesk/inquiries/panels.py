"""What inquiries shows elsewhere: the account page's Service tab (inquiries and account
escalations) and the home page's late inquiries (registered in apps.py)."""

from __future__ import annotations

import datetime as dt

from clientdesk.accounts.access import AnyUser
from clientdesk.accounts.models import Account
from clientdesk.inquiries.queries import account_inquiry_summary, work_list
from clientdesk.lib.panels import Panel
from clientdesk.lib.work import WorkList
from clientdesk.people.roles import EDITS_ASSIGNED_ACCOUNTS, SEES_ALL_ACCOUNTS, roles_of


def inquiries_panel(user: AnyUser, account: Account, now: dt.datetime) -> Panel:
    """The Service tab's inquiries: open, breached and at-risk counts, the latest eight, and
    the open account escalations (the summary the escalation page shows too)."""
    return Panel("inquiries/_account_section.html", account_inquiry_summary(account, now))


def inquiries_work(user: AnyUser, now: dt.datetime) -> WorkList | None:
    """Late and nearly late inquiries, for the roles that work accounts."""
    if not roles_of(user) & (SEES_ALL_ACCOUNTS | EDITS_ASSIGNED_ACCOUNTS):
        return None
    return work_list(user, now)
