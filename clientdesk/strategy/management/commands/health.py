"""`clientdesk health snapshot|backtest`: the account health score from the command line."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from clientdesk.strategy.runs import run_backtest, run_objectives, run_snapshot


def _day(value: str | None) -> dt.date:
    if not value:
        return timezone.localdate()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD).") from None


class Command(BaseCommand):
    help = (
        "Account health: `snapshot` scores every account as of a day and stores it (and "
        "measures the plans' objectives); `backtest` scores the ground truth's renewals 90 days "
        "before each and prints the AUC."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        snap = sub.add_parser("snapshot", help="Score and store every account's health.")
        snap.add_argument("--as-of", dest="as_of", help="YYYY-MM-DD (default: today).")
        snap.add_argument("--format", choices=["text", "json"], default="text")
        back = sub.add_parser("backtest", help="Score renewals against their outcomes.")
        back.add_argument("--truth", required=True, help="The book's ground_truth.json.")
        back.add_argument("--format", choices=["text", "json"], default="text")
        back.add_argument("--rows", action="store_true", help="Include every renewal (json).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["verb"] == "snapshot":
            as_of = _day(options["as_of"])
            run, seconds = run_snapshot(as_of)
            objectives = run_objectives(as_of)
            result = {
                "as_of": as_of.isoformat(),
                "accounts": run.accounts,
                "scored": run.scored,
                "changed": run.changed,
                "objectives": objectives,
                "seconds": round(seconds, 2),
            }
            if options["format"] == "json":
                self.stdout.write(json.dumps(result))
            else:
                self.stdout.write(
                    f"Health as of {as_of}: {run.scored} of {run.accounts} accounts scored, "
                    f"{run.changed} changed; {objectives} objectives measured ({seconds:.1f} s)."
                )
            return
        path = Path(options["truth"])
        if not path.exists():
            raise CommandError(f"No file {path}.")
        try:
            result_bt = run_backtest(path)
        except (ValueError, KeyError) as error:
            raise CommandError(str(error).splitlines()[0]) from None
        out = result_bt.as_dict()
        if not options["rows"]:
            out.pop("rows")
        if options["format"] == "json":
            self.stdout.write(json.dumps(out))
        else:
            auc = "—" if result_bt.auc is None else f"{result_bt.auc:.3f}"
            share = (
                "—"
                if result_bt.lost_in_lowest_band is None
                else f"{result_bt.lost_in_lowest_band:.0%}"
            )
            expected = (
                ""
                if result_bt.auc_expected is None
                else f" (expected over the outcome's draws {result_bt.auc_expected:.3f})"
            )
            self.stdout.write(
                f"{result_bt.renewals} renewals scored 90 days ahead, {result_bt.lost} lost: "
                f"AUC {auc}{expected}; lost accounts in the poor band {share}."
            )
