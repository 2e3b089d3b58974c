"""No server error, whatever the input: the classes the fuzzer found answer 422 naming the field;
a foreign Host header answers 400; the API docs load their assets from our own origin."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client, override_settings

from clientdesk.api import ClientdeskAPI
from clientdesk.api import api as clientdesk_api
from clientdesk.guarantees.tests.cast import acme_guarantee
from clientdesk.inquiries.tests.cast import acme_inquiry
from clientdesk.insights.tests.cast import acme_problem
from clientdesk.lib.api_types import InputSchema
from clientdesk.lib.record_ids import parse_record_id
from clientdesk.people.tokens import do_create_api_token
from clientdesk.testing import Cast

HUGE = str(10**30)


def _headers(cast: Cast) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {do_create_api_token(cast.mia, 't', acting_user=cast.mia)[1]}"
    }


def _fields(response: Any) -> set[str]:
    assert response.status_code == 422, (response.status_code, response.content[:300])
    return {str(error["loc"][-1]) for error in response.json()["detail"]}


@pytest.mark.parametrize("path", ["/api/accounts/", "/api/inquiries/"])
@pytest.mark.parametrize("name", ["limit", "offset"])
def test_huge_pages_answer_422_naming_the_parameter(
    cast: Cast, client: Client, path: str, name: str
) -> None:
    response = client.get(path, {name: HUGE}, headers=_headers(cast))
    assert name in _fields(response)


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/api/accounts/{huge}", "account_id"),
        ("/api/inquiries/{huge}", "inquiry_id"),
        ("/api/insights/problems/{huge}", "problem_id"),
        ("/api/guarantees/{huge}/results", "account_id"),
        ("/api/reports/runs/{huge}", "run_id"),
        ("/api/accounts/0", "account_id"),
    ],
)
def test_ids_no_column_holds_answer_422(cast: Cast, client: Client, path: str, name: str) -> None:
    response = client.get(path.format(huge=HUGE), headers=_headers(cast))
    assert name in _fields(response)


def test_a_null_for_a_required_problem_field_answers_422(cast: Cast, client: Client) -> None:
    problem = acme_problem(cast)
    for name in ("status", "root_cause", "verify_days", "whys"):
        response = client.patch(
            f"/api/insights/problems/{problem.pk}",
            {name: None},
            content_type="application/json",
            headers=_headers(cast),
        )
        assert name in _fields(response)
    cleared = client.patch(
        f"/api/insights/problems/{problem.pk}",
        {"fix_date": None},
        content_type="application/json",
        headers=_headers(cast),
    )
    assert cleared.status_code == 200


def test_an_empty_guarantee_tier_answers_422(cast: Cast, client: Client) -> None:
    guarantee = acme_guarantee(cast)
    response = client.patch(
        f"/api/guarantees/{cast.acme.pk}/{guarantee.pk}",
        {"tiers": [{}]},
        content_type="application/json",
        headers=_headers(cast),
    )
    assert {"at", "pct"} <= _fields(response)


def test_a_date_in_year_236_answers_422(cast: Cast, client: Client) -> None:
    acme_inquiry(cast)
    headers = _headers(cast)
    listed = client.get("/api/inquiries/", {"opened_from": "0236-01-01"}, headers=headers)
    assert listed.status_code == 422  # a filter date is a calendar date too (1900-2199)
    created = client.post(
        "/api/inquiries/",
        {
            "account_id": cast.acme.pk,
            "requester_type": "member",
            "member_reference": "M00012345",
            "contact_id": cast.acme_contact.pk,
            "channel": "email",
            "category": "claims",
            "subject": "Old",
            "opened_at": "0236-01-01T10:00:00Z",
        },
        content_type="application/json",
        headers=headers,
    )
    assert created.status_code in {201, 422}, created.content[:300]
    if created.status_code == 422:
        assert "opened_at" in _fields(created)


@pytest.mark.parametrize("text", ["²", "٣", "9" * 30, "-1", "0", " 12 "])
def test_typed_ids_are_ascii_digits_within_range(text: str) -> None:
    expected = 12 if text.strip() == "12" else None
    assert parse_record_id(text) == expected


def test_a_superscript_reference_answers_422(cast: Cast, client: Client) -> None:
    problem = acme_problem(cast)
    response = client.post(
        f"/api/insights/problems/{problem.pk}/inquiries",
        {"references": ["²"]},
        content_type="application/json",
        headers=_headers(cast),
    )
    assert response.status_code == 422
    assert client.get("/api/inquiries/", {"q": "Q-²"}, headers=_headers(cast)).status_code == 200


def test_linking_a_reference_answers_as_the_schema_says(cast: Cast, client: Client) -> None:
    """What bench/fuzz.py found: any string was a schema-valid reference, refused with a bare
    string 422 (positive_data_acceptance and response_schema_conformance). Now the schema's
    pattern is what the parser reads; an inquiry not on the account is a body naming a record
    that is not there: 404."""
    problem = acme_problem(cast)
    inquiry = acme_inquiry(cast)
    path = f"/api/insights/problems/{problem.pk}/inquiries"

    def link(*references: str) -> Any:
        return client.post(
            path,
            {"references": list(references)},
            content_type="application/json",
            headers=_headers(cast),
        )

    for odd in ("_u", "Q-", "Q-0", "q 12", "1" * 19, "Q-12x"):
        assert _fields(link(odd)) == {"0"}, odd  # loc: body, payload, references, item 0
    missing = link(inquiry.reference, "Q-999999")
    assert missing.status_code == 404
    assert missing.json() == {
        "detail": "references: Q-999999: no such inquiry on this problem's account"
    }
    assert link(f"q-{inquiry.pk}").status_code == 200  # as people write it


def test_the_search_and_new_inquiry_page_take_odd_digits(cast: Cast, client: Client) -> None:
    client.force_login(cast.mia)
    assert client.get("/inquiries/new/", {"account": "²"}).status_code == 200
    assert client.get("/inquiries/", {"q": "9" * 40}).status_code == 200


@override_settings(DEBUG=False)
def test_a_foreign_host_answers_400_not_500(cast: Cast, client: Client) -> None:
    response = client.get("/", headers={"host": "evil.example"})
    assert response.status_code == 400
    assert "Bad request" in response.content.decode()
    assert "Traceback" not in response.content.decode()


def test_the_api_docs_load_swagger_from_our_origin(cast: Cast, client: Client) -> None:
    page = client.get("/api/docs").content.decode()
    assert "cdn" not in page.lower()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "<script>" not in page  # the CSP allows no inline script; the init is a file
    assert finders.find("ninja/swagger-ui-bundle.js")  # collected with the app's static files


def test_the_api_document_has_each_key_once(client: Client) -> None:
    """The renewal route states its own 404 and 422 (integers) and the API added its own
    ("404", "422"): the JSON held both, one key twice, and the docs page drew nothing but
    "duplicated mapping key" (web/tests/browser/test_api_docs_in_browser.py draws it now)."""
    twice: list[list[str]] = []

    def once(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [key for key, _ in pairs]
        if len(keys) != len(set(keys)):
            twice.append(keys)
        return dict(pairs)

    document = json.loads(client.get("/api/openapi.json").content, object_pairs_hook=once)
    assert twice == []
    renewal = document["paths"]["/api/financials/accounts/{account_id}/renewal"]["get"]
    assert sorted(renewal["responses"]) == ["200", "401", "403", "404", "422"]


def test_the_api_document_is_built_once_and_each_caller_gets_its_own_copy(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Building the document took ~0.3 s a request of /api/openapi.json (the docs page asks
    on every visit): it is built once a process, and no caller can change another's."""
    built: list[str] = []
    build = ClientdeskAPI._build_openapi_schema

    def counted(self: ClientdeskAPI, path_prefix: str) -> Any:
        built.append(path_prefix)
        return build(self, path_prefix)

    monkeypatch.setattr(clientdesk_api, "_documents", {})
    monkeypatch.setattr(ClientdeskAPI, "_build_openapi_schema", counted)
    first = clientdesk_api.get_openapi_schema()
    first["paths"].clear()  # a caller changing its copy
    served = json.loads(client.get("/api/openapi.json").content)
    again = clientdesk_api.get_openapi_schema()
    assert built == ["/api/"]
    assert sum(len(operations) for operations in served["paths"].values()) == 107
    assert served == json.loads(json.dumps(again))


@pytest.mark.parametrize("body", ["0", "[]", '"text"', "null", "[1]"])
def test_a_body_that_is_not_a_json_object_answers_400(
    cast: Cast, client: Client, body: str
) -> None:
    # Evaluate's fields are all optional: django-ninja read `0` or `[]` as no body and ran it.
    response = client.post(
        f"/api/guarantees/{cast.acme.pk}/evaluate",
        body,
        content_type="application/json",
        headers=_headers(cast),
    )
    assert response.status_code == 400, response.content[:300]
    empty = client.post(
        f"/api/guarantees/{cast.acme.pk}/evaluate",
        "{}",
        content_type="application/json",
        headers=_headers(cast),
    )
    assert empty.status_code != 400


def test_a_contact_email_is_refused_as_the_schema_says(cast: Cast, client: Client) -> None:
    created = client.post(
        f"/api/accounts/{cast.acme.pk}/contacts",
        {"name": "Ann", "role": "cfo", "email": "h"},
        content_type="application/json",
        headers=_headers(cast),
    )
    assert _fields(created) == {"email"}
    taken = client.post(
        f"/api/accounts/{cast.acme.pk}/contacts",
        {"name": "Ann", "role": "cfo", "email": "ann.lee+hr@acme-steel.example"},
        content_type="application/json",
        headers=_headers(cast),
    )
    assert taken.status_code == 201, taken.content[:300]
    assert taken.json()["email"] == "ann.lee+hr@acme-steel.example"


def test_a_body_naming_a_record_the_form_does_not_offer_answers_404(
    cast: Cast, client: Client
) -> None:
    headers = _headers(cast)
    guarantee = {
        "contract_id": 999_999,
        "metric": "ivr_containment",
        "comparator": ">=",
        "target": "20",
        "period": "quarterly",
        "at_risk_basis": "fixed",
        "at_risk_value": "1000",
    }
    path = f"/api/guarantees/{cast.acme.pk}"
    unknown = client.post(path, guarantee, content_type="application/json", headers=headers)
    assert unknown.status_code == 404, unknown.content[:300]
    assert "contract_id" in unknown.json()["detail"]
    known = {**guarantee, "contract_id": cast.acme_contract.pk}
    created = client.post(path, known, content_type="application/json", headers=headers)
    assert created.status_code == 201, created.content[:300]

    problem = acme_problem(cast)
    action = {"description": "Call the TPA", "owner_id": 999_999, "due_date": "2026-04-01"}
    path = f"/api/insights/problems/{problem.pk}/actions"
    unknown = client.post(path, action, content_type="application/json", headers=headers)
    assert unknown.status_code == 404, unknown.content[:300]
    assert "owner_id" in unknown.json()["detail"]
    mine = {**action, "owner_id": cast.alice.pk}
    added = client.post(path, mine, content_type="application/json", headers=headers)
    assert added.status_code == 201, added.content[:300]


def test_survey_results_refuse_a_date_the_calendar_cannot_count_back_from(
    cast: Cast, client: Client
) -> None:
    headers = _headers(cast)
    for query in ({"last": "0001-01-01"}, {"first": "0.0"}, {"last": "2200-01-01"}):
        answered = client.get("/api/surveys/results", query, headers=headers)
        assert _fields(answered) == set(query), query  # was a 500 (year 0) / taken as 1970
    fine = client.get("/api/surveys/results", {"last": "2026-03-31"}, headers=headers)
    assert fine.status_code == 200


def test_team_person_ids_beyond_a_record_id_answer_422(cast: Cast, client: Client) -> None:
    answered = client.get(f"/api/team/people/{HUGE}", headers=_headers(cast))
    assert _fields(answered) == {"user_id"}


def test_contact_and_account_writes_refuse_what_their_schema_refuses(
    cast: Cast, client: Client
) -> None:
    """What bench/fuzz.py found once its path ids named the seeded records: a phone the form
    refuses (or trims short) and a null for a field the record requires were schema-valid."""
    contacts = f"/api/accounts/{cast.acme.pk}/contacts"

    def send(method: str, path: str, body: dict[str, Any]) -> Any:
        return getattr(client, method)(
            path, body, content_type="application/json", headers=_headers(cast)
        )

    new = {"name": "Pat Doyle", "role": "hr_director"}
    for phone in ("qr_svg", "  12345  ", "123456", "1" * 31):
        assert _fields(send("post", contacts, {**new, "phone": phone})) == {"phone"}, phone
    made = send("post", contacts, {**new, "phone": "+1 (555) 010-2030 x12"})
    assert made.status_code == 201, made.content
    contact = f"{contacts}/{made.json()['id']}"
    assert _fields(send("patch", contact, {"role": None})) == {"role"}
    blank = send("patch", contact, {"name": " "})
    assert blank.status_code == 422
    assert all(error["loc"][1] == "name" for error in blank.json()["detail"])
    assert send("patch", contact, {"title": "Benefits lead"}).json()["role"] == "hr_director"
    account = f"/api/accounts/{cast.acme.pk}"
    for field in ("tier", "segment", "effective_date"):
        assert field in _fields(send("patch", account, {field: None})), field
    schemas = client.get("/api/openapi.json").json()["components"]["schemas"]
    role = schemas["ContactPatch"]["properties"]["role"]
    assert "null" not in str(role) and "anyOf" not in role


def test_guarantee_periods_are_refused_by_the_schema_as_the_form_would(
    cast: Cast, client: Client
) -> None:
    """What bench/fuzz.py found: any text was a schema-valid period (then the form refused it,
    positive_data_acceptance). The schema's pattern is lib.api_types.PeriodCode."""
    base = f"/api/guarantees/{cast.acme.pk}"
    for period in ("category 1", "\u169b\u1684", "2026Q5", ""):
        listed = client.get(f"{base}/results", {"period": period}, headers=_headers(cast))
        assert _fields(listed) == {"period"}, period
        evaluated = client.post(
            f"{base}/evaluate",
            {"period": period},
            content_type="application/json",
            headers=_headers(cast),
        )
        assert "period" in {str(e["loc"][1]) for e in evaluated.json()["detail"]}, period
    kind = client.get(f"{base}/results", {"kind": "penalty"}, headers=_headers(cast))
    assert _fields(kind) == {"kind"}
    both = client.get(
        f"{base}/results", {"period": "2026q1", "kind": "period"}, headers=_headers(cast)
    )
    assert both.status_code == 200 and both.json() == []


def test_a_guarantee_patch_offers_null_only_where_a_field_may_be_cleared(
    cast: Cast, client: Client
) -> None:
    """What bench/fuzz.py found: the schema offered null for every field, and the form refused
    it for the ones a guarantee requires (short_abandon_seconds: "This field is required")."""
    guarantee = acme_guarantee(cast)
    schema = client.get("/api/openapi.json").json()["components"]["schemas"]["GuaranteePatch"]
    offered = {name for name, field in schema["properties"].items() if "null" in str(field)}
    assert offered == {"threshold", "measure_from", "measure_to", "per_point_amount"}
    refused = client.patch(
        f"/api/guarantees/{cast.acme.pk}/{guarantee.pk}",
        {"short_abandon_seconds": None},
        content_type="application/json",
        headers=_headers(cast),
    )
    assert _fields(refused) == {"short_abandon_seconds"}


def test_renewal_overrides_are_bounded_as_the_renewal_form(cast: Cast, client: Client) -> None:
    """What bench/fuzz.py found: any float was a schema-valid override (inf and nan too)."""
    url = f"/api/financials/accounts/{cast.acme.pk}/renewal"
    for name, value in (
        ("unit_cost_trend", "405"),
        ("utilization_trend", "-20.5"),
        ("plan_factor", "2"),
        ("target_margin_pct", "31"),
        ("pooling_point", "inf"),
        ("manual_pmpm", "nan"),
    ):
        assert _fields(client.get(url, {name: value}, headers=_headers(cast))) == {name}, name
    # Within the bounds: the account's state decides (no P&L run yet: 404, as the route says).
    stateful = client.get(url, {"unit_cost_trend": "7.5"}, headers=_headers(cast))
    assert stateful.status_code == 404
    assert "has no P&L run yet" in stateful.json()["detail"]


def test_a_new_plan_refuses_what_its_schema_refuses(cast: Cast, client: Client) -> None:
    """What bench/fuzz.py found: any text was a schema-valid kind, template or name, then the
    form refused it. An unknown template is a body naming a record: 404."""
    url = f"/api/implementations/accounts/{cast.acme.pk}"

    def create(**body: Any) -> Any:
        new = {"name": "Acme 2027", "effective_date": "2027-01-01", **body}
        return client.post(url, new, content_type="application/json", headers=_headers(cast))

    assert {str(e["loc"][1]) for e in create(kind="\u00c6").json()["detail"]} == {"kind"}
    assert "name" in {str(e["loc"][1]) for e in create(name=" ").json()["detail"]}
    assert _fields(create(effective_date="0003-01-01")) == {"effective_date"}
    unknown = create(template="summary")
    assert unknown.status_code == 404
    assert unknown.json() == {"detail": "template: no such template, or not one in use."}
    neither = create()
    assert neither.status_code == 422
    assert neither.json()["detail"][0]["msg"] == "Choose a kind or a template."


def test_a_forecast_as_of_year_427_answers_422_not_500(cast: Cast, client: Client) -> None:
    """What bench/fuzz.py found with seeded ids: `as_of` was any date, and the local-time
    tables raised on year 0427 and on 1943 (war time): 500s. The schema says 1985 to 2199."""
    acme_guarantee(cast)
    url = f"/api/guarantees/{cast.acme.pk}/forecast"
    for as_of in ("0427-01-23", "0001-01-01", "9999-12-31", "1943-11-03", "1984-12-31", "0.0"):
        refused = client.post(
            url, {"as_of": as_of}, content_type="application/json", headers=_headers(cast)
        )
        assert _fields(refused) == {"as_of"}, as_of


def _dates_without_a_pattern(schema: dict[str, Any]) -> list[str]:
    """The properties of an input schema that say `format: date` but not how it is written."""
    return [
        name
        for name, prop in schema.get("properties", {}).items()
        for branch in [prop, *prop.get("anyOf", [])]
        if branch.get("format") == "date" and "pattern" not in branch
    ]


def test_every_input_date_states_how_it_is_written(client: Client) -> None:
    """Pydantic's lax mode reads JSON 0, 0.0 or "0.0" as 1970-01-01: an input date that does not
    state its pattern accepts what its schema refuses (the fuzz's negative_data_rejection)."""
    schemas = client.get("/api/openapi.json").json()["components"]["schemas"]
    inputs = {name: s for name, s in schemas.items() if not name.endswith("Out")}
    missing = {name: m for name, s in inputs.items() if (m := _dates_without_a_pattern(s))}
    assert missing == {}
    assert "pattern" in inputs["ContractIn"]["properties"]["start_date"]


@pytest.mark.parametrize("value", [0, 0.0, "0.0", "2026-02-30", "1899-12-31", "2026-1-5"])
def test_a_date_that_is_not_yyyy_mm_dd_answers_422_naming_it(
    cast: Cast, client: Client, value: object
) -> None:
    response = client.patch(
        f"/api/accounts/{cast.acme.pk}",
        {"renewal_date": value},
        content_type="application/json",
        headers=_headers(cast),
    )
    assert response.status_code == 422, response.content[:300]
    assert [e["loc"] for e in response.json()["detail"]] == [["body", "renewal_date"]]
    cast.acme.refresh_from_db()
    assert cast.acme.renewal_date.year > 2000


def _subclasses(cls: type[InputSchema]) -> list[type[InputSchema]]:
    return [cls, *(s for direct in cls.__subclasses__() for s in _subclasses(direct))]


def _bodies(openapi: dict[str, Any]) -> set[str]:
    """The schema names of every request body the API reads."""
    return {
        media["schema"]["$ref"].rsplit("/", 1)[-1]
        for operations in openapi["paths"].values()
        for operation in operations.values()
        for media in operation.get("requestBody", {}).get("content", {}).values()
    }


def test_every_body_refuses_a_boolean_for_a_number(client: Client) -> None:
    """Pydantic's lax mode reads JSON `true`/`false` as 1/0: `"members": false` was stored as 0
    though the schema says integer (the fuzz, seed 23). Every request body is an InputSchema,
    whose number fields, and lists of numbers, refuse a boolean with the field named."""
    from pydantic import ValidationError

    openapi = client.get("/api/openapi.json").json()
    bodies = _bodies(openapi)
    classes = {cls.__name__: cls for cls in _subclasses(InputSchema)}
    assert bodies - set(classes) == set()  # every body is read by an InputSchema
    checked = []
    for name in sorted(bodies):
        for field, prop in openapi["components"]["schemas"][name]["properties"].items():
            branches = [prop, *prop.get("anyOf", [])]
            if any(b.get("type") == "integer" for b in branches):
                value: object = True
            elif any(b.get("items", {}).get("type") == "integer" for b in branches):
                value = [3, False]
            else:
                continue
            with pytest.raises(ValidationError) as refused:
                classes[name].model_validate({field: value})
            messages = {e["loc"][0]: e["msg"] for e in refused.value.errors()}
            assert "not true or false" in messages.get(field, ""), (name, field, messages)
            checked.append(f"{name}.{field}")
    assert len(checked) >= 58 and "AccountIn.members" in checked and "SendIn.contact_ids" in checked


def test_every_body_field_refuses_a_wrong_value_once_at_its_own_loc(client: Client) -> None:
    """A client reads a 422's `loc` to put the message beside the field. An optional field
    declared `X | SkipJsonSchema[None]` answered two errors, each naming its union member
    after the field (`["renewal_date", "function-after[…]"]`, then "Input should be None");
    `Omittable[X]` answers one, at `["renewal_date"]`. Every field of every body, sent an
    object that no field takes, answers errors at its own name alone."""
    from pydantic import ValidationError

    bodies = _bodies(client.get("/api/openapi.json").json())
    classes = {cls.__name__: cls for cls in _subclasses(InputSchema)}
    tagged: dict[str, list[object]] = {}
    checked = 0
    for name in sorted(bodies):
        cls = classes[name]
        for field in cls.model_fields:
            with pytest.raises(ValidationError) as refused:
                cls.model_validate({field: {"not": "a value"}})
            own = [e for e in refused.value.errors() if e["loc"][:1] == (field,)]
            assert own, (name, field, refused.value.errors())
            if any(len(e["loc"]) != 1 for e in own):
                tagged[f"{name}.{field}"] = [e["loc"] for e in own]
            checked += 1
    assert tagged == {}
    assert checked >= 271


def test_a_body_error_is_at_body_and_the_field_whichever_check_found_it(
    cast: Cast, client: Client
) -> None:
    """django-ninja put the route's body parameter after "body" (`["body", "payload", field]`,
    `["body", "body", field]` where the parameter is named `body`), a form's rule the field
    alone (`["body", field]`): a client had to know which check spoke. Now both are at
    `["body", field]`, and a missing body at `["body"]`."""
    headers = _headers(cast)

    def errors(method: str, url: str, body: object) -> list[tuple[list[object], str]]:
        response = getattr(client, method)(
            url, json.dumps(body), content_type="application/json", headers=headers
        )
        assert response.status_code == 422, response.content[:300]
        return [(e["loc"], e["type"]) for e in response.json()["detail"]]

    account = f"/api/accounts/{cast.acme.pk}"
    assert errors("patch", account, {"members": "many"}) == [(["body", "members"], "int_parsing")]
    assert errors("patch", account, {"name": None}) == [(["body", "name"], "value_error")]
    opportunity = f"/api/growth/accounts/{cast.acme.pk}/opportunities"  # its parameter: `body`
    assert errors("post", opportunity, {"product": "x"}) == [
        (["body", "product"], "int_parsing"),
        (["body", "expected_close"], "missing"),
    ]
    response = client.post(
        "/api/reports/portfolio/runs", "", content_type="application/json", headers=headers
    )
    assert [e["loc"] for e in response.json()["detail"]] == [["body"]]
