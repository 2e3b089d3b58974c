"""The home page's "your work" lists: each app says what of its own needs the reader now, in
these plain shapes, and the shell lays them out (the apps never import the shell)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


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
