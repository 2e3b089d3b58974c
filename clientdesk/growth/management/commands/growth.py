"""`clientdesk growth suggest|pipeline`: cross-sell suggestions and the pipeline."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from clientdesk.accounts.models import Account, Assignment
from clientdesk.growth.actions import do_open_renewals
from clientdesk.growth.models import Opportunity, Product
from clientdesk.growth.pipeline import Deal, forecast
from clientdesk.growth.runs import (
    find_suggestions,
    last_full_year,
    load_truth,
    run_suggestions,
    score,
)
from clientdesk.lake.gateway import LakeError, SystemActor
from clientdesk.lib.periods import PeriodError, parse_period


class Command(BaseCommand):
    help = (
        "Growth: `suggest` evaluates the suggestion rules on every account (with --truth, "
        "prints precision and recall against a synthetic book's ground truth); `pipeline` "
        "prints the pipeline and forecast by month and product; `renewals` opens renewal "
        "opportunities."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        suggest = sub.add_parser("suggest", help="Evaluate the suggestion rules.")
        suggest.add_argument(
            "--period", help="Months to read (2026, R12-2026-10, ...). Default: the last 12."
        )
        suggest.add_argument(
            "--truth",
            help="A generated book's ground_truth.json (its growth_truth.json beside it is "
            "read): print precision and recall instead of storing suggestions.",
        )
        suggest.add_argument("--engine", choices=["duckdb", "spark"], help="Analytics engine.")
        suggest.add_argument("--format", choices=["text", "json"], default="text")
        pipeline = sub.add_parser("pipeline", help="The pipeline and forecast.")
        pipeline.add_argument("--format", choices=["text", "json"], default="text")
        renewals = sub.add_parser(
            "renewals", help="Open a renewal opportunity for every account renewing soon."
        )
        renewals.add_argument("--within", type=int, default=180, help="Days ahead (180).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["verb"] == "suggest":
            self.suggest(options)
        elif options["verb"] == "renewals":
            self.renewals(options)
        else:
            self.pipeline(options)

    def renewals(self, options: dict[str, Any]) -> None:
        """Owner: the account's lead associate; accounts without one are listed, not opened."""
        today = timezone.localdate()
        accounts = list(Account.objects.order_by("group_number"))
        owners = {
            a.account_id: a.user
            for a in Assignment.objects.filter(role="lead").select_related("user")
        }
        made = do_open_renewals(
            accounts,
            Product.objects.get(code="medical"),
            owner_of=owners,
            within_days=options["within"],
            today=today,
            now=timezone.now(),
            acting_user=None,
        )
        horizon = today + dt.timedelta(days=options["within"])
        unowned = [
            a.group_number
            for a in accounts
            if today <= a.renewal_date <= horizon and a.pk not in owners
        ]
        self.stdout.write(f"renewal opportunities opened: {made}")
        if unowned:
            self.stdout.write(f"renewing without a lead associate: {', '.join(unowned)}")

    def suggest(self, options: dict[str, Any]) -> None:
        now = timezone.now()
        try:
            period = (
                parse_period(options["period"])
                if options["period"]
                else last_full_year(timezone.localdate(now))
            )
        except PeriodError as error:
            raise CommandError(str(error)) from None
        accounts = list(Account.objects.order_by("pk"))
        reader = SystemActor("clientdesk growth suggest")
        started = time.perf_counter()
        try:
            if options["truth"]:
                truth = load_truth(Path(options["truth"]))
                _, findings = find_suggestions(
                    reader, accounts, period, now, engine=options["engine"], pipeline=False
                )
                codes = dict(Product.objects.values_list("pk", "code"))
                result = score(findings, truth, {a.pk: a.group_number for a in accounts}, codes)
                result["period"] = period.code
                result["accounts"] = len(accounts)
                result["seconds"] = round(time.perf_counter() - started, 3)
                self._print(result, options["format"])
                return
            run = run_suggestions(reader, accounts, period, now=now, acting_user=None)
        except (LakeError, FileNotFoundError) as error:
            raise CommandError(str(error)) from None
        summary = {
            "period": period.code,
            "accounts": len(accounts),
            "with_figures": len(run.figures.measures),
            "found": len(run.findings),
            **run.stored,
            "seconds": round(time.perf_counter() - started, 3),
        }
        self._print(summary, options["format"])

    def pipeline(self, options: dict[str, Any]) -> None:
        deals = [
            Deal(o.product.name, o.stage, o.annual_value, o.probability, o.expected_close)
            for o in Opportunity.objects.select_related("product")
        ]
        result = forecast(deals)
        document = {
            "open_value": str(result.open_value),
            "weighted": str(result.weighted),
            "won_value": str(result.won_value),
            "by_month": [
                {
                    "month": r.key,
                    "open": r.open_count,
                    "value": str(r.open_value),
                    "weighted": str(r.weighted),
                }
                for r in result.by_month
            ],
            "by_product": [
                {
                    "product": r.key,
                    "open": r.open_count,
                    "value": str(r.open_value),
                    "weighted": str(r.weighted),
                }
                for r in result.by_product
            ],
        }
        self._print(document, options["format"])

    def _print(self, document: dict[str, Any], fmt: str) -> None:
        if fmt == "json":
            self.stdout.write(json.dumps(document, indent=1, default=str))
            return
        for key, value in document.items():
            if isinstance(value, list):
                self.stdout.write(f"{key}:")
                for item in value:
                    self.stdout.write(f"  {item}")
            else:
                self.stdout.write(f"{key}: {value}")
