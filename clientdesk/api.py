"""The REST API root: token authentication, one error shape, and every app's router."""

from __future__ import annotations

import copy
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import DataError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthorizationError, ValidationError, ValidationErrorContext
from ninja.openapi.schema import OpenAPISchema
from ninja.parser import Parser
from ninja.security import HttpBearer

from clientdesk.accounts.api import router as accounts_router
from clientdesk.financials.api import router as financials_router
from clientdesk.growth.api import router as growth_router
from clientdesk.guarantees.api import router as guarantees_router
from clientdesk.implementations.api import router as implementations_router
from clientdesk.inquiries.api import router as inquiries_router
from clientdesk.insights.api import router as insights_router
from clientdesk.people.tokens import token_for
from clientdesk.reports.api import router as reports_router
from clientdesk.strategy.api import router as strategy_router
from clientdesk.surveys.api import router as surveys_router
from clientdesk.team.api import router as team_router
from clientdesk.utilization.api import router as utilization_router


class TokenAuth(HttpBearer):
    """`Authorization: Bearer cd_…` with a personal token (see `clientdesk token create`)."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        found = token_for(token)
        if found is None:
            return None  # 401: unknown, revoked or expired
        needed = required_scope(request)
        if needed not in found.scope_set():
            raise AuthorizationError(message=f"This token lacks the {needed!r} scope.")
        request.user = found.user
        return found.user


def required_scope(request: HttpRequest) -> str:
    """reports for the report runs and files; else read for GET/HEAD, write for the rest."""
    if request.path.startswith("/api/reports/"):
        return "reports"
    return "read" if request.method in {"GET", "HEAD", "OPTIONS"} else "write"


def _error(description: str, detail: dict[str, Any]) -> dict[str, Any]:
    return {
        "description": description,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {"detail": detail},
                    "required": ["detail"],
                }
            }
        },
    }


_MESSAGE = {"type": "string"}
_FIELD_ERRORS = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "loc": {"type": "array", "items": {"type": ["string", "integer"]}},
            "msg": {"type": "string"},
            "type": {"type": "string"},
        },
        "required": ["loc", "msg", "type"],
    },
}
ERROR_RESPONSES = {
    "400": _error("The request body is not a JSON object.", _MESSAGE),
    "401": _error("No token, or an expired or revoked one.", _MESSAGE),
    "403": _error("Signed in, but the role or the token's scope does not allow it.", _MESSAGE),
    "404": _error("No such record, or not in the reader's scope (the same answer).", _MESSAGE),
    "409": _error("Another change was saved first (a stale version).", {}),
    "422": _error(
        'A parameter or field is invalid; `loc` names it: `["body", field, …]`, '
        '`["query", name]` or `["path", name]`.',
        _FIELD_ERRORS,
    ),
}


class ObjectBodies(Parser):
    """Every JSON body of this API is an object (its schema says so). django-ninja read a body
    of `0` or `[]` as no body at all, so a route whose fields are all optional took it: 400."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = super().parse_body(request)
        if not isinstance(data, dict):
            raise ValueError("the request body is not a JSON object")
        return data


class ClientdeskAPI(NinjaAPI):
    """The schema states every error an operation can answer, not only its successes: 401 and
    403 everywhere (token auth, roles), 404 where a path or a body names a record, 422 where
    anything is read from the request, 400 where a body is parsed; 409 where the route says."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._documents: dict[str, OpenAPISchema] = {}  # path prefix -> the built document

    def validation_error_from_error_contexts(
        self, error_contexts: list[ValidationErrorContext[Any]]
    ) -> ValidationError:
        """django-ninja puts the route's body parameter after "body" (`["body", "payload",
        "renewal_date"]`), where a rule's error names the field alone (`["body", "renewal_date"]`,
        lib/api_errors.py). A body read into one parameter (every route's) drops its name, so an
        error of a body's field is at `["body", field, …]` whichever check found it."""
        errors: list[dict[str, Any]] = []
        for context in error_contexts:
            found = super().validation_error_from_error_contexts([context]).errors
            model = context.model
            if model.__ninja_param_source__ == "body" and len(model.model_fields) == 1:
                for error in found:
                    error["loc"] = ("body", *tuple(error["loc"])[2:])
            errors.extend(found)
        return ValidationError(errors)

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        """The document, built once a process for each path prefix (the routes are all known
        once the URLs are loaded; building it took ~0.3 s a request of /api/openapi.json, the
        docs page's): every caller gets a copy of its own to read or change."""
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        built = self._documents.get(path_prefix)
        if built is None:
            built = self._documents[path_prefix] = self._build_openapi_schema(path_prefix)
        return copy.deepcopy(built)

    def _build_openapi_schema(self, path_prefix: str) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix)
        for operations in schema["paths"].values():
            for operation in operations.values():
                # A route's own statuses are integers (`response={200: …, 404: …}`), these are
                # strings: one of each for the same status was one key twice in the JSON, and
                # the docs page refused the whole document ("duplicated mapping key").
                responses = {
                    str(code): answer for code, answer in operation.get("responses", {}).items()
                }
                operation["responses"] = responses
                parameters = operation.get("parameters", [])
                wanted = ["401", "403"]
                if "requestBody" in operation or any(p.get("in") == "path" for p in parameters):
                    wanted.append("404")  # a path id, or a body naming a record (account_id)
                if parameters or "requestBody" in operation:
                    wanted.append("422")
                if "requestBody" in operation:
                    wanted.append("400")
                for status in wanted:
                    responses.setdefault(status, ERROR_RESPONSES[status])
                if "409" in responses:
                    responses["409"].setdefault(
                        "description", ERROR_RESPONSES["409"]["description"]
                    )
        return schema


api = ClientdeskAPI(
    title="clientdesk API",
    version="1",
    description=(
        "Account-scoped API of clientdesk. Authenticate with `Authorization: Bearer <token>`."
    ),
    auth=TokenAuth(),
    parser=ObjectBodies(),
    urls_namespace="api",
    docs_url="/docs",
)


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "Not allowed."}, status=403)


@api.exception_handler(OverflowError)
@api.exception_handler(DataError)
def out_of_range(request: HttpRequest, exc: Exception) -> HttpResponse:
    """A number the database cannot hold (the bounded types of lib/api_types.py catch the known
    ones with the field named; this is the net under the rest): 422, not a 500."""
    error = {"loc": ["request"], "msg": "A value is out of range.", "type": "value_error"}
    return api.create_response(request, {"detail": [error]}, status=422)


api.add_router("/accounts", accounts_router)
api.add_router("/guarantees", guarantees_router)
api.add_router("/growth", growth_router)
api.add_router("/implementations", implementations_router)
api.add_router("/inquiries", inquiries_router)
api.add_router("/insights", insights_router)
api.add_router("/surveys", surveys_router)
api.add_router("/utilization", utilization_router)
api.add_router("/financials", financials_router)
api.add_router("/reports", reports_router)
api.add_router("/team", team_router)
api.add_router("/strategy", strategy_router)
