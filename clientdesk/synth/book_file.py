"""``book.json``: the operational records (sponsors, contacts, contracts, guarantees) that the
loader puts into the DB. Grain: one entry per sponsor.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from clientdesk.synth.params import SynthParams
from clientdesk.synth.population import RELATION_SELF, Population
from clientdesk.synth.sponsors import Sponsor


def count_enrolled(sponsors: list[Sponsor], population: Population, day: int) -> None:
    """Set each sponsor's ``employees`` (subscribers) and ``members`` enrolled on ``day``.

    A sponsor whose coverage starts after ``day`` cannot happen (``day`` is the window's
    last day), so every sponsor gets its counts from its own members.
    """
    enrolled = population.enrolled_on(day)
    n = len(sponsors)
    members = np.bincount(population.account[enrolled], minlength=n)
    subs = enrolled & (population.relation == RELATION_SELF)
    employees = np.bincount(population.account[subs], minlength=n)
    for sponsor in sponsors:
        sponsor.members = int(members[sponsor.index])
        sponsor.employees = int(employees[sponsor.index])


def book_document(params: SynthParams, sponsors: list[Sponsor]) -> dict[str, object]:
    """The ``book.json`` document."""
    return {
        "generator": {
            "seed": params.seed,
            "accounts": params.accounts,
            "members": params.members,
            "months": params.months,
            "start": f"{params.start.year:04d}-{params.start.month:02d}",
        },
        "sponsors": [s.book_entry() for s in sponsors],
    }


def write_json(path: Path, document: object) -> None:
    """Write JSON deterministically (sorted nothing, fixed indentation, trailing newline)."""
    path.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
