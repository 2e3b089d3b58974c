"""Every route of the surveys app for the access matrix (web/tests/test_access_matrix.py)."""

from __future__ import annotations

import datetime as dt

from clientdesk.surveys import rate
from clientdesk.surveys.models import SurveySend
from clientdesk.surveys.tests.cast import (
    acme_follow_up,
    relationship_survey,
    sent_to_acme,
    token_of,
)
from clientdesk.testing import Cast
from clientdesk.web.tests.access import (
    CREATE,
    OK,
    READ,
    ROLES,
    SIGNED_IN,
    WRITE,
    ApiRoute,
    Expect,
    Route,
    acme,
    acme_tab,
    no_args,
)

# Surveys are for those who work accounts: service operations have none.
SURVEY_READERS: Expect = {**SIGNED_IN, "sam": 403}
SURVEY_READ: Expect = {**SIGNED_IN, "sam": 404}
SURVEY_MANAGE: Expect = {**CREATE, "sam": 404}
SEND_READ: Expect = {**READ, "sam": 403}
EVERYONE: Expect = dict.fromkeys(ROLES[:-1], OK)


def survey(c: Cast) -> dict[str, int]:
    return {"survey_id": relationship_survey(c).pk}


def send(c: Cast) -> dict[str, int]:
    invitation, _ = sent_to_acme(c)
    return {"send_id": SurveySend.objects.get(invitations=invitation).pk}


def follow_up(c: Cast) -> dict[str, int]:
    return {"follow_up_id": acme_follow_up(c).pk}


def token(c: Cast) -> dict[str, str]:
    rate.forget_counts()  # the public pages' rate limit counts every role's request
    _, path = sent_to_acme(c)
    return {"token": token_of(path)}


def schedule(c: Cast) -> dict[str, int]:
    from clientdesk.surveys import actions

    made = actions.do_create_schedule(
        relationship_survey(c),
        c.acme,
        cadence="yearly",
        next_on=dt.date(2026, 12, 1),
        acting_user=c.mia,
    )
    return {"schedule_id": made.pk}


def import_batch(c: Cast) -> dict[str, int]:
    from clientdesk.surveys import actions

    batch = actions.do_import_responses(
        "Group,When,NPS\nG100001,2026-03-01 10:00,9\n",
        {"account": "Group", "answered_at": "When", "nps": "NPS"},
        kind="relationship",
        source_name="export.csv",
        acting_user=c.mia,
    )
    return {"import_id": batch.pk}


ROUTES = [
    Route("accounts:tab", "get", acme_tab("surveys"), READ),
    Route("surveys:list", "get", no_args, SURVEY_READERS),
    Route("surveys:create", "get", no_args, CREATE),
    Route("surveys:create", "post", no_args, CREATE, data={"name": "", "kind": "relationship"}),
    Route("surveys:detail", "get", survey, SURVEY_READ),
    Route("surveys:edit", "get", survey, SURVEY_MANAGE),
    Route("surveys:edit", "post", survey, SURVEY_MANAGE, data={"questions": "[]"}),
    Route("surveys:account_send", "get", acme, WRITE),
    Route("surveys:account_send", "post", acme, WRITE, data={}),
    Route("surveys:send_transactional", "post", no_args, CREATE, data={}),
    Route("surveys:send_detail", "get", send, SEND_READ),
    Route("surveys:results", "get", no_args, SURVEY_READERS),
    Route("surveys:results_export", "get", no_args, SURVEY_READERS),
    Route("surveys:verbatims", "get", no_args, SURVEY_READERS),
    Route("surveys:schedules", "get", no_args, SURVEY_READERS),
    # A schedule is made for an account one sends to: the executive sends to none.
    Route("surveys:schedules", "post", no_args, {**SURVEY_READERS, "eve": 403}, data={}),
    Route("surveys:schedule", "get", schedule, {**READ, "sam": 404}),
    Route("surveys:schedule", "post", schedule, WRITE, data={"cadence": "quarterly"}),
    Route("surveys:follow_ups", "get", no_args, SURVEY_READERS),
    Route("surveys:follow_up", "get", follow_up, {**READ, "sam": 404}),
    Route(
        "surveys:follow_up",
        "post",
        follow_up,
        WRITE,
        data={"status": "contacted", "notes": "Called.", "outcome": ""},
    ),
    Route("surveys:import", "get", no_args, CREATE),
    Route("surveys:import", "post", no_args, CREATE, data={}),
    Route("surveys:import_detail", "get", import_batch, CREATE),
    # The public pages answer everyone alike, signed in or not: the token is the key.
    Route("surveys_public:answer", "get", token, EVERYONE, anonymous=OK),
    Route(
        "surveys_public:answer",
        "post",
        token,
        EVERYONE,
        data={"recommend": "9", "action": "save"},
        anonymous=OK,
    ),
    Route("surveys_public:unsubscribe", "get", token, EVERYONE, anonymous=OK),
    Route("surveys_public:unsubscribe", "post", token, EVERYONE, data={}, anonymous=OK),
]

WRONG_METHODS = [
    ("surveys:list", "post", no_args),
    ("surveys:send_transactional", "get", no_args),
    ("surveys:results", "post", no_args),
    ("surveys_public:answer", "put", token),
]

API_ROUTES = [
    ApiRoute("/surveys/", "get", no_args, SURVEY_READERS),
    ApiRoute(
        "/surveys/{survey_id}/accounts/{account_id}/sends",
        "post",
        lambda c: {**survey(c), "account_id": c.acme.pk},
        {**WRITE, "sam": 404},
        body=lambda c: {"contact_ids": [c.acme_contact.pk]},
    ),
    ApiRoute("/surveys/results", "get", no_args, SURVEY_READERS),
    ApiRoute("/surveys/schedules", "get", no_args, SURVEY_READERS),
    # Made for an account one sends to: Acme is not oscar's (404), the executive sends to
    # none (403).
    ApiRoute(
        "/surveys/schedules",
        "post",
        no_args,
        {**WRITE, "sam": 403},
        body=lambda c: {
            "account_id": c.acme.pk,
            "survey_id": relationship_survey(c).pk,
            "next_on": "2027-01-15",
        },
    ),
    ApiRoute("/surveys/schedules/{schedule_id}", "get", schedule, {**READ, "sam": 404}),
    ApiRoute(
        "/surveys/schedules/{schedule_id}",
        "patch",
        schedule,
        {**WRITE, "sam": 404},
        body={"cadence": "quarterly"},
    ),
    ApiRoute(
        "/surveys/schedules/{schedule_id}/pause", "post", schedule, {**WRITE, "sam": 404}, body={}
    ),
    ApiRoute(
        "/surveys/schedules/{schedule_id}/resume", "post", schedule, {**WRITE, "sam": 404}, body={}
    ),
    ApiRoute("/surveys/follow-ups", "get", no_args, SURVEY_READERS),
    ApiRoute(
        "/surveys/follow-ups/{follow_up_id}",
        "patch",
        follow_up,
        {**WRITE, "sam": 404},
        body={"status": "contacted", "notes": "Called."},
    ),
]
