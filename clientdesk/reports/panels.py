"""What reports shows elsewhere: the account page's Documents tab, the stewardship reports
made for the account (registered in apps.py)."""

from __future__ import annotations

import datetime as dt

from clientdesk.accounts.access import AnyUser
from clientdesk.accounts.models import Account
from clientdesk.lib.panels import Panel
from clientdesk.reports.access import runs_visible_to

RECENT_ON_ACCOUNT = 5


def documents_panel(user: AnyUser, account: Account, now: dt.datetime) -> Panel:
    """The Documents tab: the way to a new stewardship report and the latest five made."""
    runs = (
        runs_visible_to(user)
        .filter(account=account)
        .select_related("requested_by")
        .order_by("-requested_at", "-id")[:RECENT_ON_ACCOUNT]
    )
    return Panel("reports/_account_section.html", {"runs": list(runs)})
