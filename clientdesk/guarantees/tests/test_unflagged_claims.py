"""Claims with no auto-adjudication flag (loaded from an 835, which cannot say) are in neither
term of the auto-adjudication rate, and every result says how many it left out.

Acme, 2025, original claims (U3R reverses U3: not an original):
  U1  finalized Jan 8   auto-adjudicated
  U2  finalized Jan 20  not (pended for pricing)
  U3  finalized Feb 5   no flag
  U4  finalized Feb 20  no flag
  U5  finalized Mar 10  auto-adjudicated
  U6  finalized Mar 12  not (pended for medical review)
  U3R finalized Mar 20  no flag, a reversal of U3
  U7  finalized Apr 10  no flag (the second quarter has no flagged claim at all)
First quarter: 2 auto (U1, U5) of 4 flagged (U1, U2, U5, U6) = 50 %; U3 and U4 left out; the
turnaround still counts all 6 originals.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from clientdesk.guarantees.drilldown import records_behind
from clientdesk.guarantees.evidence import evidence_lines
from clientdesk.guarantees.models import GuaranteeResult
from clientdesk.guarantees.monitors import auto_adjudication_monitor
from clientdesk.guarantees.runs import run_evaluation
from clientdesk.guarantees.tests.lakerows import _claim, write_csv
from clientdesk.guarantees.tests.test_metrics import make
from clientdesk.lake.gateway import SystemActor, open_lake
from clientdesk.lake.ingestion import ingest_files
from clientdesk.testing import Cast, known

TODAY = dt.date(2025, 7, 1)


def _unflagged(claim_id: str, received: str, finalized: str, **extra: Any) -> dict[str, Any]:
    return _claim(claim_id, received, finalized, False, **extra) | {"auto_adjudicated": ""}


CLAIMS = [
    _claim("U1", "2025-01-02", "2025-01-08", True),
    _claim("U2", "2025-01-10", "2025-01-20", False, pend_reason="pricing"),
    _unflagged("U3", "2025-02-01", "2025-02-05"),
    _unflagged("U4", "2025-02-10", "2025-02-20"),
    _claim("U5", "2025-03-01", "2025-03-10", True),
    _claim("U6", "2025-03-01", "2025-03-12", False, pend_reason="medical_review"),
    _unflagged(
        "U3R", "2025-03-18", "2025-03-20", original="U3", frequency="7", adjustment="reversal"
    ),
    _unflagged("U7", "2025-04-01", "2025-04-10"),
]


def test_claims_with_no_flag_are_left_out_of_the_rate_and_counted(
    cast: Cast, tmp_path: Path
) -> None:
    [loaded] = ingest_files(
        "claim_processing", [write_csv(tmp_path / "proc.csv", CLAIMS)], acting_user=None
    )
    assert (loaded.rows_loaded, loaded.rows_rejected) == (8, 0)
    aa = make(cast, "auto_adjudication_rate", "85")
    tat = make(cast, "claims_turnaround", "90", threshold=30)
    run_evaluation([cast.acme], acting_user=cast.mia, today=TODAY)

    q1 = GuaranteeResult.objects.get(guarantee=aa, period_label="2025Q1")
    assert (q1.numerator, q1.denominator, q1.actual) == (2, 4, Decimal("50"))
    components = q1.evidence["components"]
    assert (components["originals"], components["auto"], components["unflagged"]) == (6, 2, 2)
    said = {line.label: line.text for line in evidence_lines(q1.evidence)}
    assert said["Original claims with no auto-adjudication flag (left out of its rate)"] == "2"
    assert "claims with no flag" in said["Left out"]
    # The turnaround is not about the flag: all six originals, each within 30 days.
    turnaround = GuaranteeResult.objects.get(guarantee=tat, period_label="2025Q1")
    assert (turnaround.numerator, turnaround.denominator) == (6, 6)
    # A quarter with only unflagged claims has no rate, and says why.
    q2 = GuaranteeResult.objects.get(guarantee=aa, period_label="2025Q2")
    assert (q2.actual, q2.denominator, q2.evidence["components"]["unflagged"]) == (None, 0, 1)

    # The records behind the first quarter: the flagged originals only, U2 and U6 breaching.
    touched = records_behind(cast.mia, q1)
    assert (touched.total, [r["claim_id"] for r in touched.rows]) == (2, ["U2", "U6"])
    every = records_behind(cast.mia, q1, breaches_only=False)
    assert every.total == 4
    assert {r["claim_id"] for r in every.rows} == {"U1", "U2", "U5", "U6"}

    # The monitor, daily, over the 91 days to Mar 31 (Dec 31 - Mar 31): the same split.
    with open_lake(SystemActor("tests")) as lake:
        monitor = auto_adjudication_monitor(
            lake, account_id=cast.acme.pk, last=dt.date(2025, 3, 31), grain="daily"
        )
    [professional] = monitor.table
    assert (professional["originals"], known(professional["rate"])) == (4, 50.0)
    assert monitor.unflagged == 2
    assert {r["pend_reason"]: r["pended"] for r in monitor.pend_reasons} == {
        "medical_review": 1,
        "pricing": 1,
    }
