"""An emerging issue's figures in words: the one function the summary and the page's tiles
both use, so they cannot disagree ("1.2 expected" in one, "1.3" in the other).

The figures are the stored ones (`EmergingIssue.observed` to 2 decimals, `expected` to 3),
rounded half-up for reading: counts whole, amounts of 10 or more whole, smaller ones to one
decimal."""

from __future__ import annotations

from dataclasses import dataclass

from clientdesk.lib import formatting

OBSERVED_PLACES = 2
EXPECTED_PLACES = 3


def stored_observed(value: float) -> float:
    return round(float(value), OBSERVED_PLACES)


def stored_expected(value: float) -> float:
    return round(float(value), EXPECTED_PLACES)


def amount_text(value: float) -> str:
    """An expected count or an excess: whole from 10 up, one decimal below."""
    return formatting.number(value, 0 if abs(value) >= 10 else 1)


@dataclass(frozen=True)
class IssueFigures:
    observed: str
    expected: str
    excess: str
    ratio: str  # e.g. "3.2" and the multiplication sign, or "new" when nothing was expected


def issue_figures(observed: float, expected: float) -> IssueFigures:
    """The issue's observed and expected counts, the excess and the ratio, as text."""
    seen, usual = stored_observed(observed), stored_expected(expected)
    whole = float(seen).is_integer()
    return IssueFigures(
        observed=formatting.count(seen) if whole else amount_text(seen),
        expected=amount_text(usual),
        excess=amount_text(seen - usual),
        ratio=f"{formatting.number(seen / usual, 1)}×" if usual > 0 else "new",
    )
