"""Exact arithmetic for money and rates, and rounding that keeps parts adding up."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from fractions import Fraction

CENT = Decimal("0.01")

Number = int | Decimal | Fraction


def exact(value: Number) -> Fraction:
    return value if isinstance(value, Fraction) else Fraction(value)


def ratio(numerator: Number, denominator: Number) -> Fraction | None:
    """numerator / denominator exactly, or None when the denominator is 0."""
    den = exact(denominator)
    return None if den == 0 else exact(numerator) / den


def rounded(value: Number | None, places: int = 2) -> Decimal | None:
    """Half-up rounding to `places` decimals (None stays None)."""
    if value is None:
        return None
    quantum = Decimal(1).scaleb(-places)
    frac = exact(value)
    return (Decimal(frac.numerator) / Decimal(frac.denominator)).quantize(
        quantum, rounding=ROUND_HALF_UP
    )


def allocate(parts: Sequence[Number], places: int = 2) -> list[Decimal]:
    """Round every part so the rounded parts add up exactly to the rounded total
    (largest remainder: the parts rounded down, then one unit to the largest remainders)."""
    total = rounded(sum((exact(p) for p in parts), Fraction(0)), places) or Decimal(0)
    unit = Fraction(1, 10**places)
    floors = []
    remainders = []
    for part in parts:
        value = exact(part)
        floor = Decimal(value.numerator) / Decimal(value.denominator)
        down = floor.quantize(Decimal(1).scaleb(-places), rounding=ROUND_FLOOR)
        floors.append(down)
        remainders.append(value - Fraction(down))
    missing = int((exact(total) - sum((Fraction(f) for f in floors), Fraction(0))) / unit)
    order = sorted(range(len(parts)), key=lambda i: remainders[i], reverse=True)
    step = Decimal(1).scaleb(-places)
    result = list(floors)
    for i in order[:missing]:
        result[i] += step
    return result


def percent(part: Number, whole: Number, places: int = 1) -> Decimal | None:
    value = ratio(part, whole)
    return None if value is None else rounded(value * 100, places)


def change_percent(current: Number | None, prior: Number | None, places: int = 1) -> Decimal | None:
    """(current - prior) / prior in percent; None when there is no prior value."""
    if current is None or prior is None or exact(prior) == 0:
        return None
    return rounded((exact(current) - exact(prior)) / exact(prior) * 100, places)
