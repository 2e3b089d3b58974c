"""Fuzz the REST API against its own OpenAPI schema with schemathesis, every check, seeded.

Shared by the short run in the suite (test_api_fuzz.py) and the long one (bench/fuzz.py). It
calls the WSGI application in process (no server), as each given token's user, and counts every
failure by check instead of stopping at the first, so one run says everything that is wrong.

Path ids name the seeded book's records in half the cases or more (`SEEDED_RECORDS`): an id drawn
at random from 1 to 2**63 - 1 almost never exists, so a route answered 404 before it read its
body, and a run said nothing about what the route does with one.

What the schema cannot state is handled with what schemathesis offers for it, never by turning
a check off:
- a string format of our own (a plan as CSV): a strategy registered for the format
  (fuzz_formats.py), so positive cases are strings of that format;
- a rule across fields (a renewal date after the effective date): the rule is written in the
  operation's description, and `ACCEPTED_REFUSALS` below names, per operation, the 422 message
  of each such rule; a `filter_failure` hook drops a positive_data_acceptance failure only when
  the operation is listed and every message of its 422 is one of that operation's rules. Each
  dropped failure is counted by rule (`FuzzResult.accepted`), so a run shows how often each
  rule refused a generated request; any other refusal stays a failure.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import hypothesis
import hypothesis.errors
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase
from hypothesis import strategies as st
from schemathesis.checks import CHECKS, is_check_class, load_all_checks
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.core.result import Ok
from schemathesis.generation.modes import GenerationMode
from schemathesis.openapi.checks import RejectedPositiveData

from clientdesk.lib.record_ids import MAX_ID
from clientdesk.web.tests.fuzz_formats import register_formats

# Path parameters that name a record of the seeded book (seed_api_book), by model.
SEEDED_RECORDS = {
    "account_id": "accounts.Account",
    "contact_id": "accounts.Contact",
    "assignment_id": "accounts.Assignment",
    "inquiry_id": "inquiries.Inquiry",
    "issue_id": "insights.EmergingIssue",
    "problem_id": "insights.Problem",
    "action_id": "insights.CorrectiveAction",
    "guarantee_id": "guarantees.Guarantee",
    "opportunity_id": "growth.Opportunity",
    "lead_id": "growth.Lead",
    "user_id": "auth.User",
    "call_id": "strategy.CallToAction",
    "plan_id": "strategy.AccountPlan",
    "implementation_id": "implementations.Implementation",
    "survey_id": "surveys.Survey",
    "follow_up_id": "surveys.FollowUp",
    "schedule_id": "surveys.SurveySchedule",
    "run_id": "reports.ReportRun",
    "license_id": "team.License",
    "course_id": "team.Course",
    "request_id": "team.TimeOffRequest",
    "candidate_id": "team.Candidate",
}
# Path parameters whose model depends on the route: (path prefix, name) -> model.
SEEDED_RECORDS_BY_PATH = {
    ("/api/strategy/", "task_id"): "strategy.CallTask",
    ("/api/implementations/", "task_id"): "implementations.Task",
}


@dataclass(frozen=True)
class CrossFieldRule:
    """A rule across a request's fields, which JSON Schema cannot state: the operations it
    applies to, the text of its 422 message, and where the API documents it."""

    operations: frozenset[str]
    message: str
    why: str


ACCOUNT_WRITES = frozenset({"POST /api/accounts/", "PATCH /api/accounts/{account_id}"})
CONTRACTS = frozenset({"POST /api/accounts/{account_id}/contracts"})
GUARANTEE_WRITES = frozenset(
    {"POST /api/guarantees/{account_id}", "PATCH /api/guarantees/{account_id}/{guarantee_id}"}
)
INQUIRY_WRITES = frozenset({"POST /api/inquiries/", "PATCH /api/inquiries/{inquiry_id}"})
ACCEPTED_REFUSALS = (
    CrossFieldRule(
        ACCOUNT_WRITES,
        "The renewal date must be after the effective date.",
        "accounts: renewal_date after effective_date (AccountIn, AccountPatch)",
    ),
    CrossFieldRule(
        ACCOUNT_WRITES,
        "Covered members include every employee, so cannot be fewer.",
        "accounts: members at least employees (AccountIn, AccountPatch)",
    ),
    CrossFieldRule(
        frozenset({"PATCH /api/accounts/{account_id}"}),
        "group_number: Account with this Sponsor group number already exists.",
        "accounts: a group number another account holds (AccountPatch)",
    ),
    CrossFieldRule(
        frozenset({"PATCH /api/accounts/{account_id}"}),
        "An account cannot be its own parent or ancestor.",
        "accounts: parent_id not the account or one below it (AccountPatch)",
    ),
    CrossFieldRule(
        frozenset({"GET /api/inquiries/"}),
        "The end is before the start.",
        "inquiries: opened_to not before opened_from (InquiryFilters)",
    ),
    CrossFieldRule(
        CONTRACTS,
        "The contract must end after it starts.",
        "contracts: end_date after start_date (ContractIn)",
    ),
    *(
        CrossFieldRule(GUARANTEE_WRITES, message, "guarantees: rules across fields (GuaranteeIn)")
        for message in (
            "A tiered schedule needs at least one tier.",
            "A per-point schedule needs its amount per point.",
            "A one-time guarantee needs the dates it measures.",
            "The end must not be before the start.",
            "takes no N.",
            "A percentage of fees cannot exceed 100.",
            "This contract has no premium PMPM",
            "The money at risk over the contract's term is more than can be recorded",
        )
    ),
    *(
        CrossFieldRule(
            INQUIRY_WRITES,
            message,
            "inquiries: requester and subcategory (InquiryIn, InquiryPatch)",
        )
        for message in (
            "member_reference: An inquiry about a member needs the member ID.",
            "contact: Choose the sponsor contact who asked.",
            "broker_name: Name the broker or choose their contact.",
            "subcategory: This subcategory is not in the chosen category.",
        )
    ),
    *(
        CrossFieldRule(
            frozenset({"POST /api/inquiries/"}),
            message,
            "inquiries: received not in the future nor over ten years back (InquiryIn)",
        )
        for message in (
            "opened_at: An inquiry cannot be received in the future.",
            "opened_at: An inquiry received more than ten years ago is a typo.",
        )
    ),
    CrossFieldRule(
        frozenset({"POST /api/inquiries/"}),
        "owner: Choose someone on the account's team, or a manager.",
        "inquiries: an owner on the account's team or a manager (InquiryIn)",
    ),
    CrossFieldRule(
        frozenset({"POST /api/inquiries/{inquiry_id}/status"}),
        "status: Select a valid choice.",
        "inquiries: a status the inquiry can move to from its current one (StatusIn)",
    ),
    CrossFieldRule(
        frozenset({"POST /api/inquiries/{inquiry_id}/status"}),
        "Resolving needs a resolution code and a summary.",
        "inquiries: resolving needs a code and a summary (StatusIn)",
    ),
    CrossFieldRule(
        frozenset({"POST /api/implementations/accounts/{account_id}"}),
        "non_field_errors: Choose a kind or a template.",
        "implementations: a plan without a template needs its kind (ImplementationIn)",
    ),
    CrossFieldRule(
        frozenset({"POST /api/guarantees/{account_id}/{guarantee_id}/attestations"}),
        "is not a period of this guarantee",
        "guarantees: an attested period is one of the guarantee's (AttestationIn)",
    ),
    CrossFieldRule(
        frozenset({"POST /api/growth/opportunities/{opportunity_id}/stage"}),
        "stage: This opportunity is closed.",
        "growth: a closed opportunity moves no more (OpportunityStageIn)",
    ),
    CrossFieldRule(
        frozenset({"POST /api/growth/opportunities/{opportunity_id}/stage"}),
        "reason: Say why it was lost.",
        "growth: a move to lost needs a reason (OpportunityStageIn)",
    ),
    CrossFieldRule(
        frozenset({"POST /api/growth/leads/{lead_id}/status"}),
        "cannot become",
        "growth: a status the lead can move to from its current one (LeadStatusIn)",
    ),
    CrossFieldRule(
        frozenset({"POST /api/growth/leads/{lead_id}/status"}),
        "note: Say why the lead was rejected.",
        "growth: rejecting a lead needs a note (LeadStatusIn)",
    ),
    CrossFieldRule(
        frozenset(
            {"PATCH /api/implementations/accounts/{account_id}/{implementation_id}/tasks/{task_id}"}
        ),
        "predecessors: ",
        "implementations: predecessors name tasks of the plan, no cycle (ImplementationTaskIn)",
    ),
    CrossFieldRule(
        frozenset(
            {"PATCH /api/implementations/accounts/{account_id}/{implementation_id}/tasks/{task_id}"}
        ),
        "actual_finish: The actual finish is before the actual start.",
        "implementations: an actual finish not before the actual start (ImplementationTaskIn)",
    ),
    CrossFieldRule(
        frozenset(
            {"POST /api/implementations/accounts/{account_id}/{implementation_id}/test-rounds"}
        ),
        "content: ",
        "implementations: a test file is an 834 or an eligibility CSV of the sponsor (RoundFileIn)",
    ),
    CrossFieldRule(
        frozenset({"POST /api/team/candidates/{candidate_id}/stage"}),
        "stage: A candidate cannot go from",
        "team: a stage the candidate can move to from theirs (TeamStageIn)",
    ),
    *(
        CrossFieldRule(
            frozenset({"POST /api/team/candidates/{candidate_id}/stage"}),
            message,
            "team: an offer after a scorecard, a hire after an offer, why closed (TeamStageIn)",
        )
        for message in (
            "stage: An offer follows at least one submitted interview scorecard.",
            "stage: Make the offer first.",
            "reason: Say why the file is closed.",
        )
    ),
    *(
        CrossFieldRule(
            frozenset({"PATCH /api/team/people/{user_id}"}),
            message,
            "team: onsite needs the account, leaving needs its kind, agent ids (TeamPersonPatch)",
        )
        for message in (
            "onsite_account: Say at which sponsor they work onsite.",
            "leaving: Say whether the leaving was voluntary.",
            "is someone else's.",
        )
    ),
    *(
        CrossFieldRule(
            frozenset(
                {
                    "POST /api/team/people/{user_id}/licenses",
                    "PATCH /api/team/people/{user_id}/licenses/{license_id}",
                }
            ),
            message,
            "team: expiry after issue, one license per state and line (TeamLicenseIn)",
        )
        for message in (
            "expires_on: A license expires after it is issued.",
            "change or renew that one.",
        )
    ),
    CrossFieldRule(
        frozenset({"POST /api/team/courses/{course_id}/assignments"}),
        "due_on: The due date has passed.",
        "team: a due date not passed (TeamAssignIn)",
    ),
    *(
        CrossFieldRule(
            frozenset({"POST /api/team/time-off"}),
            message,
            "team: working days in order, not asked for already (TeamTimeOffIn)",
        )
        for message in (
            "last_day: The last day comes after the first.",
            "first_day: Those days are not working days.",
            "first_day: You already asked for time off on some of those days.",
        )
    ),
    CrossFieldRule(
        frozenset({"PATCH /api/surveys/follow-ups/{follow_up_id}"}),
        "outcome: Say what came of the follow-up to close it.",
        "surveys: closing a follow-up needs its outcome (FollowUpIn)",
    ),
    CrossFieldRule(
        frozenset(
            {
                "POST /api/surveys/{survey_id}/accounts/{account_id}/sends",
                "POST /api/surveys/schedules",
            }
        ),
        "survey_id: ",
        "surveys: an active survey (of the relationship kind for a schedule) (SendIn, ScheduleIn)",
    ),
    *(
        CrossFieldRule(CONTRACTS, message, "contracts: fee or premium by funding (ContractIn)")
        for message in (
            "An ASO contract needs its admin fee PEPM.",
            "An ASO contract has no premium.",
            "A fully insured contract needs its premium PMPM.",
            "A fully insured contract has no admin fee.",
        )
    ),
)


@dataclass
class FuzzResult:
    operations: int = 0
    requests: int = 0
    failures: Counter[str] = field(default_factory=Counter)  # check name -> failing cases
    by_operation: Counter[tuple[str, str]] = field(default_factory=Counter)  # (check, operation)
    examples: dict[tuple[str, str], list[str]] = field(default_factory=dict)  # a few of each
    # Why schema-valid requests were refused (positive_data_acceptance): the 422's messages.
    refusals: Counter[str] = field(default_factory=Counter)
    # Refusals of a schema-valid request by a documented rule across fields (ACCEPTED_REFUSALS),
    # by the rule's `why`: dropped by the filter_failure hook, so not failures.
    accepted: Counter[str] = field(default_factory=Counter)
    # What each operation answered, by mode: (operation, "positive"/"negative", status) -> n.
    statuses: Counter[tuple[str, str, int]] = field(default_factory=Counter)

    def failures_besides(self, check: str) -> int:
        return sum(n for name, n in self.failures.items() if name != check)

    @property
    def total_failures(self) -> int:
        return sum(self.failures.values())

    def describe(self) -> str:
        lines = [f"operations {self.operations}, requests {self.requests}"]
        for why, count in sorted(self.accepted.items()):
            lines.append(f"  accepted 422 (documented cross-field rule) {count}: {why}")
        for check, count in sorted(self.failures.items()):
            lines.append(f"  {check}: {count}")
            for (name, operation), found in sorted(self.by_operation.items()):
                if name == check:
                    lines.append(f"    {operation}: {found}")
                    lines.extend(f"      {ex}" for ex in self.examples[(name, operation)][:2])
        return "\n".join(lines)


def all_checks() -> list[object]:
    load_all_checks()
    return [check for check in CHECKS.get_all() if not is_check_class(check)]


def api_schema() -> Any:
    with _connections_kept_open():
        return schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())


def accepted_rule(operation: str, failure: Failure, response: Any) -> CrossFieldRule | None:
    """The documented cross-field rule that explains this failure, if one does: a schema-valid
    request refused with a 422 whose every message is a rule of this operation's."""
    if not isinstance(failure, RejectedPositiveData) or response.status_code != 422:
        return None
    rules = [rule for rule in ACCEPTED_REFUSALS if operation in rule.operations]
    messages = _messages(response)
    found = []
    for message in messages:
        matching = [rule for rule in rules if rule.message in message]
        if not matching:
            return None
        found.append(matching[0])
    return found[0] if found else None


def _accept_documented_refusals(schema: Any, result: FuzzResult) -> None:
    @schema.hook  # type: ignore[untyped-decorator]
    def filter_failure(context: Any, failure: Failure, case: Any, response: Any) -> bool:
        rule = accepted_rule(case.operation.label, failure, response)
        if rule is None:
            return True
        result.accepted[rule.why] += 1
        return False


def seeded_ids() -> dict[tuple[str, str], list[int]]:
    """The ids of the records each path parameter can name (at most 8), by (path prefix,
    parameter): SEEDED_RECORDS under the prefix "" (every route), SEEDED_RECORDS_BY_PATH."""
    from django.apps import apps

    found = {}
    named = {("", name): label for name, label in SEEDED_RECORDS.items()}
    for key, label in {**named, **SEEDED_RECORDS_BY_PATH}.items():
        ids = apps.get_model(label).objects.order_by("pk").values_list("pk", flat=True)[:8]
        if ids:
            found[key] = list(ids)
    return found


def ids_for_route(ids: dict[tuple[str, str], list[int]], path: str) -> dict[str, list[int]]:
    """The seeded ids each path parameter of the route at `path` can name."""
    found = {name: choices for (prefix, name), choices in ids.items() if prefix == ""}
    for (prefix, name), choices in ids.items():
        if prefix and path.startswith(prefix):
            found[name] = choices
    return found


def _reach_seeded_records(schema: Any, all_ids: dict[tuple[str, str], list[int]]) -> None:
    """Half the generated path parameters name seeded records instead of random ids. Only a
    value the schema takes is replaced (a positive int), by another it takes, so a negative
    case stays negative in the part that made it so."""

    @schema.hook  # type: ignore[untyped-decorator]
    def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any] | None) -> Any:
        if not isinstance(path_parameters, dict):
            return st.just(path_parameters)
        operation = getattr(context, "operation", None)
        ids = ids_for_route(all_ids, getattr(operation, "path", "") or "")
        swappable = {
            name: ids[name]
            for name, value in path_parameters.items()
            if name in ids
            and isinstance(value, int)
            and not isinstance(value, bool)
            and 1 <= value <= MAX_ID
        }
        if not swappable:
            return st.just(path_parameters)
        seeded = st.fixed_dictionaries(
            {name: st.sampled_from(choices) for name, choices in swappable.items()}
        ).map(lambda drawn: {**path_parameters, **drawn})
        # Seeded first: hypothesis starts from a strategy's simplest draws, the first branch's,
        # so a short run reaches the seeded records' bodies before the random ids' 404.
        return st.one_of(seeded, st.just(path_parameters))


def api_operations(schema: Any) -> list[Any]:
    """Every operation of the schema (one the loader cannot read fails the run)."""
    operations = []
    for found in schema.get_all_operations():
        if not isinstance(found, Ok):
            raise AssertionError(f"the OpenAPI schema has an unreadable operation: {found!r}")
        operations.append(found.ok())
    return operations


def fuzz_api(
    tokens: dict[str, str],
    *,
    max_examples: int,
    seed: int,
    operations: Iterable[str] | None = None,
) -> FuzzResult:
    """Send `max_examples` positive and as many negative cases per operation and token."""
    with _connections_kept_open():
        return _fuzz_api(tokens, max_examples=max_examples, seed=seed, operations=operations)


@contextlib.contextmanager
def _connections_kept_open() -> Iterator[None]:
    """Requests in process keep the caller's database connection, as Django's test client does.

    Each WSGI request ends by closing a connection past its CONN_MAX_AGE (0 on PostgreSQL): a
    test's one transaction (and everything it seeded) went with it, and every later request
    failed with "the connection is closed". On SQLite's in-memory test database close() does
    nothing, which is why the run passed there.
    """
    signals = (request_started, request_finished)
    # Nested use (the run loads the schema) reconnects only what this level disconnected.
    were_connected = [signal.disconnect(close_old_connections) for signal in signals]
    try:
        yield
    finally:
        for signal, was_connected in zip(signals, were_connected, strict=True):
            if was_connected:
                signal.connect(close_old_connections)


def _fuzz_api(
    tokens: dict[str, str],
    *,
    max_examples: int,
    seed: int,
    operations: Iterable[str] | None,
) -> FuzzResult:
    register_formats()
    schema = api_schema()
    checks = all_checks()
    wanted = set(operations) if operations is not None else None
    result = FuzzResult()
    _accept_documented_refusals(schema, result)
    _reach_seeded_records(schema, seeded_ids())
    for operation in api_operations(schema):
        if wanted is not None and operation.label not in wanted:
            continue
        result.operations += 1
        for who, token in tokens.items():
            headers = {"Authorization": f"Bearer {token}"}
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                _run_operation(operation, mode, who, headers, checks, max_examples, seed, result)
    return result


def _run_operation(
    operation: object,
    mode: GenerationMode,
    who: str,
    headers: dict[str, str],
    checks: list[object],
    max_examples: int,
    seed: int,
    result: FuzzResult,
) -> None:
    label = operation.label  # type: ignore[attr-defined]
    strategy = operation.as_strategy(generation_mode=mode, headers=headers)  # type: ignore[attr-defined]

    @hypothesis.seed(seed)
    @hypothesis.settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        derandomize=False,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @hypothesis.given(case=strategy)
    def run(case: object) -> None:
        try:
            response = case.call(headers=headers)  # type: ignore[attr-defined]
        except Exception as exc:  # the app raised through WSGI: that is a server error too
            _record(result, "not_a_server_error", label, f"{who} {case!r}: {exc!r}")
            return
        result.requests += 1
        result.statuses[(label, mode.value, response.status_code)] += 1
        for check in checks:
            try:
                case.validate_response(  # type: ignore[attr-defined]
                    response, checks=[check], headers=headers
                )
            except FailureGroup as group:
                for failure in group.exceptions:
                    found = _describe(who, response, failure)
                    _record(result, check.__name__, label, found)  # type: ignore[attr-defined]
                    if check.__name__ == "positive_data_acceptance":  # type: ignore[attr-defined]
                        result.refusals.update(_messages(response))
            except Failure as failure:
                found = _describe(who, response, failure)
                _record(result, check.__name__, label, found)  # type: ignore[attr-defined]

    # Nothing to negate (an operation without parameters or body): no negative case.
    with contextlib.suppress(hypothesis.errors.Unsatisfiable):
        run()


def _messages(response: Any) -> list[str]:
    try:
        detail = response.json()["detail"]
    except (ValueError, KeyError, TypeError):
        return [f"HTTP {response.status_code}"]
    if not isinstance(detail, list):
        return [str(detail)]
    return [f"{'.'.join(map(str, e.get('loc', [])[-1:]))}: {e.get('msg')}" for e in detail]


def _describe(who: str, response: object, failure: Failure) -> str:
    request = response.request  # type: ignore[attr-defined]
    body = (request.body or b"")[:120]
    return (
        f"{who} {request.method} {request.url} body={body!r} -> "
        f"{response.status_code}: {failure.title}: "  # type: ignore[attr-defined]
        f"{response.content[:300]!r}"  # type: ignore[attr-defined]
    )


def _record(result: FuzzResult, check: str, operation: str, description: str) -> None:
    result.failures[check] += 1
    result.by_operation[(check, operation)] += 1
    examples = result.examples.setdefault((check, operation), [])
    if description not in examples and len(examples) < 5:
        examples.append(description)


def seed_api_book() -> dict[str, str]:
    """The cast with a record on Acme for each path parameter of SEEDED_RECORDS (an inquiry, a
    problem, two guarantees, an opportunity, a lead, a call to action with its tasks, an
    account plan, an implementation plan with its tasks, a survey sent with a follow-up and a
    schedule, a report run) and the team's (alice's person and license, a course, a time-off
    request, a candidate); tokens for mia and alice."""
    from clientdesk.growth.tests.cast import acme_lead, acme_opportunity
    from clientdesk.guarantees.tests.cast import acme_attested_guarantee, acme_guarantee
    from clientdesk.implementations.tests.routes import acme_plan_object
    from clientdesk.inquiries.tests.cast import acme_inquiry
    from clientdesk.insights.tests.cast import acme_problem
    from clientdesk.people.tokens import do_create_api_token
    from clientdesk.reports.tests.cast import acme_run
    from clientdesk.strategy.tests.cast import acme_call, acme_objective
    from clientdesk.surveys.tests import routes as survey_routes
    from clientdesk.team.tests import routes as team_routes
    from clientdesk.testing import make_cast

    cast = make_cast()
    acme_inquiry(cast)
    acme_problem(cast)
    acme_guarantee(cast)
    acme_attested_guarantee(cast)
    acme_opportunity(cast)
    acme_lead(cast)
    acme_call(cast)
    acme_objective(cast)  # and its account plan
    acme_plan_object(cast)
    survey_routes.follow_up(cast)  # a survey sent to Acme's contact, answered by a detractor
    survey_routes.schedule(cast)
    acme_run(cast)
    team_routes.alice_license(cast)  # and the team's person records
    team_routes.course(cast)
    team_routes.time_off_request(cast)
    team_routes.candidate(cast)
    return {
        name: do_create_api_token(user, "fuzz", acting_user=user)[1]
        for name, user in (("manager", cast.mia), ("associate", cast.alice))
    }
