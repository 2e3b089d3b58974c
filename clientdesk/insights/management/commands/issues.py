"""``clientdesk issues``: detect emerging issues, score detection against known truth, and check
that fixed problems stayed fixed.

    clientdesk issues detect --as-of 2026-11-30 [--since 2026-11-01 | --all] [--format json]
    clientdesk issues evaluate --truth DIR/ground_truth.json [--inject 24] [--format json]
    clientdesk issues verify --as-of 2026-11-30 [--format json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from clientdesk.accounts.models import Account
from clientdesk.insights.detection import Settings
from clientdesk.insights.evaluation import evaluate, incidents_from_truth, inject_steps
from clientdesk.insights.pipeline import load_panel, run_detection
from clientdesk.insights.runs import MAX_ROWS, detect_and_store, verify_fixes
from clientdesk.lake.gateway import LakeError, SystemActor, open_lake


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"not a count (0 or more): {text!r}")
    return value


def _budget(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0.0 < value < 1000.0:
        raise argparse.ArgumentTypeError(
            f"not an alarm budget (alerts per 1,000 series-days, above 0): {text!r}"
        )
    return value


class Command(BaseCommand):
    help = "Emerging issues: detect, evaluate against ground truth, verify fixes."

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        detect = verbs.add_parser("detect", help="scan the lake and store emerging issues")
        detect.add_argument("--as-of", required=True, help="last day scored (YYYY-MM-DD)")
        detect.add_argument(
            "--since", help="first day whose alerts make issues (default: 27 days before --as-of)"
        )
        detect.add_argument("--all", action="store_true", help="every day with enough history")
        detect.add_argument(
            "--budget", type=_budget, default=1.0, help="alarm budget: alerts per 1,000 series-days"
        )
        detect.add_argument("--format", choices=("text", "json"), default="text")
        ev = verbs.add_parser("evaluate", help="score detection on a book with known truth")
        ev.add_argument("--truth", required=True, help="the book's ground_truth.json")
        ev.add_argument(
            "--inject",
            type=_count,
            default=24,
            help="semi-synthetic x2/x3 steps added to dense series (0: none)",
        )
        ev.add_argument("--budget", type=_budget, default=1.0)
        ev.add_argument("--format", choices=("text", "json"), default="text")
        verify = verbs.add_parser("verify", help="effectiveness check of fixed problems")
        verify.add_argument("--as-of", required=True, help="check date (YYYY-MM-DD)")
        verify.add_argument("--format", choices=("text", "json"), default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            verb = options["verb"]
            if verb == "detect":
                self._detect(options)
            elif verb == "evaluate":
                self._evaluate(options)
            else:
                self._verify(options)
        except LakeError as error:
            raise CommandError(str(error)) from None

    # --- detect --------------------------------------------------------------------------

    def _detect(self, options: dict[str, Any]) -> None:
        as_of = _date(options["as_of"])
        summary = detect_and_store(
            as_of,
            since=_date(options["since"]) if options["since"] else None,
            whole_history=options["all"],
            budget_per_1000=options["budget"],
        )
        if options["format"] == "json":
            self.stdout.write(json.dumps(summary, indent=2))
            return
        self.stdout.write(
            f"Scanned {summary['series']:,} series ({summary['series_days']:,} series-days) as of "
            f"{summary['as_of']}: {summary['alerts']} alerts, {summary['issues']} issues since "
            f"{summary['since']} ({summary['created']} new, {summary['updated']} updated) in "
            f"{summary['seconds']} s."
        )
        for item in summary["items"]:
            self.stdout.write(f"  #{item['id']} {item['first_alert_date']} {item['title']}")

    # --- evaluate ------------------------------------------------------------------------

    def _evaluate(self, options: dict[str, Any]) -> None:
        path = Path(options["truth"])
        if path.is_dir():
            path = path / "ground_truth.json"
        try:
            truth = json.loads(path.read_text())
        except (OSError, ValueError) as error:
            raise CommandError(f"cannot read {path}: {error}") from None
        window = truth.get("window", {})
        as_of = dt.date.fromisoformat(window.get("end") or timezone.localdate().isoformat())
        ids = dict(Account.objects.values_list("group_number", "id"))
        incidents = incidents_from_truth(truth, ids)
        if not incidents:
            raise CommandError("none of the truth's incident accounts are loaded")
        clock = time.perf_counter()
        settings = Settings(budget_per_1000=options["budget"])
        with open_lake(SystemActor("clientdesk issues evaluate"), max_rows=MAX_ROWS) as lake:
            series = load_panel(lake, as_of)
        if options["inject"]:
            series, extra = inject_steps(
                series, options["inject"], seed=settings.seed, avoid=incidents
            )
            incidents = incidents + extra
        since = series.panel.first_day + dt.timedelta(days=settings.window_days)
        result = run_detection(series, since=since, until=as_of, settings=settings)
        report = evaluate(result, incidents)
        report["seconds"] = round(time.perf_counter() - clock, 2)
        report["scan_seconds"] = {k: round(v, 2) for k, v in result.seconds.items()}
        if options["format"] == "json":
            self.stdout.write(json.dumps(report, indent=2))
            return
        self._print_table(report)

    def _print_table(self, report: dict[str, Any]) -> None:
        def fmt(value: Any) -> str:
            return (
                "—" if value is None else f"{value:g}" if isinstance(value, float) else str(value)
            )

        self.stdout.write(
            f"{'group':<24}{'incidents':>10}{'POD7':>8}{'POD14':>8}{'median delay':>14}"
            f"{'top contributor':>17}"
        )
        groups = [
            ("all", report),
            *((f"band {b}", v) for b, v in report["by_band"].items()),
            ("x2+ of >= 5/day", report["doubling_of_5_per_day"]),
        ]
        for name, row in groups:
            self.stdout.write(
                f"{name:<24}{row['incidents']:>10}{fmt(row['pod7']):>8}{fmt(row['pod14']):>8}"
                f"{fmt(row['median_delay_days']):>14}{fmt(row['top_contributor_accuracy']):>17}"
            )
        self.stdout.write(
            f"precision {fmt(report['precision'])} ({report['issues']} issues); false alarms "
            f"{fmt(report['false_alarms_per_1000_series_days'])} per 1,000 series-days "
            f"({report['false_alerts']} of {report['series_days']:,} series-days, "
            f"{report['series']:,} series); {report['seconds']} s"
        )

    # --- verify --------------------------------------------------------------------------

    def _verify(self, options: dict[str, Any]) -> None:
        as_of = _date(options["as_of"])
        results = verify_fixes(as_of)
        if options["format"] == "json":
            self.stdout.write(
                json.dumps({"as_of": as_of.isoformat(), "problems": results}, indent=2)
            )
            return
        if not results:
            self.stdout.write("No fixed problems to check.")
        for row in results:
            self.stdout.write(f"{row['problem']}: {row['verdict']} — {row['explanation']}")
