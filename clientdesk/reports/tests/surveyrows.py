"""A tiny survey_response feed for the satisfaction tests: every figure counted by hand.

Current period 2025Q2, prior 2025Q1. Acme is in New York (EDT, UTC-4 in these months),
Bayside in Los Angeles. (nps, csat) of each answer; "-" is no score.

Acme, member survey, Q2: 15 invitations, 12 answered (response rate 80.0 %):
  (9,5) (10,5) (10,4) (9,4) (9,4) (7,3) (8,3) (6,2) (5,1) (0,5) (3,-) (-,4)
  NPS: 11 scores, promoters 5, detractors 4 (6, 5, 0, 3) -> (5 - 4) / 11 = +9.1
  CSAT: 11 scores, sum 40 -> mean 3.64; satisfied (4-5) 7 -> 63.6 %
  The first is sent Apr 1 00:30 EDT (Apr 1 04:30 UTC); the last is sent Jun 30 22:00 EDT
  (Jul 1 02:00 UTC, Q3 by its UTC date) and answered on Jul 3: both count in Q2.
Acme, member survey, Q1: 20 invitations, 11 answered (55.0 %):
  (9,4) (10,4) (9,5) (7,4) (8,4) (7,3) (6,3) (5,3) (4,2) (2,2) (0,1)
  NPS: promoters 3, detractors 5 -> (3 - 5) / 11 = -18.2
  CSAT: sum 35 -> mean 3.18; satisfied 5 -> 45.5 %
  The last is sent Mar 31 23:30 EDT (Apr 1 03:30 UTC): Q1.
Acme, sponsor survey, Q2: 6 invitations, 5 answered (fewer than 11: suppressed). Comments,
  by answer date: Apr 20 "Quarterly reviews are useful.", May 5 blank, May 20 "Claims
  backlog in May hurt our employees.", Jun 10 a long one, Jun 12 "Good renewal support."
  -> the three newest non-blank ones: Jun 12, Jun 10 (cut), May 20.
Acme, sponsor survey, Q1: none.
Bayside, member survey, Q2: 3 answers, all (10,5) (suppressed on its own).
  Both accounts, member Q2: 15 answers; NPS scores 14, promoters 8, detractors 4 -> +28.6.
Every member answer carries a comment starting MEMBER-ONLY: none may appear in a report.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from clientdesk.lake.ingestion import ingest_files
from clientdesk.lake.tests.lakefiles import write_csv

LONG_COMMENT = (
    "Renewal pricing was explained clearly and the account team followed up every week "
    "until the open claims were settled; we would still like the monthly utilization pack "
    "to arrive before our own board meeting rather than after it."
)
MEMBER_COMMENT = "MEMBER-ONLY comment about my claim"


def _row(
    rid: str,
    survey: str,
    sent: str,
    answered: str = "",
    nps: int | None = None,
    csat: int | None = None,
    verbatim: str = "",
    group: str = "G100001",
) -> dict[str, Any]:
    return {
        "response_id": rid,
        "group_id": group,
        "survey": survey,
        "sent_at": sent,
        "answered_at": answered,
        "nps_score": "" if nps is None else nps,
        "csat": "" if csat is None else csat,
        "verbatim": verbatim or (MEMBER_COMMENT if survey == "member" and answered else ""),
        "contact_email": "dana.whitfield@acme.example" if survey == "sponsor" else "",
    }


def _answers(
    prefix: str, month: int, scores: list[tuple[int | None, int | None]]
) -> list[dict[str, Any]]:
    return [
        _row(
            f"{prefix}{n}",
            "member",
            f"2025-{month:02d}-{10 + n:02d}T15:00:00Z",
            f"2025-{month:02d}-{11 + n:02d}T15:00:00Z",
            nps,
            csat,
        )
        for n, (nps, csat) in enumerate(scores)
    ]


def survey_rows() -> list[dict[str, Any]]:
    q2 = [
        _row("A1", "member", "2025-04-01T04:30:00Z", "2025-04-02T15:00:00Z", 9, 5),
        *_answers(
            "AM",
            5,
            [(10, 5), (10, 4), (9, 4), (9, 4), (7, 3), (8, 3), (6, 2), (5, 1), (0, 5), (3, None)],
        ),
        _row("A12", "member", "2025-07-01T02:00:00Z", "2025-07-03T15:00:00Z", None, 4),
        *[_row(f"AU{n}", "member", f"2025-05-{n + 1:02d}T15:00:00Z") for n in range(3)],
    ]
    q1 = [
        *_answers(
            "BF",
            2,
            [(9, 4), (10, 4), (9, 5), (7, 4), (8, 4), (7, 3), (6, 3), (5, 3), (4, 2), (2, 2)],
        ),
        _row("B11", "member", "2025-04-01T03:30:00Z", "2025-04-02T15:00:00Z", 0, 1),
        *[_row(f"BU{n}", "member", f"2025-01-{n + 1:02d}T15:00:00Z") for n in range(9)],
    ]
    sponsor = [
        _row(
            "S1",
            "sponsor",
            "2025-04-15T15:00:00Z",
            "2025-04-20T15:00:00Z",
            8,
            4,
            "Quarterly reviews are useful.",
        ),
        _row("S2", "sponsor", "2025-04-15T15:00:00Z", "2025-05-05T15:00:00Z", 9, 5, "   "),
        _row(
            "S3",
            "sponsor",
            "2025-04-15T15:00:00Z",
            "2025-05-20T15:00:00Z",
            4,
            2,
            "Claims backlog in May hurt our employees.",
        ),
        _row("S4", "sponsor", "2025-06-01T15:00:00Z", "2025-06-10T15:00:00Z", 7, 4, LONG_COMMENT),
        _row(
            "S5",
            "sponsor",
            "2025-06-01T15:00:00Z",
            "2025-06-12T15:00:00Z",
            10,
            5,
            "Good renewal support.",
        ),
        _row("S6", "sponsor", "2025-06-01T15:00:00Z"),
    ]
    bayside = [
        _row(
            f"Y{n}",
            "member",
            "2025-05-10T18:00:00Z",
            "2025-05-11T18:00:00Z",
            10,
            5,
            group="G100002",
        )
        for n in range(3)
    ]
    return [*q2, *q1, *sponsor, *bayside]


def load_surveys(folder: Path) -> None:
    """Ingest the feed through the real ingestion (the cast's accounts must exist)."""
    results = ingest_files(
        "survey_response", [write_csv(folder / "surveys.csv", survey_rows())], acting_user=None
    )
    assert all(r.rows_rejected == 0 for r in results), results
