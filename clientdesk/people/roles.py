"""The roles of DESIGN.md §1, kept as Django groups."""

from __future__ import annotations

from enum import StrEnum

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group
from django.core.exceptions import PermissionDenied
from django.db import connections, router

from clientdesk.people.cli import CliUser


class Role(StrEnum):
    MANAGER = "Manager"
    ASSOCIATE = "Associate"
    EXECUTIVE = "Executive"
    SERVICE_OPS = "Service operations"
    ADMIN = "Admin"
    SALES = "Sales"  # sales and marketing partner: leads and opportunities, no account data


# What each role may do with accounts, in one table (access.py reads it).
SEES_ALL_ACCOUNTS = {Role.ADMIN, Role.MANAGER, Role.EXECUTIVE}
EDITS_ASSIGNED_ACCOUNTS = {Role.ASSOCIATE}
MANAGES_ACCOUNTS = {Role.ADMIN, Role.MANAGER}
READS_AUDIT = {Role.ADMIN, Role.MANAGER}
# Sales works leads and opportunities passed to it (growth/access.py); it is in none of the
# account sets above, so accounts.access gives it no account, member or lake data.
WORKS_SALES = {Role.SALES}


def ensure_role_groups() -> None:
    """Make the role groups that are missing: one query when they all exist (every user made
    in a test or the demo asks)."""
    wanted = {role.value for role in Role}
    present = set(Group.objects.filter(name__in=wanted).values_list("name", flat=True))
    for name in sorted(wanted - present):
        Group.objects.get_or_create(name=name)


def roles_of(user: AbstractBaseUser | AnonymousUser | CliUser) -> frozenset[Role]:
    """The user's roles; cached on the user object for the request. The CLI without --user
    is an admin."""
    if isinstance(user, CliUser):
        return frozenset({Role.ADMIN})
    if not user.is_authenticated:
        return frozenset()
    cached: frozenset[Role] | None = getattr(user, "_clientdesk_roles", None)
    if cached is not None:
        return cached
    names = _group_names(user.pk)
    roles = {role for role in Role if role.value in names}
    if getattr(user, "is_superuser", False):
        roles.add(Role.ADMIN)
    result = frozenset(roles)
    setattr(user, "_clientdesk_roles", result)  # noqa: B010  (a per-request cache on the user)
    return result


# The user's group names in one fixed statement (bound user id): what user.groups.values_list()
# asks, without building the query through the ORM on every request (every page asks once; the
# ORM's build was a third of the floor page's queries' CPU: bench/page_cpu.py --floor).
# Django's own tables for the auth models; a test checks these names against their _meta.
GROUP_NAMES_SQL = (
    "SELECT auth_group.name FROM auth_group INNER JOIN auth_user_groups "
    "ON auth_user_groups.group_id = auth_group.id WHERE auth_user_groups.user_id = %s"
)


def _group_names(user_id: int | None) -> set[str]:
    with connections[router.db_for_read(Group)].cursor() as cursor:
        cursor.execute(GROUP_NAMES_SQL, [user_id])
        return {name for (name,) in cursor.fetchall()}


def primary_role(user: AbstractBaseUser | AnonymousUser) -> Role | None:
    roles = roles_of(user)
    for role in (
        Role.ADMIN,
        Role.MANAGER,
        Role.ASSOCIATE,
        Role.EXECUTIVE,
        Role.SERVICE_OPS,
        Role.SALES,
    ):
        if role in roles:
            return role
    return None


def can_read_audit(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Managers and admins read the audit trail (DESIGN.md §1)."""
    return bool(roles_of(user) & READS_AUDIT)


def require_audit_reader(user: AbstractBaseUser | AnonymousUser) -> None:
    if not can_read_audit(user):
        raise PermissionDenied("Only managers and admins read the audit trail.")
