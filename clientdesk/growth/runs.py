"""End-to-end jobs: evaluate the suggestion rules over a set of accounts and store what they
find; score the findings against a book's ground truth."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from clientdesk.accounts.models import Account
from clientdesk.growth.actions import Actor, do_store_suggestions
from clientdesk.growth.evidence import AccountFigures, inquiry_figures, lake_figures
from clientdesk.growth.models import SuggestionRule
from clientdesk.growth.queries import taken_products
from clientdesk.growth.rules import Finding, RuleSpec, evaluate, precision_recall
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
