"""Growth objects for tests, made through the real actions on the cast's Acme."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import User
from django.utils import timezone

from clientdesk.growth import actions
from clientdesk.growth.models import (
    Lead,
    LibraryAnswer,
    Opportunity,
    ParticipantList,
    Product,
    Rfp,
    Suggestion,
    SuggestionRule,
    Vendor,
    VendorContract,
)
from clientdesk.growth.participants import ParsedList, Row
from clientdesk.growth.rules import Finding
from clientdesk.people.roles import Role
from clientdesk.testing import Cast, make_user

NOW = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)  # a Monday, 10:00 in New York


def product(code: str) -> Product:
    return Product.objects.get(code=code)


def sales_user() -> User:
    found = User.objects.filter(username="sal").first()
    return found or make_user("sal", Role.SALES, "Sal", "Seller")


def acme_opportunity(c: Cast) -> Opportunity:
    found = Opportunity.objects.filter(account=c.acme).first()
    if found is not None:
        return found
    return actions.do_create_opportunity(
        c.acme,
        product("disease_management"),
        owner=c.alice,
        expected_close=dt.date(2026, 6, 30),
        now=NOW,
        acting_user=c.alice,
    )


def acme_suggestion(c: Cast) -> Suggestion:
    found = Suggestion.objects.filter(account=c.acme).first()
    if found is not None:
        return found
    rule = SuggestionRule.objects.get(product__code="disease_management")
    finding = Finding(
        c.acme.pk,
        rule.pk,
        rule.product_id,
        {
            "tests": [
                {
                    "measure": "diabetes_per_1000",
                    "label": "Members with diabetes per 1,000 employees",
                    "value": 131.5,
                    "comparison": "above",
                    "threshold": 114.29,
                }
            ],
            "period": "2025",
            "members": 2900,
            "employees": 1200,
            "member_months": 34800.0,
        },
        "diabetes_per_1000=130",
    )
    actions.do_store_suggestions([finding], now=NOW, acting_user=None)
    return Suggestion.objects.get(account=c.acme, rule=rule)


def acme_lead(c: Cast) -> Lead:
    found = Lead.objects.filter(account=c.acme).first()
    if found is not None:
        return found
    return actions.do_pass_lead(
        {
            "account": c.acme,
            "company": "Acme Logistics (subsidiary)",
            "contact_name": "Pat Doyle",
            "contact_email": "pat@acme-logistics.example",
            "need": "Medical and dental for 300 drivers",
            "size": 300,
            "source": "subsidiary",
        },
        sales_owner=sales_user(),
        now=NOW,
        acting_user=c.alice,
    )


def library_answer(
    c: Cast, question: str, answer: str, *, reviewed: dt.date = dt.date(2026, 1, 5)
) -> LibraryAnswer:
    return actions.do_save_library_answer(
        None,
        {
            "question": question,
            "answer": answer,
            "owner": c.mia,
            "last_reviewed": reviewed,
            "review_due": reviewed + dt.timedelta(days=365),
        },
        now=NOW,
        acting_user=c.mia,
    )


def acme_vendor_contract(c: Cast) -> VendorContract:
    found = VendorContract.objects.filter(account=c.acme).first()
    if found is not None:
        return found
    vendor = Vendor.objects.filter(name="MindBridge EAP").first() or actions.do_save_vendor(
        {"name": "MindBridge EAP", "kind": "eap"}, acting_user=c.mia
    )
    return actions.do_record_vendor_contract(
        c.acme,
        {
            "vendor": vendor,
            "services": "EAP counselling, 6 sessions",
            "fee_basis": "pepm",
            "reference_fee": Decimal("2.50"),
            "negotiated_fee": Decimal("1.90"),
            "volume": 1200,
            "start_date": dt.date(2026, 1, 1),
            "end_date": dt.date(2027, 12, 31),
        },
        acting_user=c.mia,
    )


def acme_participant_list(c: Cast) -> ParticipantList:
    """Acme's EAP deal with a two-member list (M1 and M2, no lake check) for route tests."""
    contract = acme_vendor_contract(c)
    found = contract.participant_lists.first()
    if found is not None:
        return found
    parsed = ParsedList(
        "csv",
        rows_read=3,
        rows=[Row(2, "M1", dt.date(2026, 1, 5), None), Row(3, "M2", dt.date(2026, 2, 1), None)],
    )
    parsed.reject(4, "W123456789", "no enrolment start")
    return actions.do_import_participants(
        contract,
        parsed,
        in_eligibility={"M1", "M2"},
        source_name="mindbridge.csv",
        now=NOW,
        acting_user=c.mia,
    )


def today() -> dt.date:
    return timezone.localdate()


def questionnaire_xlsx(questions: list[tuple[str, str, str]] | None = None) -> bytes:
    """A consultant's workbook: a title, a blank row, then Section | No. | Question |
    Response headers on row 3, and a Notes column the export must leave alone."""
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Questionnaire"
    sheet["A1"] = "Acme Steel Works - Medical RFP 2027 (Gallagher)"
    sheet.append([])
    sheet.append(["Section", "No.", "Question", "Response", "Notes"])
    rows = questions or [
        ("Account management", "1.1", "Describe your account management team structure."),
        ("Account management", "1.2", "How often do you hold stewardship meetings?"),
        ("Claims", "2.1", "What is your claims auto-adjudication rate?"),
    ]
    for section, number, text in rows:
        sheet.append([section, number, text, None, "consultant note"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def acme_rfp(c: Cast) -> Rfp:

    from clientdesk.growth.rfps import import_rfp

    found = Rfp.objects.filter(account=c.acme).first()
    if found is not None:
        return found
    return import_rfp(
        "acme-rfp.xlsx",
        questionnaire_xlsx(),
        {
            "title": "Acme medical RFP 2027",
            "account": c.acme,
            "issuer": "Acme Steel Works",
            "consultant": "Gallagher",
            "final_due": dt.date(2026, 5, 1),
        },
        now=NOW,
        acting_user=c.mia,
    )
