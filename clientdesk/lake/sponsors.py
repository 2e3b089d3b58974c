"""Plan sponsors (accounts) that a data load creates with `--create-accounts`.

A file may name sponsor groups the account book does not have yet. With --create-accounts
each such group becomes an Account through the account book's own action, with these
defaults (review them on the account page afterwards):

- name: the most frequent `group_name` of the group's rows, else "Sponsor <group number>";
- group_number: the row's `group_id`, upper-cased;
- segment, funding, tier, status: commercial, ASO, standard, active;
- state: the most frequent member `state` of the group's rows, else the most common state of
  the existing accounts, else NY; region and timezone follow from the state;
- effective_date: the first of the month of the group's earliest date in the file
  (enrollment start, service date or event time), else the first of this month;
- renewal_date: the first anniversary of effective_date after today;
- members, employees: distinct person_id / subscriber_id of the group's rows, else 0.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils import timezone

from clientdesk.accounts.actions import do_create_account
from clientdesk.accounts.models import Account, Funding, Segment

REGION_STATES = {
    "Northeast": "CT ME MA NH RI VT NJ NY PA",
    "Midwest": "IL IN MI OH WI IA KS MN MO NE ND SD",
    "South": "DE DC FL GA MD NC SC VA WV AL KY MS TN AR LA OK TX PR",
    "West": "AZ CO ID MT NV NM UT WY AK CA HI OR WA",
}
TIMEZONE_STATES = {
    "America/New_York": "CT DE DC FL GA IN KY ME MD MA MI NH NJ NY NC OH PA RI SC VT VA WV",
    "America/Chicago": "AL AR IL IA KS LA MN MS MO NE ND OK SD TN TX WI",
    "America/Denver": "CO ID MT NM UT WY",
    "America/Phoenix": "AZ",
    "America/Los_Angeles": "CA NV OR WA",
    "America/Anchorage": "AK",
    "Pacific/Honolulu": "HI",
    "America/Puerto_Rico": "PR",
}
STATE_REGION = {
    state: region for region, states in REGION_STATES.items() for state in states.split()
}
STATE_TIMEZONE = {state: tz for tz, states in TIMEZONE_STATES.items() for state in states.split()}
FALLBACK_STATE = "NY"


@dataclass(frozen=True)
class NewSponsor:
    """What a file says about a sponsor group the account book lacks."""

    group_number: str
    group_name: str | None
    state: str | None
    earliest: dt.date | None
    members: int
    employees: int


def _default_state(candidate: str | None) -> str:
    if candidate in STATE_REGION:
        return str(candidate)
    common = Counter(Account.objects.values_list("state", flat=True)).most_common(1)
    return common[0][0] if common else FALLBACK_STATE


def _renewal_after(effective: dt.date, today: dt.date) -> dt.date:
    years = max(1, today.year - effective.year)
    while True:
        try:
            renewal = effective.replace(year=effective.year + years)
        except ValueError:  # 29 February
            renewal = effective.replace(year=effective.year + years, day=28)
        if renewal > today:
            return renewal
        years += 1


def account_fields(sponsor: NewSponsor, *, today: dt.date) -> dict[str, object]:
    """The new account's fields (see the module docstring for the defaults)."""
    state = _default_state(sponsor.state)
    earliest = sponsor.earliest or today
    effective = earliest.replace(day=1)
    name = (sponsor.group_name or "").strip() or f"Sponsor {sponsor.group_number}"
    return {
        "name": name[:200],
        "group_number": sponsor.group_number,
        "segment": Segment.COMMERCIAL,
        "funding": Funding.ASO,
        "state": state,
        "region": STATE_REGION.get(state, "Northeast"),
        "timezone": STATE_TIMEZONE.get(state, "America/New_York"),
        "effective_date": effective,
        "renewal_date": _renewal_after(effective, today),
        "members": sponsor.members,
        "employees": sponsor.employees,
    }


@transaction.atomic
def create_sponsor_accounts(
    sponsors: list[NewSponsor], *, acting_user: AbstractBaseUser | AnonymousUser | None
) -> dict[str, int]:
    """Create one account per new sponsor group; returns group number -> account id."""
    today = timezone.localdate()
    created: dict[str, int] = {}
    for sponsor in sponsors:
        account = do_create_account(
            account_fields(sponsor, today=today),
            acting_user=acting_user,  # type: ignore[arg-type]  # the action takes any user or None
        )
        created[account.group_number] = account.pk
    return created
