"""Hypercare watches the new account's denials and calls from the lake against the rest of
the book (the new-account prior), figures by hand.

Acme goes live Jan 1, 2027; today is Jan 10: 10 days, Acme 100 members -> 1,000 member-days.
The book is Bayside (1,000 members) over the same 10 days -> 10,000 member-days (calls).
Denials are per claim finalized: Bayside 400 claims, Acme 80.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from scipy.stats import poisson

from clientdesk.implementations.actions import do_create_implementation, do_go_live
from clientdesk.implementations.models import Template
from clientdesk.implementations.queries import hypercare
from clientdesk.lake.ingestion import ingest_files
from clientdesk.lake.tests.lakefiles import call_row, processing_row, write_csv
from clientdesk.testing import Cast

pytestmark = pytest.mark.django_db
TODAY = dt.date(2027, 1, 10)


def _denial(claim: str, group: str, member: str, carc: str) -> dict[str, str]:
    return processing_row(
        claim_id=claim,
        original_claim_id=claim,
        group_id=group,
        member_id=member,
        received_date="2027-01-02",
        finalized_date="2027-01-06",
        paid_date="",
        status="denied",
        carc=carc,
        carc_codes=f"CO-{carc}",
        paid_amount="0.00",
    )


def test_denials_and_calls_against_the_books_rate(cast: Cast, tmp_path: Path) -> None:
    cast.acme.members, cast.bayside.members = 100, 1000
    cast.acme.save()
    cast.bayside.save()
    rows = [_denial(f"A{n}", "G100001", f"MA{n}", "16") for n in range(4)]
    rows.append(_denial("A9", "G100001", "MA9", "197"))
    rows += [_denial(f"B{n}", "G100002", f"MB{n}", "16") for n in range(20)]
    rows += [_denial(f"B9{n}", "G100002", f"MB9{n}", "197") for n in range(5)]
    # Paid claims: Bayside 375 (400 finalized with its 25 denials), Acme 75 (80 with its 5).
    paid = {
        "received_date": "2027-01-02",
        "finalized_date": "2027-01-05",
        "paid_date": "2027-01-08",
    }
    rows += [
        processing_row(claim_id=f"BP{n}", original_claim_id=f"BP{n}", group_id="G100002")
        | paid
        | {"member_id": f"MB{n % 50}"}
        for n in range(375)
    ]
    rows += [
        processing_row(claim_id=f"AP{n}", original_claim_id=f"AP{n}", group_id="G100001")
        | paid
        | {"member_id": f"MA{n % 20}"}
        for n in range(75)
    ]
    # A denial finalized before go-live is outside the window.
    rows.append(_denial("A0-old", "G100001", "MA0", "16") | {"finalized_date": "2026-12-30"})
    ingest_files("claim_processing", [write_csv(tmp_path / "proc.csv", rows)], acting_user=None)
    calls = [
        call_row(call_id=f"KA{n}", group_id="G100001", reason="id_card") for n in range(30)
    ] + [call_row(call_id=f"KB{n}", group_id="G100002", reason="id_card") for n in range(100)]
    calls = [c | {"offered_at": "2027-01-05 15:00:00"} for c in calls]
    ingest_files("call_record", [write_csv(tmp_path / "calls.csv", calls)], acting_user=None)

    # Acme's sponsor answers: CSAT 5 and 3 since go-live, 2 before it; Bayside's 5 never Acme's.
    surveys = [
        {
            "response_id": f"S{n}",
            "group_id": group,
            "survey": "sponsor",
            "sent_at": f"{day} 10:00:00",
            "answered_at": f"{day} 16:00:00",
            "csat": csat,
        }
        for n, (group, day, csat) in enumerate(
            [
                ("G100001", "2027-01-04", "5"),
                ("G100001", "2027-01-08", "3"),
                ("G100001", "2026-12-20", "2"),
                ("G100002", "2027-01-04", "5"),
            ]
        )
    ]
    ingest_files("survey_response", [write_csv(tmp_path / "s.csv", surveys)], acting_user=None)

    plan = do_create_implementation(
        cast.acme,
        name="Acme 2027",
        kind="",
        effective_date=dt.date(2027, 1, 1),
        template=Template.objects.get(code="new-self-funded"),
        acting_user=cast.mia,
    )
    plan = do_go_live(plan, on=dt.date(2027, 1, 1), acting_user=cast.mia)

    # Alice sees Acme only: Acme's rows in her scope, the book's as counts only.
    care = hypercare(plan, TODAY, reader=cast.alice)
    assert care is not None and care.days == 10
    assert (care.denials, care.calls) == (5, 30)
    denials = {w.category: w for w in care.denial_watches}
    # CARC 16: the book's 20 of 400 claims = 0.05 per claim x Acme's 80 claims = 4.0
    # expected (per member-day it would be 20 / 10,000 x 1,000 = 2.0: Acme simply sends
    # more claims per member); 4 observed: P(X >= 4 | 4) = 1 - e^-4 (1 + 4 + 8 + 32/3)
    # = 0.567, not unusual.
    assert care.denied_claims_of == 80
    assert denials["16"].expected == pytest.approx(4.0)
    assert denials["16"].p_value == pytest.approx(0.5665, abs=1e-4)
    assert not denials["16"].flagged
    # CARC 197: the book's 5 denials are over 5 members, a small cell: withheld, taken as
    # none, so Acme's one is unusual.
    assert denials["197"].withheld and denials["197"].expected == 0
    assert denials["197"].flagged
    # Calls about ID cards: the book's 100 -> 10 expected; 30 observed is unusual.
    [cards] = care.call_watches
    assert (cards.category, cards.observed, cards.expected) == ("id_card", 30, 10.0)
    assert cards.p_value == pytest.approx(float(poisson.sf(29, 10.0)))
    assert cards.flagged

    # The feed's sponsor answers are relationship surveys: implementation satisfaction counts
    # implementation-survey answers only (test_implementation_survey.py), so none here.
    assert (care.survey_answers, care.survey_satisfied) == (0, 0)

    # Without a reader the lake is not read (the deck's path).
    assert hypercare(plan, TODAY).denials is None  # type: ignore[union-attr]
