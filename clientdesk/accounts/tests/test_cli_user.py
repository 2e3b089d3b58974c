"""The CLI's stand-in user (`people.cli.CliUser`) reads the whole book, as an admin does."""

from __future__ import annotations

from clientdesk.accounts.access import access_account_by_reference, accounts_visible_to
from clientdesk.people.cli import CliUser
from clientdesk.testing import Cast


def test_the_cli_reads_every_account(cast: Cast) -> None:
    cli = CliUser()
    names = set(accounts_visible_to(cli).values_list("name", flat=True))  # type: ignore[arg-type]
    assert names == {"Acme Steel Works", "Bayside Carpenters Health Fund"}
    found = access_account_by_reference(cli, "g100002")  # type: ignore[arg-type]
    assert found == cast.bayside
