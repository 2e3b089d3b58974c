"""A hand-made lake for the guarantee tests: every number below is counted by hand.

Acme (G100001, America/New_York) and Bayside (G100002, America/Los_Angeles), 2025.

Calls, Acme, member line, first quarter (local dates):
  K1  Jan 15  answered, waited 20 s, resolved on first contact
  K2  Jan 15  answered, waited 40 s, not resolved
  K3  Feb 10  answered, waited 10 s, resolved
  K4  Feb 10  abandoned after 3 s            (a short abandon: excluded)
  K5  Mar 5   abandoned after 30 s
  K6  Mar 31 23:59:59 EDT = Apr 1 03:59:59 UTC: answered, waited 50 s, resolved
      (a UTC date would put it in the second quarter; the account's time zone does not)
  K7  Apr 1 00:00:00 EDT: answered, waited 5 s, not resolved (second quarter)
  K8  Jan 20  sponsor line, answered, waited 100 s (not a member-line call)
Bayside, member line: B1 Feb 1, answered, waited 60 s, resolved.

IVR sessions, Acme, first quarter: Jan 20 contained, contained, transferred (opted out),
transferred, abandoned; Feb 20 contained, transferred (opted out); Mar 31 23:30 EDT
contained. Second quarter: Apr 1 08:00 EDT transferred.

Claim processing, Acme:
  C1  received Jan 2, finalized Jan 8 (6 days), auto, audited: paid 1,000.00, no error
  C2  received Jan 10, finalized Jan 25 (15 days), pended for pricing, audited: paid 500.00,
      overpaid 50.00
  C3  received Feb 1, finalized Feb 11 (10 days), auto, not audited
  C4  received Mar 1, finalized Mar 31 (30 days), pended for medical review, audited: paid
      300.00, underpaid 30.00
  C3R a reversal of C3 finalized Mar 20 (not an original: excluded)
  C5  received Mar 28, finalized Apr 2 (second quarter), auto
  C6  received Mar 25, not finalized (pended: excluded)

Surveys, Acme, 2025: member csat 5, 4, 2, 3 and one answer without a csat in the first
quarter, csat 5 in July; sponsor csat 4, 2, 3 (April). Two invitations nobody answered (a
member one in February, a sponsor one in April: no answered_at, no scores) count nowhere.

Eligibility files, Acme (loaded = first ingest time, New York):
  jan  file date Fri Jan 3, loaded Mon Jan 6: 1 business day
  feb  file date Fri Feb 14, loaded Mon Feb 24: 5 business days (Mon Feb 17 is Presidents' Day)
  mar  file date Mon Mar 3, loaded Tue Mar 11: 6 business days
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from clientdesk.lake.ingestion import ingest_files


def _call(call_id: str, at: str, answered: bool, wait: int, **extra: Any) -> dict[str, Any]:
    return {
        "call_id": call_id,
        "group_id": extra.pop("group_id", "G100001"),
        "queue": "member_services",
        "line": extra.pop("line", "member"),
        "offered_at": at,
        "answered": str(answered).lower(),
        "abandoned": str(not answered).lower(),
        "wait_seconds": wait,
        "handle_seconds": 300 if answered else 0,
        "resolved_first_contact": str(extra.pop("resolved", False)).lower(),
        "reason": "claim_status",
    }


CALLS = [
    _call("K1", "2025-01-15T15:00:00Z", True, 20, resolved=True),
    _call("K2", "2025-01-15T16:00:00Z", True, 40),
    _call("K3", "2025-02-10T14:00:00Z", True, 10, resolved=True),
    _call("K4", "2025-02-10T14:05:00Z", False, 3),
    _call("K5", "2025-03-05T18:00:00Z", False, 30),
    _call("K6", "2025-04-01T03:59:59Z", True, 50, resolved=True),
    _call("K7", "2025-04-01T04:00:00Z", True, 5),
    _call("K8", "2025-01-20T15:00:00Z", True, 100, line="sponsor"),
    _call("B1", "2025-02-01T20:00:00Z", True, 60, resolved=True, group_id="G100002"),
]


def _session(session_id: str, at: str, outcome: str, opted_out: bool = False) -> dict[str, Any]:
    return {
        "session_id": session_id,
        "group_id": "G100001",
        "started_at": at,
        "entry_point": "member_main",
        "menu_path": "main>claims>status",
        "outcome": outcome,
        "opted_out": str(opted_out).lower(),
        "seconds": 40,
    }


SESSIONS = [
    _session("S1", "2025-01-20T15:00:00Z", "contained"),
    _session("S2", "2025-01-20T15:01:00Z", "contained"),
    _session("S3", "2025-01-20T15:02:00Z", "transferred", opted_out=True),
    _session("S4", "2025-01-20T15:03:00Z", "transferred"),
    _session("S5", "2025-01-20T15:04:00Z", "abandoned"),
    _session("S6", "2025-02-20T15:00:00Z", "contained"),
    _session("S7", "2025-02-20T15:01:00Z", "transferred", opted_out=True),
    _session("S8", "2025-04-01T03:30:00Z", "contained"),
    _session("S9", "2025-04-01T12:00:00Z", "transferred"),
]


def _claim(
    claim_id: str, received: str, finalized: str, auto: bool, **extra: Any
) -> dict[str, Any]:
    audited = "audit_paid" in extra
    return {
        "claim_id": claim_id,
        "original_claim_id": extra.pop("original", claim_id),
        "claim_frequency": extra.pop("frequency", "1"),
        "adjustment_type": extra.pop("adjustment", "original"),
        "group_id": "G100001",
        "member_id": "W12345678901",
        "claim_type": "professional",
        "service_family": "office_visit",
        "received_date": received,
        "finalized_date": finalized,
        "auto_adjudicated": str(auto).lower(),
        "pend_reason": extra.pop("pend_reason", ""),
        "status": extra.pop("status", "paid"),
        "charge_amount": "1500.00",
        "allowed_amount": "1200.00",
        "paid_amount": extra.get("audit_paid", "1000.00"),
        "audited": str(audited).lower(),
        "audit_paid_amount": extra.get("audit_paid", ""),
        "audit_error_amount": extra.get("audit_error", ""),
        "audit_finding": extra.get("finding", ""),
    }


CLAIMS = [
    _claim(
        "C1",
        "2025-01-02",
        "2025-01-08",
        True,
        audit_paid="1000.00",
        audit_error="0.00",
        finding="none",
    ),
    _claim(
        "C2",
        "2025-01-10",
        "2025-01-25",
        False,
        pend_reason="pricing",
        audit_paid="500.00",
        audit_error="50.00",
        finding="overpayment",
    ),
    _claim("C3", "2025-02-01", "2025-02-11", True),
    _claim(
        "C4",
        "2025-03-01",
        "2025-03-31",
        False,
        pend_reason="medical_review",
        audit_paid="300.00",
        audit_error="-30.00",
        finding="underpayment",
    ),
    _claim(
        "C3R",
        "2025-03-18",
        "2025-03-20",
        False,
        original="C3",
        frequency="7",
        adjustment="reversal",
        pend_reason="adjustment",
    ),
    _claim("C5", "2025-03-28", "2025-04-02", True),
    _claim("C6", "2025-03-25", "", False, status="pended", pend_reason="pricing"),
]


def _survey(
    response_id: str, survey: str, at: str, csat: int | None, *, answered: bool = True
) -> dict[str, Any]:
    return {
        "response_id": response_id,
        "group_id": "G100001",
        "survey": survey,
        "sent_at": at,
        "answered_at": at if answered else "",
        "nps_score": 8 if answered else "",
        "csat": "" if csat is None else csat,
        "verbatim": "",
        "contact_email": "dana.whitfield@acme.example" if survey == "sponsor" else "",
    }


SURVEYS = [
    _survey("V1", "member", "2025-01-16T15:00:00Z", 5),
    _survey("V2", "member", "2025-02-11T15:00:00Z", 4),
    _survey("V3", "member", "2025-02-12T15:00:00Z", 2),
    _survey("V4", "member", "2025-03-06T15:00:00Z", 3),
    _survey("V5", "member", "2025-03-07T15:00:00Z", None),
    _survey("V6", "member", "2025-07-07T15:00:00Z", 5),
    _survey("P1", "sponsor", "2025-04-10T15:00:00Z", 4),
    _survey("P2", "sponsor", "2025-04-11T15:00:00Z", 2),
    _survey("P3", "sponsor", "2025-04-12T15:00:00Z", 3),
    _survey("U1", "member", "2025-02-20T15:00:00Z", None, answered=False),
    _survey("U2", "sponsor", "2025-04-10T15:00:00Z", None, answered=False),
]


def _member(file_name: str, file_date: str, loaded: str, n: int) -> dict[str, Any]:
    return {
        "person_id": f"P{n}",
        "member_id": f"W{n:09d}01",
        "subscriber_id": f"W{n:09d}",
        "gender": "female",
        "birth_date": "1980-06-01",
        "enrollment_start_date": "2025-01-01",
        "enrollment_end_date": "2025-12-31",
        "payer": "Keystone",
        "payer_type": "commercial",
        "plan": "PPO 1000",
        "group_id": "G100001",
        "group_name": "Acme Steel Works",
        "state": "OH",
        "zip_code": "43004",
        "data_source": "test",
        "file_name": file_name,
        "file_date": file_date,
        "ingest_datetime": loaded,
    }


ELIGIBILITY = [
    _member("elig-jan", "2025-01-03", "2025-01-06T14:00:00Z", 1),
    _member("elig-jan", "2025-01-03", "2025-01-06T14:00:00Z", 2),
    _member("elig-feb", "2025-02-14", "2025-02-24T14:00:00Z", 3),
    _member("elig-mar", "2025-03-03", "2025-03-11T14:00:00Z", 4),
]

TABLES = {
    "call_record": CALLS,
    "ivr_session": SESSIONS,
    "claim_processing": CLAIMS,
    "survey_response": SURVEYS,
    "eligibility": ELIGIBILITY,
}


def write_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def load_lake(tmp_path: Path, tables: tuple[str, ...] = tuple(TABLES)) -> None:
    """Ingest the hand-made tables (the cast's accounts must exist)."""
    for table in tables:
        results = ingest_files(
            table, [write_csv(tmp_path / f"{table}.csv", TABLES[table])], acting_user=None
        )
        assert all(r.rows_rejected == 0 for r in results), (table, results)
