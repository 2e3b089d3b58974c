"""What utilization shows elsewhere: the account page's Utilization tab (registered in
apps.py). No lake read here, so the tab stays as fast as the rest of the account page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from clientdesk.accounts.access import AnyUser
from clientdesk.accounts.models import Account
from clientdesk.lib.panels import Panel
from clientdesk.utilization.forms import default_period


def account_page_section(account: Account, today: dt.date) -> dict[str, Any]:
    """A link to the analysis of the default period: the rolling 12 months with complete
    claims as of ``today``."""
    period = default_period(today)
    return {"period_label": period.label, "period_code": period.code, "account_id": account.pk}


def utilization_panel(user: AnyUser, account: Account, now: dt.datetime) -> Panel:
    """The Utilization tab: what the analysis holds and the way into it."""
    section = account_page_section(account, timezone.localdate(now))
    return Panel("utilization/_account_section.html", {"utilization": section})
