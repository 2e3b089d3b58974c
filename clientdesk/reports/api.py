"""The reports API: ask for a report, follow its run, fetch its files."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import FileResponse, Http404, HttpRequest
from ninja import Field, Router, Schema

from clientdesk.accounts.access import access_account_by_id
from clientdesk.lib.api_errors import form_errors
from clientdesk.lib.api_types import InputSchema, PeriodText, RecordId
from clientdesk.reports import actions
from clientdesk.reports.access import access_run_by_id, require_portfolio, runs_visible_to
from clientdesk.reports.forms import ReportForm
from clientdesk.reports.models import CONTENT_TYPES, ReportKind, ReportRun
from clientdesk.reports.tasks import enqueue_run

router = Router(tags=["reports"])


class RunIn(InputSchema):
    period: PeriodText
    formats: list[Literal["pptx", "xlsx", "pdf"]] = Field(
        ["pptx", "xlsx", "pdf"], min_length=1, max_length=3
    )
    edition: Literal["client", "internal"] = "client"


class RunOut(Schema):
    id: int
    kind: str
    account_id: RecordId | None
    period: str
    formats: list[str]
    edition: str
    status: str
    progress: int
    step: str
    requested_at: dt.datetime
    finished_at: dt.datetime | None
    error: str
    files: list[dict[str, Any]]


def _request(request: HttpRequest, kind: str, account: Any, body: RunIn) -> ReportRun:
    form = ReportForm({"period": body.period, "formats": body.formats, "edition": body.edition})
    if not form.is_valid():
        raise form_errors(form)
    run = actions.do_request_report(
        kind,
        account=account,
        period=form.cleaned_data["period"],
        formats=form.cleaned_data["formats"],
        acting_user=request.user,  # type: ignore[arg-type]
        enqueue=enqueue_run,
        edition=form.cleaned_data["edition"],
    )
    return run


@router.get("/runs", response=list[RunOut])
def list_runs(request: HttpRequest) -> list[ReportRun]:
    return list(runs_visible_to(request.user)[:100])


@router.get("/runs/{run_id}", response=RunOut)
def get_run(request: HttpRequest, run_id: RecordId) -> ReportRun:
    return access_run_by_id(request.user, run_id)


@router.get(
    "/runs/{run_id}/files/{fmt}",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file, as an attachment (a run's file of another format: 404).",
                "content": {
                    content_type: {"schema": {"type": "string", "format": "binary"}}
                    for content_type in sorted(set(CONTENT_TYPES.values()))
                },
            }
        }
    },
)
def get_file(
    request: HttpRequest, run_id: RecordId, fmt: Literal["pptx", "brief", "xlsx", "pdf"]
) -> FileResponse:
    run = access_run_by_id(request.user, run_id)
    path = run.file_for(fmt) if fmt in CONTENT_TYPES else None
    if path is None or not path.exists():
        raise Http404("No such file.")
    actions.do_record_download(run, fmt, acting_user=request.user)  # type: ignore[arg-type]
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=path.name, content_type=CONTENT_TYPES[fmt]
    )


@router.post("/accounts/{account_id}/runs", response={202: RunOut})
def request_stewardship(request: HttpRequest, account_id: RecordId, body: RunIn) -> ReportRun:
    account = access_account_by_id(request.user, account_id)
    # The route's one response is 202, so ninja answers 202 (a tuple return is deprecated).
    return _request(request, ReportKind.STEWARDSHIP, account, body)


@router.post("/portfolio/runs", response={202: RunOut})
def request_portfolio(request: HttpRequest, body: RunIn) -> ReportRun:
    require_portfolio(request.user)
    return _request(request, ReportKind.PORTFOLIO, None, body)  # 202, the one response
