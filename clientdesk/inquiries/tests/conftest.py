"""Building inquiries for the tests through the real actions, at frozen times."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import time_machine

from clientdesk.accounts.models import Account
from clientdesk.inquiries import actions
from clientdesk.inquiries.models import Inquiry
from clientdesk.testing import Cast

OpenInquiry = Callable[..., Inquiry]
Committed = Callable[[], Any]


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, us: int = 0
) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, us, tzinfo=dt.UTC)


@pytest.fixture
def open_inquiry(cast: Cast) -> OpenInquiry:
    """open_inquiry(at=utc(...), account=..., by=user, **fields): an inquiry opened through
    do_create_inquiry with the clock frozen at `at`."""

    def _open(
        *, at: dt.datetime, account: Account | None = None, by: Any = None, **fields: Any
    ) -> Inquiry:
        account = account or cast.acme
        data: dict[str, Any] = {
            "requester_type": "sponsor",
            "contact": cast.acme_contact if account == cast.acme else None,
            "channel": "phone",
            "category": "claims",
            "subcategory": "claim_status",
            "priority": "normal",
            "subject": "Claim for an MRI still pending",
            "description": "The sponsor's HR team asks why the claim is pending.",
            **fields,
        }
        if data["contact"] is None and data["requester_type"] == "sponsor":
            data["requester_type"] = "broker"
            data.setdefault("broker_name", "Lockton")
        with time_machine.travel(at, tick=False):
            return actions.do_create_inquiry(account, data, acting_user=by or cast.mia)

    return _open


def at(moment: dt.datetime) -> Any:
    """A frozen clock for a block of the test."""
    return time_machine.travel(moment, tick=False)


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Committed:
    """with committed(): ... runs the on-commit callbacks (mail) the block queued, as a real
    commit would (the test's own transaction never commits)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
