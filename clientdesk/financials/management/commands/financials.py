"""`clientdesk financials pnl|ibnr|ibnr-backtest|renewal|options`: financials from the
command line (docs/financials.md)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clientdesk.financials.chain_ladder import (
    PMPM_TREND_PCT,
    LagTableError,
    blend_with_pmpm,
    chain_ladder,
    read_lag_csv,
)
from clientdesk.lake.gateway import LakeError, SystemActor

CLI_READER = SystemActor("clientdesk financials CLI")


def _date(text: str, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{name} {text!r} is not a date (YYYY-MM-DD)") from None


def _average(value: str | None) -> int | None:
    if value is None or value.lower() == "all":
        return None
    try:
        number = int(value)
    except ValueError:
        raise CommandError(f"--average {value!r}: a number of paid periods, or all") from None
    if number < 1:
        raise CommandError("--average must be at least 1")
    return number


def _tail(value: str) -> float:
    try:
        tail = float(value)
    except ValueError:
        raise CommandError(f"--tail {value!r} is not a number") from None
    if tail < 1:
        raise CommandError("--tail must be at least 1 (1 = no tail)")
    return tail


TREND_HELP = (
    f"Yearly trend %% of the PMPM projection to each blended month (default {PMPM_TREND_PCT:g}: "
    "the group medical cost trend, docs/financials.md)."
)


def _trend(value: float) -> float:
    if not -50 <= value <= 100:
        raise CommandError(f"--trend {value:g}: a yearly % between -50 and 100")
    return value


def _exposure(path: str) -> dict[str, float]:
    import csv

    out: dict[str, float] = {}
    try:
        with Path(path).open(newline="", encoding="utf-8-sig") as handle:
            for line, row in enumerate(csv.DictReader(handle), start=2):
                try:
                    out[(row.get("incurred_period") or "").strip()] = float(
                        row.get("member_months") or ""
                    )
                except ValueError:
                    raise CommandError(
                        f"{path} line {line}: member_months is not a number"
                    ) from None
    except OSError as error:
        raise CommandError(f"cannot read {path}: {error.strerror}") from None
    return out


class Command(BaseCommand):
    help = (
        "Financials: `pnl` computes and stores each account's monthly P&L with IBNR from the "
        "lake; `ibnr` develops a lag table from a CSV file; `triangle` prints the lake's lag "
        "triangles by book, segment, funding or account; `ibnr-backtest` measures the IBNR "
        "estimate on a synthetic book with run-out; `renewal` projects an account's renewal; "
        "`options` prices plan options by re-adjudicating an account's claims."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        ibnr = sub.add_parser("ibnr", help="IBNR by chain ladder from a lag table (CSV).")
        ibnr.add_argument(
            "--lags",
            required=True,
            help="CSV with incurred_period,paid_period,paid_amount (incremental; YYYY-MM or YYYY).",
        )
        ibnr.add_argument(
            "--average", help="Link ratios over the N most recent paid periods (default: all)."
        )
        ibnr.add_argument(
            "--tail", default="1", help="Tail factor beyond the last lag (default 1)."
        )
        ibnr.add_argument(
            "--exposure",
            help="Optional CSV incurred_period,member_months: blend a PMPM projection into the "
            "newest periods.",
        )
        ibnr.add_argument(
            "--immature", type=int, default=3, help="Newest periods blended (with --exposure)."
        )
        ibnr.add_argument("--trend", type=float, default=PMPM_TREND_PCT, help=TREND_HELP)
        ibnr.add_argument("--format", choices=["text", "json"], default="text")

        back = sub.add_parser("ibnr-backtest", help="The IBNR estimate against a book's truth.")
        back.add_argument(
            "--truth", required=True, help="A generated book's folder (with run-out)."
        )
        back.add_argument("--as-of", dest="as_of", required=True, help="YYYY-MM-DD.")
        back.add_argument(
            "--basis",
            choices=["paid", "reported"],
            default="reported",
            help="reported (default, the P&L's method): the claims received and not yet paid "
            "valued claim by claim (claim_processing), everything developed by received month; "
            "paid: a triangle of paid claims by paid month.",
        )
        back.add_argument("--average", help="Paid periods averaged (--basis paid; default: all).")
        back.add_argument("--tail", default="1", help="Tail factor (--basis paid; default 1).")
        back.add_argument(
            "--immature",
            type=int,
            default=3,
            help="Newest months blended with the PMPM projection (0: chain ladder alone).",
        )
        back.add_argument("--trend", type=float, default=PMPM_TREND_PCT, help=TREND_HELP)
        back.add_argument("--format", choices=["text", "json"], default="text")

        tri = sub.add_parser(
            "triangle", help="Lag triangles from the lake by book, segment, funding or account."
        )
        tri.add_argument(
            "--by",
            choices=["book", "segment", "funding", "account"],
            default="segment",
            help="One triangle per group, each developed with its own factors (default segment).",
        )
        tri.add_argument("--account", help="Only this account (id or group number).")
        tri.add_argument("--as-of", dest="as_of", help="YYYY-MM-DD (default: the last paid date).")
        tri.add_argument("--months", type=int, default=24, help="Incurred months (default 24).")
        tri.add_argument("--average", help="Paid periods averaged (default: all).")
        tri.add_argument("--tail", default="1", help="Tail factor (default 1).")
        tri.add_argument(
            "--immature", type=int, default=3, help="Newest months blended with the PMPM."
        )
        tri.add_argument("--trend", type=float, default=PMPM_TREND_PCT, help=TREND_HELP)
        tri.add_argument("--engine", choices=["duckdb", "spark"], default=None)
        tri.add_argument("--format", choices=["text", "json"], default="text")

        pnl = sub.add_parser("pnl", help="Compute and store the P&L of every account.")
        pnl.add_argument("--account", help="Account id or group number (default: all).")
        pnl.add_argument("--as-of", dest="as_of", help="YYYY-MM-DD (default: the last paid date).")
        pnl.add_argument("--months", type=int, default=24, help="Incurred months (default 24).")
        pnl.add_argument("--average", help="Paid periods averaged (default: all).")
        pnl.add_argument("--tail", default="1", help="Tail factor (default 1).")
        pnl.add_argument("--immature", type=int, default=3, help="Newest months PMPM-blended.")
        pnl.add_argument("--trend", type=float, default=PMPM_TREND_PCT, help=TREND_HELP)
        pnl.add_argument("--engine", choices=["duckdb", "spark"], help="Analytics engine.")
        pnl.add_argument("--format", choices=["text", "json"], default="text")

        renewal = sub.add_parser("renewal", help="Project an account's renewal, step by step.")
        renewal.add_argument("--account", required=True, help="Account id or group number.")
        renewal.add_argument("--pooling-point", dest="pooling_point", type=float)
        renewal.add_argument("--unit-cost-trend", dest="unit_cost_trend", type=float)
        renewal.add_argument("--utilization-trend", dest="utilization_trend", type=float)
        renewal.add_argument("--manual-pmpm", dest="manual_pmpm", type=float)
        renewal.add_argument("--plan-factor", dest="plan_factor", type=float)
        renewal.add_argument("--target-margin", dest="target_margin_pct", type=float)
        renewal.add_argument("--format", choices=["text", "json"], default="text")

        priced = sub.add_parser("options", help="Price plan options on an account's claims.")
        priced.add_argument("--account", required=True, help="Account id or group number.")
        priced.add_argument(
            "--options",
            help="JSON file: a list of designs {name, deductible, coinsurance_pct, oop_max, "
            "copay_office, copay_emergency, copay_pharmacy (generic), copay_brand, "
            "copay_specialty (blank: the generic copay)}; the first is the current plan "
            "(default: a standard comparison).",
        )
        priced.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        verb = options["verb"]
        try:
            if verb == "ibnr":
                self._ibnr(options)
            elif verb == "ibnr-backtest":
                self._backtest(options)
            elif verb == "triangle":
                self._triangle(options)
            elif verb == "renewal":
                self._renewal(options)
            elif verb == "options":
                self._options(options)
            else:
                self._pnl(options)
        except (LagTableError, ValueError, FileNotFoundError, LakeError) as error:
            raise CommandError(str(error).splitlines()[0]) from None

    def _ibnr(self, options: dict[str, Any]) -> None:
        table = read_lag_csv(Path(options["lags"]))
        estimate = chain_ladder(
            table, average=_average(options["average"]), tail=_tail(options["tail"])
        )
        if options["exposure"]:
            estimate = blend_with_pmpm(
                estimate,
                _exposure(options["exposure"]),
                immature=options["immature"],
                trend_pct=_trend(options["trend"]),
            )
        if options["format"] == "json":
            self.stdout.write(json.dumps(estimate.as_dict(), indent=2))
            return
        self.stdout.write(estimate.method())
        self.stdout.write(
            f"{'period':<9} {'age':>3} {'paid':>15} {'completion':>10} "
            f"{'ultimate':>15} {'ibnr':>15}"
        )
        for o in estimate.origins:
            self.stdout.write(
                f"{o.period:<9} {o.age:>3} {o.paid:>15,.2f} {o.completion:>10.4f} "
                f"{o.ultimate:>15,.2f} {o.ibnr:>15,.2f}"
            )
        self.stdout.write(
            f"total paid {estimate.paid_total:,.2f}  ultimate {estimate.ultimate_total:,.2f}  "
            f"IBNR {estimate.ibnr_total:,.2f}"
        )
        self.stdout.write(_range_line(estimate.as_dict()["range"]))

    def _backtest(self, options: dict[str, Any]) -> None:
        from clientdesk.financials.backtest import backtest

        result = backtest(
            Path(options["truth"]),
            _date(options["as_of"], "--as-of"),
            average=_average(options["average"]),
            tail=_tail(options["tail"]),
            immature=options["immature"],
            basis=options["basis"],
            trend_pct=_trend(options["trend"]),
        )
        if options["format"] == "json":
            self.stdout.write(json.dumps(result, indent=2))
            return
        self.stdout.write(result["method"])
        if result["estimated_inventory"]:
            parts = result["estimated_inventory"]
            self.stdout.write(
                f"finalized, not yet paid {parts['finalized_unpaid']:,.2f}; pended (charge x "
                f"ratio) {parts['pended_valued']:,.2f}; not yet received "
                f"{parts['not_yet_received']:,.2f}"
            )
        self.stdout.write(
            f"as of {result['as_of']}: estimated IBNR {result['estimated_ibnr']:,.2f}, true "
            f"{result['true_ibnr']:,.2f}, error {result['total_error_pct']}% "
            f"(run-out after as-of: {result['runout_months_after_as_of']} months)"
        )
        if result["range"]:
            held = "holds" if result["truth_within_range"] else "does not hold"
            self.stdout.write(f"{_range_line(result['range'])}: it {held} the truth")
        for m in result["by_month"]:
            self.stdout.write(
                f"{m['incurred_period']}  {m['months_old']:>2} months old  IBNR est "
                f"{m['estimated_ibnr']:>14,.2f} true {m['true_ibnr']:>14,.2f}  ultimate error "
                f"{m['ultimate_error_pct']}%"
            )

    def _triangle(self, options: dict[str, Any]) -> None:
        from clientdesk.financials.runs import (
            PNL_JOB,
            accounts_for_run,
            group_triangles,
            last_paid_date,
        )
        from clientdesk.lake.gateway import open_lake

        ids = [_account(options["account"]).pk] if options["account"] else None
        accounts = accounts_for_run(ids)
        with open_lake(PNL_JOB, accounts=ids, engine=options["engine"], max_rows=500_000) as lake:
            as_of = _date(options["as_of"], "--as-of") if options["as_of"] else last_paid_date(lake)
            if as_of is None:
                raise CommandError("the lake holds no medical claims")
            groups = group_triangles(
                lake,
                accounts,
                as_of,
                options["by"],
                months=options["months"],
                average=_average(options["average"]),
                tail=_tail(options["tail"]),
                immature=options["immature"],
                trend_pct=_trend(options["trend"]),
            )
        if options["format"] == "json":
            payload = {
                "as_of": as_of.isoformat(),
                "by": options["by"],
                "groups": [g.as_dict() for g in groups],
            }
            self.stdout.write(json.dumps(payload, indent=2))
            return
        for g in groups:
            e = g.estimate
            self.stdout.write(f"{g.group} ({g.accounts} accounts), as of {as_of}: {e.method()}")
            self.stdout.write(
                "link ratios "
                + " ".join(f"{r['link_ratio']:.4f}" for r in e.factors.rows()[:6])
                + (" ..." if len(e.factors.link) > 5 else "")
            )
            for o in e.origins[-6:]:
                self.stdout.write(
                    f"  {o.period}  {o.age:>2}  paid {o.paid:>15,.2f}  completion "
                    f"{o.completion:.4f}  IBNR {o.ibnr:>14,.2f}  {o.method}"
                )
            self.stdout.write(
                f"  total paid {e.paid_total:,.2f}  ultimate {e.ultimate_total:,.2f}  "
                f"IBNR {e.ibnr_total:,.2f}"
            )
            self.stdout.write("  " + _range_line(e.as_dict()["range"]))

    def _pnl(self, options: dict[str, Any]) -> None:
        from clientdesk.financials.actions import do_store_run
        from clientdesk.financials.runs import (
            PNL_JOB,
            accounts_for_run,
            compute_run,
            last_paid_date,
        )
        from clientdesk.lake.gateway import LakeError, open_lake

        ids = None
        if options["account"]:
            ids = [_account(options["account"]).pk]
        accounts = accounts_for_run(ids)
        try:
            with open_lake(
                PNL_JOB, accounts=ids, engine=options["engine"], max_rows=500_000
            ) as lake:
                as_of = (
                    _date(options["as_of"], "--as-of") if options["as_of"] else last_paid_date(lake)
                )
                if as_of is None:
                    raise CommandError("the lake holds no medical claims")
                result = compute_run(
                    lake,
                    accounts,
                    as_of,
                    months=options["months"],
                    average=_average(options["average"]),
                    tail=_tail(options["tail"]),
                    immature=options["immature"],
                    trend_pct=_trend(options["trend"]),
                )
        except LakeError as error:
            raise CommandError(str(error)) from None
        do_store_run(result, acting_user=None)
        from clientdesk.financials.queries import account_totals

        totals = account_totals([r["account"] for r in result.rows], as_of=result.as_of)
        if options["format"] == "json":
            self.stdout.write(
                json.dumps(
                    {
                        "as_of": result.as_of.isoformat(),
                        "method": result.book.method(),
                        "ibnr_total": round(result.book.ibnr_total, 2),
                        "ibnr_range": result.book.as_dict()["range"],
                        "factors": result.book.factors.rows(),
                        "book_figures": result.book_figures,
                        "accounts": totals,
                        "seconds": round(result.seconds, 2),
                    },
                    indent=2,
                    default=str,
                )
            )
            return
        self.stdout.write(f"as of {result.as_of}: {result.book.method()}")
        self.stdout.write(
            f"book IBNR {result.book.ibnr_total:,.2f} ({len(result.rows)} account-months); "
            + _range_line(result.book.as_dict()["range"])
        )
        for row in totals:
            self.stdout.write(
                f"{row['group_number']:<10} {row['funding']:<14} revenue {row['revenue']:>14,.2f} "
                f"margin {row['margin']:>14,.2f} ({row['margin_pct']}%)"
            )

    def _renewal(self, options: dict[str, Any]) -> None:
        from clientdesk.financials.analysis import renewal_inputs
        from clientdesk.financials.renewal import scenarios

        account = _account(options["account"])
        names = (
            "pooling_point",
            "unit_cost_trend",
            "utilization_trend",
            "manual_pmpm",
            "plan_factor",
            "target_margin_pct",
        )
        overrides = {k: float(options[k]) for k in names if options.get(k) is not None}
        experience, base, charges = renewal_inputs(CLI_READER, account, **overrides)
        projections = scenarios(experience, base, charges)
        if options["format"] == "json":
            data = {
                "account": account.group_number,
                "scenarios": [p.as_dict() for p in projections],
            }
            self.stdout.write(json.dumps(data, indent=2))
            return
        base_projection = projections[0]
        self.stdout.write(f"{account.name}: renewal {account.renewal_date}")
        for step in base_projection.steps:
            self.stdout.write(f"  {step.label:<40} {step.value:>14,.4f} {step.unit:<13} {step.how}")
        for p in projections:
            change = "n/a" if p.change_pct is None else f"{p.change_pct:+.2f} %"
            self.stdout.write(f"{p.name:<32} required {p.required_pmpm:>10,.2f} PMPM  {change}")

    def _options(self, options: dict[str, Any]) -> None:
        from clientdesk.financials.adjudication import STANDARD_OPTIONS, PlanDesign, price_options
        from clientdesk.financials.analysis import option_claims

        account = _account(options["account"])
        designs = list(STANDARD_OPTIONS)
        if options["options"]:
            try:
                raw = json.loads(Path(options["options"]).read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError) as error:
                raise CommandError(f"--options: {error}") from None
            if not isinstance(raw, list) or len(raw) < 1:
                raise CommandError("--options holds a JSON list of designs")
            designs = [PlanDesign.from_dict(d) for d in raw]
        claims, member_months, members, period = option_claims(CLI_READER, account)
        results = price_options(claims, designs, member_months, members)
        if options["format"] == "json":
            data = {
                "account": account.group_number,
                "period": period,
                "claims": int(claims.allowed.size),
                "member_months": member_months,
                "options": [r.as_dict() for r in results],
            }
            self.stdout.write(json.dumps(data, indent=2))
            return
        self.stdout.write(f"{account.name}: {len(claims.allowed):,} claims, {period}")
        for r in results:
            change = "n/a" if r.change_pct is None else f"{r.change_pct:+.2f} %"
            self.stdout.write(
                f"{r.design.name:<24} plan {r.plan_pmpm:>9,.2f} PMPM  member "
                f"{r.member_pmpm:>8,.2f} PMPM  AV {r.av * 100:5.1f} %  {change}"
            )


def _account(reference: str) -> Any:
    from clientdesk.accounts.models import Account

    account = Account.objects.filter(group_number=reference.upper()).first()
    if account is None and reference.isdigit():
        account = Account.objects.filter(pk=int(reference)).first()
    if account is None:
        raise CommandError(f"No account {reference!r}.")
    return account


def _range_line(shown: dict[str, Any] | None) -> str:
    """The stated range in words (chain_ladder.stated_range)."""
    if not shown:
        return "range: none (no standard error: factors typed in or too few periods)"
    return (
        f"{round(100 * shown['level'])} % range {shown['low']:,.2f} to {shown['high']:,.2f} "
        f"(Mack's standard error {shown['sd']:,.2f})"
    )
