"""``book.json``: exactly the shape the loader expects, plausible content."""

from __future__ import annotations

import json
import re
from pathlib import Path

from clientdesk.synth.generator import BookSummary
from clientdesk.synth.service_levels import METRICS

SPONSOR_KEYS = {
    "group_number",
    "name",
    "segment",
    "funding",
    "employees",
    "members",
    "state",
    "region",
    "timezone",
    "tier",
    "broker",
    "status",
    "effective_date",
    "renewal_date",
    "parent_group_number",
    "special_handling",
    "contacts",
    "contracts",
}
CONTACT_KEYS = {"name", "title", "role", "email", "phone", "primary"}
CONTRACT_KEYS = {
    "number",
    "start_date",
    "end_date",
    "products",
    "admin_fee_pepm",
    "premium_pmpm",
    "guarantees",
}
GUARANTEE_KEYS = {
    "metric",
    "target",
    "comparator",
    "unit",
    "period",
    "level",
    "at_risk_basis",
    "at_risk_pct",
}
MONEY = re.compile(r"^\d+\.\d{2}$")


def test_shape(calibration_book: tuple[Path, BookSummary]) -> None:
    book, summary = calibration_book
    doc = json.loads((book / "book.json").read_text())
    assert set(doc) == {"generator", "sponsors"}
    assert doc["generator"] == {
        "seed": 7,
        "accounts": 24,
        "members": 30000,
        "months": 24,
        "start": "2024-12",
    }
    sponsors = doc["sponsors"]
    assert len(sponsors) == 24
    numbers = {s["group_number"] for s in sponsors}
    assert len(numbers) == 24
    for s in sponsors:
        assert set(s) == SPONSOR_KEYS
        assert re.fullmatch(r"G\d{6}", s["group_number"])
        assert s["segment"] in ("labor_fund", "commercial", "public_sector")
        assert s["funding"] in ("aso", "fully_insured")
        assert s["tier"] in ("key", "standard")
        assert s["status"] == "active"
        assert 0 < s["employees"] < s["members"]
        assert s["parent_group_number"] is None or s["parent_group_number"] in numbers
        assert sum(c["primary"] for c in s["contacts"]) == 1
        for c in s["contacts"]:
            assert set(c) == CONTACT_KEYS
            assert c["role"] in (
                "benefits_manager",
                "hr_director",
                "union_trustee",
                "cfo",
                "broker",
                "other",
            )
            assert c["email"].endswith(".example")
            assert re.fullmatch(r"\(\d{3}\) 555-01\d{2}", c["phone"])
        for k in s["contracts"]:
            assert set(k) == CONTRACT_KEYS
            assert k["start_date"] < k["end_date"]
            if s["funding"] == "aso":
                assert MONEY.match(k["admin_fee_pepm"]) and k["premium_pmpm"] is None
            else:
                assert MONEY.match(k["premium_pmpm"]) and k["admin_fee_pepm"] is None
            for g in k["guarantees"]:
                assert set(g) == GUARANTEE_KEYS
                spec = METRICS[g["metric"]]
                assert g["comparator"] == spec.comparator and g["unit"] == spec.unit
                assert g["target"] in spec.targets and g["period"] == spec.period
                assert g["level"] in ("client", "book_of_business")
                assert float(g["at_risk_pct"]) > 0
                # The contract's fees: admin fees (ASO) or premium (fully insured).
                assert g["at_risk_basis"] == (
                    "pct_of_admin_fees" if s["funding"] == "aso" else "pct_of_premium"
                )
    assert sum(s["members"] for s in sponsors) <= summary.members


def test_segments_and_relationships(calibration_book: tuple[Path, BookSummary]) -> None:
    book, _ = calibration_book
    sponsors = json.loads((book / "book.json").read_text())["sponsors"]
    labor = [s for s in sponsors if s["segment"] == "labor_fund"]
    assert labor
    for s in labor:
        roles = [c["role"] for c in s["contacts"]]
        assert roles.count("union_trustee") == 2
    assert any(s["parent_group_number"] for s in sponsors)
    assert any(s["tier"] == "key" for s in sponsors)
    assert {s["funding"] for s in sponsors} == {"aso", "fully_insured"}
    names = [s["name"] for s in sponsors]
    assert len(set(names)) == len(names)
