"""Account measures: every app names the live figures it can state about an account, in these
plain shapes, and whoever needs a figure reads it here without importing the app: the strategy
app's health score and plan objectives, the portfolio pages, the reports.

An app registers its measures in its ``AppConfig.ready()``::

    ACCOUNT_MEASURES.register(Measure(
        key="sla_attainment",
        label="Inquiries resolved within SLA",
        unit=Unit.PERCENT,
        better=Direction.HIGHER,
        source="inquiries: resolved in the period, business-hours SLA clock",
        compute=sla_attainment,
    ))

where ``sla_attainment(account_ids, as_of) -> Mapping[int, Value]`` answers the accounts it
has a figure for (an account left out has no figure: not zero). The caller has already decided
which accounts the reader may see; a measure reads the accounts it is given and no others.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum


class Unit(StrEnum):
    PERCENT = "percent"  # 0 to 100
    COUNT = "count"
    DOLLARS = "dollars"
    DAYS = "days"
    SCORE = "score"  # a scale of its own, said in the label (NPS -100 to 100)
    RATIO = "ratio"


class Direction(StrEnum):
    HIGHER = "higher"  # higher is better
    LOWER = "lower"


@dataclass(frozen=True)
class Value:
    """One account's figure as of a day, and the words that say where it comes from
    ("47 of 52 inquiries resolved within SLA in Nov 2026"). `basis`: for a figure drawn from
    a sample (survey answers), how many observations it rests on; the health score weighs
    such a figure by its credibility. None: not a sample."""

    value: float
    detail: str = ""
    basis: int | None = None


# (account ids, as of) -> {account id: value} for the accounts with a figure.
MeasureFunction = Callable[[Sequence[int], dt.date], Mapping[int, Value]]


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    unit: Unit
    better: Direction
    source: str
    compute: MeasureFunction


class AccountMeasures:
    """The registry, in key order. Registering the same key again replaces the measure."""

    def __init__(self) -> None:
        self._measures: dict[str, Measure] = {}

    def register(self, measure: Measure) -> None:
        self._measures[measure.key] = measure

    def unregister(self, key: str) -> None:
        self._measures.pop(key, None)

    def get(self, key: str) -> Measure | None:
        return self._measures.get(key)

    def __iter__(self) -> Iterator[Measure]:
        return iter(sorted(self._measures.values(), key=lambda m: m.key))

    def __len__(self) -> int:
        return len(self._measures)

    def choices(self) -> list[tuple[str, str]]:
        """(key, label) for a form's select."""
        return [(m.key, m.label) for m in self]


ACCOUNT_MEASURES = AccountMeasures()
