"""Financial downloads in the shape an actuary or a sponsor expects.

The P&L: one row per account-month (exposure, fees, claims paid, IBNR, completion factor
and method, every cost line, margin), a Factors sheet (the link ratios and completion
factors of each estimate used) and an Assumptions sheet (segment expense, each account's
terms, the estimate's method). The renewal: every step of each scenario. The options: each
option side by side and the out-of-pocket distribution."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import Any

from openpyxl import Workbook

from clientdesk.accounts.models import Account
from clientdesk.financials import queries
from clientdesk.financials.adjudication import IDF_SOURCE_SPONSOR, OptionResult
from clientdesk.financials.contributions import RATIO_SOURCE, TierLine
from clientdesk.financials.models import IbnrEstimate, PnlMonth, SegmentExpense
from clientdesk.financials.renewal import TREND_SOURCE, Projection
from clientdesk.financials.runs import DEFAULT_ADMIN_PEPM
from clientdesk.lib.exports import SafeCsvWriter, append_row

PNL_COLUMNS = [
    "group_number",
    "account",
    "funding",
    "segment",
    "month",
    "member_months",
    "subscriber_months",
    "admin_fee_pepm",
    "premium_pmpm",
    "admin_fees",
    "stop_loss_premium",
    "premium",
    "revenue",
    "paid_claims",
    "completion_factor",
    "ibnr_method",
    "ibnr",
    "completed_claims",
    "completed_pmpm",
    "stop_loss_claims",
    "guarantee_penalties",
    "vendor",
    "premium_taxes",
    "admin_expense",
    "costs",
    "margin",
    "estimate_id",
]


def pnl_records(rows: Sequence[PnlMonth]) -> list[list[Any]]:
    out = []
    for r in rows:
        a = r.account
        pmpm = r.completed_pmpm
        out.append(
            [
                a.group_number,
                a.name,
                r.funding,
                a.segment,
                f"{r.month:%Y-%m}",
                r.member_months,
                r.subscriber_months,
                r.admin_fee_pepm,
                r.premium_pmpm,
                r.admin_fees,
                r.stop_loss_premium,
                r.premium,
                r.revenue,
                r.paid_claims,
                r.completion,
                r.ibnr_method,
                r.ibnr,
                r.completed_claims,
                None if pmpm is None else round(pmpm, 2),
                r.stop_loss_claims,
                r.penalties,
                r.vendor,
                r.premium_taxes,
                r.admin_expense,
                r.costs,
                r.margin,
                r.estimate_id,
            ]
        )
    return out


def pnl_csv(rows: Sequence[PnlMonth]) -> bytes:
    buffer = io.StringIO()
    writer = SafeCsvWriter(buffer)
    writer.writerow(PNL_COLUMNS)
    writer.writerows(pnl_records(rows))
    return buffer.getvalue().encode("utf-8")


def _sheet(book: Workbook, title: str, header: list[str], rows: list[list[Any]]) -> None:
    sheet = book.create_sheet(title)
    append_row(sheet, header)
    for row in rows:
        append_row(sheet, row)  # Decimal as float, text never a formula


def budget_records(rows: Sequence[PnlMonth], accounts: Sequence[Account]) -> list[list[Any]]:
    """One row per account, plan year and variance line (enrollment, cost per member) from
    the stored P&L; the split of the cost per member into utilization, mix and unit cost
    needs the lake and is on the account's page."""
    by_account: dict[int, list[PnlMonth]] = {}
    for row in rows:
        by_account.setdefault(row.account_id, []).append(row)
    out: list[list[Any]] = []
    for account in accounts:
        for year in queries.budget_vs_actual(account, by_account.get(account.pk, [])):
            out.extend(
                [
                    account.group_number,
                    year["label"],
                    year["member_months"],
                    year["budget_member_months"],
                    year["budget_pmpm"],
                    None if year["actual_pmpm"] is None else round(year["actual_pmpm"], 2),
                    None if year["prior_pmpm"] is None else round(year["prior_pmpm"], 2),
                    year["budget"],
                    year["actual"],
                    year["variance"],
                    name,
                    amount,
                ]
                for name, amount in year["lines"]
            )
    return out


def pnl_xlsx(rows: Sequence[PnlMonth], accounts: Sequence[Account]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    _sheet(book, "P&L by account-month", PNL_COLUMNS, pnl_records(rows))
    estimate_ids = sorted({r.estimate_id for r in rows if r.estimate_id})
    factors: list[list[Any]] = []
    methods: list[list[Any]] = []
    ranges: list[list[Any]] = []
    for estimate in IbnrEstimate.objects.filter(pk__in=estimate_ids).select_related("account"):
        label = estimate.account.group_number if estimate.account else "book"
        methods.append([estimate.pk, label, estimate.as_of.isoformat(), estimate.method])
        shown = estimate.detail.get("range")
        if shown:
            ranges.append(
                [
                    "IBNR range",
                    estimate.pk,
                    label,
                    f"{round(100 * shown['level'])} % {shown['low']:.2f} to {shown['high']:.2f} "
                    f"around {estimate.ibnr_total}: Mack's standard error {shown['sd']:.2f} "
                    f"(process {shown['process_sd']:.2f}, link ratios "
                    f"{shown['parameter_sd']:.2f}, PMPM projection {shown['pmpm_sd']:.2f}); "
                    f"claims in process {shown['known']:.2f} known, the rest lognormal",
                ]
            )
        factors.extend(
            [estimate.pk, label, f["lag"], f["link_ratio"], f["to_ultimate"], f["completion"]]
            for f in estimate.detail.get("factors", [])
        )
    _sheet(
        book,
        "Factors",
        ["estimate_id", "account", "lag_months", "link_ratio", "to_ultimate", "completion_factor"],
        factors,
    )
    _sheet(
        book,
        "Budget variance",
        [
            "account",
            "plan_year",
            "member_months",
            "budget_member_months",
            "budget_pmpm",
            "actual_pmpm",
            "prior_year_pmpm",
            "budget",
            "actual",
            "variance",
            "line",
            "amount",
        ],
        budget_records(rows, accounts),
    )
    assumptions: list[list[Any]] = [
        ["estimate", e[0], e[1], f"as of {e[2]}: {e[3]}"] for e in methods
    ]
    assumptions.extend(ranges)
    configured = {s.segment: s for s in SegmentExpense.objects.all()}
    for segment in sorted({a.segment for a in accounts}):
        s = configured.get(segment)
        assumptions.append(
            [
                "segment admin expense",
                segment,
                "",
                f"PEPM {s.admin_pepm if s else DEFAULT_ADMIN_PEPM} + "
                f"PMPM {s.admin_pmpm if s else 0}" + ("" if s else " (default)"),
            ]
        )
    for account in accounts:
        t = queries.terms_of(account)
        assumptions.append(
            [
                "account terms",
                account.group_number,
                "" if t.pk else "defaults",
                f"stop-loss premium PEPM {t.stop_loss_premium_pepm}, specific deductible "
                f"{t.stop_loss_deductible}, vendor PEPM {t.vendor_pepm}, premium taxes "
                f"{t.premium_tax_pct} %, QI {t.quality_improvement_pct} %",
            ]
        )
    assumptions.append(
        [
            "rule",
            "claims",
            "",
            "incurred month = service date; paid month = paid date; IBNR by chain ladder "
            "(docs/financials.md)",
        ]
    )
    _sheet(book, "Assumptions", ["kind", "key", "note", "value"], assumptions)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def renewal_xlsx(account: Account, projections: Sequence[Projection]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Renewal"
    append_row(
        sheet,
        [
            f"Renewal projection: {account.name} ({account.group_number}), "
            f"renewal {account.renewal_date:%Y-%m-%d}"
        ],
    )
    append_row(sheet, ["Step", *[p.name for p in projections], "Unit", "How (base)"])
    for i, step in enumerate(projections[0].steps):
        values = [p.steps[i].value if i < len(p.steps) else None for p in projections]
        append_row(sheet, [step.label, *values, step.unit, step.how])
    append_row(sheet, [])
    append_row(sheet, ["Trend source", TREND_SOURCE])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def options_xlsx(
    account: Account,
    period: str,
    results: Sequence[OptionResult],
    shares: Sequence[Sequence[TierLine]] = (),
) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Plan options"
    append_row(
        sheet, [f"Plan options for {account.name}: priced on the plan's own claims, {period}"]
    )
    rows: list[tuple[str, Callable[[OptionResult], Any]]] = [
        ("Deductible", lambda r: r.design.deductible),
        ("Coinsurance %", lambda r: r.design.coinsurance_pct),
        ("Out-of-pocket maximum", lambda r: r.design.oop_max),
        ("Office copay", lambda r: r.design.copay_office),
        ("Emergency copay", lambda r: r.design.copay_emergency),
        ("Pharmacy copay, generic", lambda r: r.design.copay_pharmacy),
        ("Pharmacy copay, brand", lambda r: r.design.brand),
        ("Pharmacy copay, specialty", lambda r: r.design.specialty),
        ("Actuarial value % (own claims)", lambda r: round(r.av * 100, 2)),
        ("Induced utilization factor", lambda r: round(r.idf, 4)),
        ("Plan paid PMPM", lambda r: round(r.plan_pmpm, 2)),
        ("Member cost share PMPM", lambda r: round(r.member_pmpm, 2)),
        ("Change vs current %", lambda r: None if r.change_pct is None else round(r.change_pct, 2)),
        (
            "Members reaching the OOP max",
            lambda r: (
                r.members_at_oop if r.members_at_oop >= 11 or r.members_at_oop == 0 else "<11"
            ),
        ),
    ]
    append_row(sheet, ["", *[r.design.name for r in results]])
    for label, get in rows:
        append_row(sheet, [label, *[get(r) for r in results]])
    append_row(sheet, [])
    append_row(sheet, ["Members by out-of-pocket band (counts under 11 withheld)"])
    for i, band in enumerate(results[0].oop_distribution):
        append_row(
            sheet,
            [
                band["band"],
                *[
                    (
                        r.oop_distribution[i]["members"]
                        if r.oop_distribution[i]["members"] is not None
                        else "<11"
                    )
                    for r in results
                ],
            ],
        )
    append_row(sheet, [])
    append_row(sheet, ["Induced utilization", IDF_SOURCE_SPONSOR])
    if shares and len(shares) == len(results):
        tiers = book.create_sheet("Employee contributions")
        append_row(tiers, ["What employees pay a month by coverage tier", RATIO_SOURCE])
        header = ["Tier", "Subscribers"]
        for r in results:
            header += [f"{r.design.name}: rate", "employee", "employer"]
        append_row(tiers, header)
        for lines in zip(*shares, strict=True):
            row: list[Any] = [lines[0].label, lines[0].subscribers]
            for line in lines:
                row += [round(line.rate, 2), round(line.employee, 2), round(line.employer, 2)]
            append_row(tiers, row)
        year: list[Any] = ["Employees in a year (all tiers)", ""]
        for s in shares:
            year += ["", round(sum(line.employee_year for line in s), 2), ""]
        append_row(tiers, year)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
