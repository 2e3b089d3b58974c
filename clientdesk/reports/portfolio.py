"""The portfolio report for senior management: every account the reader may see, one period.

Guarantees at risk and owed (`guarantees.queries.portfolio`), accounts escalated, emerging
issues (`insights.access.issues_visible_to`), SLA attainment by account
(`inquiries.queries.attainment`), NPS by account (`reports.satisfaction`), utilization
outliers against the book (`utilization.analysis.book_overview`) and renewals in the next
180 days. Each function of `PORTFOLIO_SECTIONS` makes one section from the figures read once
(`read_portfolio`), or none when it has nothing for the period.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from clientdesk.accounts.access import AnyUser, accounts_visible_to
from clientdesk.accounts.models import Account
from clientdesk.growth.queries import PortfolioGrowth, portfolio_growth
from clientdesk.guarantees.queries import PortfolioRow
from clientdesk.guarantees.queries import portfolio as guarantee_portfolio
from clientdesk.inquiries.models import AccountEscalation, EscalationStatus
from clientdesk.inquiries.queries import Attainment, attainment
from clientdesk.insights.access import issues_visible_to
from clientdesk.insights.models import EmergingIssue, IssueStatus
from clientdesk.lake.gateway import LakeError
from clientdesk.lib import formatting
from clientdesk.lib.periods import Period
from clientdesk.reports import satisfaction
from clientdesk.reports.documents import Chart, Column, Figure, ReportDocument, Section, Table
from clientdesk.reports.financials import financial_section
from clientdesk.reports.stewardship import (
    Progress,
    _quiet,
    data_period_text,
    money_text,
    person_name,
    with_rows,
)
from clientdesk.reports.strategy import plans_section as strategy_plans_section
from clientdesk.utilization import charts
from clientdesk.utilization.analysis import Request, book_overview
from clientdesk.utilization.report import AccountOverview, BookOverview, UtilizationReport

RENEWAL_DAYS = 180
OUTLIER_PCT = Decimal(15)  # paid PMPM this far from the book average (either way) is an outlier
MAX_OUTLIER_BARS = 30


@dataclass(frozen=True)
class PortfolioContext:
    """Everything the portfolio report shows, read once for the reader's accounts."""

    period: Period
    today: dt.date
    account_ids: set[int]
    listed: list[tuple[int, str, str, str]]  # id, name, group number, time zone
    overview: BookOverview | None
    guarantees: list[PortfolioRow]
    escalations: list[AccountEscalation]
    issues: list[EmergingIssue]
    sla: list[Attainment]
    surveys: satisfaction.Satisfaction | str
    renewals: list[Account]
    growth: PortfolioGrowth | None = None

    @property
    def book(self) -> UtilizationReport | None:
        return self.overview.book if self.overview else None

    @property
    def rows(self) -> list[AccountOverview]:
        accounts = self.overview.accounts if self.overview else ()
        return [r for r in accounts if r.id in self.account_ids]

    @property
    def book_pmpm(self) -> Decimal | None:
        book = self.book
        return book.paid_pmpm.total if book and book.member_months.total else None


PortfolioSection = Callable[[PortfolioContext], Section | None]

GUARANTEE_SOURCE = (
    "Guarantee results and forecasts of every visible account: fees at risk and penalties "
    "owed in the latest contract year, expected penalties in open periods"
)
UTILIZATION_SOURCE = (
    "Final-action claims and eligibility in the data lake, every visible account and the "
    "whole book, the period against the one before"
)


def gather_portfolio(
    period: Period,
    *,
    user: AnyUser,
    today: dt.date | None = None,
    engine: str | None = None,
    progress: Progress = _quiet,
) -> ReportDocument:
    context = read_portfolio(
        period, user=user, today=today or timezone.localdate(), engine=engine, progress=progress
    )
    book = context.book
    doc = ReportDocument(
        kind="portfolio",
        title="Portfolio report",
        subtitle=f"{period.label} · {len(context.account_ids):,} accounts",
        period_code=period.code,
        period_label=period.label,
        data_period=data_period_text(period, period.prior()),
        paid_through=book.data_paid_through if book else None,
        generated_at=timezone.now(),
        generated_by=person_name(user),
        warnings=[w.message for w in book.warnings] if book else [],
    )
    progress(60, "Writing the sections")
    doc.sections = [s for f in PORTFOLIO_SECTIONS if (s := f(context)) is not None]
    progress(70, "Gathered")
    return doc


def read_portfolio(
    period: Period, *, user: AnyUser, today: dt.date, engine: str | None, progress: Progress
) -> PortfolioContext:
    visible = accounts_visible_to(user)
    account_ids = set(visible.values_list("id", flat=True))
    progress(5, "Reading claims for every account")
    request = Request(period, period.prior(), engine=engine, as_of=today)
    try:
        overview: BookOverview | None = book_overview(user, request)
    except LakeError:
        overview = None
    progress(40, "Reading guarantees")
    guarantees = guarantee_portfolio(user, today)
    progress(50, "Reading escalations, issues and service levels")
    escalations = list(
        AccountEscalation.objects.filter(account__in=visible)
        .exclude(status=EscalationStatus.RESOLVED)
        .select_related("account", "owner")
        .order_by("-raised_at")
    )
    issues = list(
        issues_visible_to(user)
        .filter(last_alert_date__gte=period.start, first_alert_date__lte=period.last_day)
        .exclude(status=IssueStatus.DISMISSED)
        .select_related("account")
        .order_by("-first_alert_date", "-id")[:200]
    )
    sla = attainment(user, period.start, period.last_day)["account"]
    listed = list(visible.values_list("id", "name", "group_number", "timezone"))
    surveys = satisfaction.load_satisfaction(
        user,
        {pk: zone for pk, _, _, zone in listed},
        period,
        engine=engine,
        verbatims=False,
    )
    renewals = list(
        visible.filter(
            renewal_date__gte=today, renewal_date__lte=today + dt.timedelta(days=RENEWAL_DAYS)
        ).order_by("renewal_date", "name")
    )
    growth = portfolio_growth(user, period.start, period.last_day, timezone.now())
    return PortfolioContext(
        period=period,
        today=today,
        account_ids=account_ids,
        listed=listed,
        overview=overview,
        guarantees=guarantees,
        escalations=escalations,
        issues=issues,
        sla=list(sla),
        surveys=surveys,
        renewals=renewals,
        growth=growth,
    )


def _money_totals(c: PortfolioContext) -> tuple[Decimal, Decimal, Decimal]:
    """Fees at risk, penalties owed, expected penalties: the sums of the guarantees table."""
    return (
        sum((g.at_risk for g in c.guarantees), Decimal(0)),
        sum((g.owed for g in c.guarantees), Decimal(0)),
        sum((g.expected_penalty for g in c.guarantees), Decimal(0)),
    )


def summary_section(c: PortfolioContext) -> Section | None:
    at_risk, owed, expected = _money_totals(c)
    outliers = _outliers(c.rows, c.book_pmpm)
    section = Section("summary", "Summary")
    section.bullets = [
        f"{len(c.account_ids):,} accounts; {len(c.renewals):,} renew in the next "
        f"{RENEWAL_DAYS} days.",
        f"Guarantees: {money_text(at_risk, 0)} at risk, {money_text(owed, 0)} owed this contract "
        f"year, {money_text(expected, 0)} expected in open periods.",
        f"{len(c.escalations):,} account escalations open; {len(c.issues):,} emerging issues "
        f"in {c.period.label}.",
    ]
    book = c.book
    if book is not None and c.book_pmpm is not None:
        section.bullets.append(
            f"Book paid PMPM {money_text(c.book_pmpm)} on "
            f"{formatting.count(book.member_months.total)} member months; {len(outliers):,} "
            f"accounts differ from it by {OUTLIER_PCT} % or more."
        )
    section.tables.append(
        Table(
            "Headlines",
            "Portfolio headlines",
            "The totals of the report's other tables",
            [Column("Figure"), Column("Value", "decimal")],
            [
                ["Accounts", Figure(len(c.account_ids), "int")],
                ["Guarantee fees at risk ($)", Figure(at_risk, "hundredths")],
                ["Guarantee penalties owed ($)", Figure(owed, "hundredths")],
                ["Expected penalties, open periods ($)", Figure(expected, "hundredths")],
                ["Open account escalations", Figure(len(c.escalations), "int")],
                ["Emerging issues in the period", Figure(len(c.issues), "int")],
                ["Renewals in the next 180 days", Figure(len(c.renewals), "int")],
                ["Book paid PMPM ($)", Figure(c.book_pmpm, "hundredths")],
            ],
            brief=True,
        )
    )
    return section


def guarantees_section(c: PortfolioContext) -> Section | None:
    if not c.guarantees:
        return None
    section = Section("guarantees", "Guarantees at risk and owed")
    # Accounts whose guarantees hold money or a signal; quiet ones are only counted.
    flagged = [
        g for g in c.guarantees if g.at_risk or g.owed or g.expected_penalty or g.missed or g.alerts
    ]
    section.bullets.append(
        f"Accounts with performance guarantees: {len(c.guarantees):,}; with fees at risk, "
        f"penalties owed or expected, missed periods or open alerts: {len(flagged):,}."
    )
    section.tables += with_rows(
        Table(
            "Guarantees",
            "Guarantees by account (most owed and expected penalties first)",
            GUARANTEE_SOURCE + "; accounts with money or signals",
            [
                Column("Account"),
                Column("Group"),
                Column("Guarantees", "int"),
                Column("At risk", "money0"),
                Column("Owed", "money0"),
                Column("Expected penalty", "money0"),
                Column("Worst chance of a miss %", "pct"),
                Column("Periods missed (12 months)", "int"),
                Column("Open alerts", "int"),
            ],
            [
                [
                    g.account.name,
                    g.account.group_number,
                    g.guarantees,
                    g.at_risk,
                    g.owed,
                    g.expected_penalty,
                    None if g.worst_p_miss is None else g.worst_p_miss * 100,
                    g.missed,
                    g.alerts,
                ]
                for g in flagged
            ],
            brief=True,
        )
    )
    return section


def escalations_section(c: PortfolioContext) -> Section | None:
    if not c.escalations:
        return None
    section = Section("escalations", "Accounts escalated")
    section.tables.append(
        Table(
            "Escalations",
            "Open account escalations",
            "Account escalations of the visible accounts not yet resolved",
            [
                Column("Raised", "date"),
                Column("Account"),
                Column("Escalation"),
                Column("Severity"),
                Column("Status"),
                Column("Owner"),
            ],
            [
                [
                    timezone.localdate(e.raised_at),
                    e.account.name,
                    e.title,
                    e.get_severity_display(),
                    e.get_status_display(),
                    (e.owner.get_full_name() or e.owner.username) if e.owner else "",
                ]
                for e in c.escalations
            ],
        )
    )
    return section


def issues_section(c: PortfolioContext) -> Section | None:
    if not c.issues:
        return None
    section = Section("issues", "Emerging issues")
    section.tables.append(
        Table(
            "Emerging issues",
            "Emerging issues with alerts in the period",
            "Emerging issues detected with alerts in the period, the reader's accounts",
            [
                Column("First alert", "date"),
                Column("Account"),
                Column("Issue"),
                Column("Status"),
                Column("Dollars affected", "money0"),
            ],
            [
                [
                    i.first_alert_date,
                    i.account.name if i.account else "Whole book",
                    i.title,
                    IssueStatus(i.status).label,
                    i.affected_dollars,
                ]
                for i in c.issues
            ],
        )
    )
    return section


def sla_section(c: PortfolioContext) -> Section | None:
    if not c.sla:
        return None
    section = Section("sla", "SLA attainment by account")
    section.tables.append(
        Table(
            "SLA attainment",
            "% of SLA outcomes met, by account",
            "Inquiry service-level clocks on business hours, met or breached in the period",
            [
                Column("Account"),
                Column("First response % met", "tenths"),
                Column("Resolution % met", "tenths"),
                Column("Resolutions decided", "int"),
            ],
            [
                [
                    a.label,
                    a.percent("first_response"),
                    a.percent("resolution"),
                    a.decided("resolution"),
                ]
                for a in c.sla
            ],
        )
    )
    return section


def satisfaction_section(c: PortfolioContext) -> Section | None:
    section = satisfaction.portfolio_section(
        c.surveys, [(pk, name, group) for pk, name, group, _ in c.listed], c.period
    )
    section.tables = [t for t in section.tables if t.rows]
    return section if section.bullets or section.tables else None


def utilization_section(c: PortfolioContext) -> Section | None:
    rows, book_pmpm = c.rows, c.book_pmpm
    if not rows and book_pmpm is None:
        return None
    outliers = _outliers(rows, book_pmpm)
    section = Section("utilization", "Utilization outliers")
    if book_pmpm is None:
        section.bullets.append(f"No claims figures for {c.period.label}.")
    section.tables += with_rows(
        Table(
            "Utilization outliers",
            f"Accounts whose paid PMPM is {OUTLIER_PCT} % or more from the book average",
            UTILIZATION_SOURCE,
            [
                Column("Account"),
                Column("Group"),
                Column("Member months", "int"),
                Column("Paid PMPM", "money"),
                Column("Book PMPM", "money"),
                Column("Gap to book %", "change_pct"),
                Column("PMPM change %", "change_pct"),
                Column("Findings", "int"),
            ],
            [
                [
                    r.name,
                    r.group_number,
                    r.member_months,
                    r.paid_pmpm,
                    book_pmpm,
                    gap,
                    r.paid_pmpm_change_pct,
                    len(r.findings),
                ]
                for r, gap in outliers
            ],
        )
    )
    if outliers:
        section.charts.append(
            Chart(
                "outliers",
                "Paid PMPM of the outlier accounts",
                charts.book_chart([r for r, _ in outliers[:MAX_OUTLIER_BARS]]),
                brief=True,
            )
        )
    section.tables += with_rows(
        Table(
            "All accounts",
            "Every account's headline utilization",
            UTILIZATION_SOURCE,
            [
                Column("Account"),
                Column("Group"),
                Column("Member months", "int"),
                Column("Paid PMPM", "money"),
                Column("PMPM change %", "change_pct"),
                Column("Admits per 1,000", "tenths"),
                Column("ED visits per 1,000", "tenths"),
                Column("Generic dispensing rate %", "tenths"),
            ],
            [
                [
                    r.name,
                    r.group_number,
                    r.member_months,
                    r.paid_pmpm,
                    r.paid_pmpm_change_pct,
                    r.admits_per_1000,
                    r.ed_visits_per_1000,
                    r.generic_dispensing_rate,
                ]
                for r in sorted(rows, key=lambda r: r.name)
            ],
        )
    )
    return section


def renewals_section(c: PortfolioContext) -> Section | None:
    if not c.renewals:
        return None
    section = Section("renewals", f"Renewals in the next {RENEWAL_DAYS} days")
    section.tables.append(
        Table(
            "Renewals",
            f"Accounts renewing by {formatting.date(c.today + dt.timedelta(days=RENEWAL_DAYS))}",
            f"The visible accounts' renewal dates, the next {RENEWAL_DAYS} days",
            [
                Column("Renewal", "date"),
                Column("Account"),
                Column("Group"),
                Column("Funding"),
                Column("Members", "int"),
                Column("Status"),
            ],
            [
                [
                    a.renewal_date,
                    a.name,
                    a.group_number,
                    a.get_funding_display(),
                    a.members,
                    a.get_status_display(),
                ]
                for a in c.renewals
            ],
        )
    )
    return section


def financials_section(c: PortfolioContext) -> Section | None:
    """Margin by account, segment and funding (reports/financials.py)."""
    return financial_section(c.account_ids, c.period)


def plans_section(c: PortfolioContext) -> Section | None:
    """Account plans, objectives off track and open calls to action (reports/strategy.py)."""
    return strategy_plans_section(c.account_ids, c.today)


def growth_section(c: PortfolioContext) -> Section | None:
    g = c.growth
    if g is None:
        return None
    if not (g.pipeline.by_product or g.won or g.lost or g.leads_passed or g.vendor_contracts):
        return None
    section = Section("growth", "Growth: pipeline, leads, RFPs and vendor deals")
    section.bullets = [
        f"Open pipeline {money_text(g.pipeline.open_value, 0)} a year, "
        f"{money_text(g.pipeline.weighted, 0)} weighted by the chance of closing; "
        f"{g.open_suggestions:,} suggestions from the accounts' own data not yet decided.",
        f"Closed in {c.period.label}: {g.won:,} won ({money_text(g.won_value, 0)} a year), "
        f"{g.lost:,} lost" + (f"; win rate {g.win_rate} %." if g.win_rate is not None else "."),
        f"Leads passed to sales: {g.leads_passed:,}, {g.leads_converted:,} converted; first "
        f"contact within the SLA for {g.leads_in_time:,} of {g.leads_contacted:,} contacted.",
        f"RFPs due in the period: {g.rfps_won:,} won, {g.rfps_lost:,} lost, "
        f"{g.rfps_withdrawn:,} withdrawn.",
        f"Vendor contracts negotiated for sponsors, running in the period: "
        f"{len(g.vendor_contracts):,}, saving {money_text(g.vendor_savings, 0)} over their "
        f"terms ({money_text(g.vendor_savings_annual, 0)} a year) against list or prior fees.",
    ]
    section.tables += [
        *with_rows(
            Table(
                "Pipeline by product",
                "Open pipeline by product (highest weighted value first)",
                "Open opportunities of the visible accounts: annual value = list price × "
                "enrollment × 12 unless entered; weighted = value × the stage's probability",
                [
                    Column("Product"),
                    Column("Open", "int"),
                    Column("Annual value", "money0"),
                    Column("Weighted", "money0"),
                ],
                [[r.key, r.open_count, r.open_value, r.weighted] for r in g.pipeline.by_product],
                brief=True,
            )
        ),
        *with_rows(
            Table(
                "Vendor savings",
                "Vendor contracts negotiated for sponsors, running in the period",
                "Growth's vendor contracts: (reference fee − negotiated fee) × volume over "
                "the term",
                [
                    Column("Account"),
                    Column("Vendor"),
                    Column("Fee basis"),
                    Column("Ends", "date"),
                    Column("Savings over the term", "money0"),
                    Column("Savings a year", "money0"),
                ],
                [
                    [
                        r.contract.account.name,
                        r.contract.vendor.name,
                        r.contract.get_fee_basis_display(),
                        r.contract.end_date,
                        r.savings.total,
                        r.savings.annual,
                    ]
                    for r in g.vendor_contracts
                ],
            )
        ),
    ]
    return section


PORTFOLIO_SECTIONS: tuple[PortfolioSection, ...] = (
    summary_section,
    financials_section,
    guarantees_section,
    escalations_section,
    issues_section,
    sla_section,
    satisfaction_section,
    utilization_section,
    growth_section,
    renewals_section,
    plans_section,
)


def _outliers(
    rows: list[AccountOverview], book_pmpm: Decimal | None
) -> list[tuple[AccountOverview, Decimal]]:
    if not book_pmpm:
        return []
    out = []
    for r in rows:
        if r.paid_pmpm is None:
            continue
        gap = ((r.paid_pmpm - book_pmpm) / book_pmpm * 100).quantize(Decimal("0.1"))
        if abs(gap) >= OUTLIER_PCT:
            out.append((r, gap))
    return sorted(out, key=lambda pair: -abs(pair[1]))
