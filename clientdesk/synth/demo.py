"""The demo team: one user per role, eight associates, and who serves which account."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import Group, User
from django.db import transaction

from clientdesk.accounts import actions
from clientdesk.accounts.models import Account, Assignment
from clientdesk.people.roles import Role, ensure_role_groups

DEMO_PASSWORD = "clientdesk-demo"  # noqa: S105  (the published demo password)
DETECTION_LOOKBACK_DAYS = 90
"""The demo shows the emerging issues of the book's last quarter."""


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    role: Role


DEMO_USERS = [
    DemoUser("admin", "Avery", "Stone", Role.ADMIN),
    DemoUser("manager", "Monica", "Reyes", Role.MANAGER),
    DemoUser("associate", "Andre", "Powell", Role.ASSOCIATE),
    DemoUser("associate2", "Grace", "Liu", Role.ASSOCIATE),
    DemoUser("associate3", "Samuel", "Okafor", Role.ASSOCIATE),
    DemoUser("associate4", "Hannah", "Brooks", Role.ASSOCIATE),
    DemoUser("associate5", "Luis", "Ortega", Role.ASSOCIATE),
    DemoUser("associate6", "Priya", "Nair", Role.ASSOCIATE),
    DemoUser("associate7", "Tom", "Kowalski", Role.ASSOCIATE),
    DemoUser("associate8", "Rachel", "Adams", Role.ASSOCIATE),
    DemoUser("executive", "Eleanor", "Vance", Role.EXECUTIVE),
    DemoUser("serviceops", "Marcus", "Bell", Role.SERVICE_OPS),
    DemoUser("serviceops2", "Ines", "Carvalho", Role.SERVICE_OPS),
]


@transaction.atomic
def ensure_demo_users() -> dict[str, User]:
    """Create (or reset) every demo user with the demo password."""
    ensure_role_groups()
    users: dict[str, User] = {}
    for spec in DEMO_USERS:
        user, _ = User.objects.get_or_create(username=spec.username)
        user.first_name, user.last_name = spec.first_name, spec.last_name
        user.email = f"{spec.username}@clientdesk.example"
        user.is_staff = user.is_superuser = spec.role == Role.ADMIN
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.groups.set([Group.objects.get(name=spec.role.value)])
        users[spec.username] = user
    return users


@transaction.atomic
def assign_demo_team(users: dict[str, User], *, today: dt.date) -> int:
    """Round-robin: each account gets a lead and a backup associate; returns assignments made."""
    associates = [users[u.username] for u in DEMO_USERS if u.role == Role.ASSOCIATE]
    manager = users["manager"]
    made = 0
    for index, account in enumerate(Account.objects.order_by("group_number")):
        if Assignment.objects.filter(account=account).exists():
            continue
        lead = associates[index % len(associates)]
        backup = associates[(index + 3) % len(associates)]
        since = max(account.effective_date, today - dt.timedelta(days=400 + 37 * index))
        actions.do_assign(account, lead, "lead", acting_user=manager, since=since)
        actions.do_assign(account, backup, "backup", acting_user=manager, since=since)
        made += 2
    return made


def last_day_of_data(start: dt.date, months: int) -> dt.date:
    """The last day a book of `months` months from `start` (a first of month) covers."""
    index = start.year * 12 + start.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1) - dt.timedelta(days=1)


def run_demo_analyses(
    *, acting_user: User, data_end: dt.date, today: dt.date, say: Callable[[str], object]
) -> None:
    """What a team's nightly jobs would have done after the book was loaded: the derived
    tables of the utilization marts built, the inquiries of the lake's `inquiry_import` feed
    in the work queues with their SLA clocks, every guarantee evaluated and forecast, and
    emerging issues detected over the last quarter. Each step is idempotent, so running this
    again changes nothing."""
    from clientdesk.guarantees.runs import run_book
    from clientdesk.inquiries.importing import import_from_lake
    from clientdesk.inquiries.sla import run_sla
    from clientdesk.insights.runs import detect_and_store
    from clientdesk.lake.gateway import prepare_derived

    clock = time.perf_counter()
    built = prepare_derived()  # the utilization marts, once per load, not on the first page
    say(f"derived tables: {sum(len(names) for names in built.values())} built")
    imported = import_from_lake(acting_user=acting_user)
    sla = run_sla(now=None)
    say(f"inquiries: {imported.message} SLA: {sla.at_risk} at risk, {sla.breached} breached")
    stored, forecasts = run_book(acting_user=acting_user, today=today, as_of=data_end)
    say(
        f"guarantees: {stored.created} results stored, {stored.new_misses} misses; "
        f"{forecasts.stored} forecasts, {forecasts.alerts_opened} risk alerts opened"
    )
    found = detect_and_store(
        data_end, since=data_end - dt.timedelta(days=DETECTION_LOOKBACK_DAYS),
        acting_user=acting_user,
    )  # fmt: skip
    say(f"emerging issues: {found['issues']} from {found['alerts']} alerts since {found['since']}")
    say(f"analyses done in {time.perf_counter() - clock:.0f} s")
