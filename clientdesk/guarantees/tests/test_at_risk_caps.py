"""Money at risk never exceeds what the contract puts at risk: each guarantee at most its
allocation, the contract year at most its pool (fees at risk are a share of the fees, spread
across the guarantees: domain/service-guarantees-detection.md §1.6).

Acme's contract: admin fee $38.50 PEPM x 1,200 employees = $46,200 of fees a month. Its terms:
a pool of 10 % of the year's fees = 0.10 x 46,200 x 12 = $55,440.00, at most 40 % of it,
$22,176.00, on any one guarantee. Three quarterly guarantees on the calls feed:
  abandonment  3 % of a quarter's fees = 0.03 x 46,200 x 3 = $4,158.00 a quarter, $16,632.00
  ASA          $10,000 a quarter, $40,000.00 a year -> allocation cap $22,176.00
  service lvl  $6,000 a quarter, $24,000.00 a year  -> allocation cap $22,176.00
Capped they come to 16,632 + 22,176 + 22,176 = $60,984.00, more than the pool: each is scaled
by 55,440 / 60,984 = 10/11 -> $15,120.00, $20,160.00, $20,160.00, together the pool. Before
the rule the year showed $80,632.00 at risk, 145 % of the contract's pool.
"""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

from clientdesk.guarantees.actions import do_save_terms
from clientdesk.guarantees.models import GuaranteeResult
from clientdesk.guarantees.penalties import capped_at_risk
from clientdesk.guarantees.queries import portfolio
from clientdesk.guarantees.runs import run_evaluation
from clientdesk.guarantees.tests.lakerows import load_lake
from clientdesk.guarantees.tests.test_metrics import TODAY, make
from clientdesk.testing import Cast

YEAR = "2025-01-01/2025-12-31"


def test_the_pure_rule_by_hand() -> None:
    amounts = {1: D("16632.00"), 2: D("40000.00"), 3: D("24000.00")}
    capped = capped_at_risk(amounts, pool=D("55440.00"), max_share_pct=D("40"))
    assert capped == {1: D("15120.00"), 2: D("20160.00"), 3: D("20160.00")}
    # Without terms nothing is capped; under the pool only the allocation cap applies.
    assert capped_at_risk(amounts, pool=None, max_share_pct=None) == amounts
    assert capped_at_risk({1: D("100"), 2: D("900")}, pool=D("1000"), max_share_pct=D("50")) == {
        1: D("100.00"),
        2: D("500.00"),
    }


def test_a_contract_year_risks_no_more_than_its_pool(cast: Cast, tmp_path: Path) -> None:
    load_lake(tmp_path, ("call_record",))
    do_save_terms(
        cast.acme_contract,
        {"pool_pct_of_fees": D("10"), "max_share_pct": D("40")},
        acting_user=cast.mia,
    )
    guarantees = {
        "aband": make(
            cast,
            "abandonment_rate",
            "3",
            "<=",
            at_risk_basis="pct_of_admin_fees",
            at_risk_value=D("3"),
        ),
        "asa": make(
            cast, "average_speed_of_answer", "30", "<=", decimals=0, at_risk_value=D("10000")
        ),
        "sl": make(cast, "service_level", "80", threshold=30, at_risk_value=D("6000")),
    }
    run_evaluation([cast.acme], acting_user=cast.alice, today=TODAY)
    years = {
        name: GuaranteeResult.objects.get(guarantee=g, period_label=YEAR, kind="settlement")
        for name, g in guarantees.items()
    }
    assert {k: r.amount_at_risk for k, r in years.items()} == {
        "aband": D("15120.00"),
        "asa": D("20160.00"),
        "sl": D("20160.00"),
    }
    assert {k: r.evidence["at_risk_before_caps"] for k, r in years.items()} == {
        "aband": "16632.00",
        "asa": "40000.00",
        "sl": "24000.00",
    }
    # A quarter still risks its own amount (the caps settle on the contract year).
    q1 = GuaranteeResult.objects.get(guarantee=guarantees["asa"], period_label="2025Q1")
    assert q1.amount_at_risk == D("10000.00")
    (row,) = portfolio(cast.mia, TODAY)
    assert row.at_risk == D("55440.00")
