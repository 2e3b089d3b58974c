"""`clientdesk installation schedule FILE --effective YYYY-MM-DD`: schedule a plan file;
`clientdesk installation test-round FILE --account ACCOUNT [--plan ID]`: load a sponsor's
eligibility test file (X12 834 or CSV) as a plan's next test round."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clientdesk.accounts.models import Account
from clientdesk.implementations import actions
from clientdesk.implementations.models import Implementation, PlanStatus
from clientdesk.implementations.plan_files import read_plan
from clientdesk.implementations.schedule_report import schedule_json, schedule_text
from clientdesk.implementations.scheduling import ScheduleError


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _account(reference: str) -> Account:
    account = Account.objects.filter(group_number=reference.upper()).first()
    if account is None and reference.isdigit():
        account = Account.objects.filter(pk=int(reference)).first()
    if account is None:
        raise CommandError(f"No account {reference!r}.")
    return account


def _plan(account: Account, reference: str | None) -> Implementation:
    """The plan given by id, else the account's one open plan (draft or approved)."""
    plans = Implementation.objects.filter(account=account)
    if reference:
        plan = plans.filter(pk=int(reference)).first() if reference.isdigit() else None
        if plan is None:
            raise CommandError(f"No plan {reference!r} for account {account.group_number}.")
        return plan
    open_plans = list(plans.filter(status__in=[PlanStatus.DRAFT, PlanStatus.APPROVED]))
    if len(open_plans) != 1:
        listed = ", ".join(f"{p.pk} ({p.name})" for p in plans) or "none"
        raise CommandError(
            f"{account.group_number} has {len(open_plans)} open plans: name one with --plan "
            f"(plans: {listed})"
        )
    return open_plans[0]


class Command(BaseCommand):
    help = (
        "Case installation: `schedule FILE.csv|.xlsx --effective YYYY-MM-DD` schedules a plan "
        "file backward from the effective date on the business calendar (critical path, "
        "slack), without storing it; `test-round FILE --account ACCOUNT [--plan ID]` loads a "
        "sponsor's eligibility test file (X12 834 or CSV) as the plan's next test round and "
        "prints its result (for an 834 its acceptance report); exit 1 when the round failed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        schedule = sub.add_parser("schedule", help="Schedule a plan file (nothing stored).")
        schedule.add_argument("file", help="CSV or XLSX: ID, Name, Duration, Predecessors, ...")
        schedule.add_argument("--effective", required=True, help="Effective date, YYYY-MM-DD.")
        schedule.add_argument("--format", choices=["text", "json"], default="text")
        rounds = sub.add_parser(
            "test-round", help="Load an eligibility test file (834 or CSV) as a test round."
        )
        rounds.add_argument("file", help="The sponsor's X12 834, or a CSV of eligibility rows.")
        rounds.add_argument("--account", required=True, help="Account id or group number.")
        rounds.add_argument("--plan", help="The plan's id (default: the account's open plan).")
        rounds.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: object, **options: Any) -> None:
        path = Path(str(options["file"]))
        if not path.is_file():
            raise CommandError(f"no file {path}")
        if options["verb"] == "test-round":
            self._test_round(path, options)
            return
        effective = _date(str(options["effective"]))
        try:
            plan = read_plan(path.read_bytes(), path.name)
            data = schedule_json(plan, effective)
        except ScheduleError as error:
            raise CommandError(f"{path.name}: {error}") from None
        if options["format"] == "json":
            self.stdout.write(json.dumps(data, indent=2))
        else:
            self.stdout.write(schedule_text(data))

    def _test_round(self, path: Path, options: dict[str, Any]) -> None:
        implementation = _plan(_account(str(options["account"])), options.get("plan"))
        try:
            loaded = actions.do_load_test_file(
                implementation, path.read_bytes(), path.name, acting_user=None
            )
        except actions.RoundFileError as error:
            raise CommandError(str(error)) from None
        figures = loaded.figures
        if options["format"] == "json":
            out: dict[str, Any] = {
                "plan": implementation.pk,
                "status": loaded.result.status,
                "batch_id": loaded.result.batch_id or None,
                "message": loaded.message,
            }
            if figures is not None:
                out |= {
                    "passed": figures.passed,
                    "failures": list(figures.failures),
                    "rows_read": figures.rows_read,
                    "rows_rejected": figures.rows_rejected,
                    "member_records": figures.member_records,
                    "member_records_not_loaded": figures.member_records_not_loaded,
                    "members_loaded": figures.members_loaded,
                    "acceptance_report": loaded.result.report or None,
                }
            self.stdout.write(json.dumps(out, indent=2, default=str))
        else:
            self.stdout.write(loaded.message)
            for t in figures.transaction_sets if figures is not None else ():
                self.stdout.write(
                    f"  set {t['interchange']}/{t['group']}/{t['transaction']} at segment "
                    f"{t['position']}: {t['status']}"
                )
                for f in t.get("findings") or ():
                    self.stdout.write(f"    segment {f['position']}: {f['message']}")
        if figures is not None and not figures.passed:
            raise SystemExit(1)
