"""How many of the synthetic implementations with a true readiness problem the readiness
score flags ten business days before go-live (``clientdesk installation_evaluate``, a demo
command: only the demo reads the generator). The synthetic evidence goes through the same
``score_readiness`` the plans use; a plan is flagged when its score is below ready (80)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from clientdesk.implementations.readiness import (
    READY,
    EligibilityRound,
    Evidence,
    Readiness,
    score_readiness,
)


class SyntheticImplementation(Protocol):
    """What the synthetic book says of one implementation (synth/implementations.py)."""

    @property
    def key(self) -> str: ...
    @property
    def effective_date(self) -> dt.date: ...
    @property
    def census(self) -> int: ...
    @property
    def test_rounds(self) -> tuple[tuple[int, int], ...]: ...
    @property
    def members_loaded(self) -> int: ...
    @property
    def id_card_lead_days(self) -> int: ...
    @property
    def critical_due(self) -> int: ...
    @property
    def critical_due_done(self) -> int: ...
    @property
    def least_slack(self) -> int: ...
    @property
    def problems(self) -> tuple[str, ...]: ...


def evidence_of(s: SyntheticImplementation) -> Evidence:
    check = s.effective_date - dt.timedelta(days=14)  # about ten business days before
    return Evidence(
        today=check,
        effective_date=s.effective_date,
        critical_due=s.critical_due,
        critical_due_done=s.critical_due_done,
        least_slack=s.least_slack,
        test_rounds=tuple(
            EligibilityRound(i, i, check, f"{s.key}-test-{i}", read, rejected)
            for i, (read, rejected) in enumerate(s.test_rounds, start=1)
        ),
        census=s.census,
        members_loaded=s.members_loaded,
        id_cards_mailed=check,
        id_card_lead_days=s.id_card_lead_days,
    )


@dataclass(frozen=True)
class CheckResult:
    implementations: int
    with_problems: int
    flagged: int
    flagged_with_problems: int
    by_problem: dict[str, tuple[int, int]]  # problem -> (implementations, flagged)
    warned: int  # score below ready or at least one warning on the plan
    warned_with_problems: int

    @property
    def recall(self) -> float:
        return self.flagged_with_problems / self.with_problems if self.with_problems else 1.0

    @property
    def false_flags(self) -> int:
        return self.flagged - self.flagged_with_problems


def check(items: Sequence[SyntheticImplementation]) -> CheckResult:
    scored: list[tuple[SyntheticImplementation, Readiness]] = [
        (s, score_readiness(evidence_of(s))) for s in items
    ]

    def flagged(r: Readiness) -> bool:
        return r.score is not None and r.score < READY

    seen: Counter[str] = Counter()
    caught: Counter[str] = Counter()
    for s, r in scored:
        for problem in s.problems:
            seen[problem] += 1
            caught[problem] += flagged(r)
    return CheckResult(
        implementations=len(items),
        with_problems=sum(bool(s.problems) for s in items),
        flagged=sum(flagged(r) for _, r in scored),
        flagged_with_problems=sum(bool(s.problems) and flagged(r) for s, r in scored),
        by_problem={p: (seen[p], caught[p]) for p in sorted(seen)},
        warned=sum(flagged(r) or bool(r.flags) for _, r in scored),
        warned_with_problems=sum(
            bool(s.problems) and (flagged(r) or bool(r.flags)) for s, r in scored
        ),
    )
