"""Small-cell suppression: the one rule for figures about fewer than 11 people.

A *cell* is one figure together with the number of distinct members it is computed over (a
book's paid PMPM over its 4,210 members; the prevalence of diabetes over the 37 members who
have it). A cell of 1 to 10 members is **suppressed**: its value and its member count are both
withheld (`None` here; printed as "<11" where a report prints the cell). Suppressed means left
out, not rounded, perturbed or shown as a range: a rounded figure about three people still
describes those three people. A cell of 11 members or more is shown exactly. Zero is not
identifying: an empty cell keeps its empty value (none, or a zero).

The rule is used by the lake's aggregate reads (`Lake.aggregate`, the book benchmarks a person
sees) and by the reports that leave the team (`reports.documents.small_cell`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

MIN_CELL_MEMBERS = 11
"""The fewest distinct members a shown figure may be about."""

SUPPRESSED_TEXT = "<11"
"""How a report prints a suppressed cell."""

Number = int | Decimal


def is_small_cell(members: int | None) -> bool:
    """True for 1 to 10 members: the figure is suppressed. Zero and None are not small."""
    return members is not None and 0 < members < MIN_CELL_MEMBERS


def shown_count(count: int | None) -> int | str | None:
    """A count of people as a report prints it: the count, or "<11" when it is 1 to 10."""
    return SUPPRESSED_TEXT if is_small_cell(count) else count


@dataclass(frozen=True)
class Aggregate:
    """A figure over a group of members, before suppression: its exact `value` (an int or a
    Decimal, never a row or a list) and the number of distinct `members` it is computed over."""

    value: Number | None
    members: int

    def __post_init__(self) -> None:
        if isinstance(self.members, bool) or not isinstance(self.members, int):
            raise TypeError(f"members is a count of people, not {type(self.members).__name__}")
        if self.members < 0:
            raise ValueError("members cannot be negative")
        value = self.value
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | Decimal)):
            raise TypeError(f"an aggregate is a number, not {type(value).__name__}")
        if self.members == 0 and value not in (None, 0):
            raise ValueError("a figure over no members can only be empty or zero")


@dataclass(frozen=True)
class Cell:
    """A figure after suppression: `value` and `members` are None when `suppressed`."""

    value: Number | None
    members: int | None
    suppressed: bool


def suppress(aggregate: Aggregate) -> Cell:
    """The cell to show for an aggregate: withheld (value and count) under 11 members."""
    if is_small_cell(aggregate.members):
        return Cell(None, None, True)
    return Cell(aggregate.value, aggregate.members, False)


def suppress_all(aggregates: Mapping[str, Aggregate]) -> dict[str, Cell]:
    """`suppress` applied to every named aggregate."""
    return {name: suppress(aggregate) for name, aggregate in aggregates.items()}


__all__ = [
    "MIN_CELL_MEMBERS",
    "SUPPRESSED_TEXT",
    "Aggregate",
    "Cell",
    "is_small_cell",
    "shown_count",
    "suppress",
    "suppress_all",
]
