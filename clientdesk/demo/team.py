"""The demo team: one user per role, eight associates, and who serves which account."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import Group, User
from django.db import transaction

from clientdesk.accounts import actions
from clientdesk.accounts.models import Account, Assignment
from clientdesk.people import mfa
from clientdesk.people.roles import Role, ensure_role_groups

DEMO_PASSWORD = "clientdesk-demo"  # noqa: S105  (the published demo password)


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
    DemoUser("sales", "Sofia", "Marquez", Role.SALES),
]


@transaction.atomic
def ensure_demo_users() -> dict[str, User]:
    """Create every missing demo user with the demo password. A user that already exists is
    left exactly as it is: `clientdesk demo` run against a real database must never reset
    anyone's password (the demo one is published) nor change their role."""
    ensure_role_groups()
    users: dict[str, User] = {}
    for spec in DEMO_USERS:
        user, created = User.objects.get_or_create(username=spec.username)
        if not created:
            users[spec.username] = user
            continue
        user.first_name, user.last_name = spec.first_name, spec.last_name
        user.email = f"{spec.username}@clientdesk.example"
        user.is_staff = user.is_superuser = spec.role == Role.ADMIN
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.groups.set([Group.objects.get(name=spec.role.value)])
        users[spec.username] = user
    return users


def demo_authenticators(password: str, usernames: list[str]) -> dict[str, str]:
    """The authenticator key (base32) of each named user who still signs in with the
    published `password`, made for them if they have none. A user with a password of their
    own keeps their authenticator unseen and untouched."""
    keys: dict[str, str] = {}
    for user in User.objects.filter(username__in=usernames, is_active=True).order_by("pk"):
        if not user.check_password(password):
            continue
        device = mfa.totp_device(user) or mfa.do_seed_device(user, acting_user=None)
        keys[user.username] = mfa.secret_base32(device)
    return keys


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
