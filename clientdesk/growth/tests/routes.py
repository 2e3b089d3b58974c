"""Every route of the growth app, for the access matrix (web/tests/access.py)."""

from __future__ import annotations

from clientdesk.growth.models import SuggestionRule
from clientdesk.growth.tests.cast import (
    acme_lead,
    acme_opportunity,
    acme_participant_list,
    acme_rfp,
    acme_suggestion,
    acme_vendor_contract,
    product,
)
from clientdesk.testing import Cast
from clientdesk.web.tests.access import (
    CREATE,
    MANAGE,
    OK,
    READ,
    WRITE,
    ApiRoute,
    Expect,
    Route,
    acme,
    acme_tab,
    no_args,
)

# The pipeline and leads: the account team, executives (and sales, not in the cast).
PIPELINE: Expect = {
    "ada": OK,
    "mia": OK,
    "alice": OK,
    "bob": OK,
    "oscar": OK,
    "eve": OK,
    "sam": 403,
}
# Pages of the account team (RFPs, library, vendors, rules): everyone but service operations.
TEAM = PIPELINE
# Passing leads, importing RFPs, adding library answers: managers and associates.
TEAM_WRITE: Expect = {**PIPELINE, "eve": 403}
# One lead passed by alice to a sales user: managers and executives see all, alice hers.
LEAD_READ: Expect = {
    "ada": OK,
    "mia": OK,
    "alice": OK,
    "bob": 404,
    "oscar": 404,
    "eve": OK,
    "sam": 404,
}
# Its status comes back from the sales owner (or a manager).
LEAD_STATUS: Expect = {**LEAD_READ, "alice": 403, "eve": 403}


def opportunity(c: Cast) -> dict[str, int]:
    return {"opportunity_id": acme_opportunity(c).pk}


def suggestion(c: Cast) -> dict[str, int]:
    return {"suggestion_id": acme_suggestion(c).pk}


def lead(c: Cast) -> dict[str, int]:
    return {"lead_id": acme_lead(c).pk}


def rfp(c: Cast) -> dict[str, int]:
    return {"rfp_id": acme_rfp(c).pk}


def rfp_question(c: Cast) -> dict[str, int]:
    found = acme_rfp(c)
    question = found.questions.order_by("position").first()
    assert question is not None
    return {"rfp_id": found.pk, "question_id": question.pk}


def rfp_section(c: Cast) -> dict[str, int]:
    found = acme_rfp(c)
    section = found.sections.order_by("position").first()
    assert section is not None
    return {"rfp_id": found.pk, "section_id": section.pk}


def rule(c: Cast) -> dict[str, int]:
    return {"rule_id": SuggestionRule.objects.order_by("pk").first().pk}  # type: ignore[union-attr]


def vendor_contract(c: Cast) -> dict[str, int]:
    return {"contract_id": acme_vendor_contract(c).pk}


def listed_contract(c: Cast) -> dict[str, int]:
    return {"contract_id": acme_participant_list(c).contract_id}


ROUTES = [
    Route("accounts:tab", "get", acme_tab("growth"), READ),
    Route("growth:pipeline", "get", no_args, PIPELINE),
    Route("growth:opportunity", "get", opportunity, READ),
    Route("growth:opportunity_stage", "post", opportunity, WRITE, data={"stage": "qualified"}),
    Route("growth:opportunity_create", "post", acme, WRITE, data={}),
    Route("growth:holding", "post", acme, WRITE, data={}),
    Route("growth:suggest_account", "post", acme, WRITE),
    Route("growth:suggestion_convert", "post", suggestion, WRITE, data={}),
    Route("growth:suggestion_dismiss", "post", suggestion, WRITE, data={}),
    Route("growth:rules", "get", no_args, TEAM),
    Route("growth:rules", "post", no_args, CREATE, data={}),
    Route("growth:rule", "get", rule, CREATE),
    Route("growth:rule", "post", rule, CREATE, data={}),
    Route("growth:leads", "get", no_args, PIPELINE),
    Route("growth:leads", "post", no_args, TEAM_WRITE, data={}),
    Route("growth:lead", "get", lead, LEAD_READ),
    Route("growth:lead", "post", lead, LEAD_STATUS, data={}),
    Route("growth:rfps", "get", no_args, TEAM),
    Route("growth:rfp_import", "get", no_args, TEAM_WRITE),
    Route("growth:rfp_import", "post", no_args, TEAM_WRITE, data={}),
    Route("growth:rfp", "get", rfp, READ),
    Route("growth:rfp_fill", "post", rfp, WRITE),
    Route("growth:rfp_export", "get", rfp, READ),
    Route("growth:rfp_outcome", "post", rfp, MANAGE, data={}),
    Route("growth:rfp_answer", "post", rfp_question, WRITE, data={"answer": "We do."}),
    Route("growth:rfp_approve", "post", rfp_section, MANAGE),
    Route("growth:rfp_assign", "post", rfp_question, WRITE, data={"due": "2026-04-15"}),
    Route("growth:library", "get", no_args, TEAM),
    Route("growth:library", "post", no_args, TEAM_WRITE, data={}),
    Route("growth:vendors", "get", no_args, TEAM),
    Route("growth:vendors", "post", no_args, CREATE, data={}),
    Route("growth:vendor_contract_create", "get", acme, WRITE),
    Route("growth:vendor_contract_create", "post", acme, WRITE, data={}),
    Route("growth:vendor_contract", "get", vendor_contract, READ),
    Route("growth:vendor_contract", "post", vendor_contract, WRITE, data={}),
    Route("growth:vendor_participants", "get", listed_contract, READ),
    Route("growth:vendor_participants", "post", listed_contract, WRITE, data={}),
    Route("growth:vendor_participants_import", "post", listed_contract, WRITE, data={}),
    Route("growth:vendor_savings_check", "post", listed_contract, WRITE, data={}),
]

WRONG_METHODS = [
    ("growth:pipeline", "post", no_args),
    ("growth:opportunity_stage", "get", opportunity),
    ("growth:rfp_export", "post", rfp),
    ("growth:suggestion_dismiss", "get", suggestion),
    ("growth:vendor_participants_import", "get", listed_contract),
    ("growth:vendor_savings_check", "get", listed_contract),
]

API_ROUTES = [
    ApiRoute("/growth/opportunities", "get", no_args, PIPELINE),
    ApiRoute(
        "/growth/accounts/{account_id}/opportunities",
        "post",
        acme,
        WRITE,
        # A product of the catalogue: the schema refuses an id below 1 before access is decided.
        body=lambda c: {"product": product("eap").pk, "expected_close": "2026-09-30"},
    ),
    ApiRoute(
        "/growth/opportunities/{opportunity_id}/stage",
        "post",
        opportunity,
        WRITE,
        body={"stage": "qualified"},
    ),
    ApiRoute("/growth/leads", "get", no_args, PIPELINE),
    ApiRoute(
        "/growth/leads/{lead_id}/status", "post", lead, LEAD_STATUS, body={"status": "accepted"}
    ),
    ApiRoute("/growth/library", "get", no_args, TEAM),
    ApiRoute("/growth/rfps", "get", no_args, TEAM),
    ApiRoute("/growth/accounts/{account_id}/vendor-contracts", "get", acme, READ),
]
