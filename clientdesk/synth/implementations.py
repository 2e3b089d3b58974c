"""Synthetic implementations with their true readiness problems (ground truth).

Each one is what the readiness score sees ten business days before go-live: the eligibility
test rounds (rows read and rejected), members loaded vs the census, the ID cards' lead over
the effective date, and the critical path (tasks due and done, least slack). Problems are
injected independently, each with its own share, and written beside as the truth:

- ``eligibility_file_quality``: the last test round rejects 5-25 % of rows (healthy: < 1 %)
- ``census_mismatch``: 80-93 % of the census loaded (healthy: 98.5-100 %)
- ``id_cards_late``: cards mailed 3-8 business days before the effective date (healthy 10-14)
- ``critical_delay``: open work 1-6 business days late, a critical task not done

Its own random stream (seed xor 0x19), so nothing else the generator writes changes.
Plain Python, imports nothing of clientdesk.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

PROBLEM_SHARES = {
    "eligibility_file_quality": 0.2,
    "census_mismatch": 0.15,
    "id_cards_late": 0.15,
    "critical_delay": 0.2,
}


@dataclass(frozen=True)
class SyntheticImplementation:
    key: str
    kind: str
    effective_date: dt.date
    census: int
    test_rounds: tuple[tuple[int, int], ...]  # (rows read, rows rejected) per round
    members_loaded: int
    id_card_lead_days: int
    critical_due: int
    critical_due_done: int
    least_slack: int
    problems: tuple[str, ...]


def generate_implementations(seed: int, count: int) -> list[SyntheticImplementation]:
    rng = random.Random(seed ^ 0x19)  # noqa: S311  (synthetic data, not secrets)
    kinds = ["new_self_funded", "new_fully_insured", "renewal_plan_change", "new_product"]
    result = []
    for n in range(count):
        problems = tuple(p for p, share in PROBLEM_SHARES.items() if rng.random() < share)
        census = rng.randint(150, 6000)
        rounds = []
        for r in range(rng.randint(1, 3)):
            read = int(census * rng.uniform(0.95, 1.05))
            last = r == 2 or rng.random() < 0.5
            bad = "eligibility_file_quality" in problems and last
            share = rng.uniform(0.05, 0.25) if bad else rng.uniform(0.0, 0.008)
            rounds.append((read, round(read * share)))
            if last:
                break
        if "eligibility_file_quality" in problems:
            read = rounds[-1][0]
            rounds[-1] = (read, max(rounds[-1][1], round(read * 0.05)))
        loaded_share = (
            rng.uniform(0.80, 0.93) if "census_mismatch" in problems else rng.uniform(0.985, 1.0)
        )
        due = rng.randint(6, 12)
        late = "critical_delay" in problems
        result.append(
            SyntheticImplementation(
                key=f"IMP{n:04d}",
                kind=rng.choice(kinds),
                effective_date=dt.date(2027, 1 + n % 12, 1),
                census=census,
                test_rounds=tuple(rounds),
                members_loaded=round(census * loaded_share),
                id_card_lead_days=rng.randint(3, 8)
                if "id_cards_late" in problems
                else rng.randint(10, 14),
                critical_due=due,
                critical_due_done=due - rng.randint(1, 2) if late else due,
                least_slack=-rng.randint(1, 6) if late else rng.randint(0, 8),
                problems=problems,
            )
        )
    return result
