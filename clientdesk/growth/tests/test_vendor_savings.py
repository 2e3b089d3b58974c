"""A vendor's savings claim checked against the account's own claims: the participant list
imported (rows rejected with reasons, member ids masked, every look audited), and the
participants' PMPM before and after next to a matched group of non-participants, with
hand-computed figures."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from clientdesk.audit.models import AuditEvent
from clientdesk.growth.models import ParticipantList, SavingsCheck
from clientdesk.growth.participants import ParticipantFileError, read_participant_list
from clientdesk.growth.runs import import_participants
from clientdesk.growth.savings import COMPARISON, PARTICIPANTS, Stratum, matched_savings
from clientdesk.growth.tests.cast import NOW, acme_vendor_contract
from clientdesk.lake.gateway import SystemActor
from clientdesk.lake.ingestion import ingest_files
from clientdesk.lake.schemas import MEDICAL_CLAIM, PHARMACY_CLAIM
from clientdesk.lake.tests.lakefiles import eligibility_row, medical_row, pharmacy_row, write_csv
from clientdesk.testing import Cast

TODAY = dt.date(2026, 3, 2)
LIST = (
    "Member ID,Enrollment Start,Enrollment End\n"
    "M1,2025-07-10,\n"  # row 2
    "M2,07/01/2025,2025-12-31\n"  # row 3
    "M7,2025-07-01,\n"  # row 4: 75 years old, no non-participant of that age
    "M99,2025-07-01,\n"  # row 5: not in Acme's eligibility
    "M2,2025-08-01,\n"  # row 6: listed already
    ",2025-07-01,\n"  # row 7
    "M3,2025-13-01,\n"  # row 8
    "M4,2025-09-01,2025-08-01\n"  # row 9
    "M5,2027-01-01,\n"  # row 10
)


def test_the_list_is_read_with_each_bad_row_rejected() -> None:
    parsed = read_participant_list("list.csv", LIST.encode(), today=TODAY)
    assert parsed.rows_read == 9
    assert [(r.member_id, r.enrolled_on, r.ended_on) for r in parsed.rows] == [
        ("M1", dt.date(2025, 7, 10), None),
        ("M2", dt.date(2025, 7, 1), dt.date(2025, 12, 31)),
        ("M7", dt.date(2025, 7, 1), None),
        ("M99", dt.date(2025, 7, 1), None),
    ]
    assert parsed.rejections == [
        (6, "••", "the member is listed already (row 3)"),
        (7, "", "no member id"),
        (8, "••", "the enrolment start is not a date (YYYY-MM-DD)"),
        (9, "••", "the enrolment end is before its start"),
        (10, "••", "the enrolment start is in the future"),
    ]
    # An XLSX with a title above the header; member ids masked in the rejections.
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Kinetic MSK participants, Acme"])
    sheet.append(["Member Number", "Program start date", "Termed"])
    sheet.append(["W123456789", dt.date(2025, 3, 1), None])
    sheet.append(["W987654321", None, None])
    data = io.BytesIO()
    book.save(data)
    xlsx = read_participant_list("list.xlsx", data.getvalue(), today=TODAY)
    assert [(r.line, r.member_id) for r in xlsx.rows] == [(3, "W123456789")]
    assert xlsx.rejections == [(4, "W9••••••21", "no enrolment start")]
    for name, body, message in (
        ("list.pdf", b"%PDF", "CSV or XLSX"),
        ("list.xlsx", b"not a zip", "not a readable XLSX"),
        ("list.csv", b"Name,Start\nA,2025-01-01\n", "member id column"),
        ("list.csv", b"Member ID,Plan\nM1,PPO\n", "no enrolment start column"),
    ):
        with pytest.raises(ParticipantFileError, match=message):
            read_participant_list(name, body, today=TODAY)


def _stratum(group: str, band: str, members: int, base: str, follow: str) -> Stratum:
    return Stratum(
        group, dt.date(2025, 7, 1), band, "18–44", members,
        Decimal(base), 12 * members, Decimal(follow), 6 * members,
    )  # fmt: skip


def test_difference_in_differences_over_matched_strata() -> None:
    measured = matched_savings(
        [
            _stratum(PARTICIPANTS, "$100–$499", 1, "1200", "300"),
            _stratum(PARTICIPANTS, "under $100", 1, "600", "120"),
            _stratum(COMPARISON, "$100–$499", 2, "3840", "2280"),
            _stratum(COMPARISON, "under $100", 1, "0", "300"),
            _stratum(PARTICIPANTS, "$2,000 and over", 1, "30000", "0"),  # no match
        ]
    )
    assert measured is not None
    # Participants: 1,800 / 24 = 75.00 before, 420 / 12 = 35.00 after: -40.00.
    assert (measured.participants.base_pmpm, measured.participants.follow_pmpm) == (
        Decimal("75.00"),
        Decimal("35.00"),
    )
    # Comparison weighted 1/2 and 1/1: (1,920 + 0) / (12 + 12) = 80.00 before,
    # (1,140 + 300) / (6 + 6) = 120.00 after: +40.00.
    assert (measured.comparison.base_pmpm, measured.comparison.follow_pmpm) == (
        Decimal("80.00"),
        Decimal("120.00"),
    )
    assert measured.comparison.members == 3 and measured.unmatched == 1
    # 40 - (-40) = 80.00 PMPM x 12 participant months.
    assert measured.pmpm == Decimal("80.00") and measured.total == Decimal("960.00")
    assert measured.claimed_total(Decimal("100")) == Decimal("1200.00")
    assert matched_savings([_stratum(PARTICIPANTS, "under $100", 1, "0", "0")]) is None


def _claim(n: int, member: str, day: str, paid: str) -> dict[str, str]:
    row = medical_row(
        claim_id=f"C{n}",
        person_id=f"P{member[1:]}",
        member_id=member,
        claim_start_date=day,
        claim_end_date=day,
        claim_line_start_date=day,
        claim_line_end_date=day,
        paid_date=day,
        paid_amount=paid,
        allowed_amount=paid,
        charge_amount=paid,
        copayment_amount="0.00",
    )
    row["group_id"] = ""
    return row


def _acme_lake(folder: Path) -> None:
    """Acme, July 2024 to December 2025. M1, M2 and M7 join the program in July 2025; M3, M4,
    M5 stay out; M6 (out) joined Acme in March 2025, too late for a 6-month baseline."""
    people = [(m, "1990-01-01", "2024-07-01") for m in ("M1", "M2", "M3", "M4", "M5")]
    people += [("M6", "1990-01-01", "2025-03-01"), ("M7", "1950-01-01", "2024-07-01")]
    elig = [
        eligibility_row(
            person_id=f"P{m[1:]}",
            member_id=m,
            subscriber_id=m,
            birth_date=born,
            enrollment_start_date=start,
            enrollment_end_date="",
        )
        for m, born, start in people
    ]
    done = ingest_files("eligibility", [write_csv(folder / "elig.csv", elig)], acting_user=None)
    assert done[0].rows_rejected == 0, done[0].rejects_file
    claims = [
        _claim(1, "M1", "2024-09-10", "1200.00"),  # baseline 100.00 PMPM
        _claim(2, "M1", "2025-08-05", "200.00"),
        _claim(3, "M2", "2024-10-10", "600.00"),  # baseline 50.00 PMPM
        _claim(4, "M2", "2025-10-10", "120.00"),
        _claim(5, "M3", "2024-11-10", "2400.00"),  # 200.00: the $100-$499 band, as M1
        _claim(6, "M3", "2025-11-10", "1200.00"),
        _claim(7, "M4", "2024-12-10", "1440.00"),  # 120.00: the $100-$499 band
        _claim(8, "M4", "2025-08-10", "1080.00"),
        _claim(9, "M5", "2025-09-10", "300.00"),  # 0 before: under $100, as M2
        _claim(10, "M6", "2025-09-10", "5000.00"),
        _claim(11, "M3", "2026-02-10", "9999.00"),  # the latest month: run-out, not counted
    ]
    tuva = [c.name for c in MEDICAL_CLAIM.columns if not c.extension]
    done = ingest_files(
        "medical_claim", [write_csv(folder / "med.csv", claims, tuva)], acting_user=None
    )
    assert done[0].rows_rejected == 0, done[0].rejects_file
    rx = pharmacy_row(
        person_id="P1", member_id="M1", dispensing_date="2025-09-05", paid_date="2025-09-06",
        paid_amount="100.00", group_id="",
    )  # fmt: skip
    rx_cols = [c.name for c in PHARMACY_CLAIM.columns if not c.extension]
    done = ingest_files(
        "pharmacy_claim", [write_csv(folder / "rx.csv", [rx], rx_cols)], acting_user=None
    )
    assert done[0].rows_rejected == 0, done[0].rejects_file


@pytest.mark.django_db
def test_the_deal_shows_savings_measured_on_the_accounts_claims(  # type: ignore[no-untyped-def]
    cast: Cast, tmp_path: Path, login
) -> None:
    _acme_lake(tmp_path)
    contract = acme_vendor_contract(cast)
    contract.claimed_savings_pmpm = Decimal("100.00")
    contract.save()
    bob = login("bob")  # Acme's associate
    page = f"/growth/vendor-contracts/{contract.pk}/"
    with (tmp_path / "mindbridge.csv").open("w") as handle:
        handle.write(LIST)
    with (tmp_path / "mindbridge.csv").open("rb") as upload:
        response = bob.post(f"{page}participants/import/", {"file": upload})

    assert response.status_code == 302
    roster = ParticipantList.objects.get(contract=contract)
    assert sorted(roster.participants.values_list("member_id", flat=True)) == ["M1", "M2", "M7"]
    assert [(r["row"], r["reason"]) for r in roster.rejections][:2] == [
        (5, "not a member of Acme Steel Works in eligibility"),
        (6, "the member is listed already (row 3)"),
    ]
    assert len(roster.rejections) == 6
    audit = AuditEvent.objects.get(action="growth.vendor_contract.participants")
    assert audit.after is not None and audit.after["accepted"] == 3
    assert "M1" not in str(audit.after)

    # Every look is audited; ids masked unless shown on purpose.
    listing = bob.get(f"{page}participants/").content.decode()
    assert "M99" not in listing and "not a member of Acme Steel Works" in listing
    shown = bob.post(f"{page}participants/").content.decode()
    assert "<td>M7</td>" in shown
    looks = AuditEvent.objects.filter(kind=AuditEvent.Kind.PHI_READ, object_id=str(roster.pk))
    assert sorted(looks.values_list("action", flat=True)) == [
        "growth.participants.reveal",
        "growth.participants.view",
    ]
    # Eve (executive) reads the masked list but cannot reveal it.
    assert login("eve").post(f"{page}participants/").status_code == 403
    bob = login("bob")

    # Measured through December 2025: the latest claims are February 2026's, and the last two
    # months are left out as still coming in.
    assert bob.post(f"{page}savings-check/", {}).status_code == 302
    check = SavingsCheck.objects.get(contract=contract)
    assert check.measured_by == cast.bob
    assert check.through == dt.date(2025, 12, 1)
    # Participants M1 (band $100-$499) and M2 (under $100); M7 has no match at 75.
    # Before: (1,200 + 600) / 24 = 75.00; after: (200 + 100 + 120) / 12 = 35.00.
    # Comparison: M3 and M4 at weight 1/2, M5 at 1; M6 has 4 baseline months and is out.
    # Before: (0.5 x (2,400 + 1,440) + 0) / 24 = 80.00; after: (0.5 x (1,200 + 1,080) + 300) / 12
    # = 120.00. Savings (120 - 80) - (35 - 75) = 80.00 PMPM x 12 months = 960.00; claimed
    # 100.00 x 12 = 1,200.00, so the measure is 80 % of the claim.
    assert check.figures["participants"] == {
        "members": 2,
        "base_months": "24",
        "follow_months": "12",
        "base_pmpm": "75.00",
        "follow_pmpm": "35.00",
        "change": "-40.00",
    }
    assert check.figures["comparison"]["people"] == 3  # M3, M4, M5
    assert check.figures["comparison"]["base_pmpm"] == "80.00"
    assert check.figures["comparison"]["follow_pmpm"] == "120.00"
    assert (check.measured_pmpm, check.measured_total) == (Decimal("80.00"), Decimal("960.00"))
    assert check.figures["unmatched"] == 1 and check.figures["claimed_total"] == "1200.00"
    assert check.share_of_claim == Decimal("80.0")
    # Per member: participants' changes -50 (M1: 300/6 - 1,200/12) and -30, mean -40, variance
    # 200; the comparison's M3 0 and M4 +60 (mean 30), M5 +50: mean 0.5 x 30 + 0.5 x 50 = 40,
    # pooled variance 1,800 / (3 - 2); SE^2 = 200/2 + 1,800 x (0.25/2 + 0.25/1) = 775;
    # 80 +/- 1.96 x 27.839 = 80 +/- 54.56.
    assert check.figures["per_member"] == {
        "estimate": "80.00",
        "low": "25.44",
        "high": "134.56",
        "spans_zero": False,
    }

    deal = bob.get(page).content.decode()
    assert "$80.00 PMPM" in deal and "$960.00" in deal and "80.0%" in deal
    assert "difference in differences" in deal and "intent to treat" in deal
    assert "95% interval $25.44 to $134.56" in deal
    tab = bob.get(f"/accounts/{cast.acme.pk}/tab/growth/").content.decode()
    assert "$960.00" in tab and "$1,200.00" in tab and "80.0% of the claim" in tab
    vendors = bob.get("/growth/vendors/").content.decode()
    assert '$960.00</a> <span class="muted">of $1,200.00 claimed' in vendors
    from clientdesk.people.tokens import do_create_api_token

    _, raw = do_create_api_token(cast.bob, "test", acting_user=cast.bob)
    [row] = bob.get(
        f"/api/growth/accounts/{cast.acme.pk}/vendor-contracts",
        headers={"Authorization": f"Bearer {raw}"},
    ).json()
    assert (row["measured_savings_total"], row["claimed_savings_total"]) == ("960.00", "1200.00")
    assert row["measured_through"] == "2025-12-01"


@pytest.mark.django_db
def test_a_bad_file_or_no_list_answers_with_a_reason(cast: Cast, login) -> None:  # type: ignore[no-untyped-def]
    contract = acme_vendor_contract(cast)
    bob = login("bob")
    page = f"/growth/vendor-contracts/{contract.pk}/"
    upload = io.BytesIO(b"%PDF-1.4")
    upload.name = "list.pdf"
    followed = bob.post(f"{page}participants/import/", {"file": upload}, follow=True)
    assert "list.pdf: Upload the vendor&#x27;s list as a CSV or XLSX file." in (
        followed.content.decode()
    )
    followed = bob.post(f"{page}savings-check/", {}, follow=True)
    assert "Import the vendor&#x27;s participant list first." in followed.content.decode()
    assert bob.get(f"{page}participants/").status_code == 404
    with pytest.raises(ParticipantFileError):
        import_participants(contract, "empty.csv", b"", reader=SystemActor("growth test"), now=NOW)
