"""`clientdesk utilization --account ID --from YYYY-MM --to YYYY-MM`: an account's report."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from clientdesk.accounts.access import access_account_by_reference
from clientdesk.accounts.models import Account
from clientdesk.lake.gateway import LakeError, SystemActor
from clientdesk.lib.formatting import percent, signed_percent
from clientdesk.lib.periods import PeriodError, period_between
from clientdesk.people.cli import CliUser
from clientdesk.utilization.analysis import Request, account_report, book_report, metric_frames
from clientdesk.utilization.book_benchmark import benchmark_of
from clientdesk.utilization.exports import REPORT_TABLES, render
from clientdesk.utilization.forms import parse_threshold
from clientdesk.utilization.report import AccountReport, jsonable

CLI = SystemActor("clientdesk utilization CLI")


class Command(BaseCommand):
    help = "Utilization and cost report of one account for a period (against the prior one)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--account", required=True, help="Account id or sponsor group number.")
        parser.add_argument("--from", dest="first", required=True, help="First month, YYYY-MM.")
        parser.add_argument("--to", dest="last", required=True, help="Last month, YYYY-MM.")
        parser.add_argument("--format", choices=["table", "json", "csv"], default="table")
        parser.add_argument(
            "--threshold", default=None, help="High-cost claimant threshold in $ (100000)."
        )
        parser.add_argument("--engine", choices=["duckdb", "spark"], default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        account = self._account(options["account"])
        try:
            period = period_between(options["first"], options["last"])
            threshold = parse_threshold(options["threshold"])
        except (PeriodError, ValueError) as error:
            raise CommandError(str(error)) from None
        request = Request(
            period, period.prior(), high_cost_threshold=threshold, engine=options["engine"]
        )
        try:
            frames = metric_frames(CLI, request)
            book = benchmark_of(book_report(CLI, request, frames))
            report = account_report(CLI, account, request, frames=frames, book=book)
        except LakeError as error:
            raise CommandError(str(error)) from None
        for warning in report.warnings:
            self.stderr.write(f"warning: {warning.message}")
        if options["format"] == "json":
            self.stdout.write(json.dumps(jsonable(report), indent=2))
        elif options["format"] == "csv":
            content, _ = render(REPORT_TABLES["categories"](report), "csv")
            self.stdout.write(content.decode().rstrip("\n"))
        else:
            self._table(report)

    def _account(self, reference: str) -> Account:
        try:
            return access_account_by_reference(CliUser(), reference)  # type: ignore[arg-type]
        except Http404:
            raise CommandError(f"no account {reference!r} (use its id or group number)") from None

    def _table(self, r: AccountReport) -> None:
        out = self.stdout.write
        account, period = r.account, r.period
        out(
            f"{account.name} ({account.group_number}) · {period.label} "
            f"against {r.prior_period.label}"
        )
        mm = r.member_months
        out(
            f"member months {mm.total:,} (prior {mm.prior:,}), "
            f"average members {mm.average_members or 0:,}"
        )
        for basis in ("paid_pmpm", "allowed_pmpm"):
            p = getattr(r, basis)
            out(
                f"{basis.replace('_', ' '):<14} total {p.total:>10,.2f}  medical "
                f"{p.medical:>10,.2f}  pharmacy {p.pharmacy:>9,.2f}  prior "
                f"{p.prior_total or 0:>10,.2f}"
            )
        out("")
        out(f"{'service category':<58}{'paid PMPM':>12}{'prior':>10}")
        for c in r.paid_pmpm.by_service_category:
            name = " / ".join(
                dict.fromkeys((c.service_category_1, c.service_category_2, c.service_category_3))
            )
            out(f"{name[:57]:<58}{c.pmpm:>12,.2f}{c.prior_pmpm or 0:>10,.2f}")
        out(f"{'pharmacy':<58}{r.paid_pmpm.pharmacy:>12,.2f}")
        out("")
        out(f"{'measure':<44}{'per 1,000':>11}{'paid/event':>12}")
        for u in r.utilization:
            out(f"{u.label:<44}{u.per_1000 or 0:>11,.1f}{u.paid_per_event or 0:>12,.2f}")
        t = r.trend.paid
        if t:
            out("")
            out(
                f"paid PMPM change {t.change:+,.2f} ({signed_percent(t.change_pct)}): utilization "
                f"{t.utilization:+,.2f}, mix {t.mix:+,.2f}, unit cost {t.unit_cost:+,.2f}"
            )
        h = r.high_cost_claimants
        out(
            f"high-cost claimants over {h.threshold:,.0f}: {h.count} "
            f"({percent(h.share_of_paid)} of paid)"
        )
        rx = r.pharmacy
        out(
            f"pharmacy: GDR {percent(rx.generic_dispensing_rate)}, specialty "
            f"{percent(rx.specialty_share_of_paid)} of paid, "
            f"{rx.paid_per_script or 0:,.2f} per script"
        )
        if r.findings:
            out("")
            out("findings:")
            for f in r.findings:
                out(f"  [{f.severity}] {f.title}")
                out(f"        → {f.action}")
