"""Creating the guarantees a generated book's contracts carry (`book.json`), via the actions.

Called once by `clientdesk.demo.loading.load_book` after the sponsors and lake tables are
loaded. A contract that already has guarantees is left alone, so a reload adds nothing twice.
Every guarantee of the synthetic book puts a % of the period's fees at risk — the basis is
stated per guarantee (`at_risk_basis`: `pct_of_admin_fees` on ASO contracts,
`pct_of_premium` on fully insured ones) — all or nothing, each measurement period settling on
its own, as `book.json` describes them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from clientdesk.accounts.models import Contract
from clientdesk.guarantees.actions import do_create_guarantee
from clientdesk.guarantees.metrics import METRICS


def guarantee_data(entry: dict[str, Any]) -> dict[str, Any]:
    """A book.json guarantee as the fields of a Guarantee."""
    definition = METRICS[entry["metric"]]
    return {
        "metric": entry["metric"],
        "comparator": entry["comparator"],
        "target": Decimal(entry["target"]),
        "decimals": definition.decimals,
        "level": entry["level"],
        "period": entry["period"],
        "settlement": "per_period",
        "at_risk_basis": entry["at_risk_basis"],
        "at_risk_value": Decimal(entry["at_risk_pct"]),
        "schedule": "all_or_nothing",
        "line": "member",
        "short_abandon_seconds": 5,
        "notes": "From the synthetic book (book.json).",
    }


@transaction.atomic
def load_book_guarantees(book: dict[str, Any], *, acting_user: User | None) -> int:
    """Create every contract's guarantees from book.json; returns how many were created."""
    numbers = [c["number"] for s in book["sponsors"] for c in s.get("contracts", [])]
    contracts = {
        c.number: c
        for c in Contract.objects.filter(number__in=numbers).prefetch_related("guarantees")
    }
    created = 0
    for sponsor in book["sponsors"]:
        for entry in sponsor.get("contracts", []):
            contract = contracts.get(entry["number"])
            if contract is None or contract.guarantees.all():
                continue
            for g in entry.get("guarantees", []):
                do_create_guarantee(contract, guarantee_data(g), acting_user=acting_user)
                created += 1
    return created
