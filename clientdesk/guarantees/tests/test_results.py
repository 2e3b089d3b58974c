"""Stored results: penalties after tiers and caps, settlement, audit of every change, timeline.

Acme's contract: admin fee $38.50 PEPM x 1,200 employees = $46,200 of fees a month.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from clientdesk.accounts.actions import do_create_contract
from clientdesk.accounts.models import ActivityEvent
from clientdesk.audit.models import AuditEvent
from clientdesk.guarantees.actions import (
    do_create_guarantee,
    do_create_guarantees_from_templates,
    do_save_terms,
    do_update_guarantee,
)
from clientdesk.guarantees.evaluation import base_values, plan_results
from clientdesk.guarantees.models import Guarantee, GuaranteeResult
from clientdesk.guarantees.runs import run_evaluation
from clientdesk.guarantees.tests.lakerows import load_lake
from clientdesk.guarantees.tests.test_metrics import TODAY, make
from clientdesk.testing import Cast, known

YEAR = "2025-01-01/2025-12-31"


def stored(g: Guarantee, period: str, kind: str = "period") -> GuaranteeResult:
    return GuaranteeResult.objects.get(guarantee=g, period_label=period, kind=kind)


@pytest.fixture
def book(cast: Cast, tmp_path: Path) -> dict[str, Guarantee]:
    load_lake(tmp_path, ("call_record", "ivr_session", "claim_processing"))
    do_save_terms(
        cast.acme_contract,
        {"pool_pct_of_fees": D("1.5"), "max_share_pct": D("20")},
        acting_user=cast.mia,
    )
    tiers = [
        {"at": "26", "pct": "25"},
        {"at": "29", "pct": "50"},
        {"at": "30", "pct": "75"},
        {"at": "35", "pct": "100"},
    ]
    return {
        "asa": make(
            cast,
            "average_speed_of_answer",
            "25",
            "<=",
            decimals=0,
            schedule="tiers",
            tiers=tiers,
            at_risk_value=D("5000"),
        ),
        "aband": make(
            cast,
            "abandonment_rate",
            "3",
            "<=",
            at_risk_basis="pct_of_admin_fees",
            at_risk_value=D("1"),
        ),
        "fin": make(
            cast,
            "financial_accuracy",
            "99",
            schedule="per_point",
            per_point_amount=D("5000"),
            at_risk_basis="pct_of_admin_fees",
            at_risk_value=D("2"),
        ),
        "pay": make(cast, "payment_accuracy", "99", at_risk_basis="pepm", at_risk_value=D("0.50")),
        "ivr": make(
            cast, "ivr_containment", "60", settlement="annual_aggregate", at_risk_value=D("2000")
        ),
    }


def test_penalties_settlement_and_caps(cast: Cast, book: dict[str, Guarantee]) -> None:
    run_evaluation([cast.acme], acting_user=cast.alice, today=TODAY)
    # ASA 30 s against 25 s reaches the 26, 29 and 30 s tiers: 75 % of $5,000.
    r = stored(book["asa"], "2025Q1")
    assert (r.actual, r.met, r.penalty_pct, r.penalty) == (D("30"), False, 75, D("3750.00"))
    assert r.status == "final" and r.settles
    assert (r.report_due, r.reconciliation_due, r.payment_due) == (
        dt.date(2025, 5, 30),
        dt.date(2026, 3, 1),
        dt.date(2026, 3, 31),
    )
    assert stored(book["asa"], "2025Q2").met is True
    # Abandonment 20 %: all or nothing on 1 % of the quarter's fees (46,200 x 3 x 1 %).
    r = stored(book["aband"], "2025Q1")
    assert (r.amount_at_risk, r.penalty) == (D("1386.00"), D("1386.00"))
    # Financial accuracy 95.56 %: 3.44 points x $5,000 = $17,200, capped at 2 % of the
    # quarter's fees = $2,772.00.
    r = stored(book["fin"], "2025Q1")
    assert (r.amount_at_risk, r.penalty) == (D("2772.00"), D("2772.00"))
    # Payment accuracy 1 of 3: $0.50 PEPM x 1,200 employees x 3 months.
    assert stored(book["pay"], "2025Q1").penalty == D("1800.00")
    # No audited claims in the second quarter: no data, no verdict, nothing owed.
    r = stored(book["fin"], "2025Q2")
    assert (r.status, r.met, r.penalty) == ("no_data", None, 0)

    # IVR containment settles on the contract year's aggregate: the quarters are interim.
    q1 = stored(book["ivr"], "2025Q1")
    assert (q1.actual, q1.met, q1.settles, q1.penalty) == (D("50"), False, False, 0)
    year = stored(book["ivr"], YEAR, kind="settlement")
    assert year.numerator == 4 and year.denominator == 9  # S1, S2, S6, S8 of S1-S9
    assert (year.met, year.penalty) == (False, D("2000.00"))
    # It risks no more than its allocation (20 % of the pool below): $1,663.20, not $2,000.
    assert (year.amount_at_risk, year.evidence["at_risk_before_caps"]) == (D("1663.20"), "2000.00")

    # Reconciliation: pool 1.5 % of the year's fees (46,200 x 12) = $8,316.00; at most 20 %
    # of it, $1,663.20, per guarantee.
    owed = {k: stored(g, YEAR, kind="settlement").owed for k, g in book.items()}
    assert owed == {
        "asa": D("1663.20"),
        "aband": D("1386.00"),
        "fin": D("1663.20"),
        "pay": D("1663.20"),
        "ivr": D("1663.20"),
    }
    asa_year = stored(book["asa"], YEAR, kind="settlement")
    assert asa_year.penalty == D("3750.00")  # the sum of its quarters, before the caps
    assert asa_year.evidence["pool"] == "8316.00"


def test_every_change_is_audited_and_misses_reach_the_timeline(
    cast: Cast, book: dict[str, Guarantee]
) -> None:
    _, first = run_evaluation([cast.acme], acting_user=cast.alice, today=TODAY)
    created = AuditEvent.objects.filter(action="guarantee_result.create").count()
    assert created == first.created > 0
    events = ActivityEvent.objects.filter(account=cast.acme, kind="guarantee")
    # The first quarter's ASA, abandonment, financial and payment accuracy, and the IVR year:
    # one timeline event per period.
    assert first.new_misses == 5 and events.count() == 2
    quarter = events.get(subject__startswith="4 guarantees missed, 2025Q1")
    abandonment = "Call abandonment rate: 20.00\u202f% against ≤ 3\u202f%; penalty $1,386.00."
    assert abandonment in quarter.body
    assert events.filter(subject=f"Guarantee missed, {YEAR}: IVR containment").exists()

    # Nothing changed: nothing written, nothing audited.
    _, again = run_evaluation([cast.acme], acting_user=cast.alice, today=TODAY)
    assert (again.created, again.updated, again.unchanged) == (0, 0, first.created)
    assert AuditEvent.objects.filter(action__startswith="guarantee_result").count() == created

    # A new target: the first quarter's abandonment is met now, and the audit says how.
    do_update_guarantee(book["aband"], {"target": D("25")}, acting_user=cast.mia)
    _, third = run_evaluation([cast.acme], acting_user=cast.alice, today=TODAY)
    assert third.updated > 0 and third.new_misses == 0
    row = stored(book["aband"], "2025Q1")
    audit = AuditEvent.objects.filter(action="guarantee_result.update", object_id=str(row.pk)).get()
    assert (known(audit.before)["met"], known(audit.after)["met"]) == (False, True)
    assert (known(audit.before)["penalty"], known(audit.after)["penalty"]) == ("1386.00", "0.00")
    assert audit.actor == cast.alice
    assert events.count() == 2


def test_evaluating_one_period_evaluates_its_contract_year(
    cast: Cast, book: dict[str, Guarantee]
) -> None:
    from clientdesk.lib.periods import parse_span

    values, _ = run_evaluation(
        [cast.acme], acting_user=None, today=TODAY, window=parse_span("2025Q2")
    )
    assert {v.contract_year for v in values} == {YEAR}
    assert {v.period_label for v in values if v.kind == "period"} == {
        "2025Q1",
        "2025Q2",
        "2025Q3",
        "2025Q4",
    }


def test_an_attested_result_and_its_settlement(cast: Cast) -> None:
    """Implementation readiness, one-time, $7,500 all or nothing: 11 of 12 milestones met by
    their commitment date = 91.666667 % (stored to 6 places) misses 100 %; the contract year
    owes the $7,500. (Implementation satisfaction is counted from the survey's answers, not
    attested: implementations/tests/test_satisfaction_guarantee.py.)"""
    from clientdesk.guarantees.actions import Attestation, do_attest_result

    survey = make(
        cast,
        "implementation_readiness",
        "100",
        period="one_time",
        measure_from=dt.date(2025, 1, 1),
        measure_to=dt.date(2025, 3, 31),
        at_risk_value=D("7500"),
    )
    row = do_attest_result(
        survey,
        Attestation(
            period_label="one-time",
            numerator=D("11"),
            denominator=D("12"),
            value=None,
            sample_size=12,
            evidence="Readiness review minutes, milestone list",
            reference="readiness-2025-03.pdf",
        ),
        acting_user=cast.alice,
        today=TODAY,
    )
    assert (row.actual, row.sample_size, row.met, row.penalty) == (D("91.666667"), 12, False, 7500)
    assert (row.numerator, row.denominator, row.status) == (D("11"), D("12"), "attested")
    year = stored(survey, YEAR, kind="settlement")
    assert (year.penalty, year.owed, year.status) == (D("7500.00"), D("7500.00"), "attested")
    with pytest.raises(ValueError, match="not a period of this guarantee"):
        do_attest_result(
            survey,
            Attestation(
                period_label="2025Q1",
                numerator=None,
                denominator=None,
                value=D("4"),
                sample_size=3,
                evidence="x",
                reference="",
            ),
            acting_user=cast.alice,
            today=TODAY,
        )


TAT = "claims_tat_90_10"


def test_the_contract_states_which_fees_are_at_risk(cast: Cast) -> None:
    # A fully insured contract of Bayside (2,100 members): premium $600 PMPM, no admin fee.
    insured = do_create_contract(
        cast.bayside,
        {
            "number": "C-G100002-FI",
            "start_date": dt.date(2025, 1, 1),
            "end_date": dt.date(2025, 12, 31),
            "products": ["medical"],
            "premium_pmpm": D("600.00"),
        },
        acting_user=cast.mia,
    )
    # A template's "% of fees" becomes the contract's own fees: here premium.
    (tat,) = do_create_guarantees_from_templates(insured, [TAT], acting_user=cast.mia)
    (aso_tat,) = do_create_guarantees_from_templates(cast.acme_contract, [TAT], acting_user=None)
    assert (tat.at_risk_basis, aso_tat.at_risk_basis) == ("pct_of_premium", "pct_of_admin_fees")
    first_quarter = [p for p in plan_results([tat, aso_tat], today=TODAY) if p.label == "2025Q1"]
    at_risk = [base_values(p, today=TODAY).amount_at_risk for p in first_quarter]
    # 1.5 % x $600 x 2,100 members x 3 months; 1.5 % x $38.50 x 1,200 employees x 3 months.
    assert at_risk == [D("56700.00"), D("2079.00")]
    # Admin fees at risk on a contract that has none is refused, not read as premium.
    with pytest.raises(ValidationError, match="no admin fee PEPM"):
        do_create_guarantee(
            insured,
            {
                "metric": "claims_turnaround",
                "comparator": ">=",
                "target": D("90"),
                "period": "quarterly",
                "at_risk_basis": "pct_of_admin_fees",
                "at_risk_value": D("1"),
            },
            acting_user=cast.mia,
        )
