"""The home page's "your work" lists: each app says what of its own needs the reader now, in
these plain shapes, and the shell lays them out (the apps never import the shell).

An app registers its builder in its ``AppConfig.ready()``::

    WORK_LISTS.register("guarantees", guarantees_work, order=20)

where ``guarantees_work(user, now) -> WorkList | None`` answers ``None`` when the list is not
for this reader (their role has no such work).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class WorkItem:
    """One thing to act on: what, the words that say why now, where it lives."""

    title: str
    detail: str
    url: str
    when: dt.date | None = None
    urgent: bool = False


@dataclass(frozen=True)
class WorkList:
    """Up to a few items of one kind, how many there are in all, and the page with every one."""

    key: str
    heading: str
    total: int
    url: str
    empty: str
    items: list[WorkItem] = field(default_factory=list)
    summary: str = ""  # totals over every item, for a portfolio list ("At risk $1.2 M · ...")


# (user, now) -> WorkList | None: the one signature of every home-page work list.
WorkListBuilder = Callable[[Any, dt.datetime], WorkList | None]


@dataclass(frozen=True)
class _Registered:
    key: str
    order: int
    build: WorkListBuilder


class WorkLists:
    """The registry, in the order a working day takes the lists (lower ``order`` first).
    Registering the same key again replaces the entry."""

    def __init__(self) -> None:
        self._builders: dict[str, _Registered] = {}

    def register(self, key: str, build: WorkListBuilder, *, order: int = 0) -> None:
        self._builders[key] = _Registered(key, order, build)

    def unregister(self, key: str) -> None:
        self._builders.pop(key, None)

    def for_reader(self, user: Any, now: dt.datetime) -> list[WorkList]:
        """Every registered list this reader has, built now, in order."""
        ordered = sorted(self._builders.values(), key=lambda r: (r.order, r.key))
        built = (r.build(user, now) for r in ordered)
        return [work for work in built if work is not None]


WORK_LISTS = WorkLists()
