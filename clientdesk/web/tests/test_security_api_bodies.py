"""The routes the fuzz book reached once it seeded their records (strategy, surveys, team,
reports, implementations; bench/fuzz.py): each says in its schema what its form takes, names
the field of a refusal in the declared 422 list (a bare string 422 broke the schema), answers
404 for a body naming a record the route does not offer, and declares the 409 it answers."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from clientdesk.api import api as clientdesk_api
from clientdesk.implementations.models import Task
from clientdesk.implementations.tests.routes import acme_plan_object
from clientdesk.people.tokens import do_create_api_token
from clientdesk.reports.tests.cast import acme_run
from clientdesk.strategy.tests.cast import acme_call, acme_plan
from clientdesk.surveys.models import Survey
from clientdesk.surveys.tests.cast import acme_follow_up
from clientdesk.team.tests.cast import alice_request, hipaa, mia_candidate, team
from clientdesk.testing import Cast

pytestmark = pytest.mark.django_db


class Api:
    def __init__(self, cast: Cast, name: str = "mia") -> None:
        user = cast.users()[name]
        raw = do_create_api_token(user, "t", acting_user=user)[1]
        self.client = Client(headers={"Authorization": f"Bearer {raw}"})

    def __call__(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        return getattr(self.client, method)(
            f"/api{path}", body or {}, content_type="application/json"
        )


def _fields(answer: Any) -> list[tuple[str, str]]:
    """The declared 422: a list of (field, message)."""
    assert answer.status_code == 422, (answer.status_code, answer.content[:300])
    detail = answer.json()["detail"]
    assert isinstance(detail, list), detail
    # A form's error and the schema's are both at ["body", field, …] (clientdesk/api.py).
    return [(str(e["loc"][1]), e["msg"]) for e in detail]


def _schemas() -> dict[str, Any]:
    schemas: dict[str, Any] = clientdesk_api.get_openapi_schema()["components"]["schemas"]
    return schemas


def test_team_bodies(cast: Cast) -> None:
    team(cast)
    api = Api(cast)
    person = f"/team/people/{cast.alice.pk}"
    # Null for a field the record requires, a place that is no location: the schema's 422.
    assert _fields(api("patch", person, {"capacity": None}))[0][0] == "capacity"
    assert _fields(api("patch", person, {"location": "unit"}))[0][0] == "location"
    assert _fields(api("patch", person, {"title": " "}))[0][0] == "title"
    # A manager who is none, an account that is none: 404, as a path id.
    for body in ({"manager_id": cast.bob.pk}, {"onsite_account_id": 999_999}):
        missing = api("patch", person, body)
        assert missing.status_code == 404, missing.content[:300]
    onsite = api("patch", person, {"location": "onsite", "onsite_account_id": None})
    assert _fields(onsite) == [("onsite_account", "Say at which sponsor they work onsite.")]
    moved = api("patch", person, {"location": "office", "capacity": 5, "languages": [" Tagalog"]})
    assert moved.status_code == 200, moved.content[:300]
    assert (moved.json()["capacity"], moved.json()["languages"]) == (5, ["Tagalog"])

    licenses = f"{person}/licenses"
    new = {"state": "OH", "number": "OH-9", "issued_on": "2025-01-15", "expires_on": "2027-01-15"}
    assert _fields(api("post", licenses, {**new, "issued_on": "0001-01-01"}))[0][0] == "issued_on"
    assert _fields(api("post", licenses, {**new, "number": " "}))[0][0] == "number"
    backwards = api("post", licenses, {**new, "expires_on": "2024-01-15"})
    assert _fields(backwards) == [("expires_on", "A license expires after it is issued.")]
    assert api("post", licenses, new).status_code == 201

    course = f"/team/courses/{hipaa(cast).pk}/assignments"
    assert api("post", course, {"user_ids": [], "due_on": "2099-01-01"}).status_code == 422
    outsider = api("post", course, {"user_ids": [cast.oscar.pk], "due_on": "2099-01-01"})
    assert outsider.status_code == 404
    assert outsider.json() == {"detail": "user_ids: no such record, or not one you may name here."}
    passed = api("post", course, {"user_ids": [cast.alice.pk], "due_on": "2001-01-01"})
    assert _fields(passed) == [("due_on", "The due date has passed.")]

    alice_request(cast)  # Mon 2027-01-04 and Tue 2027-01-05
    own = Api(cast, "alice")
    ask = {"kind": "PTO", "first_day": "2027-01-05", "last_day": "2027-01-04"}
    assert _fields(own("post", "/team/time-off", ask)) == [
        ("last_day", "The last day comes after the first.")
    ]
    again = own("post", "/team/time-off", {**ask, "first_day": "2027-01-04"})
    assert _fields(again) == [
        ("first_day", "You already asked for time off on some of those days.")
    ]
    weekend = own(
        "post",
        "/team/time-off",
        {"kind": "PTO", "first_day": "2027-01-09", "last_day": "2027-01-10"},
    )
    assert _fields(weekend) == [("first_day", "Those days are not working days.")]
    unknown = own(
        "post", "/team/time-off", {**ask, "first_day": "2027-01-04", "kind": "SABBATICAL"}
    )
    assert unknown.status_code == 404
    year_1 = own("post", "/team/time-off", {**ask, "first_day": "0001-01-01"})
    assert _fields(year_1)[0][0] == "first_day"

    stage = f"/team/candidates/{mia_candidate(cast).pk}/stage"
    assert _fields(api("post", stage, {"stage": "offered"}))[0][0] == "stage"  # not a stage
    assert _fields(api("post", stage, {"stage": "offer"})) == [
        ("stage", "A candidate cannot go from Applied to Offer.")
    ]
    assert _fields(api("post", stage, {"stage": "rejected", "reason": " "})) == [
        ("reason", "Say why the file is closed.")
    ]
    assert api("post", stage, {"stage": "screened"}).json()["stage"] == "screened"
    properties = _schemas()["TeamPersonPatch"]["properties"]
    assert "null" not in str(properties["capacity"]) and "null" not in str(properties["title"])
    assert "null" in str(properties["manager_id"])  # may be cleared


def test_survey_bodies(cast: Cast) -> None:
    follow_up = acme_follow_up(cast)
    api = Api(cast)
    path = f"/surveys/follow-ups/{follow_up.pk}"
    assert _fields(api("patch", path, {"status": "done"}))[0][0] == "status"
    assert _fields(api("patch", path, {"status": "closed", "outcome": "  "})) == [
        ("outcome", "Say what came of the follow-up to close it.")
    ]
    assert api("patch", path, {"status": "contacted", "notes": "Called"}).status_code == 200

    survey = Survey.objects.get(kind="relationship")  # the one the follow-up's answer came from
    send = f"/surveys/{survey.pk}/accounts/{cast.acme.pk}/sends"
    assert api("post", send, {"contact_ids": []}).status_code == 422
    assert (
        api("post", send, {"contact_ids": [cast.acme_contact.pk], "language": "fr"}).status_code
        == 422
    )
    theirs = api("post", send, {"contact_ids": [999_999]})
    assert theirs.status_code == 404
    assert theirs.json() == {"detail": "contact_ids: no such record, or not one you may name here."}
    survey.is_active = False
    survey.save()
    retired = api("post", send, {"contact_ids": [cast.acme_contact.pk]})
    assert _fields(retired) == [("survey_id", "this survey is retired: make it active to send it")]

    survey.is_active = True
    survey.save()
    schedules = "/surveys/schedules"
    body = {"account_id": cast.acme.pk, "survey_id": survey.pk}
    assert _fields(api("post", schedules, {**body, "next_on": "0001-01-01"}))[0][0] == "next_on"
    made = api("post", schedules, {**body, "next_on": "2027-01-04"})
    assert made.status_code == 201, made.content[:300]
    assert api("post", schedules, {**body, "next_on": "2027-01-04"}).status_code == 409
    responses = clientdesk_api.get_openapi_schema()["paths"]["/api/surveys/schedules"]["post"][
        "responses"
    ]
    assert "409" in {str(code) for code in responses}


def test_strategy_bodies_and_their_409s(cast: Cast) -> None:
    call = acme_call(cast)
    api = Api(cast)
    status = f"/strategy/calls/{call.pk}/status"
    assert _fields(api("post", status, {"status": "closed"}))[0][0] == "status"
    assert _fields(api("post", status, {"status": "done", "note": "\x00"}))[0][0] == "note"
    assert api("post", status, {"status": "done", "note": "Called them"}).json()["status"] == "done"
    plan = acme_plan(cast)
    path = f"/strategy/plans/{plan.pk}"
    assert (
        _fields(api("put", path, {"version": plan.version, "strategy": "a\x00"}))[0][0]
        == "strategy"
    )
    stale = api("put", path, {"version": plan.version + 1, "strategy": "Grow"})
    assert stale.status_code == 409 and "Someone saved this plan" in stale.json()["detail"]
    assert _fields(api("post", f"{path}/status", {"status": "archived"}))[0][0] == "status"
    closed = api("post", f"{path}/status", {"status": "closed"})  # a draft is approved first
    assert closed.status_code == 409
    assert closed.json() == {"detail": "A draft plan cannot become closed."}
    document = clientdesk_api.get_openapi_schema()["paths"]
    for route, method in (
        ("/api/strategy/calls/{call_id}/status", "post"),
        ("/api/strategy/plans/{plan_id}", "put"),
        ("/api/strategy/plans/{plan_id}/status", "post"),
    ):
        assert "409" in {str(code) for code in document[route][method]["responses"]}, route
    assert api("get", "/strategy/calls?status=closed").status_code == 422
    assert api("get", "/strategy/calls?status=").status_code == 200


def test_implementation_task_and_report_file_bodies(cast: Cast) -> None:
    implementation = acme_plan_object(cast)
    task = Task.objects.filter(implementation=implementation).order_by("position").first()
    assert task is not None
    api = Api(cast)
    path = f"/implementations/accounts/{cast.acme.pk}/{implementation.pk}/tasks/{task.pk}"
    for body in (
        {"status": "finished"},
        {"percent_done": 101},
        {"duration": 2001},
        {"actual_start": "0001-01-01"},
        {"owner_team": "legal"},
        {"notes": "\x00"},
    ):
        assert _fields(api("patch", path, body))[0][0] == next(iter(body)), body
    done = api("patch", path, {"status": "in_progress", "percent_done": 40, "notes": "Started"})
    assert done.status_code == 200, done.content[:300]
    assert Task.objects.get(pk=task.pk).percent_done == 40

    run = acme_run(cast)  # a stewardship workbook on disk
    assert api("get", f"/reports/runs/{run.pk}/files/docx").status_code == 422
    assert api("get", f"/reports/runs/{run.pk}/files/pdf").status_code == 404  # not made
    got = api("get", f"/reports/runs/{run.pk}/files/xlsx")
    assert got.status_code == 200 and b"".join(got.streaming_content) == b"PK\x03\x04"
    answers = clientdesk_api.get_openapi_schema()["paths"]["/api/reports/runs/{run_id}/files/{fmt}"]
    content = answers["get"]["responses"]["200"]["content"]
    assert got["Content-Type"] in content


def test_enums_of_the_same_class_name_do_not_hide_each_other() -> None:
    """OpenAPI components are named by class: team's Stage hid growth's Stage (an opportunity's
    stage was offered as a candidate's, bench/fuzz.py). The routes that share a name use a
    Literal of their values."""
    from typing import get_args

    from clientdesk.growth.models import Stage as OpportunityStage
    from clientdesk.strategy.api import AccountPlanStatus
    from clientdesk.strategy.models import PlanStatus
    from clientdesk.surveys.api import ScheduleCadence
    from clientdesk.surveys.models import Cadence as SurveyCadence
    from clientdesk.team.api import CandidateStage
    from clientdesk.team.models import Stage as CandidateStageChoices

    assert sorted(get_args(CandidateStage)) == sorted(CandidateStageChoices.values)
    assert sorted(get_args(AccountPlanStatus)) == sorted(PlanStatus.values)
    assert sorted(get_args(ScheduleCadence)) == sorted(SurveyCadence.values)
    document = clientdesk_api.get_openapi_schema()
    stage = document["paths"]["/api/growth/opportunities/{opportunity_id}/stage"]["post"]
    body = stage["requestBody"]["content"]["application/json"]["schema"]
    name = body["$ref"].split("/")[-1]
    field = document["components"]["schemas"][name]["properties"]["stage"]
    if "$ref" in field:
        field = document["components"]["schemas"][field["$ref"].split("/")[-1]]
    assert sorted(field["enum"]) == sorted(OpportunityStage.values)
    schedule = document["paths"]["/api/surveys/schedules"]["post"]
    body = schedule["requestBody"]["content"]["application/json"]["schema"]
    field = document["components"]["schemas"][body["$ref"].split("/")[-1]]["properties"]["cadence"]
    assert sorted(field["enum"]) == sorted(SurveyCadence.values)
    assert "Cadence" not in document["components"]["schemas"]  # no class-named enum to hide
