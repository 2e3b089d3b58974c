"""The Overview's strategy and team parts are kept per reader and account until the next write
or minute (lake/memo.py ReaderMemo): a view again reads nothing, a write is seen at once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clientdesk.accounts import actions
from clientdesk.accounts.models import Account
from clientdesk.lib.panels import Panel
from clientdesk.strategy.panels import overview_panel
from clientdesk.team.panels import team_panel
from clientdesk.testing import Cast

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 27, 15, 0, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize("build", [overview_panel, team_panel])
def test_a_panel_is_read_again_only_after_a_write_or_for_another_account(
    cast: Cast, build: Callable[[Any, Account, dt.datetime], Panel]
) -> None:
    first = build(cast.alice, cast.acme, NOW)
    with CaptureQueriesContext(connection) as again:
        kept = build(cast.alice, cast.acme, NOW + dt.timedelta(seconds=20))
    assert kept.context is first.context
    # What the key costs: the last audit row and batch (the roles are the user's own cache).
    assert len(again.captured_queries) <= 3
    other = build(cast.mia, cast.bayside, NOW)
    assert other.context is not first.context
    assert build(cast.mia, cast.acme, NOW).context is not first.context  # another reader
    actions.do_assign(cast.acme, cast.oscar, "backup", acting_user=cast.mia)  # a write
    assert build(cast.alice, cast.acme, NOW).context is not first.context
    next_minute = NOW + dt.timedelta(minutes=1)
    assert build(cast.alice, cast.acme, next_minute).context is not first.context
