"""The roles of DESIGN.md §1, kept as Django groups."""

from __future__ import annotations

from enum import StrEnum

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group
from django.core.exceptions import PermissionDenied

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
    names = set(user.groups.values_list("name", flat=True))  # type: ignore[attr-defined]
    roles = {role for role in Role if role.value in names}
    if getattr(user, "is_superuser", False):
        roles.add(Role.ADMIN)
    result = frozenset(roles)
    setattr(user, "_clientdesk_roles", result)  # noqa: B010  (a per-request cache on the user)
    return result


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
