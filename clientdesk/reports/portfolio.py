"""The portfolio report for senior management: every account the reader may see, one period.

Guarantees at risk and owed (`guarantees.queries.portfolio`), accounts escalated, emerging
issues (`insights.access.issues_visible_to`), SLA attainment by account
(`inquiries.queries.attainment`), NPS by account (`reports.satisfaction`), utilization
outliers against the book (`utilization.analysis.book_overview`) and renewals in the next
180 days.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from clientdesk.accounts.access import AnyUser, accounts_visible_to
from clientdesk.guarantees.queries import portfolio as guarantee_portfolio
from clientdesk.inquiries.models import AccountEscalation, EscalationStatus
from clientdesk.inquiries.queries import attainment
from clientdesk.insights.access import issues_visible_to
from clientdesk.insights.models import IssueStatus
from clientdesk.lake.gateway import LakeError, Scope
from clientdesk.lib.periods import Period
from clientdesk.reports import satisfaction
from clientdesk.reports.documents import Chart, Column, ReportDocument, Section, Table
from clientdesk.reports.stewardship import (
    Progress,
    _quiet,
    data_period_text,
    money_text,
)
from clientdesk.utilization import charts
from clientdesk.utilization.analysis import Request, book_overview

RENEWAL_DAYS = 180
OUTLIER_PCT = Decimal(15)  # paid PMPM this far from the book average (either way) is an outlier
MAX_OUTLIER_BARS = 30


def gather_portfolio(
    period: Period,
    *,
    user: AnyUser,
    today: dt.date | None = None,
    engine: str | None = None,
    progress: Progress = _quiet,
) -> ReportDocument:
    today = today or timezone.localdate()
    visible = accounts_visible_to(user)
    account_ids = set(visible.values_list("id", flat=True))
    progress(5, "Reading claims for every account")
    request = Request(period, period.prior(), engine=engine, as_of=today)
    try:
        overview: dict[str, Any] | None = book_overview(request)
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
        Scope.accounts(account_ids),
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
    book = overview["book"] if overview else None
    rows = [r for r in (overview["accounts"] if overview else []) if r["id"] in account_ids]
    book_pmpm = book["paid_pmpm"]["total"] if book and book["member_months"]["total"] else None

    doc = ReportDocument(
        kind="portfolio",
        title="Portfolio report",
        subtitle=f"{period.label} · {len(account_ids):,} accounts",
        period_code=period.code,
        period_label=period.label,
        data_period=data_period_text(period, period.prior()),
        paid_through=book["data_paid_through"] if book else None,
        generated_at=timezone.now(),
        generated_by=user.get_username() if user.is_authenticated else "system",
        warnings=[w["message"] for w in book["warnings"]] if book else [],
    )
    owed = sum((g.owed for g in guarantees), Decimal(0))
    at_risk = sum((g.at_risk for g in guarantees), Decimal(0))
    expected = sum((g.expected_penalty for g in guarantees), Decimal(0))
    outliers = _outliers(rows, book_pmpm)

    summary = Section("summary", "Summary")
    summary.bullets = [
        f"{len(account_ids):,} accounts; {len(renewals):,} renew in the next {RENEWAL_DAYS} days.",
        f"Guarantees: {money_text(at_risk, 0)} at risk, {money_text(owed, 0)} owed this contract "
        f"year, {money_text(expected, 0)} expected in open periods.",
        f"{len(escalations):,} account escalations open; {len(issues):,} emerging issues "
        f"in {period.label}.",
    ]
    if book is not None and book_pmpm is not None:
        summary.bullets.append(
            f"Book paid PMPM {money_text(book_pmpm)} on {book['member_months']['total']:,} "
            f"member months; {len(outliers):,} accounts differ from it by "
            f"{OUTLIER_PCT}% or more."
        )
    summary.tables.append(
        Table(
            "Headlines",
            "Portfolio headlines",
            "see each section's table",
            [Column("Figure"), Column("Value", "decimal")],
            [
                ["Accounts", len(account_ids)],
                ["Guarantee fees at risk ($)", at_risk],
                ["Guarantee penalties owed ($)", owed],
                ["Expected penalties, open periods ($)", expected],
                ["Open account escalations", len(escalations)],
                ["Emerging issues in the period", len(issues)],
                ["Renewals in the next 180 days", len(renewals)],
                ["Book paid PMPM ($)", book_pmpm],
            ],
        )
    )
    doc.sections.append(summary)

    g_section = Section("guarantees", "Guarantees at risk and owed")
    # Accounts whose guarantees hold money or a signal; quiet ones are only counted.
    flagged = [
        g for g in guarantees
        if g.at_risk or g.owed or g.expected_penalty or g.missed or g.alerts
    ]  # fmt: skip
    g_section.bullets.append(
        f"Accounts with performance guarantees: {len(guarantees):,}; with fees at risk, "
        f"penalties owed or expected, missed periods or open alerts: {len(flagged):,}."
    )
    g_section.tables.append(
        Table(
            "Guarantees",
            "Guarantees by account (highest expected penalty first)",
            "guarantees.queries.portfolio(user, today), accounts with money or signals",
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
        )
    )
    doc.sections.append(g_section)

    e_section = Section("escalations", "Accounts escalated")
    e_section.tables.append(
        Table(
            "Escalations",
            "Open account escalations",
            "AccountEscalation.objects.filter(account in visible, status != resolved)",
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
                for e in escalations
            ],
        )
    )
    doc.sections.append(e_section)

    i_section = Section("issues", "Emerging issues")
    i_section.tables.append(
        Table(
            "Emerging issues",
            "Emerging issues with alerts in the period",
            "insights.access.issues_visible_to(user).filter(alert dates in period)",
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
                for i in issues
            ],
        )
    )
    doc.sections.append(i_section)

    s_section = Section("sla", "SLA attainment by account")
    s_section.tables.append(
        Table(
            "SLA attainment",
            "% of SLA outcomes met, by account",
            "inquiries.queries.attainment(user, period start, period end)['account']",
            [
                Column("Account"),
                Column("First response % met", "decimal"),
                Column("Resolution % met", "decimal"),
                Column("Resolutions decided", "int"),
            ],
            [
                [
                    a.label,
                    a.percent("first_response"),
                    a.percent("resolution"),
                    a.decided("resolution"),
                ]
                for a in sla
            ],
        )
    )
    doc.sections.append(s_section)
    doc.sections.append(
        satisfaction.portfolio_section(
            surveys, [(pk, name, group) for pk, name, group, _ in listed], period
        )
    )

    progress(60, "Writing utilization outliers")
    u_section = Section("utilization", "Utilization outliers")
    if book_pmpm is None:
        u_section.bullets.append(f"No claims figures for {period.label}.")
    u_section.tables.append(
        Table(
            "Utilization outliers",
            f"Accounts whose paid PMPM is {OUTLIER_PCT}% or more from the book average",
            "utilization.analysis.book_overview(Request(period, period.prior()))",
            [
                Column("Account"),
                Column("Group"),
                Column("Member months", "int"),
                Column("Paid PMPM", "money"),
                Column("Book PMPM", "money"),
                Column("Gap to book %", "pct"),
                Column("PMPM change %", "pct"),
                Column("Findings", "int"),
            ],
            [
                [
                    r["name"],
                    r["group_number"],
                    r["member_months"],
                    r["paid_pmpm"],
                    book_pmpm,
                    gap,
                    r["paid_pmpm_change_pct"],
                    len(r["findings"]),
                ]
                for r, gap in outliers
            ],
        )
    )
    if outliers:
        u_section.charts.append(
            Chart(
                "outliers",
                "Paid PMPM of the outlier accounts",
                charts.book_chart([r for r, _ in outliers[:MAX_OUTLIER_BARS]]),
            )
        )
    u_section.tables.append(
        Table(
            "All accounts",
            "Every account's headline utilization",
            "utilization.analysis.book_overview(Request(period, period.prior()))",
            [
                Column("Account"),
                Column("Group"),
                Column("Member months", "int"),
                Column("Paid PMPM", "money"),
                Column("PMPM change %", "pct"),
                Column("Admits per 1,000", "decimal"),
                Column("ED visits per 1,000", "decimal"),
                Column("Generic dispensing rate %", "decimal"),
            ],
            [
                [
                    r["name"],
                    r["group_number"],
                    r["member_months"],
                    r["paid_pmpm"],
                    r["paid_pmpm_change_pct"],
                    r["admits_per_1000"],
                    r["ed_visits_per_1000"],
                    r["generic_dispensing_rate"],
                ]
                for r in sorted(rows, key=lambda r: r["name"])
            ],
        )
    )
    doc.sections.append(u_section)

    r_section = Section("renewals", f"Renewals in the next {RENEWAL_DAYS} days")
    r_section.tables.append(
        Table(
            "Renewals",
            f"Accounts renewing by {today + dt.timedelta(days=RENEWAL_DAYS):%b %-d, %Y}",
            "accounts_visible_to(user).filter(renewal_date in the next 180 days)",
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
                for a in renewals
            ],
        )
    )
    doc.sections.append(r_section)
    progress(70, "Gathered")
    return doc


def _outliers(
    rows: list[dict[str, Any]], book_pmpm: Decimal | None
) -> list[tuple[dict[str, Any], Decimal]]:
    if not book_pmpm:
        return []
    out = []
    for r in rows:
        if r["paid_pmpm"] is None:
            continue
        gap = ((Decimal(r["paid_pmpm"]) - book_pmpm) / book_pmpm * 100).quantize(Decimal("0.1"))
        if abs(gap) >= OUTLIER_PCT:
            out.append((r, gap))
    return sorted(out, key=lambda pair: -abs(pair[1]))
