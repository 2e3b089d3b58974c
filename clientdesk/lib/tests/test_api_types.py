"""The API's bounded types refuse what their schema says is invalid, and take what it allows."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.validators import validate_email
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from clientdesk.lib.api_types import CALENDAR_DATE_PATTERN, EMAIL_PATTERN, CalendarDate, EmailText

DATES = TypeAdapter(CalendarDate)


@pytest.mark.parametrize(
    ("given", "read"),
    [
        ("1900-01-01", dt.date(1900, 1, 1)),
        ("2026-03-31", dt.date(2026, 3, 31)),
        ("2199-12-31", dt.date(2199, 12, 31)),
        (dt.date(2030, 6, 1), dt.date(2030, 6, 1)),
    ],
)
def test_a_calendar_date_takes_the_dates_its_schema_allows(given: object, read: dt.date) -> None:
    assert DATES.validate_python(given) == read
    if isinstance(given, str):
        assert re.fullmatch(CALENDAR_DATE_PATTERN, given)


@pytest.mark.parametrize(
    "given",
    # Year 1 overflowed in the business calendar; a number is no date (pydantic reads 0.0 as
    # 1970-01-01 by itself); 30 February matches the pattern but is no date.
    ["0001-01-01", "1899-12-31", "2200-01-01", "0.0", 0, 20260101, "2026-02-30", "2026-3-1"],
)
def test_a_calendar_date_refuses_what_its_schema_refuses(given: object) -> None:
    with pytest.raises(ValidationError):
        DATES.validate_python(given)
    assert DATES.json_schema()["pattern"] == CALENDAR_DATE_PATTERN


@settings(max_examples=200, deadline=None)
@given(st.from_regex(EMAIL_PATTERN, fullmatch=True))
def test_every_address_the_email_pattern_allows_django_takes(address: str) -> None:
    if address:
        validate_email(address)  # raises for one it would refuse
    assert TypeAdapter(EmailText).validate_python(address) == address


@pytest.mark.parametrize("address", ["h", "!\r\u00f1", "a@b", "a@@b.com", "a b@c.com", "x@-a.com"])
def test_the_email_pattern_refuses_what_django_refuses(address: str) -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(EmailText).validate_python(address)
