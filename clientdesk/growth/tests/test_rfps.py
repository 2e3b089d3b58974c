"""RFPs: the consultant's questionnaire in, answered mostly from the library, and back out in
the consultant's own layout; the library's search; outcomes and the win rate."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from docx import Document
from openpyxl import load_workbook

from clientdesk.growth import actions
from clientdesk.growth.library import answer_age, search, suggest
from clientdesk.growth.models import RfpStatus
from clientdesk.growth.queries import rfp_win_rate
from clientdesk.growth.questionnaires import QuestionnaireError, read_questionnaire
from clientdesk.growth.rfps import export_rfp, import_rfp, progress, section_clock
from clientdesk.growth.tests.cast import NOW, acme_rfp, library_answer, questionnaire_xlsx
from clientdesk.testing import Cast

pytestmark = pytest.mark.django_db


def _library(c: Cast) -> dict[str, int]:
    team = library_answer(
        c,
        "Describe the account management team assigned to the client.",
        "A dedicated account executive, a client manager and a service associate.",
    )
    meetings = library_answer(
        c,
        "How often are stewardship meetings held with the client?",
        "Quarterly stewardship meetings, with an annual renewal review.",
        reviewed=dt.date(2024, 1, 10),
    )
    library_answer(c, "Describe your pharmacy network.", "A national network of 60,000 pharmacies.")
    return {"team": team.pk, "meetings": meetings.pk}


def test_xlsx_import_suggests_library_answers(cast: Cast) -> None:
    ids = _library(cast)
    rfp = acme_rfp(cast)
    questions = list(rfp.questions.order_by("position"))
    assert [(q.section.name, q.number, q.location) for q in questions] == [
        ("Account management", "1.1", {"sheet": "Questionnaire", "row": 4, "column": 4}),
        ("Account management", "1.2", {"sheet": "Questionnaire", "row": 5, "column": 4}),
        ("Claims", "2.1", {"sheet": "Questionnaire", "row": 6, "column": 4}),
    ]
    assert questions[0].suggestions[0][0] == ids["team"]
    assert questions[1].suggestions[0][0] == ids["meetings"]
    assert questions[2].suggestions == []  # nothing in the library about claims


def test_fill_from_library_export_in_the_consultants_layout(cast: Cast) -> None:
    _library(cast)
    rfp = acme_rfp(cast)
    assert actions.do_fill_from_library(rfp, min_score=0.3, now=NOW, acting_user=cast.mia) == 2
    last = rfp.questions.get(number="2.1")
    actions.do_answer_question(
        last, answer="98.1% in 2025.", library_answer=None, now=NOW, acting_user=cast.alice
    )
    assert [(p.name, p.answered, p.total, p.from_library) for p in progress(rfp)] == [
        ("Account management", 2, 2, 2),
        ("Claims", 1, 1, 0),
    ]
    export = export_rfp(rfp)
    assert export.filename == "acme-rfp - answered.xlsx"
    sheet = load_workbook(io.BytesIO(export.content))["Questionnaire"]
    assert (
        sheet["D4"].value
        == "A dedicated account executive, a client manager and a service associate."
    )
    assert sheet["D5"].value == "Quarterly stewardship meetings, with an annual renewal review."
    assert sheet["D6"].value == "98.1% in 2025."
    assert sheet["A1"].value == "Acme Steel Works - Medical RFP 2027 (Gallagher)"
    assert sheet["E4"].value == "consultant note" and sheet["C3"].value == "Question"


def test_docx_round_trip(cast: Cast) -> None:
    _library(cast)
    document = Document()
    document.add_heading("Account management", level=1)
    table = document.add_table(rows=2, cols=3)
    for cell, text in zip(table.rows[0].cells, ["#", "Question", "Response"], strict=True):
        cell.text = text
    table.rows[1].cells[0].text = "A1"
    table.rows[1].cells[1].text = "How often are stewardship meetings held?"
    out = io.BytesIO()
    document.save(out)
    rfp = import_rfp(
        "prospect.docx",
        out.getvalue(),
        {"title": "Prospect RFP", "issuer": "Harbor Co-op", "final_due": dt.date(2026, 6, 1)},
        now=NOW,
        acting_user=cast.mia,
    )
    question = rfp.questions.get()
    assert question.section.name == "Account management" and question.number == "A1"
    actions.do_fill_from_library(rfp, min_score=0.3, now=NOW, acting_user=cast.mia)
    filled = Document(io.BytesIO(export_rfp(rfp).content))
    assert (
        filled.tables[0].rows[1].cells[2].text
        == "Quarterly stewardship meetings, with an annual renewal review."
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("rfp.pdf", b"%PDF", "send the questionnaire as .xlsx or .docx"),
        ("rfp.xlsx", b"not a zip", "is not a readable XLSX workbook"),
        ("rfp.docx", b"not a zip", "is not a readable DOCX document"),
    ],
)
def test_a_bad_file_gets_a_clear_error(name: str, content: bytes, message: str) -> None:
    with pytest.raises(QuestionnaireError, match=message):
        read_questionnaire(name, content)


def test_a_workbook_without_the_columns_says_so() -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Question", "Notes"])
    sheet.append(["Describe your network.", ""])
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(QuestionnaireError, match="no Answer or Response column"):
        read_questionnaire("q.xlsx", out.getvalue())
    empty = Workbook()
    out = io.BytesIO()
    empty.save(out)
    with pytest.raises(QuestionnaireError, match="no sheet has a column headed 'Question'"):
        read_questionnaire("q.xlsx", out.getvalue())


def test_library_search_and_age(cast: Cast) -> None:
    ids = _library(cast)
    assert [a.pk for a in search("stewardship meetings")] == [ids["meetings"]]
    assert search("nothing like this") == []
    assert suggest([]) == []
    meetings = search("stewardship")[0]
    age = answer_age(meetings, dt.date(2026, 3, 2))
    assert age.days == 782 and age.overdue  # reviewed 2024-01-10, due 2025-01-09


def test_import_page_and_outcome(cast: Cast, login) -> None:  # type: ignore[no-untyped-def]
    client = login("alice")
    bad = client.post(
        "/growth/rfps/import/",
        {"title": "X", "issuer": "Y", "final_due": "2026-05-01", "file": io.BytesIO(b"junk")},
    )
    assert (
        bad.status_code == 200
        and "send the questionnaire as .xlsx or .docx" in bad.content.decode()
    )
    upload = io.BytesIO(questionnaire_xlsx())
    upload.name = "acme.xlsx"
    response = client.post(
        "/growth/rfps/import/",
        {"title": "Acme", "issuer": "Acme", "final_due": "2026-05-01", "file": upload},
    )
    assert response.status_code == 302
    rfp = acme_rfp(cast)
    actions.do_record_rfp_outcome(
        rfp, RfpStatus.LOST, reason="Price", competitor="Carrier B", acting_user=cast.mia
    )
    assert rfp_win_rate(cast.mia) == (0, 1, 0, 0)


def test_assignment_due_dates_and_the_section_clock(cast: Cast, login) -> None:  # type: ignore[no-untyped-def]
    rfp = acme_rfp(cast)
    question = rfp.questions.get(number="2.1")
    response = login("mia").post(
        f"/growth/rfps/{rfp.pk}/questions/{question.pk}/assign/",
        {"assignee": cast.bob.pk, "due": "2026-04-15"},
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.assignee == cast.bob and question.due == dt.date(2026, 4, 15)
    rows = progress(rfp, dt.date(2026, 5, 3))  # sections are due with the RFP, 2026-05-01
    assert [(p.name, p.days_left, p.late) for p in rows] == [
        ("Account management", -2, True),
        ("Claims", -2, True),
    ]
    home = login("bob").get("/").content.decode()
    assert (
        "RFP questions assigned to you" in home
        and "What is your claims auto-adjudication rate?" in home
    )


def test_section_sla_in_business_hours(cast: Cast, login) -> None:  # type: ignore[no-untyped-def]
    # Imported Monday 2026-03-02 10:00 New York; the claims section is due Wednesday 03-04.
    # Allowed: Monday 10:00-18:00 (8 h) + Tuesday (10 h) + Wednesday to 18:00 (10 h) = 28 h.
    rfp = acme_rfp(cast)
    claims = rfp.sections.get(name="Claims")
    claims.due = dt.date(2026, 3, 4)
    claims.save()
    wednesday_3pm = dt.datetime(2026, 3, 4, 20, 0, tzinfo=dt.UTC)
    clock = {p.name: p.clock for p in progress(rfp, now=wednesday_3pm)}["Claims"]
    assert clock is not None
    assert (clock.allowed_hours, clock.used_hours, clock.left_hours) == (28, 25, 3)
    assert not clock.breached
    thursday_9am = dt.datetime(2026, 3, 5, 14, 0, tzinfo=dt.UTC)  # 28 h + Thursday 08-09
    late = {p.name: p for p in progress(rfp, now=thursday_9am)}["Claims"]
    assert late.late and late.clock is not None and late.clock.late_hours == 1
    # Approved Wednesday 12:00: 8 + 10 + 4 = 22 h used; the clock stops there.
    claims.approved_at = dt.datetime(2026, 3, 4, 17, 0, tzinfo=dt.UTC)
    claims.save()
    stopped = {p.name: p for p in progress(rfp, now=thursday_9am)}["Claims"]
    assert stopped.clock is not None and stopped.clock.used_hours == 22
    assert stopped.clock.stopped and not stopped.late
    # A due date on a Saturday closes at Friday's close: Mon 8 + Tue-Fri 4 x 10 = 48 h.
    assert section_clock(NOW, dt.date(2026, 3, 7), None, NOW).allowed_hours == 48
    with time_machine.travel(wednesday_3pm, tick=False):
        claims.approved_at = None
        claims.save()
        page = login("mia").get(f"/growth/rfps/{rfp.pk}/").content.decode()
    assert "25.0 of 28.0 used; 3.0 left" in page
