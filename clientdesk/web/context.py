"""Template context shared by every page: the navigation the user's roles allow."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from clientdesk.accounts.access import can_read_audit
from clientdesk.people.roles import Role, primary_role, roles_of


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if not user.is_authenticated:
        return {}
    roles = roles_of(user)
    role = primary_role(user)
    return {
        "nav_role": role.value if role else "No role",
        "nav_can_audit": can_read_audit(user),
        "nav_is_admin": Role.ADMIN in roles and user.is_staff,
        "nav_sees_accounts": bool(roles - {Role.SERVICE_OPS}),
    }
