"""The account page's PMPM table pairs each paid category with its allowed figure by leaf."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from clientdesk.utilization.report import CategoryPmpm, category_rows


def _row(leaf: str, pmpm: str) -> CategoryPmpm:
    return CategoryPmpm(leaf, "Outpatient", leaf, leaf, Decimal(pmpm), Decimal(pmpm), None, None)


def test_each_paid_category_gets_the_allowed_row_of_its_leaf_or_none() -> None:
    paid = (_row("ed", "40.00"), _row("lab", "12.50"), _row("imaging", "7.25"))
    allowed = (_row("imaging", "9.10"), _row("ed", "52.00"))  # another order, no lab row
    report: Any = SimpleNamespace(
        paid_pmpm=SimpleNamespace(by_service_category=paid),
        allowed_pmpm=SimpleNamespace(by_service_category=allowed),
    )
    rows = category_rows(report)
    assert [(c.leaf, a.pmpm if a else None) for c, a in rows] == [
        ("ed", Decimal("52.00")),
        ("lab", None),
        ("imaging", Decimal("9.10")),
    ]
    assert [c for c, _ in rows] == list(paid)  # the paid rows, in their order
