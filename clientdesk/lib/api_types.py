"""Bounded types for the REST API, so a value the database cannot hold is refused as a 422.

A path id or a page offset beyond a 64-bit integer reached the database and came back as an
`OverflowError` (SQLite) or a `DataError` (PostgreSQL): a 500. Declared here with their bounds,
django-ninja refuses them with the field named, and the OpenAPI schema states the bounds, so a
client (or a fuzzer) knows what is valid before it asks.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
import re
import types
import typing
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Annotated, Any, Literal, TypeVar, Union

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination
from pydantic import (
    BeforeValidator,
    GetJsonSchemaHandler,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    WithJsonSchema,
    WrapValidator,
    field_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError

from clientdesk.lib.record_ids import MAX_ID

# A page never asks for more rows than this; the list routes say so in their schema.
MAX_PAGE_SIZE = 500
# An offset past a billion rows is a mistake, not a page: refused rather than sent to the database.
MAX_OFFSET = 1_000_000_000


def _not_a_boolean(value: Any) -> Any:
    """Pydantic's lax mode reads JSON `true` as the integer 1: an id is a number, never a flag."""
    if isinstance(value, bool):
        raise ValueError("an id is an integer, not true or false")
    return value


RecordId = Annotated[
    int,
    Field(ge=1, le=MAX_ID, description="A record's id."),
    # After the bounds, so the schema keeps them as `minimum` and `maximum`.
    BeforeValidator(_not_a_boolean),
]


def _takes_a_number(annotation: Any) -> bool:
    """Whether a field's type admits an integer (or a list of them) and no boolean."""
    if typing.get_origin(annotation) is Annotated:
        return _takes_a_number(typing.get_args(annotation)[0])
    if typing.get_origin(annotation) in (Union, types.UnionType):
        members = typing.get_args(annotation)
        return bool not in members and any(_takes_a_number(m) for m in members)
    if typing.get_origin(annotation) is list:
        return _takes_a_number(typing.get_args(annotation)[0])
    return annotation is int


class _NullNotOffered:
    """`Omittable`'s schema: the value's own type, without the null that only means "not
    sent"."""

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        stated = handler(schema)
        null = {"type": "null"}
        if null not in stated.get("anyOf", []):
            raise TypeError(f"Omittable wraps `X | None`, not {stated}")
        values = [choice for choice in stated["anyOf"] if choice != null]
        rest = {key: value for key, value in stated.items() if key != "anyOf"}
        return {**rest, **values[0]} if len(values) == 1 else {**rest, "anyOf": values}


T = TypeVar("T")

# A body field a client may leave out (a change names only the fields it changes): null reads
# as "not sent", and the schema does not offer it. Pydantic takes `X | None` as one nullable
# type, so a refused value answers one error at the field's own `loc`. The union this replaces,
# `X | SkipJsonSchema[None]`, answered two, each naming its member after the field:
# `["body", "renewal_date", "function-after[…]"]`, then "Input should be None".
Omittable = Annotated[T | None, _NullNotOffered()]


Choice = TypeVar("Choice", bound=enum.Enum)


def _one_refusal(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    """`ChoiceOrBlank`'s refusal: one error at the field, naming every value it takes, instead
    of one per member of the union with the member's name after the field's in its `loc`."""
    try:
        return handler(value)
    except ValidationError as refused:
        expected = [
            str(e["ctx"]["expected"]) for e in refused.errors() if "expected" in e.get("ctx", {})
        ]
        choices = [e for e in expected if e != "''"]
        if not choices:
            raise
        raise PydanticCustomError(
            "enum", "Input should be {expected}, or ''", {"expected": choices[0]}
        ) from None


# One of an enumeration's values, or "" (none chosen; sent to clear one).
ChoiceOrBlank = Annotated[Choice | Literal[""], WrapValidator(_one_refusal)]


class InputSchema(Schema):
    """A request body. Pydantic's lax mode reads JSON `true` and `false` as the integers 1 and
    0, so `"members": false` was stored as 0 though the schema says integer (the fuzz, seed
    23): a number field, or a list of them, refuses a boolean with the field named."""

    @field_validator("*", mode="before")
    @classmethod
    def _numbers_are_not_flags(cls, value: Any, info: ValidationInfo) -> Any:
        name = info.field_name
        if name is not None and _takes_a_number(cls.model_fields[name].annotation):
            values = value if isinstance(value, list) else [value]
            if any(isinstance(v, bool) for v in values):
                raise ValueError("Enter a number, not true or false.")
        return value


class Page(LimitOffsetPagination):
    """`limit` (1 to 500, 50 by default) and `offset` (0 to 1e9), both stated in the schema."""

    class Input(Schema):
        limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE, description="Rows per page (at most 500).")
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Rows to skip.")

    def paginate_queryset(
        self,
        queryset: QuerySet[Any],
        pagination: Input,  # type: ignore[override]
        request: HttpRequest,
        **params: Any,
    ) -> Any:
        offset = pagination.offset
        limit = min(pagination.limit, MAX_PAGE_SIZE)
        return {
            self.items_attribute: queryset[offset : offset + limit],
            "count": self._items_count(queryset),
        }


class StaleEditOut(Schema):
    """409: someone saved the record after the version the client sent; nothing was saved."""

    detail: str
    version: int = Field(description="The stored version now: send it to save over it.")
    saved: dict[str, Any] = Field(description="The stored record now, field by field.")


# A period code as lib/periods.py reads it (the range form `2025-04..2026-03` is accepted too,
# but not offered: its ends must also be in order, which a pattern cannot say).
_YEAR = r"(19|20)[0-9]{2}"
_MON = _YEAR + r"-(0[1-9]|1[0-2])"
PERIOD_PATTERN = rf"^({_MON}|{_YEAR}-?[Qq][1-4]|{_YEAR}|[Rr]12-{_MON})$"
MONTH_PATTERN = rf"^{_MON}$"
PeriodCode = Annotated[
    str, Field(pattern=PERIOD_PATTERN, description="2026-03, 2026Q1, 2026 or R12-2026-03.")
]
# The same, stated in the schema but read by the route's form, after access is decided (a
# period the reader may not ask for answers 403/404 before its spelling is judged).
PeriodText = Annotated[
    str,
    Field(max_length=40),
    WithJsonSchema(
        {"type": "string", "pattern": PERIOD_PATTERN, "description": "2026-03, 2026Q1 or 2026."}
    ),
]
MonthCode = Annotated[str, Field(pattern=MONTH_PATTERN, description="YYYY-MM, e.g. 2026-03.")]

# Free text the database keeps: PostgreSQL's text holds no NUL character, so the schema says
# none is sent. Swagger UI draws the example of a patterned string from its pattern, which for
# "anything but NUL" is random characters (a note's body read `8O5wU0]%nx_9lN7]@|hM4~`): these
# types give it the example Swagger gives any other text, "string".
_TEXT_EXAMPLE = ["string"]
Text = Annotated[str, Field(pattern=r"^[^\x00]*$", examples=_TEXT_EXAMPLE)]
# Text that says something: not blank once trimmed as the forms trim it (str.strip, which also
# takes the ASCII separators U+001C to U+001F; the schema's regular expressions count them as
# characters), and no NUL character.
Said = Annotated[
    str,
    Field(pattern=r"^[^\x00]*[^\s\x00\x1c-\x1f][^\x00]*$", examples=_TEXT_EXAMPLE),
]
# A text the form trims and checks for length: no blank at either end, so its length is the
# one the form counts.
Trimmed = Annotated[
    str,
    Field(
        pattern=r"^$|^[^\s\x00\x1c-\x1f]([^\x00]*[^\s\x00\x1c-\x1f])?$",
        examples=_TEXT_EXAMPLE,
    ),
]

# A date that business-day arithmetic starts from (a plan's effective date, scheduled back over
# up to decades of tasks): years 1900 to 2199. Python's dates end at years 1 and 9999, so year
# 0001 overflowed inside the calendar (a 500). JSON Schema has no minimum for a date string:
# the schema says the range with a pattern beside the format.
FIRST_CALENDAR_DATE = dt.date(1900, 1, 1)
LAST_CALENDAR_DATE = dt.date(2199, 12, 31)
CALENDAR_DATE_PATTERN = r"^(19|2[01])[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"

# An email address as Django's EmailValidator takes it, narrowed to what a pattern can say
# exactly (a dot-atom local part, an ASCII host name; not quoted local parts, IP literals or
# IDN hosts), or empty. Declared and enforced on the API, so the schema is the rule.
EMAIL_PATTERN = (
    r"^$|^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
EmailText = Annotated[
    str,
    Field(
        max_length=254,
        pattern=EMAIL_PATTERN,
        description="An email address (name@host.example), or empty.",
    ),
]


def _calendar_date_text(value: Any) -> Any:
    """Only the text the schema states: pydantic would read `0.0` or `20260101` as a date."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and re.fullmatch(CALENDAR_DATE_PATTERN, value):
        return value
    raise ValueError("Enter a date from 1900-01-01 to 2199-12-31 as YYYY-MM-DD.")


CalendarDate = Annotated[
    dt.date,
    BeforeValidator(_calendar_date_text),
    Field(ge=FIRST_CALENDAR_DATE, le=LAST_CALENDAR_DATE),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date",
            "pattern": CALENDAR_DATE_PATTERN,
            "description": "A date from 1900-01-01 to 2199-12-31 (YYYY-MM-DD).",
        }
    ),
]


def _places(places: int) -> Decimal:
    return Decimal(1).scaleb(-places)


def decimal_in(
    *,
    max_digits: int,
    places: int,
    minimum: int | None = None,
    maximum: int | None = None,
    pattern: str | None = None,
    description: str = "",
) -> Any:
    """A decimal in a request, with the bounds of the column that stores it, said in the schema.

    Sent as a plain decimal string (`"12.50"`), it is read exactly: more than `places` decimal
    places or `max_digits` digits is refused (422), and the schema's pattern says so. Sent as a
    JSON number, it is a binary float, never exact (0.1 is 0.1000000000000000055…): it is read
    to `places` decimal places (half to even), so any number within the stated bounds is taken.
    The bounds are whole numbers inside the column's digits, so a rounded number stays inside;
    bounds narrower than the digits need a `pattern` for the string form that says them.
    """
    whole = max_digits - places
    top = 10**whole - 1 if maximum is None else maximum
    bottom = -top if minimum is None else minimum
    step = _places(places)

    def read_number(value: Any) -> Any:
        if isinstance(value, float) and math.isfinite(value) and bottom <= value <= top:
            return Decimal(repr(value)).quantize(step, rounding=ROUND_HALF_EVEN)
        return value

    if pattern is None and (top != 10**whole - 1 or bottom not in (0, -top)):
        raise ValueError("bounds narrower than the digits need a pattern for the string form")
    sign = "-?" if bottom < 0 else ""
    fraction = rf"(\.[0-9]{{1,{places}}})?" if places else ""
    said = description or (
        f"From {bottom:,} to {top:,}: a decimal string with at most {places} decimal places, or "
        f"a JSON number (read to {places} decimal places)."
    )
    return Annotated[
        Decimal,
        BeforeValidator(read_number),
        Field(
            ge=bottom,
            le=top,
            allow_inf_nan=False,
            max_digits=max_digits,
            decimal_places=places,
            description=said,
        ),
        WithJsonSchema(
            {
                "anyOf": [
                    {"type": "number", "minimum": bottom, "maximum": top},
                    {
                        "type": "string",
                        "pattern": pattern or rf"^{sign}[0-9]{{1,{whole}}}{fraction}$",
                    },
                ],
                "description": said,
            }
        ),
    ]


# An amount in a request with 4 decimal places (a guarantee's target, tiers and at-risk value).
Amount = decimal_in(max_digits=14, places=4)
# A percentage in a request, 0 to 100.
Percent = decimal_in(
    max_digits=7,
    places=4,
    minimum=0,
    maximum=100,
    pattern=r"^(100(\.0{1,4})?|[0-9]{1,2}(\.[0-9]{1,4})?)$",
)
