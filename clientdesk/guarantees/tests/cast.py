"""Guarantees on the named cast, built through the real actions (for the access matrix)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from clientdesk.accounts.actions import do_create_contract
from clientdesk.guarantees.actions import do_create_guarantee, do_store_results
from clientdesk.guarantees.evaluation import base_values, plan_results
from clientdesk.guarantees.models import Guarantee, GuaranteeResult
from clientdesk.testing import Cast


def acme_guarantee(c: Cast) -> Guarantee:
    """Acme's IVR containment guarantee (measured from the lake)."""
    found = Guarantee.objects.filter(contract=c.acme_contract, metric="ivr_containment").first()
    return found or do_create_guarantee(
        c.acme_contract,
        {
            "metric": "ivr_containment",
            "comparator": ">=",
            "target": Decimal("20"),
            "period": "quarterly",
            "at_risk_basis": "fixed",
            "at_risk_value": Decimal("1000"),
        },
        acting_user=c.mia,
    )


def bayside_guarantee(c: Cast) -> Guarantee:
    """Bayside's IVR containment guarantee, $9,000 a quarter at risk, on a 2025-2026 contract
    of its own (the cast gives Bayside none)."""
    contract = do_create_contract(
        c.bayside,
        {
            "number": "C-B",
            "start_date": dt.date(2025, 1, 1),
            "end_date": dt.date(2026, 12, 31),
            "products": ["medical"],
            "admin_fee_pepm": Decimal("40"),
        },
        acting_user=c.mia,
    )
    return do_create_guarantee(
        contract,
        {
            "metric": "ivr_containment",
            "comparator": ">=",
            "target": Decimal("20"),
            "period": "quarterly",
            "at_risk_basis": "fixed",
            "at_risk_value": Decimal("9000"),
        },
        acting_user=c.mia,
    )


def acme_attested_guarantee(c: Cast) -> Guarantee:
    """Acme's ID card guarantee (recorded by hand)."""
    found = Guarantee.objects.filter(contract=c.acme_contract, metric="id_card_timeliness").first()
    return found or do_create_guarantee(
        c.acme_contract,
        {
            "metric": "id_card_timeliness",
            "comparator": ">=",
            "target": Decimal("98"),
            "period": "one_time",
            "measure_from": dt.date(2025, 1, 1),
            "measure_to": dt.date(2025, 1, 31),
            "at_risk_basis": "fixed",
            "at_risk_value": Decimal("7500"),
        },
        acting_user=c.mia,
    )


def acme_result(c: Cast) -> GuaranteeResult:
    """The first-quarter 2025 result of Acme's IVR guarantee (no data in the lake)."""
    g = acme_guarantee(c)
    today = dt.date(2026, 11, 27)
    planned = [p for p in plan_results([g], today=today) if p.label == "2025Q1"]
    do_store_results([base_values(planned[0], today=today)], acting_user=c.mia)
    return GuaranteeResult.objects.get(guarantee=g, period_label="2025Q1")
