"""The API against its own OpenAPI schema: a short, seeded schemathesis run with every check.

The long run is bench/fuzz.py (same code, more cases). The operations are those of the apps
that existed when the run was written; a new app's routes join it by name below. It runs on
SQLite and on PostgreSQL (CI): the requests run in process and keep the test's connection
(fuzzing._connections_kept_open), as Django's test client does.
"""

from __future__ import annotations

import pytest
from schemathesis.openapi.checks import RejectedPositiveData

from clientdesk.web.tests.fuzzing import (
    accepted_rule,
    api_operations,
    api_schema,
    fuzz_api,
    seed_api_book,
)

pytestmark = pytest.mark.django_db

TAGS = (
    "/api/accounts",
    "/api/inquiries",
    "/api/insights",
    "/api/guarantees",
    "/api/growth",
    "/api/reports",
    "/api/utilization",
    "/api/implementations/schedule",  # a string format of our own (fuzz_formats.py)
)


def test_the_api_answers_every_generated_request_as_its_schema_says() -> None:
    tokens = seed_api_book()
    labels = [op.label for op in api_operations(api_schema()) if op.path.startswith(TAGS)]
    assert len(labels) >= 45
    result = fuzz_api(tokens, max_examples=2, seed=22, operations=labels)
    assert result.operations == len(labels)
    assert result.requests > 4 * len(labels)
    # Every check passes. A schema-valid request refused (422) by a rule across fields that the
    # operation documents (fuzzing.ACCEPTED_REFUSALS) is not a failure; any other refusal is.
    assert result.total_failures == 0, result.describe()
    assert result.refusals == {}, result.describe()


class _Answer:
    def __init__(self, status_code: int, messages: list[str], field: str = "x") -> None:
        self.status_code = status_code
        self._body: dict[str, object] = {
            "detail": [{"loc": ["body", field], "msg": m} for m in messages]
        }

    def json(self) -> dict[str, object]:
        return self._body


@pytest.mark.django_db(False)
def test_only_a_documented_cross_field_refusal_of_the_operation_is_accepted() -> None:
    refused = RejectedPositiveData(
        operation="POST /api/accounts/",
        message="Valid data should have been accepted",
        status_code=422,
        allowed_statuses=["2xx"],
    )
    renewal = "The renewal date must be after the effective date."
    fewer = "Covered members include every employee, so cannot be fewer."
    rule = accepted_rule("POST /api/accounts/", refused, _Answer(422, [renewal]))
    assert rule is not None and "renewal_date" in rule.why
    both = accepted_rule(
        "PATCH /api/accounts/{account_id}", refused, _Answer(422, [renewal, fewer])
    )
    assert both is not None
    # Another operation, another message beside the rule's, another status: a failure.
    assert accepted_rule("POST /api/inquiries/", refused, _Answer(422, [renewal])) is None
    assert accepted_rule("POST /api/accounts/", refused, _Answer(422, [renewal, "x"])) is None
    assert accepted_rule("POST /api/accounts/", refused, _Answer(400, [renewal])) is None
    assert accepted_rule("POST /api/accounts/", refused, _Answer(422, [])) is None
    # A rule of the record's state names its field: the same words on another field are not it.
    stage = "POST /api/growth/opportunities/{opportunity_id}/stage"
    closed = _Answer(422, ["This opportunity is closed."], field="stage")
    assert accepted_rule(stage, refused, closed) is not None
    assert accepted_rule(stage, refused, _Answer(422, ["This opportunity is closed."])) is None
