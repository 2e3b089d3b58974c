"""Figures as users read them: the exact strings of every rule of lib/formatting.py.

U+2212 is the minus sign and U+202F the narrow no-break space between a number and its unit;
the expected strings spell them out so a look-alike cannot pass.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clientdesk.lib.formatting import (
    DASH,
    MINUS,
    THIN,
    count,
    date,
    moment,
    money,
    money_compact,
    month,
    number,
    percent,
    points,
    round_half_up,
    severity,
    share,
    short_date,
    signed_money,
    signed_percent,
)

assert (MINUS, THIN, DASH) == ("\u2212", "\u202f", "\u2014")


def test_money_has_a_real_minus_before_the_dollar() -> None:
    assert money(Decimal("-54.62")) == "\u2212$54.62"
    assert money(-54.62) == "\u2212$54.62"
    assert money(1234567.891) == "$1,234,567.89"
    assert money(0) == "$0.00"
    assert money(Decimal("-0.004")) == "$0.00"  # rounds to zero: no sign
    assert signed_money(12) == "+$12.00"
    assert signed_money(Decimal("-54.62")) == "\u2212$54.62"
    assert signed_money(0) == "$0.00"


def test_whole_dollars_where_cents_are_noise() -> None:
    assert money(Decimal("1672.40"), 0) == "$1,672"
    assert money(Decimal("3343.50"), 0) == "$3,344"  # half up
    assert money(-2.5, 0) == "\u2212$3"  # half away from zero


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (950, "$950"),
        (999.4, "$999"),
        (999.6, "$1.0\u202fK"),
        (4_200, "$4.2\u202fK"),
        (9_960, "$10\u202fK"),
        (250_000, "$250\u202fK"),
        (999_960, "$1.0\u202fM"),
        (2_520_000, "$2.5\u202fM"),
        (Decimal("-2500000"), "\u2212$2.5\u202fM"),
        (1_300_000_000, "$1.3\u202fB"),
    ],
)
def test_compact_money(value: object, text: str) -> None:
    assert money_compact(value) == text


def test_percentages_changes_and_points() -> None:
    assert percent(Decimal("12.345")) == "12.3\u202f%"  # 12.345 -> 12.3 (one place)
    assert percent(Decimal("12.35")) == "12.4\u202f%"  # half up
    assert percent(6.17, 2) == "6.17\u202f%"
    assert percent(-4) == "\u22124.0\u202f%"
    assert percent(0) == "0.0\u202f%"
    assert signed_percent(12.3) == "+12.3\u202f%"
    assert signed_percent(-9.8) == "\u22129.8\u202f%"
    assert signed_percent(Decimal("0.04")) == "0.0\u202f%"  # no sign on what reads as zero
    assert points(Decimal("-9.8")) == "\u22129.8\u202fpp"
    assert points(Decimal("11.6")) == "+11.6\u202fpp"
    assert points(0) == "0.0\u202fpp"
    assert share(0.05) == "5\u202f%"
    assert share(Fraction(1, 8), 1) == "12.5\u202f%"


def test_numbers_and_counts() -> None:
    assert number(1234.56) == "1,234.6"
    assert number(-3.25, 1) == "\u22123.3"
    assert number(Decimal("2.675"), 2) == "2.68"
    assert number(2.675, 2) == "2.68"  # the float as written, not its binary neighbour 2.67
    assert count(1234) == "1,234"
    assert count(0) == "0"


@pytest.mark.parametrize(
    "formatter",
    [money, signed_money, money_compact, percent, signed_percent, points, share, number, count],
)
@pytest.mark.parametrize("missing", [None, "", "n/a", float("nan"), True])
def test_missing_is_a_dash(formatter: object, missing: object) -> None:
    assert callable(formatter)
    assert formatter(missing) == "\u2014"


def test_dates_and_one_time_format() -> None:
    assert date(dt.date(2026, 3, 5)) == "Mar 5, 2026"
    assert short_date(dt.date(2026, 3, 5)) == "Mar 5"
    assert month(dt.date(2026, 3, 5)) == "Mar 2026"
    assert date(None) == short_date(None) == month(None) == moment(None) == "\u2014"
    instant = dt.datetime(2026, 3, 5, 19, 5, 42, 123456, tzinfo=dt.UTC)
    assert moment(instant, "America/New_York") == "Mar 5, 2026, 2:05 p.m."
    assert moment(instant, ZoneInfo("America/Los_Angeles")) == "Mar 5, 2026, 11:05 a.m."
    assert moment(dt.datetime(2026, 3, 5, 0, 30, tzinfo=dt.UTC), "UTC") == "Mar 5, 2026, 12:30 a.m."
    assert moment(dt.datetime(2026, 3, 5, 12, 0, tzinfo=dt.UTC), "UTC") == "Mar 5, 2026, 12:00 p.m."


amounts = st.decimals(
    min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=3, allow_nan=False
)


@given(amounts)
def test_money_reads_back_as_the_rounded_amount(value: Decimal) -> None:
    text = money(value)
    negative = text.startswith(MINUS)
    digits = text.removeprefix(MINUS).removeprefix("$").replace(",", "")
    back = Decimal(digits) * (-1 if negative else 1)
    assert back == round_half_up(value, 2)
    assert "-" not in text and (negative == (back < 0))


@given(amounts)
def test_compact_money_is_short_and_keeps_the_sign(value: Decimal) -> None:
    text = money_compact(value)
    assert len(text) <= 9
    assert text.startswith(MINUS) == (
        round_half_up(value, 0) < 0 if abs(value) < 999 else value < 0
    )


def test_every_template_loads_the_same_rules() -> None:
    from django.template import Context, Template
    from django.utils import timezone

    page = Template(
        "{% load formatting %}{{ owed|money }} | {{ owed|money:0 }} | {{ big|money_compact }} | "
        "{{ rate|percent }} | {{ change|signed_percent }} | {{ gap|points }} | {{ p|share }} | "
        "{{ n|count }} | {{ none|money }} | {{ when|day }} | {{ when|moment }}"
    )
    with timezone.override("America/Chicago"):
        text = page.render(
            Context(
                {
                    "owed": Decimal("-54.62"),
                    "big": 2_520_000,
                    "rate": 12.3,
                    "change": 12.3,
                    "gap": Decimal("-9.8"),
                    "p": 0.05,
                    "n": 1672,
                    "none": None,
                    "when": dt.datetime(2026, 3, 1, 3, 30, tzinfo=dt.UTC),
                }
            )
        )
    assert text == (
        "\u2212$54.62 | \u2212$55 | $2.5\u202fM | 12.3\u202f% | +12.3\u202f% | \u22129.8\u202fpp | "
        "5\u202f% | 1,672 | \u2014 | Feb 28, 2026 | Feb 28, 2026, 9:30 p.m."
    )


def test_badges_speak_one_vocabulary() -> None:
    assert [severity(s) for s in ("bad", "warn", "ok")] == ["Act", "Watch", "Good"]
