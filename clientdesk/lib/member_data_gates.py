"""Who may open member-level data right now. Being on the account is not always enough: the
domain rule "lapsed HIPAA training blocks PHI drill-downs" (domain/account-management.md §8)
belongs to the team app, which knows people's training, yet the member-level views live in
lower and other apps. So an app that knows a reason to refuse registers a gate here, and the
audit trail asks the gates before it writes a member-data (``phi_read``) row: every member-level
look is audited, so every one is refused in the same place, with the gate's words.

An app registers its gate in its ``AppConfig.ready()``::

    MEMBER_DATA_GATES.register("team.hipaa", hipaa_refusal)

where ``hipaa_refusal(user, now) -> str | None`` answers why this person may not open member
data now (a sentence for the page), or ``None`` when it has nothing against it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied

# (user, now) -> the reason this person may not open member data now, or None.
MemberDataGate = Callable[[Any, dt.datetime], str | None]


class MemberDataRefused(PermissionDenied):
    """A member-level look refused by a gate; the message says why and what to do (403)."""


class MemberDataGates:
    """The registry. Registering the same key again replaces the entry."""

    def __init__(self) -> None:
        self._gates: dict[str, MemberDataGate] = {}

    def register(self, key: str, gate: MemberDataGate) -> None:
        self._gates[key] = gate

    def unregister(self, key: str) -> None:
        self._gates.pop(key, None)

    def refusal(self, user: Any, now: dt.datetime) -> str | None:
        """The first gate's reason to refuse this person, or None when every gate lets them
        through (and always for the system: no signed-in person)."""
        if user is None or getattr(user, "pk", None) is None:
            return None
        for key in sorted(self._gates):
            reason = self._gates[key](user, now)
            if reason:
                return reason
        return None

    def require(self, user: Any, now: dt.datetime) -> None:
        reason = self.refusal(user, now)
        if reason:
            raise MemberDataRefused(reason)


MEMBER_DATA_GATES = MemberDataGates()
