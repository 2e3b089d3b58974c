"""Guarantee events: the records a guarantee is measured on when they are kept by an app
rather than landed in the lake (an implementation's ID-card mailing, its milestones met by
their commitment date). The guarantees app defines the metric (label, numerator,
denominator, dating) in its library and evaluates it like every other guarantee; the app
that keeps the records counts them here, so neither imports the other.

An app registers a counter for a metric code in its ``AppConfig.ready()``::

    GUARANTEE_EVENTS.register("implementation_id_cards", id_card_events)

where ``id_card_events(account_ids, first, last, threshold, today)`` answers one
``EventCount`` per account and day with events in ``first..last`` (the day the event is
dated by; events after ``today`` have not happened and are not counted). ``account_ids`` None
means every account (a book-of-business guarantee). A proportion counts ``met`` of
``events``; a mean adds the events' values in ``met`` and their squares in ``squares``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class EventCount:
    account_id: int
    day: dt.date
    met: float  # events that met the promise (a mean: the sum of their values)
    events: float  # events counted (the denominator)
    squares: float = 0.0  # a mean: the sum of squared values
    detail: str = ""  # what the events were, for the evidence ("plan 12: mailed 2026-12-10")


# (account ids or None for all, first, last, threshold, today) -> counts per account and day
EventCounter = Callable[
    [Sequence[int] | None, dt.date, dt.date, int | None, dt.date], Sequence[EventCount]
]


class GuaranteeEvents:
    """The registry: one counter per metric code. Registering a code again replaces it."""

    def __init__(self) -> None:
        self._counters: dict[str, EventCounter] = {}

    def register(self, code: str, counter: EventCounter) -> None:
        self._counters[code] = counter

    def unregister(self, code: str) -> None:
        self._counters.pop(code, None)

    def get(self, code: str) -> EventCounter | None:
        return self._counters.get(code)

    def __contains__(self, code: object) -> bool:
        return code in self._counters


GUARANTEE_EVENTS = GuaranteeEvents()
