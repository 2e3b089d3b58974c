"""Suggestion rules evaluated against an account's measures: pure functions of values.

A rule passes when the account's measure passes its comparison (and its second test, if it
has one) and the account holds no product of the rule's, has not declined it and has no open
opportunity for it. The evidence is the numbers behind the decision; its key changes when
the evidence changes enough to matter (each number rounded to two significant digits), so a
dismissed suggestion comes back only then.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from clientdesk.growth.models import Comparison, Measure

LABELS = dict(Measure.choices)
COMPARISONS = dict(Comparison.choices)


@dataclass(frozen=True)
class RuleSpec:
    """What evaluation needs of a rule (a SuggestionRule row, or one made in a test)."""

    id: int
    name: str
    measure: str
    comparison: str
    threshold: Decimal
    product_id: int
    also_measure: str = ""
    also_threshold: Decimal | None = None


@dataclass(frozen=True)
class Finding:
    account_id: int
    rule_id: int
    product_id: int
    evidence: dict[str, object]
    evidence_key: str


def passes(value: float, comparison: str, threshold: Decimal) -> bool:
    limit = float(threshold)
    if comparison == Comparison.ABOVE:
        return value > limit
    if comparison == Comparison.AT_LEAST:
        return value >= limit
    if comparison == Comparison.BELOW:
        return value < limit
    raise ValueError(f"unknown comparison {comparison!r}")


def _significant(value: float) -> str:
    if value == 0 or not math.isfinite(value):
        return "0"
    digits = 2 - math.floor(math.log10(abs(value))) - 1
    return f"{round(value, digits):g}"


def _line(measure: str, value: float, comparison: str, threshold: Decimal) -> dict[str, object]:
    return {
        "measure": measure,
        "label": LABELS.get(measure, measure),
        "value": round(value, 2),
        "comparison": COMPARISONS.get(comparison, comparison),
        "threshold": float(threshold),
    }


def evaluate(
    rules: Iterable[RuleSpec],
    measures: Mapping[int, Mapping[str, float]],
    taken: Mapping[int, set[int]],
    context: Mapping[int, Mapping[str, object]] | None = None,
) -> list[Finding]:
    """Every (account, rule) that passes. `measures[account][measure]` holds the account's
    figures (a missing figure fails the rule); `taken[account]` the product ids it holds,
    declined or has an open opportunity for; `context[account]` is copied into the evidence
    (member months, period) so a reader sees what the numbers rest on."""
    found: list[Finding] = []
    rule_list = list(rules)
    for account_id in sorted(measures):
        values = measures[account_id]
        held = taken.get(account_id, set())
        for rule in rule_list:
            if rule.product_id in held:
                continue
            value = values.get(rule.measure)
            if value is None or not passes(value, rule.comparison, rule.threshold):
                continue
            lines = [_line(rule.measure, value, rule.comparison, rule.threshold)]
            if rule.also_measure and rule.also_threshold is not None:
                other = values.get(rule.also_measure)
                if other is None or not passes(other, Comparison.ABOVE, rule.also_threshold):
                    continue
                lines.append(_line(rule.also_measure, other, "gt", rule.also_threshold))
            key = "|".join(
                f"{line['measure']}={_significant(float(str(line['value'])))}" for line in lines
            )
            evidence: dict[str, object] = {"tests": lines, **(context or {}).get(account_id, {})}
            found.append(Finding(account_id, rule.id, rule.product_id, evidence, key))
    return found


def precision_recall(
    suggested: set[tuple[str, str]], truth: set[tuple[str, str]]
) -> dict[str, float | int]:
    """Precision and recall of (account, program) pairs against the ground truth."""
    hits = len(suggested & truth)
    return {
        "suggested": len(suggested),
        "truth": len(truth),
        "true_positives": hits,
        "precision": round(hits / len(suggested), 4) if suggested else 1.0,
        "recall": round(hits / len(truth), 4) if truth else 1.0,
    }
