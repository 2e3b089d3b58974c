"""Numbers, money, percentages, dates and times as every page, export, PDF and deck writes them.

One set of rules, so a figure reads the same wherever it appears:

* A missing value is an em dash, "—"; zero is written as zero ("$0.00", "0.0 %").
* Negative numbers carry a real minus sign (U+2212, `MINUS`), before the currency: minus
  $54.62 is written `MINUS + "$54.62"`, never "-$54.62" or "$-54.62".
* Between a number and its unit (%, pp, K, M, B) a narrow no-break space, U+202F, that keeps
  the two on one line: "12.3 %", "$2.5 M", "+9.8 pp".
* Rounding is half up (half a cent becomes a cent), on the decimal value as written, so a
  float such as 2.675 rounds to 2.68 rather than to its binary neighbour 2.67.
* Percentages are of values already in percent (12.3 means 12.3 %), except `share`, which
  takes a fraction (a probability of 0.05 is "5 %").
* A difference between two percentages is in percentage points ("+9.8 pp"), never a percent
  of a difference.
* Money is in cents where cents matter (a PMPM, an amount owed) and in whole dollars where
  they are noise (`money(value, 0)`: an expected penalty, a fee at risk); large totals in
  one line can be compact (`money_compact`: "$2.5 M").
* Dates as "Mar 5, 2026"; months as "Mar 2026"; a moment as "Mar 5, 2026, 2:05 p.m." in the
  reader's time zone.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from zoneinfo import ZoneInfo

DASH = "—"
MINUS = "\u2212"
THIN = "\u202f"  # narrow no-break space, between a number and its unit

Number = int | float | Decimal | Fraction
_COMPACT = ((Decimal(10) ** 3, "K"), (Decimal(10) ** 6, "M"), (Decimal(10) ** 9, "B"))


def to_decimal(value: object) -> Decimal | None:
    """The value as an exact decimal; None for None, "" and anything that is not a number."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, Fraction):
        return Decimal(value.numerator) / Decimal(value.denominator)
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def round_half_up(value: Decimal, places: int) -> Decimal:
    """`value` to `places` decimals, halves away from zero."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _digits(amount: Decimal, places: int) -> tuple[str, str]:
    """(sign, digits with thousands separators) of the rounded amount; -0 has no sign."""
    rounded = round_half_up(amount, places)
    sign = MINUS if rounded < 0 else ""
    return sign, f"{abs(rounded):,.{places}f}"


def number(value: object, places: int = 1) -> str:
    """1,234.5 (negative with a minus sign); — when missing."""
    amount = to_decimal(value)
    if amount is None:
        return DASH
    sign, digits = _digits(amount, places)
    return sign + digits


def count(value: object) -> str:
    """A whole count with thousands separators: 1,234; — when missing."""
    return number(value, 0)


def money(value: object, places: int = 2) -> str:
    """$1,234.56 (negative with a minus sign before the $); `places=0` for whole dollars
    ($1,672); — when missing."""
    amount = to_decimal(value)
    if amount is None:
        return DASH
    sign, digits = _digits(amount, places)
    return f"{sign}${digits}"


def signed_money(value: object, places: int = 2) -> str:
    """A change of money: +$12.00, $0.00, or a minus sign before the $; — when missing."""
    amount = to_decimal(value)
    if amount is None:
        return DASH
    text = money(amount, places)
    return "+" + text if round_half_up(amount, places) > 0 else text


def money_compact(value: object) -> str:
    """Money in a few characters: $950, $4.2 K, $250 K, $2.5 M, $1.3 B; — when missing.

    One decimal below ten units (K, M or B), none from ten up."""
    amount = to_decimal(value)
    if amount is None:
        return DASH
    size = abs(amount)
    if round_half_up(size, 0) < 1000:
        return money(amount, 0)
    index = max(i for i, (scale, _) in enumerate(_COMPACT) if i == 0 or size >= scale)
    while True:
        scale, unit = _COMPACT[index]
        scaled = amount / scale
        places = 1 if round_half_up(abs(scaled), 1) < 10 else 0
        if round_half_up(abs(scaled), places) >= 1000 and index + 1 < len(_COMPACT):
            index += 1  # 999,960 is "$1.0 M", not "$1,000 K"
            continue
        sign, digits = _digits(scaled, places)
        return f"{sign}${digits}{THIN}{unit}"


def percent(value: object, places: int = 1) -> str:
    """A value in percent: 12.3 % (negative with a minus sign); — when missing."""
    amount = to_decimal(value)
    if amount is None:
        return DASH
    return f"{number(amount, places)}{THIN}%"


def signed_percent(value: object, places: int = 1) -> str:
    """A relative change in percent: +12.3 %, 0.0 %, or a minus sign; — when missing."""
    amount = to_decimal(value)
    if amount is None:
        return DASH
    text = percent(amount, places)
    return "+" + text if round_half_up(amount, places) > 0 else text


def points(value: object, places: int = 1) -> str:
    """A difference of two percentages in percentage points: +1.2 pp, 0.0 pp, or a minus
    sign; — when missing."""
    amount = to_decimal(value)
    if amount is None:
        return DASH
    sign = "+" if round_half_up(amount, places) > 0 else ""
    return f"{sign}{number(amount, places)}{THIN}pp"


def share(value: object, places: int = 0) -> str:
    """A fraction (a probability, a rate from 0 to 1) in percent: 0.05 is 5 %."""
    amount = to_decimal(value)
    if amount is None:
        return DASH
    return percent(amount * 100, places)


# One vocabulary for the three badges every page draws (the CSS classes bad, warn, ok):
# what they ask of the reader.
SEVERITY_WORDS = {"bad": "Act", "warn": "Watch", "ok": "Good"}


def severity(value: str) -> str:
    """A badge's word for its class: bad → Act, warn → Watch, ok → Good."""
    return SEVERITY_WORDS.get(value, value.capitalize())


def date(value: dt.date | None) -> str:
    """Mar 5, 2026; — when missing (a datetime is written as its date)."""
    if value is None:
        return DASH
    return f"{value:%b} {value.day}, {value.year}"


def short_date(value: dt.date | None) -> str:
    """Mar 5 (inside a sentence or a table that names the year); — when missing."""
    if value is None:
        return DASH
    return f"{value:%b} {value.day}"


def month(value: dt.date | None) -> str:
    """Mar 2026; — when missing."""
    if value is None:
        return DASH
    return f"{value:%b} {value.year}"


def clock(value: dt.datetime | dt.time) -> str:
    """2:05 p.m. (12-hour, minutes always, never seconds)."""
    hour = value.hour % 12 or 12
    return f"{hour}:{value.minute:02d} {'a.m.' if value.hour < 12 else 'p.m.'}"


def moment(value: dt.datetime | None, zone: dt.tzinfo | str | None = None) -> str:
    """Mar 5, 2026, 2:05 p.m. in `zone` (an aware datetime is converted to it); — when
    missing. The one way a time is written: no seconds, no microseconds."""
    if value is None:
        return DASH
    if zone is not None and value.tzinfo is not None:
        value = value.astimezone(ZoneInfo(zone) if isinstance(zone, str) else zone)
    return f"{date(value)}, {clock(value)}"
