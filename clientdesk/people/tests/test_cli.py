"""The CLI's one stand-in user (`CliUser`) and the one lookup of a command's --user."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management.base import CommandError

import clientdesk
from clientdesk.people.cli import CliUser, active_user
from clientdesk.people.roles import Role, roles_of
from clientdesk.testing import Cast


def test_the_cli_is_an_admin_without_a_private_cache() -> None:
    cli = CliUser()
    assert roles_of(cli) == frozenset({Role.ADMIN})
    assert not hasattr(cli, "_clientdesk_roles")  # answered by type, nothing cached on it
    assert (cli.pk, cli.get_username()) == (None, "clientdesk CLI")


def test_a_commands_user_must_be_active(cast: Cast) -> None:
    assert active_user("alice") == cast.alice
    cast.bob.is_active = False
    cast.bob.save()
    with pytest.raises(CommandError, match=r"^No active user 'bob'\.$"):
        active_user("bob")
    with pytest.raises(CommandError, match="No active user 'nobody'"):
        active_user("nobody")


def test_no_other_stand_in_sets_the_roles_cache() -> None:
    # Only roles_of writes the per-request roles cache; stand-in users once set it themselves.
    root = Path(clientdesk.__file__).parent
    setter = "_clientdesk_roles = " + "frozenset"  # split, so this file is not one
    found = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if setter in path.read_text(encoding="utf-8")
    ]
    assert found == []
