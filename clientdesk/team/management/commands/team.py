"""``clientdesk team``: the team's nightly jobs.

clientdesk team remind [--as-of 2026-12-07] [--format json]
clientdesk team accrue [--month 2026-12] [--format json]
clientdesk team purge [--as-of 2026-12-07] [--format json]
"""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from clientdesk.lib.periods import PeriodError, month_start, parse_month
from clientdesk.team.runs import run_accruals, run_purge, run_reminders


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"not a date (YYYY-MM-DD): {text!r}") from None


class Command(BaseCommand):
    help = "The team's nightly jobs: training reminders, time-off accruals, candidate purge."

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        remind = verbs.add_parser(
            "remind", help="Assign yearly courses again before they lapse; mail overdue training."
        )
        remind.add_argument("--as-of", help="The day to run for (default: today, New York).")
        accrue = verbs.add_parser("accrue", help="Accrue time off through a month.")
        accrue.add_argument("--month", help="YYYY-MM (default: this month).")
        purge = verbs.add_parser(
            "purge", help="Erase closed candidate files past the retention period."
        )
        purge.add_argument("--as-of", help="The day to run for (default: today).")
        for sub in (remind, accrue, purge):
            sub.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        verb = options["verb"]
        result: dict[str, Any]
        if verb == "remind":
            today = _date(options["as_of"]) if options["as_of"] else timezone.localdate()
            run = run_reminders(today)
            result = {
                "as_of": today.isoformat(),
                "reassigned": run.reassigned,
                "overdue": run.overdue,
                "mails": run.mails,
            }
            text = (
                f"{run.reassigned} yearly courses assigned again; {run.overdue} overdue "
                f"assignments; {run.mails} reminder mails sent"
            )
        elif verb == "accrue":
            if options["month"]:
                try:
                    month = month_start(parse_month(options["month"]))
                except PeriodError as error:
                    raise CommandError(str(error)) from None
            else:
                month = timezone.localdate().replace(day=1)
            acc = run_accruals(month)
            result = {"month": f"{month:%Y-%m}", "balances": acc.balances, "hours": str(acc.hours)}
            text = f"accrued through {month:%Y-%m}: {acc.balances} balances, {acc.hours} hours"
        else:
            today = _date(options["as_of"]) if options["as_of"] else timezone.localdate()
            erased = run_purge(today)
            result = {"as_of": today.isoformat(), "erased": erased}
            text = f"{erased} closed candidate files erased"
        seconds = time.perf_counter() - started
        if options["format"] == "json":
            self.stdout.write(json.dumps({**result, "seconds": round(seconds, 3)}))
        else:
            self.stdout.write(f"{text} in {seconds:.2f} s")
