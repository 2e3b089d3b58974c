"""`clientdesk report stewardship|portfolio|run-due`: reports from the command line."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404
from django.utils import timezone
from rich.progress import Progress as RichProgress

from clientdesk.accounts.access import access_account_by_reference
from clientdesk.accounts.models import Account
from clientdesk.lib.periods import PeriodError, parse_period
from clientdesk.people.cli import CliUser, active_user
from clientdesk.reports.access import can_run_portfolio
from clientdesk.reports.actions import ReportRequestError, clean_formats, do_request_report
from clientdesk.reports.models import ReportKind, ReportRun, RunStatus
from clientdesk.reports.runs import copy_files, execute_run
from clientdesk.reports.schedules import run_due


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date; write YYYY-MM-DD") from None


class Command(BaseCommand):
    help = "Stewardship and portfolio reports (PPTX, XLSX, PDF); run-due for scheduled ones."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        for verb, text in (
            ("stewardship", "one account's stewardship report"),
            ("portfolio", "the portfolio report for senior management"),
        ):
            p = sub.add_parser(verb, help=text)
            if verb == "stewardship":
                p.add_argument("--account", required=True, help="Account id or group number.")
            p.add_argument("--period", required=True, help="2026-03, 2026Q2, 2026 or R12-2026-03.")
            p.add_argument(
                "--format",
                dest="formats",
                default="pptx,xlsx,pdf",
                help="Comma-separated: pptx, brief (the executive deck, about 15 slides), xlsx, "
                "pdf (default pptx,xlsx,pdf).",
            )
            if verb == "stewardship":
                p.add_argument(
                    "--edition",
                    choices=["client", "internal"],
                    default="client",
                    help="client (default): for the sponsor, nothing internal; internal: for "
                    "the account team, with its own next steps.",
                )
            p.add_argument("--out", required=True, help="Folder to write the files to.")
            p.add_argument(
                "--user", default=None, help="Run with this user's access (default: all accounts)."
            )
            p.add_argument("--today", default=None, help="As-of date, YYYY-MM-DD.")
            p.add_argument("--engine", choices=["duckdb", "spark"], default=None)
            p.add_argument("--json", action="store_true", help="Print the result as JSON.")
        due = sub.add_parser("run-due", help="run the schedules that are due and mail them")
        due.add_argument("--today", default=None, help="Run as of this date, YYYY-MM-DD.")
        due.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["verb"] == "run-due":
            self._run_due(options)
            return
        user = active_user(options["user"]) if options["user"] else None
        reader = user if user is not None else CliUser()
        account: Account | None = None
        if options["verb"] == "stewardship":
            try:
                account = access_account_by_reference(reader, options["account"])  # type: ignore[arg-type]
            except Http404:
                raise CommandError(
                    f"no account {options['account']!r} (use its id or group number)"
                ) from None
        elif not can_run_portfolio(reader):  # type: ignore[arg-type]
            raise CommandError("the portfolio report is for managers, executives and admins")
        try:
            period = parse_period(options["period"])
            formats = clean_formats(options["formats"])
        except (PeriodError, ReportRequestError) as error:
            raise CommandError(str(error)) from None
        today = _date(options["today"]) if options["today"] else None
        run = do_request_report(
            options["verb"],
            account=account,
            period=period.code,
            formats=formats,
            acting_user=user,
            edition=options.get("edition", "client"),
        )
        run = self._execute(run, today, options["engine"])
        if run.status != RunStatus.DONE:
            raise CommandError(run.error)
        written = copy_files(run, Path(options["out"]))
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "run": run.pk,
                        "kind": run.kind,
                        "period": run.period,
                        "files": [str(p) for p in written],
                        "seconds": run.seconds,
                    },
                    indent=2,
                )
            )
        else:
            for path in written:
                self.stdout.write(str(path))

    def _execute(self, run: ReportRun, today: dt.date | None, engine: str | None) -> ReportRun:
        if not sys.stderr.isatty():
            return execute_run(run.pk, today=today, engine=engine)
        with RichProgress(transient=True) as bar:
            job = bar.add_task(f"{ReportKind(run.kind).label} {run.period}", total=100)

            def show(percent: int, step: str) -> None:
                bar.update(job, completed=percent, description=step)

            return execute_run(run.pk, today=today, engine=engine, on_progress=show)

    def _run_due(self, options: dict[str, Any]) -> None:
        today = _date(options["today"]) if options["today"] else timezone.localdate()
        outcomes = run_due(today)
        if options["format"] == "json":
            self.stdout.write(
                json.dumps(
                    [
                        {
                            "schedule": o.schedule.pk,
                            "name": o.schedule.name,
                            "run": o.run.pk,
                            "status": o.run.status,
                            "period": o.run.period,
                            "sent_to": o.sent_to,
                            "error": o.run.error,
                        }
                        for o in outcomes
                    ],
                    indent=2,
                )
            )
        else:
            if not outcomes:
                self.stdout.write("No schedule is due.")
            for o in outcomes:
                result = f"sent to {len(o.sent_to)}" if o.ok else f"failed: {o.run.error}"
                self.stdout.write(f"{o.schedule.name}: {o.run.period} {result}")
        if any(not o.ok for o in outcomes):
            raise CommandError(f"{sum(not o.ok for o in outcomes)} scheduled report(s) failed")
