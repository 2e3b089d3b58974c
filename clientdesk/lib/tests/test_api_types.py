"""The API's bounded types refuse what their schema says is invalid, and take what it allows."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.validators import validate_email
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from clientdesk.lib.api_types import (
    CALENDAR_DATE_PATTERN,
    EMAIL_PATTERN,
    CalendarDate,
    EmailText,
    RecordId,
)
from clientdesk.lib.record_ids import MAX_ID

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


IDS = TypeAdapter(RecordId)


def test_a_record_id_takes_a_whole_number_in_its_bounds_and_the_text_of_one() -> None:
    # A path id arrives as text; a body id as a JSON number.
    assert IDS.validate_python(1) == 1
    assert IDS.validate_python(MAX_ID) == MAX_ID
    assert IDS.validate_python("42") == 42
    assert IDS.validate_json("7") == 7


@pytest.mark.parametrize("given", [True, False, 0, MAX_ID + 1, "true", 1.5])
def test_a_record_id_refuses_a_flag_and_what_its_bounds_refuse(given: object) -> None:
    # JSON `true` was read as the id 1 by pydantic's lax mode (bench/fuzz.py --seed 22).
    with pytest.raises(ValidationError):
        IDS.validate_python(given)
    # The bounds stay JSON Schema's own words beside the flag check, so a client reads them.
    assert {k: IDS.json_schema()[k] for k in ("type", "minimum", "maximum")} == {
        "type": "integer",
        "minimum": 1,
        "maximum": MAX_ID,
    }


def test_a_record_id_in_a_json_body_refuses_true() -> None:
    with pytest.raises(ValidationError, match="an id is an integer, not true or false"):
        IDS.validate_json("true")
