"""Who a management command acts as: the user its --user option names, or the CLI itself."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.management.base import CommandError


class CliUser:
    """The CLI acting without --user. It reads every account, as an admin does (`roles_of`
    answers Admin for it, with no group to look up), and it has no user row: a write it makes
    records no actor, and the audit trail shows "system"."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_superuser = True
    pk = None

    def __init__(self, label: str = "clientdesk CLI") -> None:
        self.label = label

    def get_username(self) -> str:
        return self.label


def active_user(username: str) -> User:
    """The active user a command's option names (CommandError when there is none)."""
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"No active user {username!r}.")
    return user
