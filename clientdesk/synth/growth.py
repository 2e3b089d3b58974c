"""``growth_truth.json``: where a care program would pay for itself, and what each account
already holds (the growth app's suggestions are scored against it).

Its own random stream (``Stream.GROWTH``) decides which programs each account already holds;
nothing else of the book changes. Whether a program would pay is decided from the generator's
private facts, which the lake never shows: every member's true chronic conditions (the
claims show only the diagnoses of members who sought care in the window) and the account's
true members per employee. A program pays when its expected savings per employee-month
reach its fee:

    true prevalence x members per employee x engagement x savings per engaged member-month
        >= fee PEPM

and the account does not hold it already. The economics are the published orders of
magnitude (domain/account-management.md §7: fees PEPM, engagement rates), stated in
``PROGRAMS``; they are the truth's assumptions, not tuned to the suggestions.

Grain: one entry per (account, program).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from clientdesk.synth.book_file import write_json
from clientdesk.synth.conditions import CONDITION_INDEX
from clientdesk.synth.params import SynthParams, add_months, day_number
from clientdesk.synth.population import RELATION_SELF, Population, build_population
from clientdesk.synth.random_streams import Stream, stream
from clientdesk.synth.sponsors import Sponsor, plan_sponsors


@dataclass(frozen=True)
class Program:
    """A care program the catalogue sells and when it pays (see the module docstring)."""

    code: str  # the growth catalogue's product code
    conditions: tuple[str, ...]
    engagement: float  # share of members with the condition who take part
    savings_pmpm: float  # savings per engaged member-month
    fee_pepm: float
    held_share: float  # share of accounts that already hold it


PROGRAMS: tuple[Program, ...] = (
    Program("disease_management", ("diabetes",), 0.35, 75.0, 3.00, 0.25),
    Program("care_management", ("heart_failure", "cad", "copd"), 0.30, 110.0, 2.50, 0.25),
    Program("eap", ("depression", "anxiety"), 0.10, 60.0, 1.75, 0.30),
)

LOOKBACK_MONTHS = 12
"""Members counted: those enrolled on any day of the window's last 12 months."""


def program_truth(
    params: SynthParams,
    sponsors: list[Sponsor] | None = None,
    population: Population | None = None,
) -> dict[str, object]:
    """The ground-truth document for the book ``params`` generates (pass the generator's
    sponsors and population to save building them again)."""
    window = params.window
    sponsors = sponsors if sponsors is not None else plan_sponsors(params)
    if population is None:
        population = build_population(sponsors, window, params.seed)
    first = day_number(add_months(params.start, params.months - LOOKBACK_MONTHS))
    last = window.last_day
    enrolled = ((population.span1_start <= last) & (population.span1_end >= first)) | (
        (population.span2_start > 0)
        & (population.span2_start <= last)
        & (population.span2_end >= first)
    )
    subscriber = population.relation == RELATION_SELF
    entries: list[dict[str, object]] = []
    for sponsor in sponsors:
        mine = (population.account == sponsor.index) & enrolled
        members = int(mine.sum())
        employees = int((mine & subscriber).sum())
        rng = stream(params.seed, Stream.GROWTH, sponsor.index)
        held_draws = rng.random(len(PROGRAMS))
        for program, draw in zip(PROGRAMS, held_draws, strict=True):
            columns = [CONDITION_INDEX[c] for c in program.conditions]
            with_condition = int((population.conditions[mine][:, columns].any(axis=1)).sum())
            prevalence = with_condition / members if members else 0.0
            per_employee = members / employees if employees else 0.0
            savings_pepm = prevalence * per_employee * program.engagement * program.savings_pmpm
            held = bool(draw < program.held_share)
            entries.append(
                {
                    "account": sponsor.group_number,
                    "program": program.code,
                    "held": held,
                    "members": members,
                    "employees": employees,
                    "true_prevalence_per_1000": round(prevalence * 1000, 2),
                    "expected_savings_pepm": round(savings_pepm, 2),
                    "fee_pepm": program.fee_pepm,
                    "would_pay": bool(savings_pepm >= program.fee_pepm and not held),
                }
            )
    return {
        "method": (
            "A program pays when true prevalence × members per employee × engagement × "
            "savings per engaged member-month reaches its fee PEPM and the account does not "
            "hold it."
        ),
        "programs": entries,
    }


def write_growth_truth(
    params: SynthParams,
    out_dir: Path,
    sponsors: list[Sponsor] | None = None,
    population: Population | None = None,
) -> Path:
    """Write ``growth_truth.json`` beside the book."""
    path = Path(out_dir) / "growth_truth.json"
    write_json(path, program_truth(params, sponsors, population))
    return path


def params_of_book(book_dir: Path) -> SynthParams:
    """The parameters a generated book was made with (its ``book.json``)."""
    generator = json.loads((Path(book_dir) / "book.json").read_text())["generator"]
    year, month = (int(part) for part in str(generator["start"]).split("-"))
    return SynthParams(
        accounts=int(generator["accounts"]),
        members=int(generator["members"]),
        months=int(generator["months"]),
        start=date(year, month, 1),
        seed=int(generator["seed"]),
    )


def held_programs(truth: dict[str, object]) -> list[tuple[str, str]]:
    """(account, program) pairs the truth says are held (the demo loads them as holdings)."""
    entries = truth["programs"]
    assert isinstance(entries, list)  # noqa: S101  (the document's own shape)
    return [(str(e["account"]), str(e["program"])) for e in entries if e["held"]]
