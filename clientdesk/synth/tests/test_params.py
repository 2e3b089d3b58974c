"""Parameter validation and command-line option parsing."""

from __future__ import annotations

from datetime import date

import pytest

from clientdesk.synth.options import params_from_options, parse_month
from clientdesk.synth.params import SynthParams, Window


def test_defaults_validate() -> None:
    SynthParams().validate()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"accounts": 1}, "accounts must be"),
        ({"members": 100}, "members must be at least 50 per account"),
        ({"months": 3}, "months must be"),
        ({"start": date(2025, 1, 15)}, "first day of a month"),
        ({"seed": -1}, "seed must be"),
        ({"workers": 100}, "workers must be"),
    ],
)
def test_bad_parameters_give_one_line_errors(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message) as err:
        SynthParams(**kwargs).validate()  # type: ignore[arg-type]
    assert "\n" not in str(err.value)


def test_parse_month() -> None:
    assert parse_month("2024-12") == date(2024, 12, 1)
    for bad in ("2024-13", "2024/12", "24-12", "december"):
        with pytest.raises(ValueError, match="YYYY-MM"):
            parse_month(bad)


def test_params_from_options() -> None:
    p = params_from_options(accounts=5, members=1000, months=12, start="2025-01", seed=9)
    assert p.start == date(2025, 1, 1) and p.seed == 9
    with pytest.raises(ValueError, match="members"):
        params_from_options(accounts=5, members=10, months=12, start="2025-01", seed=9)


def test_window() -> None:
    w = Window.of(date(2024, 12, 1), 24)
    assert w.start_date == date(2024, 12, 1)
    assert w.end_date == date(2026, 11, 30)
    assert w.days == 730
    assert w.months == 24
