"""Who gets an inquiry: routing over the account team (round robin, least loaded, the lead
first), optionally only associates competent in the category; and the escalation target."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import User
from django.db.models import Count

from clientdesk.accounts.models import Account, Assignment
from clientdesk.inquiries import conf
from clientdesk.inquiries.models import (
    ACTIVE_STATUSES,
    Competence,
    Inquiry,
    RoutingMethod,
    RoutingRule,
)
from clientdesk.lib.skills import SKILL_SOURCES
from clientdesk.people.roles import Role

TEAM_ROLE_ORDER = {"lead": 0, "backup": 1, "analyst": 2}


def team_members(account_id: int) -> list[User]:
    """Active associates on the account team, the lead first, then backups and analysts."""
    assignments = (
        Assignment.objects.filter(
            account_id=account_id, user__is_active=True, user__groups__name=Role.ASSOCIATE
        )
        .select_related("user")
        .order_by("user_id")
    )
    ordered = sorted(assignments, key=lambda a: (TEAM_ROLE_ORDER.get(a.role, 9), a.user_id))
    return [a.user for a in ordered]


def managers() -> list[User]:
    return list(
        User.objects.filter(groups__name=Role.MANAGER, is_active=True).order_by("last_name", "id")
    )


def open_loads(user_ids: Iterable[int]) -> dict[int, int]:
    """Active inquiries owned by each user."""
    ids = list(user_ids)
    counts = (
        Inquiry.objects.filter(owner_id__in=ids, status__in=ACTIVE_STATUSES)
        .values("owner_id")
        .annotate(n=Count("id"))
    )
    loads = dict.fromkeys(ids, 0)
    loads.update({row["owner_id"]: row["n"] for row in counts})
    return loads


def rule_for(account: Account) -> tuple[str, bool]:
    rule = RoutingRule.objects.filter(account=account).first()
    if rule is None:
        return conf.ROUTING, False
    return rule.method, rule.use_competence


def competent(users: list[User], category: str) -> list[User]:
    ids = set(
        Competence.objects.filter(user__in=users, category=category).values_list(
            "user_id", flat=True
        )
    )
    return [u for u in users if u.pk in ids]


def choose_owner(account: Account, category: str) -> tuple[User | None, str]:
    """The owner the account's routing rule picks for a new inquiry, and the method used."""
    method, use_competence = rule_for(account)
    if method == RoutingMethod.MANUAL:
        return None, method
    candidates = team_members(account.pk)
    if use_competence:
        candidates = competent(candidates, category) or candidates
        # Skills other apps keep (the team's records: segments, products), via lib/skills.py.
        skilled = SKILL_SOURCES.fitting([u.pk for u in candidates], account.pk, category)
        if skilled:
            candidates = [u for u in candidates if u.pk in skilled] or candidates
    if not candidates:
        return None, method
    if method == RoutingMethod.ACCOUNT_TEAM:
        return candidates[0], method
    if method == RoutingMethod.ROUND_ROBIN:
        last = (
            Inquiry.objects.filter(account=account, assigned_by=RoutingMethod.ROUND_ROBIN)
            .exclude(owner=None)
            .order_by("-created_at", "-id")
            .values_list("owner_id", flat=True)
            .first()
        )
        ids = [u.pk for u in candidates]
        position = (ids.index(last) + 1) % len(ids) if last in ids else 0
        return candidates[position], method
    loads = open_loads(u.pk for u in candidates)
    return min(candidates, key=lambda u: (loads[u.pk], candidates.index(u))), method


def escalation_owner(
    account_id: int, current_owner_id: int | None, loads: dict[int, int]
) -> User | None:
    """The least-loaded associate on the account team other than the current owner, else the
    least-loaded manager. `loads` is a running tally the caller keeps across reassignments."""
    team = [u for u in team_members(account_id) if u.pk != current_owner_id]
    pool = team or [u for u in managers() if u.pk != current_owner_id]
    if not pool:
        return None
    missing = [u.pk for u in pool if u.pk not in loads]
    if missing:
        loads.update(open_loads(missing))
    return min(pool, key=lambda u: (loads[u.pk], pool.index(u)))
