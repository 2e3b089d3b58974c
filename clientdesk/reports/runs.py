"""Running a report: gather the document once, render the asked formats, keep the files.

`execute_run` is what the background task, the CLI and the scheduler call; it records
progress on the run as it goes (the page polls it) and never raises for a report that
cannot be made: the run ends "failed" with a one-line reason.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from clientdesk.accounts.access import AnyUser, access_account_by_id
from clientdesk.accounts.models import Account
from clientdesk.lib.periods import PeriodError, parse_period
from clientdesk.people.cli import CliUser
from clientdesk.reports.access import require_portfolio
from clientdesk.reports.actions import do_finish_run
from clientdesk.reports.deck import render_deck
from clientdesk.reports.documents import ReportDocument, file_stem
from clientdesk.reports.images import render_charts
from clientdesk.reports.models import (
    CONTENT_TYPES,
    ReportKind,
    ReportRun,
    RunStatus,
    file_name,
)
from clientdesk.reports.pdf import render_pdf
from clientdesk.reports.portfolio import gather_portfolio
from clientdesk.reports.stewardship import Edition, Progress, _quiet, gather_stewardship
from clientdesk.reports.workbook import render_workbook

logger = logging.getLogger("clientdesk.reports")


def build_document(
    kind: str,
    *,
    account: Account | None,
    period_code: str,
    user: AnyUser,
    today: dt.date | None = None,
    engine: str | None = None,
    progress: Progress = _quiet,
    edition: str = Edition.CLIENT,
) -> ReportDocument:
    period = parse_period(period_code)
    if kind == ReportKind.STEWARDSHIP:
        if account is None:
            raise ValueError("a stewardship report needs an account")
        return gather_stewardship(
            account,
            period,
            user=user,
            today=today,
            engine=engine,
            progress=progress,
            edition=Edition(edition),
        )
    return gather_portfolio(period, user=user, today=today, engine=engine, progress=progress)


def render_formats(
    document: ReportDocument, formats: list[str], progress: Progress = _quiet
) -> dict[str, bytes]:
    """The document in each asked format (charts rendered once for the deck and the PDF)."""
    images: dict[str, bytes] = {}
    if {"pptx", "brief", "pdf"} & set(formats):
        progress(75, "Drawing the charts")
        images = render_charts(document)
    out: dict[str, bytes] = {}
    if "pptx" in formats:
        progress(82, "Building the deck")
        out["pptx"] = render_deck(document, images)
    if "brief" in formats:
        progress(85, "Building the executive deck")
        out["brief"] = render_deck(document, images, brief=True)
    if "xlsx" in formats:
        progress(88, "Building the workbook")
        out["xlsx"] = render_workbook(document)
    if "pdf" in formats:
        progress(92, "Printing the PDF")
        out["pdf"] = render_pdf(document, images)
    return out


def _reader(run: ReportRun) -> AnyUser:
    return run.requested_by if run.requested_by is not None else CliUser()  # type: ignore[return-value]


def _account_for(run: ReportRun, user: AnyUser) -> Account | None:
    """The run's account, checked again at run time (access may have changed)."""
    if run.kind == ReportKind.PORTFOLIO:
        require_portfolio(user)
        return None
    if run.account_id is None:
        raise Http404("A stewardship run without an account.")
    return access_account_by_id(user, run.account_id)


def execute_run(
    run_id: int,
    *,
    today: dt.date | None = None,
    engine: str | None = None,
    on_progress: Progress = _quiet,
) -> ReportRun:
    run = ReportRun.objects.select_related("account", "requested_by").get(pk=run_id)
    if run.finished:
        return run

    def progress(percent: int, step: str) -> None:
        ReportRun.objects.filter(pk=run.pk).update(progress=percent, step=step[:120])
        on_progress(percent, step)

    ReportRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING, started_at=timezone.now(), progress=1, step="Starting"
    )
    try:
        user = _reader(run)
        account = _account_for(run, user)
        document = build_document(
            run.kind,
            account=account,
            period_code=run.period,
            user=user,
            today=today,
            engine=engine,
            progress=progress,
            edition=run.edition,
        )
        contents = render_formats(document, list(run.formats), progress)
        progress(98, "Saving the files")
        folder = run.folder
        folder.mkdir(parents=True, exist_ok=True)
        stem = file_stem(document, account.group_number if account else None)
        files = []
        for fmt, content in contents.items():
            name = file_name(stem, fmt)
            (folder / name).write_bytes(content)
            files.append({"format": fmt, "name": name, "size": len(content)})
    except (Http404, PermissionDenied):
        return do_finish_run(run, files=[], error="The requester may no longer read this report.")
    except PeriodError as error:
        return do_finish_run(run, files=[], error=str(error))
    except Exception as error:  # a failed run is recorded, never lost in a worker log
        logger.exception("report run %s failed", run.pk)
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        return do_finish_run(run, files=[], error=f"The report could not be made: {message}")
    return do_finish_run(run, files=files)


def copy_files(run: ReportRun, out_dir: Path) -> list[Path]:
    """The run's files copied to a folder (the CLI's --out)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    copied = []
    for f in run.files:
        source = run.folder / str(f["name"])
        target = out_dir / str(f["name"])
        shutil.copyfile(source, target)
        copied.append(target)
    return copied


__all__ = ["CONTENT_TYPES", "build_document", "copy_files", "execute_run", "render_formats"]
