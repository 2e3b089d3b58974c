"""The named test cast. Every test starts from it and builds extra data through real actions.

ada    Admin (superuser, staff)          sees and changes everything
mia    Manager                           every account, changes them
alice  Associate, lead on Acme           the owner
bob    Associate, backup on Acme         a teammate
oscar  Associate, lead on Bayside only   an outsider to Acme
eve    Executive                         reads the whole portfolio, changes nothing
sam    Service operations partner        no accounts
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection

from clientdesk.accounts import actions
from clientdesk.accounts.models import Account, Contact, Contract
from clientdesk.people.roles import Role, ensure_role_groups

PASSWORD = "correct-horse-battery-staple"

T = TypeVar("T")


@dataclass
class Cast:
    ada: User
    mia: User
    alice: User
    bob: User
    oscar: User
    eve: User
    sam: User
    acme: Account
    bayside: Account
    acme_contact: Contact
    acme_contract: Contract

    def users(self) -> dict[str, User]:
        return {n: getattr(self, n) for n in ("ada", "mia", "alice", "bob", "oscar", "eve", "sam")}


def make_user(username: str, role: Role, first: str, last: str) -> User:
    ensure_role_groups()
    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        first_name=first,
        last_name=last,
        email=f"{username}@example.org",
    )
    user.groups.add(Group.objects.get(name=role.value))
    if role == Role.ADMIN:
        user.is_staff = True
        user.is_superuser = True
        user.save()
    return user


def make_cast() -> Cast:
    ada = make_user("ada", Role.ADMIN, "Ada", "Admin")
    mia = make_user("mia", Role.MANAGER, "Mia", "Manager")
    alice = make_user("alice", Role.ASSOCIATE, "Alice", "Owner")
    bob = make_user("bob", Role.ASSOCIATE, "Bob", "Teammate")
    oscar = make_user("oscar", Role.ASSOCIATE, "Oscar", "Outsider")
    eve = make_user("eve", Role.EXECUTIVE, "Eve", "Executive")
    sam = make_user("sam", Role.SERVICE_OPS, "Sam", "Serviceops")
    acme = actions.do_create_account(
        {
            "name": "Acme Steel Works",
            "group_number": "G100001",
            "segment": "commercial",
            "funding": "aso",
            "tier": "key",
            "employees": 1200,
            "members": 2900,
            "state": "OH",
            "region": "Midwest",
            "timezone": "America/New_York",
            "broker": "Gallagher",
            "effective_date": dt.date(2019, 1, 1),
            "renewal_date": dt.date(2027, 1, 1),
        },
        acting_user=mia,
    )
    bayside = actions.do_create_account(
        {
            "name": "Bayside Carpenters Health Fund",
            "group_number": "G100002",
            "segment": "labor_fund",
            "funding": "aso",
            "employees": 800,
            "members": 2100,
            "state": "CA",
            "region": "West",
            "timezone": "America/Los_Angeles",
            "effective_date": dt.date(2020, 7, 1),
            "renewal_date": dt.date(2027, 7, 1),
        },
        acting_user=mia,
    )
    actions.do_assign(acme, alice, "lead", acting_user=mia)
    actions.do_assign(acme, bob, "backup", acting_user=mia)
    actions.do_assign(bayside, oscar, "lead", acting_user=mia)
    contact = actions.do_add_contact(
        acme,
        {
            "name": "Dana Whitfield",
            "title": "Director, Total Rewards",
            "role": "benefits_manager",
            "email": "dana.whitfield@acme.example",
            "phone": "614-555-0100",
            "is_primary": True,
        },
        acting_user=alice,
    )
    contract = actions.do_create_contract(
        acme,
        {
            "number": "C-G100001-2025",
            "start_date": dt.date(2025, 1, 1),
            "end_date": dt.date(2026, 12, 31),
            "products": ["medical", "pharmacy"],
            "admin_fee_pepm": Decimal("38.50"),
        },
        acting_user=mia,
    )
    return Cast(ada, mia, alice, bob, oscar, eve, sam, acme, bayside, contact, contract)


def known(value: T | None) -> T:
    """A value the test has just made sure exists (a metric's actual, a trend): it narrows the
    optional type for the checker and fails the test plainly where the value is missing."""
    assert value is not None, "expected a value, found None"  # noqa: S101  (a test helper)
    return value


def streamed(response: object) -> list[bytes]:
    """The body of a streamed download (a file or an export) as the test client holds it."""
    chunks = getattr(response, "streaming_content", None)
    assert chunks is not None, "expected a streamed response"  # noqa: S101  (a test helper)
    return [bytes(chunk) for chunk in chunks]


# SQLite's in-memory test database (a shared cache, what a SQLite run of the suite uses) locks
# tables without waiting (SQLITE_LOCKED ignores the busy timeout), so 20 threads writing at once
# fail there on the test database alone; the app's file database takes its writers one at a time
# (BEGIN IMMEDIATE), where a row lock does nothing either. The races the tests marked so catch
# are PostgreSQL's, and they run in its suite (`make test-postgres`).
simultaneous = pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite takes writers one at a time; the in-memory test database refuses, not waits",
)


def run_at_once(work: list[threading.Thread]) -> None:
    """Start the threads (each waits on a shared barrier to begin together) and wait for all of
    them, failing if one is still running after a minute."""
    for thread in work:
        thread.start()
    for thread in work:
        thread.join(timeout=60)
    running = sum(thread.is_alive() for thread in work)
    if running:
        raise AssertionError(f"{running} of {len(work)} threads still running after a minute")
