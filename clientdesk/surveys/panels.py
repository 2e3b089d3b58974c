"""What surveys shows elsewhere: the account's Surveys tab and the home page's detractors to
call back (registered in apps.py)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from clientdesk.accounts.access import accounts_visible_to
from clientdesk.accounts.models import Account
from clientdesk.lib import formatting
from clientdesk.lib.panels import Panel
from clientdesk.lib.work import WorkItem, WorkList
from clientdesk.people.roles import SEES_ALL_ACCOUNTS, Role, roles_of
from clientdesk.surveys.access import AnyUser, follow_ups_visible_to, reads_surveys
from clientdesk.surveys.queries import (
    account_summary,
    follow_up_work,
    months_back,
    satisfaction_by_account,
)
from clientdesk.surveys.satisfaction import Counts, Figures

SATISFACTION_MONTHS = 12
LOWEST_SHOWN = 3


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


def satisfaction_work(user: AnyUser, now: dt.datetime) -> WorkList | None:
    """The portfolio's satisfaction for the roles that read every account (an executive's home
    is the portfolio): NPS and % satisfied over the last 12 months from every source, and the
    accounts with the lowest NPS first. The same metric as the Surveys pages and the health
    score (`satisfaction_by_account`)."""
    if not roles_of(user) & SEES_ALL_ACCOUNTS:
        return None
    today = timezone.localdate(now)
    first = months_back(today, SATISFACTION_MONTHS)
    names = dict(accounts_visible_to(user).values_list("id", "name"))
    counts = satisfaction_by_account(user, list(names), first, today)
    total = sum(counts.values(), Counts())
    book = Figures(total)
    scored = sorted(
        ((Figures(c).nps, account_id) for account_id, c in counts.items() if c.nps_n),
        key=lambda pair: (pair[0], names[pair[1]]),
    )
    items = [
        WorkItem(
            title=names[account_id],
            detail=f"NPS {formatting.number(nps, 0)} from "
            f"{formatting.count(counts[account_id].nps_n)} answers",
            url=reverse("accounts:tab", args=[account_id, "surveys"]),
            urgent=nps is not None and nps < 0,
        )
        for nps, account_id in scored[:LOWEST_SHOWN]
    ]
    summary = (
        f"NPS {formatting.number(book.nps, 0)} · {formatting.percent(book.csat, 0)} satisfied · "
        f"{formatting.count(total.responses)} answers, {formatting.month(first)} to "
        f"{formatting.month(today)}"
        if total.responses
        else ""
    )
    return WorkList(
        key="satisfaction",
        heading="Satisfaction, the lowest NPS first",
        total=len(scored),
        url=reverse("surveys:results"),
        empty="No survey answers in the last 12 months.",
        items=items,
        summary=summary,
    )
