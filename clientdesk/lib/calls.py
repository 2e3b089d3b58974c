"""Calls to action: every app names the causes it sees that want a person to act, in these
plain shapes, and the strategy app (which owns calls to action, their owners, playbooks and
due dates) opens, updates and closes them. No app imports the strategy app to raise one.

An app registers its rules in its ``AppConfig.ready()``::

    CALL_RULES.register(CallRule(
        key="guarantee_forecast_miss",
        title="A guarantee is forecast to miss",
        playbook=("Confirm the forecast with service operations", "Tell the sponsor"),
        find=forecast_misses,
    ))

where ``forecast_misses(now) -> Iterable[Cause]`` answers every cause it sees as of ``now``
(a cause that is no longer found leaves its call open for a person to close: a rule never
closes work someone may be doing). One open call per account, rule and ``cause.key``: the
same cause found again updates the open call's reason instead of opening a second one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum


class Urgency(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"


@dataclass(frozen=True)
class Cause:
    """Something on one account that wants a person to act: a stable key that identifies it
    within its rule (``"guarantee:12:2026Q4"``), the reason in words a manager reads, and when
    it is due. ``owner_id`` is a user id, or ``None`` for the account's owner."""

    account_id: int
    key: str
    reason: str
    due: dt.date | None = None
    urgency: Urgency = Urgency.NORMAL
    owner_id: int | None = None
    url: str = ""  # where the evidence lives, for the call's page


# now -> every cause the rule sees as of now.
CauseFinder = Callable[[dt.datetime], Iterable[Cause]]


@dataclass(frozen=True)
class CallRule:
    """A rule that raises calls to action: its key (stored with every call it opens), the title
    of its calls, the playbook of tasks each call starts with, and the function that finds its
    causes."""

    key: str
    title: str
    playbook: tuple[str, ...]
    find: CauseFinder


class CallRules:
    """The registry of rules, in key order. Registering the same key again replaces the rule."""

    def __init__(self) -> None:
        self._rules: dict[str, CallRule] = {}

    def register(self, rule: CallRule) -> None:
        self._rules[rule.key] = rule

    def unregister(self, key: str) -> None:
        self._rules.pop(key, None)

    def get(self, key: str) -> CallRule | None:
        return self._rules.get(key)

    def __iter__(self) -> Iterator[CallRule]:
        return iter(sorted(self._rules.values(), key=lambda rule: rule.key))

    def __len__(self) -> int:
        return len(self._rules)


CALL_RULES = CallRules()
