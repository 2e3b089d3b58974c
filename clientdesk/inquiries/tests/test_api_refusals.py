"""What the inquiry API answers to what a fuzzer sends (bench/fuzz.py --seed 7 found each class).

The schema says what the inquiry form takes, so a schema-valid request is accepted and anything
else is refused by the schema with the field named: a member id, a subject or a note with a NUL
character or nothing but blanks, a claim or call id the form's list cannot read, a subcategory
of no category. A body naming a contact or an owner the form does not offer answers 404, as a
path id does. A rule across fields or of time (a subcategory of another category, a sponsor
without its contact, received over ten years back) answers the 422 the operation documents.
"""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.test import Client

from clientdesk.accounts.actions import do_add_contact
from clientdesk.api import api as clientdesk_api
from clientdesk.inquiries.models import Inquiry
from clientdesk.inquiries.tests.cast import acme_inquiry
from clientdesk.inquiries.tests.conftest import utc
from clientdesk.people.tokens import do_create_api_token
from clientdesk.testing import Cast

pytestmark = pytest.mark.django_db

NOW = utc(2026, 3, 2, 14)


def _api(cast: Cast) -> Client:
    raw = do_create_api_token(cast.mia, "t", acting_user=cast.mia)[1]
    return Client(headers={"Authorization": f"Bearer {raw}"})


def _send(client: Client, method: str, path: str, body: dict[str, Any]) -> Any:
    with time_machine.travel(NOW, tick=False):
        return getattr(client, method)(path, body, content_type="application/json")


def _new(cast: Cast, **extra: Any) -> dict[str, Any]:
    return {
        "account_id": cast.acme.pk,
        "requester_type": "member",
        "member_reference": "M00055501",
        "channel": "email",
        "category": "claims",
        "subject": "Claim denied",
        **extra,
    }


def _refused(answer: Any) -> list[tuple[str, str]]:
    """The 422's (last element of loc, message) pairs."""
    assert answer.status_code == 422, (answer.status_code, answer.content[:300])
    return [(str(e["loc"][-1]), e["msg"]) for e in answer.json()["detail"]]


def test_texts_and_ids_the_form_cannot_take_are_refused_by_the_schema(cast: Cast) -> None:
    api = _api(cast)
    for field, value in (
        ("member_reference", "M0\x0055501"),
        ("member_reference", "M1"),
        ("member_reference", " M00055501"),
        ("subject", "Claim\x00denied"),
        ("subject", " \t"),
        ("subject", "\x1c"),
        ("subject", "x" * 201),
        ("broker_name", "x" * 121),
        ("description", "\x00"),
        ("subcategory", "cobra "),
    ):
        refused = _refused(_send(api, "post", "/api/inquiries/", _new(cast, **{field: value})))
        assert [where for where, _ in refused] == [field], (field, value)
    for field in ("claim_ids", "call_ids"):
        for value in ("C1<script>", "C 1", "C1,C2", "-C1", "x" * 41, "\x00"):
            refused = _refused(
                _send(api, "post", "/api/inquiries/", _new(cast, **{field: [value]}))
            )
            assert refused[0][0] == "0", (field, value)  # loc: body, payload, field, item 0
    assert Inquiry.objects.count() == 0
    made = _send(
        api,
        "post",
        "/api/inquiries/",
        _new(cast, claim_ids=["C-1.2_a", "C-1.2_a", "9"], call_ids=["CALL.7"], subject=" x "),
    )
    assert made.status_code == 201, made.content[:300]
    assert made.json()["claim_ids"] == ["C-1.2_a", "9"]
    assert (made.json()["subject"], made.json()["call_ids"]) == ("x", ["CALL.7"])


def test_a_contact_or_owner_the_form_does_not_offer_answers_404(cast: Cast) -> None:
    api = _api(cast)
    theirs = do_add_contact(
        cast.bayside, {"name": "Lee Park", "role": "hr_director"}, acting_user=cast.mia
    )
    for body in (
        _new(cast, requester_type="sponsor", contact_id=theirs.pk),
        _new(cast, requester_type="sponsor", contact_id=999_999),
        _new(cast, owner_id=cast.eve.pk),  # an executive owns no inquiries
        _new(cast, owner_id=999_999),
    ):
        answer = _send(api, "post", "/api/inquiries/", body)
        assert answer.status_code == 404, (body, answer.content[:300])
        named = "contact_id" if "contact_id" in body else "owner_id"
        assert answer.json() == {
            "detail": f"{named}: no such record, or not one you may name here."
        }
    # An associate, but not on Acme's team: the documented rule, on `owner`.
    outsider = _send(api, "post", "/api/inquiries/", _new(cast, owner_id=cast.oscar.pk))
    assert _refused(outsider) == [("owner", "Choose someone on the account's team, or a manager.")]
    assert Inquiry.objects.count() == 0
    ours = _send(
        api,
        "post",
        "/api/inquiries/",
        _new(cast, requester_type="sponsor", contact_id=cast.acme_contact.pk, owner_id=cast.bob.pk),
    )
    assert ours.status_code == 201, ours.content[:300]
    assert (ours.json()["contact_id"], ours.json()["owner_id"]) == (
        cast.acme_contact.pk,
        cast.bob.pk,
    )
    patched = _send(
        api, "patch", f"/api/inquiries/{ours.json()['id']}", {"version": 1, "contact_id": theirs.pk}
    )
    assert patched.status_code == 404
    assert patched.json() == {"detail": "contact_id: no such record, or not one you may name here."}


def test_rules_across_fields_and_of_time_answer_the_documented_422(cast: Cast) -> None:
    api = _api(cast)
    cases = (
        (
            _new(cast, subcategory="cobra"),  # an eligibility subcategory on a claims inquiry
            ("subcategory", "This subcategory is not in the chosen category."),
        ),
        (
            _new(cast, requester_type="sponsor"),
            ("contact", "Choose the sponsor contact who asked."),
        ),
        (
            _new(cast, member_reference=""),
            ("member_reference", "An inquiry about a member needs the member ID."),
        ),
        (
            _new(cast, requester_type="broker", broker_name="   "),
            ("broker_name", "Name the broker or choose their contact."),
        ),
        (
            _new(cast, opened_at="2016-03-01T13:59:59Z"),  # a second past 3,653 days back
            ("opened_at", "An inquiry received more than ten years ago is a typo."),
        ),
        (
            _new(cast, opened_at="2026-03-02T14:00:01Z"),
            ("opened_at", "An inquiry cannot be received in the future."),
        ),
    )
    for body, expected in cases:
        assert _refused(_send(api, "post", "/api/inquiries/", body)) == [expected], body
    kept = _send(api, "post", "/api/inquiries/", _new(cast, opened_at="2016-03-01T14:00:00Z"))
    assert kept.status_code == 201, kept.content[:300]
    assert kept.json()["opened_at"].startswith("2016-03-01T14:00:00")
    with_sub = _send(api, "post", "/api/inquiries/", _new(cast, subcategory="eob_question"))
    assert with_sub.status_code == 201 and with_sub.json()["subcategory"] == "eob_question"


def test_a_patch_offers_null_only_for_the_contact(cast: Cast) -> None:
    inquiry = acme_inquiry(cast)
    api = _api(cast)
    path = f"/api/inquiries/{inquiry.pk}"
    for field in ("subject", "category", "channel", "priority", "requester_type"):
        assert [w for w, _ in _refused(_send(api, "patch", path, {"version": 1, field: None}))] == [
            field
        ], field
    other = _send(api, "patch", path, {"version": 1, "category": "pharmacy"})
    assert _refused(other) == [("subcategory", "This subcategory is not in the chosen category.")]
    cleared = _send(api, "patch", path, {"version": 1, "contact_id": None, "subject": "Card"})
    assert cleared.status_code == 200, cleared.content[:300]
    assert (cleared.json()["contact_id"], cleared.json()["subject"]) == (None, "Card")
    inquiry.refresh_from_db()
    assert (inquiry.version, inquiry.contact_id) == (2, None)
    properties = clientdesk_api.get_openapi_schema()["components"]["schemas"]["InquiryPatch"][
        "properties"
    ]
    assert "null" not in str(properties["subject"]) and "anyOf" not in properties["subject"]
    assert "null" in str(properties["contact_id"])


def test_the_schema_states_the_inquiry_inputs() -> None:
    schemas = clientdesk_api.get_openapi_schema()["components"]["schemas"]
    new = schemas["InquiryIn"]["properties"]
    assert new["member_reference"]["pattern"] == "^$|^[A-Za-z0-9][A-Za-z0-9-]{2,39}$"
    assert new["claim_ids"]["items"]["pattern"] == "^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$"
    assert "" in new["subcategory"]["enum"] and "cobra" in new["subcategory"]["enum"]
    assert new["subject"]["maxLength"] == 200
    assert "more than ten years back" in " ".join(schemas["InquiryIn"]["description"].split())
