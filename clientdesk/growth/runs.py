"""End-to-end jobs: evaluate the suggestion rules over a set of accounts and store what they
find; score the findings against a book's ground truth."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from clientdesk.accounts.models import Account
from clientdesk.growth.actions import (
    Actor,
    do_import_participants,
    do_store_savings_check,
    do_store_suggestions,
)
from clientdesk.growth.evidence import AccountFigures, inquiry_figures, lake_figures
from clientdesk.growth.models import ParticipantList, SavingsCheck, SuggestionRule, VendorContract
from clientdesk.growth.outcomes import members_in_eligibility, month_start, read_strata
from clientdesk.growth.participants import read_participant_list
from clientdesk.growth.queries import taken_products
from clientdesk.growth.rules import Finding, RuleSpec, evaluate, precision_recall
from clientdesk.growth.savings import PARTICIPANTS, GroupPmpm, matched_savings, measured_method
from clientdesk.lake.gateway import Reader
from clientdesk.lib.periods import Period, month_index


def last_full_year(today: dt.date) -> Period:
    """The 12 whole months before `today`'s month."""
    last = month_index(today) - 1
    return Period(last - 11, last)


def active_rules() -> list[RuleSpec]:
    return [
        RuleSpec(
            r.pk,
            r.name,
            r.measure,
            r.comparison,
            r.threshold,
            r.product_id,
            r.also_measure,
            r.also_threshold,
        )
        for r in SuggestionRule.objects.filter(active=True)
    ]


@dataclass
class SuggestionRun:
    figures: AccountFigures
    findings: list[Finding]
    stored: dict[str, int]


def find_suggestions(
    reader: Reader,
    accounts: Sequence[Account],
    period: Period,
    now: dt.datetime,
    *,
    engine: str | None = None,
    pipeline: bool = True,
) -> tuple[AccountFigures, list[Finding]]:
    """What the rules find; `pipeline=False` ignores open opportunities (a suggestion already
    turned into one still counts when scoring against a book's truth)."""
    figures = lake_figures(reader, accounts, period, engine=engine)
    inquiry_figures(accounts, now, figures)
    taken = taken_products([a.pk for a in accounts], pipeline=pipeline)
    return figures, evaluate(active_rules(), figures.measures, taken, figures.context)


def run_suggestions(
    reader: Reader,
    accounts: Sequence[Account],
    period: Period,
    *,
    now: dt.datetime,
    acting_user: Actor,
    engine: str | None = None,
) -> SuggestionRun:
    figures, findings = find_suggestions(reader, accounts, period, now, engine=engine)
    stored = do_store_suggestions(findings, now=now, acting_user=acting_user)
    return SuggestionRun(figures, findings, stored)


def load_truth(path: Path) -> list[dict[str, object]]:
    """The program entries of a book's ground truth: ``growth_truth.json`` (written beside
    ``ground_truth.json`` by the generator), or a document with a "programs" list."""
    document = json.loads(Path(path).read_text())
    if isinstance(document, dict) and "programs" in document:
        programs = document["programs"]
    else:
        sibling = Path(path).with_name("growth_truth.json")
        if not sibling.exists():
            raise FileNotFoundError(f"{path} has no programs and there is no {sibling}")
        programs = json.loads(sibling.read_text())["programs"]
    return list(programs)


def score(
    findings: Sequence[Finding],
    truth: list[dict[str, object]],
    group_numbers: dict[int, str],
    product_codes: dict[int, str],
) -> dict[str, object]:
    """Precision and recall of the findings on the programs the truth covers."""
    programs = {str(e["program"]) for e in truth}
    accounts = set(group_numbers.values())
    expected = {
        (str(e["account"]), str(e["program"]))
        for e in truth
        if e["would_pay"] and str(e["account"]) in accounts
    }
    suggested = {
        (group_numbers[f.account_id], product_codes[f.product_id])
        for f in findings
        if product_codes.get(f.product_id) in programs and f.account_id in group_numbers
    }
    result: dict[str, object] = dict(precision_recall(suggested, expected))
    result["programs"] = sorted(programs)
    result["false_positives"] = sorted(f"{a}:{p}" for a, p in suggested - expected)
    result["missed"] = sorted(f"{a}:{p}" for a, p in expected - suggested)
    return result


# --- a vendor's savings claim checked against the account's claims ------------------------

# Months of claims left out at the end of the lake: claims still coming in (run-out).
RUN_OUT_MONTHS = 2


def import_participants(
    contract: VendorContract,
    name: str,
    data: bytes,
    *,
    reader: Reader,
    now: dt.datetime,
    engine: str | None = None,
) -> ParticipantList:
    """Read the vendor's file, check its members against the account's eligibility (through
    the gateway, in the reader's scope) and store the list. ParticipantFileError when the
    file cannot be read."""
    parsed = read_participant_list(name, data, today=now.date())
    known = members_in_eligibility(
        reader, contract.account, [r.member_id for r in parsed.rows], engine=engine
    )
    return do_import_participants(
        contract,
        parsed,
        in_eligibility=known,
        source_name=name,
        now=now,
        acting_user=reader if isinstance(reader, User) else None,
    )


def measure_vendor_savings(
    contract: VendorContract,
    *,
    reader: Reader,
    now: dt.datetime,
    through: dt.date | None = None,
    engine: str | None = None,
) -> SavingsCheck:
    """Measure the savings of the contract's newest participant list on the account's claims
    and store the check. `through`: the last month the follow-up counts (default: the
    account's latest claim month less the run-out, and never past the contract's end)."""
    roster = contract.participant_lists.first()
    if roster is None:
        raise ValidationError("Import the vendor's participant list first.")
    if through is not None:
        through = min(month_start(through), month_start(contract.end_date))
    listed = list(roster.participants.values_list("member_id", "enrolled_on"))
    read = read_strata(
        reader,
        contract.account,
        listed,
        through,
        run_out_months=RUN_OUT_MONTHS,
        end=contract.end_date,
        engine=engine,
    )
    if read.through is None:
        raise ValidationError("The account has no claims in the lake to measure against.")
    through, strata = read.through, read.strata
    measured = matched_savings(strata)
    joined_late = sum(1 for _, day in listed if month_start(day) > through)
    measured_parts = sum(s.members for s in strata if s.group == PARTICIPANTS)
    figures: dict[str, object] = {
        "listed": len(listed),
        "joined_after_follow_up": joined_late,
        "too_few_months": len(listed) - joined_late - measured_parts,
        "unmatched": measured.unmatched if measured else measured_parts,
    }
    if measured is not None:
        p, c = measured.participants, measured.comparison
        figures |= {
            "participants": _group(p),
            "comparison": _group(c) | {"people": read.comparison_people},
        }
        if measured.interval is not None:
            figures["per_member"] = {
                "estimate": str(measured.interval.estimate),
                "low": str(measured.interval.low),
                "high": str(measured.interval.high),
                "spans_zero": measured.interval.spans_zero,
            }
        if contract.claimed_savings_pmpm is not None:
            figures["claimed_pmpm"] = str(contract.claimed_savings_pmpm)
            figures["claimed_total"] = str(measured.claimed_total(contract.claimed_savings_pmpm))
    return do_store_savings_check(
        contract,
        roster,
        through=through,
        measured_pmpm=measured.pmpm if measured else None,
        measured_total=measured.total if measured else None,
        figures=figures,
        method=measured_method(through),
        now=now,
        acting_user=reader if isinstance(reader, User) else None,
    )


def _group(g: GroupPmpm) -> dict[str, object]:
    return {
        "members": g.members,
        "base_months": str(g.base_months),
        "follow_months": str(g.follow_months),
        "base_pmpm": str(g.base_pmpm),
        "follow_pmpm": str(g.follow_pmpm),
        "change": str(g.change),
    }
