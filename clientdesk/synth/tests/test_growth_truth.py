"""``growth_truth.json``: where a care program would pay, decided from the generator's private
facts, with its own random stream."""

from __future__ import annotations

import json
from typing import Any

from clientdesk.synth.growth import PROGRAMS, held_programs, program_truth
from clientdesk.synth.params import SynthParams
from clientdesk.synth.testing import BookShelf


def test_the_truth_follows_its_formula_and_is_written_beside_the_book(
    generated_books: BookShelf,
) -> None:
    params = SynthParams(accounts=6, members=1500, months=12, seed=11)
    book = generated_books(params)
    written = json.loads((book.path / "growth_truth.json").read_text())
    assert written == json.loads(json.dumps(program_truth(params)))  # same from scratch
    entries: list[dict[str, Any]] = written["programs"]
    assert len(entries) == 6 * len(PROGRAMS)
    fees = {p.code: p for p in PROGRAMS}
    for entry in entries:
        program = fees[entry["program"]]
        per_employee = entry["members"] / entry["employees"]
        savings = (
            entry["true_prevalence_per_1000"]
            / 1000
            * per_employee
            * program.engagement
            * program.savings_pmpm
        )
        assert abs(savings - entry["expected_savings_pepm"]) < 0.02
        if abs(entry["expected_savings_pepm"] - program.fee_pepm) > 0.01:  # clear of rounding
            pays = entry["expected_savings_pepm"] >= program.fee_pepm and not entry["held"]
            assert entry["would_pay"] == pays
    assert held_programs(written) == [(e["account"], e["program"]) for e in entries if e["held"]]
