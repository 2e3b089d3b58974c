"""`clientdesk guarantees evaluate|forecast|templates`: guarantees from the command line."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404
from django.utils import timezone

from clientdesk.accounts.models import Account
from clientdesk.guarantees.library import TEMPLATES
from clientdesk.guarantees.runs import (
    ALERT_THRESHOLD,
    accounts_with_guarantees,
    run_evaluation,
    run_forecast,
)
from clientdesk.lake.gateway import LakeError
from clientdesk.lib.periods import parse_span
from clientdesk.lib.record_ids import parse_record_id


def _account(reference: str) -> Account:
    account = Account.objects.filter(group_number=reference.upper()).first()
    pk = parse_record_id(reference)
    if account is None and pk is not None:
        account = Account.objects.filter(pk=pk).first()
    if account is None:
        raise Http404(f"No account {reference!r}.")
    return account


def _fmt(value: Any) -> str:
    return "—" if value is None else (f"{value:,.2f}" if isinstance(value, float) else str(value))


class Command(BaseCommand):
    help = (
        "Performance guarantees: `evaluate` computes and stores results from the lake, "
        "`forecast` the chance of a miss before a period ends (and opens or closes alerts), "
        "`templates` lists the template library."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        evaluate = sub.add_parser("evaluate", help="Compute and store results.")
        evaluate.add_argument("--account", help="Account id or group number (default: all).")
        evaluate.add_argument(
            "--period",
            help="2026Q2, 2026-04 or 2026: print results of periods overlapping it (the "
            "contract years it touches are evaluated whole). Default: every year so far.",
        )
        evaluate.add_argument("--today", help="Evaluate as of this date (YYYY-MM-DD).")
        evaluate.add_argument("--engine", choices=["duckdb", "spark"], help="Analytics engine.")
        evaluate.add_argument("--format", choices=["text", "json"], default="text")
        forecast = sub.add_parser("forecast", help="Forecast misses before periods end.")
        forecast.add_argument("--account", help="Account id or group number (default: all).")
        forecast.add_argument("--as-of", dest="as_of", help="YYYY-MM-DD (default: today).")
        forecast.add_argument(
            "--alert-threshold",
            default=str(ALERT_THRESHOLD),
            help="Open an alert at this chance of a miss (default 0.5).",
        )
        forecast.add_argument("--engine", choices=["duckdb", "spark"], help="Analytics engine.")
        forecast.add_argument("--format", choices=["text", "json"], default="text")
        templates = sub.add_parser("templates", help="List the template library.")
        templates.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["verb"] == "evaluate":
                self._evaluate(options)
            elif options["verb"] == "forecast":
                self._forecast(options)
            else:
                self._templates(options)
        except (Http404, ValueError, LakeError) as error:
            raise CommandError(str(error).splitlines()[0]) from None

    def _accounts(self, options: dict[str, Any]) -> list[Account]:
        if options.get("account"):
            return [_account(options["account"])]
        return accounts_with_guarantees()

    @staticmethod
    def _date(text: str | None, name: str) -> dt.date:
        if not text:
            return timezone.localdate()
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{name}: write a date as YYYY-MM-DD, not {text!r}") from None

    def _evaluate(self, options: dict[str, Any]) -> None:
        window = parse_span(options["period"]) if options.get("period") else None
        today = self._date(options.get("today"), "--today")
        values, stored = run_evaluation(
            self._accounts(options),
            acting_user=None,
            today=today,
            window=window,
            engine=options.get("engine"),
        )
        shown = [
            v
            for v in values
            if window is None or (v.period_start <= window.last and v.period_end >= window.first)
        ]
        if options["format"] == "json":
            self.stdout.write(json.dumps([v.as_dict() for v in shown], indent=2))
            return
        for v in shown:
            d = v.as_dict()
            verdict = {True: "met", False: "MISSED", None: "no data"}[v.met]
            self.stdout.write(
                f"{d['account']:<10} {d['metric']:<28} {d['kind']:<10} {d['period']:<21} "
                f"{d['comparator']} {_fmt(d['target']):>8}  actual {_fmt(d['actual']):>9}  "
                f"{verdict:<7} penalty {_fmt(d['penalty']):>10}"
                + (f"  owed {_fmt(d['owed'])}" if d["owed"] is not None else "")
            )
        self.stdout.write(
            f"{len(values)} results: {stored.created} new, {stored.updated} changed, "
            f"{stored.unchanged} unchanged, {stored.new_misses} new misses."
        )

    def _forecast(self, options: dict[str, Any]) -> None:
        as_of = self._date(options.get("as_of"), "--as-of")
        try:
            threshold = Decimal(options["alert_threshold"])
        except InvalidOperation:
            raise ValueError("--alert-threshold: give a number between 0 and 1") from None
        if not 0 < threshold <= 1:
            raise ValueError("--alert-threshold: give a number between 0 and 1")
        forecasts, summary = run_forecast(
            self._accounts(options),
            acting_user=None,
            as_of=as_of,
            threshold=threshold,
            engine=options.get("engine"),
        )
        if options["format"] == "json":
            self.stdout.write(json.dumps([f.as_dict() for f in forecasts], indent=2))
            return
        for f in forecasts:
            d = f.as_dict()
            p = "—" if d["p_miss"] is None else f"{d['p_miss']:.0%}"
            self.stdout.write(
                f"{d['account']:<10} {d['metric']:<28} {d['period']:<21} P(miss) {p:>5}  "
                f"expected penalty {_fmt(d['expected_penalty']):>10}  "
                f"expected {_fmt(d['expected_actual'])} ({d['remaining_days']} days left)"
            )
        self.stdout.write(
            f"{len(forecasts)} forecasts as of {as_of}; alerts: {summary.alerts_opened} opened, "
            f"{summary.alerts_updated} still open, {summary.alerts_closed} closed."
        )

    def _templates(self, options: dict[str, Any]) -> None:
        rows = [
            {
                "code": t.code,
                "title": t.title,
                "metric": t.metric,
                "comparator": t.comparator,
                "target": t.target,
                "period": t.period,
                "at_risk": f"{t.at_risk_basis} {t.at_risk_value}",
                "schedule": t.schedule,
                "sources": list(t.sources),
            }
            for t in TEMPLATES.values()
        ]
        if options["format"] == "json":
            self.stdout.write(json.dumps(rows, indent=2))
            return
        for r in rows:
            self.stdout.write(f"{r['code']:<30} {r['title']}  [{', '.join(r['sources'])}]")
