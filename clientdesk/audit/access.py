"""Who may read the audit trail: Managers and Admins (DESIGN.md §1)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied

from clientdesk.people.roles import READS_AUDIT, roles_of


def can_read_audit(user: AbstractBaseUser | AnonymousUser) -> bool:
    return bool(roles_of(user) & READS_AUDIT)


def require_audit_reader(user: AbstractBaseUser | AnonymousUser) -> None:
    if not can_read_audit(user):
        raise PermissionDenied("Only managers and admins read the audit trail.")
