"""The stewardship report of one account and period, gathered once into a `ReportDocument`.

Each table is filled from one call of another app's function, named in `Table.source`:
utilization (`utilization.analysis.account_report`), guarantees (`guarantees.queries.scorecard`),
service (`inquiries.queries.attainment`, the IVR and auto-adjudication monitors), emerging
issues and problems (`insights.access`), satisfaction (`reports.satisfaction`, the
survey_response feed). Counts of people under 11 are suppressed and the
high-cost claimants are de-identified, because this report leaves the team.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db.models import Count
from django.utils import timezone

from clientdesk.accounts.access import AnyUser
from clientdesk.accounts.models import Account
from clientdesk.guarantees.metrics import Feed
from clientdesk.guarantees.monitors import (
    Monitor,
    auto_adjudication_monitor,
    ivr_monitor,
    last_data_day,
)
from clientdesk.guarantees.queries import scorecard
from clientdesk.inquiries.models import AccountEscalation, Category, EscalationStatus
from clientdesk.inquiries.models import Inquiry as InquiryModel
from clientdesk.inquiries.queries import Attainment, attainment, local_midnight
from clientdesk.insights.access import issues_visible_to, problems_visible_to
from clientdesk.insights.models import OPEN_PROBLEM_STATUSES, ActionStatus, IssueStatus
from clientdesk.lake.gateway import LakeError, Scope, open_lake
from clientdesk.lib import formatting
from clientdesk.lib.periods import Period
from clientdesk.reports import satisfaction
from clientdesk.reports.documents import (
    SMALL_CELL,
    SUPPRESSED,
    Chart,
    Column,
    ReportDocument,
    Section,
    Table,
    small_cell,
)
from clientdesk.utilization import charts
from clientdesk.utilization.analysis import Request, account_report
from clientdesk.utilization.metrics import DEFAULT_HIGH_COST_THRESHOLD

Progress = Callable[[int, str], None]


def _quiet(percent: int, step: str) -> None:
    """The default progress callback: nobody is listening."""


def money_text(value: Decimal | float | None, places: int = 2) -> str:
    return formatting.money(value, places)


def pct_text(value: Decimal | float | None) -> str:
    """A relative change: +12.3 %."""
    return formatting.signed_percent(value)


def data_period_text(current: Period, prior: Period) -> str:
    return (
        f"{current.start:%b %-d, %Y} – {current.last_day:%b %-d, %Y} "
        f"(compared with {prior.start:%b %-d, %Y} – {prior.last_day:%b %-d, %Y})"
    )


def gather_stewardship(
    account: Account,
    period: Period,
    *,
    user: AnyUser,
    today: dt.date | None = None,
    engine: str | None = None,
    progress: Progress = _quiet,
    util_report: dict[str, Any] | None = None,
    high_cost_threshold: Decimal = DEFAULT_HIGH_COST_THRESHOLD,
) -> ReportDocument:
    """Everything the stewardship deck, workbook and PDF show, for one account and period.

    `user` decides what the issues, problems and SLA figures may include (the caller has
    already checked that the user may read the account). `util_report` lets a caller that
    already holds the account's utilization report (the portfolio bench) pass it in."""
    today = today or timezone.localdate()
    request = Request(
        period,
        period.prior(),
        high_cost_threshold=high_cost_threshold,
        engine=engine,
        as_of=today,
    )
    progress(5, "Reading claims and eligibility")
    report = util_report if util_report is not None else account_report(account, request)
    progress(35, "Reading guarantees")
    card = scorecard(account, today)
    progress(45, "Reading service levels")
    sla = _account_attainment(user, account, period)
    volumes = _inquiry_volumes(account, period)
    ivr, aa = _monitors(account, period, engine)
    surveys = satisfaction.load_satisfaction(
        Scope.account(account), {account.pk: account.timezone}, period, engine=engine
    )
    progress(55, "Reading issues and actions")
    issues = list(
        issues_visible_to(user)
        .filter(
            account=account,
            last_alert_date__gte=period.start,
            first_alert_date__lte=period.last_day,
        )
        .exclude(status=IssueStatus.DISMISSED)
        .order_by("-first_alert_date")[:20]
    )
    problems = list(
        problems_visible_to(user)
        .filter(account=account)
        .filter(status__in=OPEN_PROBLEM_STATUSES)
        .select_related("owner")
        .prefetch_related("actions__owner")
        .order_by("-opened_at")[:20]
    )
    escalations = list(
        AccountEscalation.objects.filter(account=account)
        .exclude(status=EscalationStatus.RESOLVED)
        .order_by("-raised_at")
    )

    mm = report["member_months"]
    paid = report["paid_pmpm"]
    trend = report["trend"]["paid"]
    doc = ReportDocument(
        kind="stewardship",
        title=f"{account.name} — stewardship report",
        subtitle=f"{period.label} · group {account.group_number}" + _prepared_for(account),
        period_code=period.code,
        period_label=period.label,
        data_period=data_period_text(period, period.prior()),
        paid_through=report["data_paid_through"],
        generated_at=timezone.now(),
        generated_by=user.get_username() if user.is_authenticated else "system",
        warnings=[w["message"] for w in report["warnings"]],
    )

    # --- executive summary ----------------------------------------------------------------
    summary = Section("summary", "Executive summary")
    if mm["total"]:
        summary.bullets.append(
            f"Paid PMPM {money_text(paid['total'])} on {mm['total']:,} member months "
            f"(prior {money_text(paid['prior_total'])}"
            + (f", {pct_text(trend['change_pct'])}" if trend else "")
            + ")."
        )
    else:
        summary.bullets.append(f"No member months in {period.label}: no claims figures.")
    if trend:
        summary.bullets.append(
            f"The change of {money_text(trend['change'])} PMPM splits into utilization "
            f"{money_text(trend['utilization'])}, mix {money_text(trend['mix'])} and unit cost "
            f"{money_text(trend['unit_cost'])}."
        )
    summary.bullets.extend(f"{f['title']}: {f['detail']}" for f in report["findings"][:4])
    if card.cards:
        summary.bullets.append(
            f"{len(card.cards)} performance guarantees: {money_text(card.at_risk, 0)} at risk, "
            f"{money_text(card.owed, 0)} owed this contract year, {card.missed} periods missed."
        )
    resolution = sla.percent("resolution") if sla else None
    if resolution is not None:
        summary.bullets.append(f"Inquiries resolved within SLA: {formatting.percent(resolution)}.")
    if issues or problems:
        summary.bullets.append(
            f"Emerging issues in the period: {len(issues)}; problems being worked: {len(problems)}."
        )
    summary.tables.append(_headline_table(report))
    doc.sections.append(summary)

    # --- membership -------------------------------------------------------------------------
    membership = Section("membership", "Membership and member months")
    membership.bullets.append(
        f"{mm['total']:,} member months in {period.label} (prior {mm['prior']:,}); "
        f"average members {mm['average_members'] or 0:,}."
    )
    membership.tables.append(
        Table(
            "Monthly",
            "Member months and paid PMPM by month",
            "utilization.analysis.account_report(...)['monthly']",
            [
                Column("Month", "date"),
                Column("Member months", "int"),
                Column("Medical paid", "money"),
                Column("Pharmacy paid", "money"),
                Column("Paid PMPM", "money"),
            ],
            [
                [
                    m["month"],
                    m["member_months"],
                    m["medical_paid"],
                    m["pharmacy_paid"],
                    m["paid_pmpm"],
                ]
                for m in report["monthly"]
            ],
        )
    )
    if any(m["member_months"] for m in report["monthly"]):
        membership.charts.append(
            Chart("monthly", "Paid PMPM by month", charts.monthly_pmpm_chart(report))
        )
    doc.sections.append(membership)

    # --- PMPM trend and drivers ---------------------------------------------------------------
    cost = Section("cost", "PMPM trend and its drivers")
    cost.tables.append(
        Table(
            "PMPM by category",
            "Paid PMPM by service category",
            "utilization.analysis.account_report(...)['paid_pmpm']['by_service_category']",
            [
                Column("Category"),
                Column("Detail"),
                Column("Paid", "money"),
                Column("PMPM", "money"),
                Column("Prior PMPM", "money"),
                Column("Change %", "pct"),
            ],
            [
                [
                    c["service_category_2"],
                    c["service_category_3"],
                    c["amount"],
                    c["pmpm"],
                    c["prior_pmpm"],
                    c["change_pct"],
                ]
                for c in paid["by_service_category"]
            ]
            + [
                [
                    "Pharmacy",
                    "",
                    report["pharmacy"]["paid"],
                    paid["pharmacy"],
                    paid["prior_pharmacy"],
                    None,
                ],
                [
                    "Total",
                    "",
                    paid["amount"],
                    paid["total"],
                    paid["prior_total"],
                    trend["change_pct"] if trend else None,
                ],
            ],
        )
    )
    if trend:
        cost.bullets.append(
            f"Paid PMPM moved from {money_text(trend['pmpm_prior'])} to "
            f"{money_text(trend['pmpm_current'])} ({pct_text(trend['change_pct'])})."
        )
        cost.tables.append(
            Table(
                "Trend drivers",
                "Change in paid PMPM: utilization, mix and unit cost",
                "utilization.analysis.account_report(...)['trend']['paid'] "
                "(utilization.trend.decompose)",
                [
                    Column("Category"),
                    Column("Prior PMPM", "money"),
                    Column("PMPM", "money"),
                    Column("Change", "money"),
                    Column("Utilization", "money"),
                    Column("Mix", "money"),
                    Column("Unit cost", "money"),
                ],
                [
                    [
                        c["label"],
                        c["pmpm_prior"],
                        c["pmpm_current"],
                        c["change"],
                        c["utilization"],
                        c["mix"],
                        c["unit_cost"],
                    ]
                    for c in trend["categories"][:15]
                ]
                + [
                    [
                        "All categories",
                        trend["pmpm_prior"],
                        trend["pmpm_current"],
                        trend["change"],
                        trend["utilization"],
                        trend["mix"],
                        trend["unit_cost"],
                    ]
                ],
            )
        )
        trend_spec = charts.trend_chart(report)
        if trend_spec is not None:
            cost.charts.append(Chart("trend", "What moved the paid PMPM", trend_spec))
    else:
        cost.bullets.append("No prior-period membership: the trend cannot be split.")
    if mm["total"]:
        cost.charts.append(
            Chart("categories", "Paid PMPM by service category", charts.category_chart(report))
        )
    doc.sections.append(cost)

    # --- utilization against benchmarks --------------------------------------------------
    bench = Section("benchmarks", "Utilization against benchmarks")
    bench.bullets = _benchmark_points(report["benchmarks"])
    bench.tables.append(
        Table(
            "Benchmarks",
            "The account against the book and published norms",
            "utilization.analysis.account_report(...)['benchmarks'] "
            "(utilization.benchmarks.comparisons)",
            [
                Column("Measure"),
                Column("Unit"),
                Column("Account", "decimal"),
                Column("Book", "decimal"),
                Column("Gap to book %", "pct"),
                Column("Norm", "decimal"),
                Column("Norm source", in_deck=False),
            ],
            [_benchmark_row(b) for b in report["benchmarks"]],
        )
    )
    bench.tables.append(
        Table(
            "Use per 1000",
            "Use per 1,000 members and cost per event",
            "utilization.analysis.account_report(...)['utilization']",
            [
                Column("Measure"),
                Column("Events", "int"),
                Column("Per 1,000", "decimal"),
                Column("Prior per 1,000", "decimal"),
                Column("Paid per event", "money"),
                Column("Unit cost change %", "pct"),
            ],
            [
                [
                    u["label"],
                    u["events"],
                    u["per_1000"],
                    u["prior_per_1000"],
                    u["paid_per_event"],
                    u["unit_cost_change_pct"],
                ]
                for u in report["utilization"]
            ],
        )
    )
    doc.sections.append(bench)

    # --- high-cost claimants (de-identified, small cells suppressed) --------------------
    doc.sections.append(_claimants_section(report))

    # --- pharmacy ------------------------------------------------------------------------
    rx = report["pharmacy"]
    pharmacy = Section("pharmacy", "Pharmacy")
    pharmacy.bullets.append(
        f"{rx['fills']:,} fills, {money_text(rx['paid'])} paid "
        f"({money_text(paid['pharmacy'])} PMPM); generic dispensing rate "
        f"{_num_text(rx['generic_dispensing_rate'], '%')}, specialty share of paid "
        f"{_num_text(rx['specialty_share_of_paid'], '%')}."
    )
    pharmacy.tables.append(
        Table(
            "Pharmacy",
            "Pharmacy figures",
            "utilization.analysis.account_report(...)['pharmacy']",
            [Column("Figure"), Column("Current", "decimal"), Column("Prior", "decimal")],
            [
                ["Fills", rx["fills"], None],
                ["Scripts per 1,000", rx["scripts_per_1000"], None],
                ["Paid per script ($)", rx["paid_per_script"], rx["prior_paid_per_script"]],
                [
                    "Generic dispensing rate (%)",
                    rx["generic_dispensing_rate"],
                    rx["prior_generic_dispensing_rate"],
                ],
                [
                    "Specialty share of paid (%)",
                    rx["specialty_share_of_paid"],
                    rx["prior_specialty_share_of_paid"],
                ],
                ["Paid ($)", rx["paid"], None],
                ["Member cost share ($)", rx["cost_share"], None],
            ],
        )
    )
    doc.sections.append(pharmacy)

    # --- guarantees ----------------------------------------------------------------------
    progress(60, "Writing the guarantees and service pages")
    g_section = Section("guarantees", "Performance guarantees")
    if card.cards:
        g_section.bullets.append(
            f"At risk {money_text(card.at_risk, 0)}, owed {money_text(card.owed, 0)} "
            f"(latest contract year), expected penalty in open periods "
            f"{money_text(card.expected_penalty, 0)}."
        )
    else:
        g_section.bullets.append("No performance guarantees on this account's contracts.")
    g_section.tables.append(
        Table(
            "Guarantees",
            "Guarantee scorecard",
            "guarantees.queries.scorecard(account, today)",
            [
                Column("Guarantee"),
                Column("Target"),
                Column("Period"),
                Column("Actual"),
                Column("Met"),
                Column("At risk", "money0"),
                Column("Owed", "money0"),
                Column("Chance of a miss %", "pct"),
                Column("Expected penalty", "money0"),
            ],
            [_guarantee_row(c) for c in card.cards],
        )
    )
    doc.sections.append(g_section)

    # --- service ---------------------------------------------------------------------------
    service = Section("service", "Service: inquiries, SLA, IVR and auto-adjudication")
    total_inquiries = sum(n for _, n in volumes)
    service.bullets.append(f"{total_inquiries:,} inquiries opened in {period.label}.")
    if sla is not None:
        first = sla.percent("first_response")
        service.bullets.append(
            f"SLA met: first response {_num_text(first, '%')}, resolution "
            f"{_num_text(resolution, '%')} ({sla.decided('resolution'):,} resolutions decided)."
        )
        if sla.first_response_note:
            note = sla.first_response_note
            service.bullets.append(f"{note[0].upper()}{note[1:]}.")
    service.tables.append(
        Table(
            "Inquiries",
            "Inquiries opened by category",
            "Inquiry.objects.filter(account, opened_at in period).values('category')",
            [Column("Category"), Column("Inquiries", "int")],
            [[label, n] for label, n in volumes],
        )
    )
    service.tables.append(
        Table(
            "SLA attainment",
            "SLA attainment (% met of decided outcomes)",
            "inquiries.queries.attainment(user, start, end)['account']",
            [
                Column("Clock"),
                Column("Met", "int"),
                Column("Breached", "int"),
                Column("% met", "decimal"),
            ],
            _sla_rows(sla),
        )
    )
    monitor_rows = _monitor_rows(ivr, aa)
    if monitor_rows:
        service.tables.append(
            Table(
                "IVR and auto-adjudication",
                "IVR and auto-adjudication, last 13 weeks of the period",
                "guarantees.monitors.ivr_monitor / auto_adjudication_monitor (weekly)",
                [
                    Column("Measure"),
                    Column("Window rate %", "decimal"),
                    Column("Target %", "decimal"),
                    Column("Weeks outside limits", "int"),
                ],
                monitor_rows,
            )
        )
    doc.sections.append(service)

    # --- emerging issues and actions ------------------------------------------------------
    progress(65, "Writing issues and next steps")
    issue_section = Section("issues", "Emerging issues and the actions taken")
    if not issues and not problems:
        issue_section.bullets.append("No emerging issues or open problems in the period.")
    else:
        issue_section.bullets.append(
            f"Emerging issues with alerts in {period.label}: {len(issues)}; problems being "
            f"worked: {len(problems)}."
        )
        issue_section.bullets.extend(f"{i.title}: {i.summary}" for i in issues[:3])
    issue_section.tables.append(
        Table(
            "Emerging issues",
            "Emerging issues detected in the period",
            "insights.access.issues_visible_to(user).filter(account, alert dates in period)",
            [
                Column("First alert", "date"),
                Column("Issue"),
                Column("Status"),
                Column("Observed", "decimal"),
                Column("Expected", "decimal"),
                Column("Members affected"),
                Column("Dollars affected", "money0"),
            ],
            [
                [
                    i.first_alert_date,
                    i.title,
                    IssueStatus(i.status).label,
                    round(i.observed, 1),
                    round(i.expected, 1),
                    small_cell(i.affected_members),
                    i.affected_dollars,
                ]
                for i in issues
            ],
        )
    )
    issue_section.tables.append(
        Table(
            "Problems and actions",
            "Problems being worked and their corrective actions",
            "insights.access.problems_visible_to(user).filter(account, open statuses)",
            [
                Column("Problem"),
                Column("Status"),
                Column("Root cause"),
                Column("Action"),
                Column("Action status"),
                Column("Due", "date"),
            ],
            _problem_rows(problems),
        )
    )
    doc.sections.append(issue_section)

    # --- satisfaction ---------------------------------------------------------------------
    doc.sections.append(satisfaction.stewardship_section(surveys, account.pk, period))

    # --- next steps -------------------------------------------------------------------------
    steps = Section("next_steps", "Next steps")
    for p in problems:
        for a in p.actions.all():
            if a.status in (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS):
                steps.bullets.append(f"{a.description} (due {a.due_date:%b %-d, %Y}).")
    for e in escalations:
        steps.bullets.append(f"Resolve the account escalation “{e.title}”.")
    for f in report["findings"][:3]:
        if f.get("action"):
            steps.bullets.append(str(f["action"]))
    if account.renewal_date and account.renewal_date >= today:
        steps.bullets.append(f"Prepare the renewal of {account.renewal_date:%b %-d, %Y}.")
    if not steps.bullets:
        steps.bullets.append("No open corrective actions, escalations or renewal this period.")
    doc.sections.append(steps)
    progress(70, "Gathered")
    return doc


def _prepared_for(account: Account) -> str:
    contact = account.contacts.filter(is_primary=True).first()
    if contact is None:
        return ""
    return f" · prepared for {contact.name}" + (f", {contact.title}" if contact.title else "")


def _num_text(value: Decimal | float | None, suffix: str = "") -> str:
    if suffix == "%":
        return formatting.percent(value)
    return "—" if value is None else formatting.number(value) + suffix


def _headline_table(report: dict[str, Any]) -> Table:
    mm = report["member_months"]
    paid = report["paid_pmpm"]
    allowed = report["allowed_pmpm"]
    per = {u["key"]: u for u in report["utilization"]}
    rows: list[list[Any]] = [
        ["Member months", mm["total"], mm["prior"]],
        ["Average members", mm["average_members"], mm["prior_average_members"]],
        ["Paid PMPM ($)", paid["total"] if mm["total"] else None, paid["prior_total"]],
        ["Allowed PMPM ($)", allowed["total"] if mm["total"] else None, allowed["prior_total"]],
        ["Medical paid PMPM ($)", paid["medical"] if mm["total"] else None, paid["prior_medical"]],
        [
            "Pharmacy paid PMPM ($)",
            paid["pharmacy"] if mm["total"] else None,
            paid["prior_pharmacy"],
        ],
        ["Acute admits per 1,000", per["admits"]["per_1000"], per["admits"]["prior_per_1000"]],
        ["ED visits per 1,000", per["ed_visits"]["per_1000"], per["ed_visits"]["prior_per_1000"]],
        [
            "Generic dispensing rate (%)",
            report["pharmacy"]["generic_dispensing_rate"],
            report["pharmacy"]["prior_generic_dispensing_rate"],
        ],
    ]
    return Table(
        "Headlines",
        "Headline figures",
        "utilization.analysis.account_report(account, Request(period, period.prior()))",
        [Column("Figure"), Column("Current", "decimal"), Column("Prior", "decimal")],
        rows,
    )


BENCHMARK_GAP_PCT = 10


def _benchmark_points(benchmarks: list[dict[str, Any]]) -> list[str]:
    """The measures furthest from the book (10 % or more), largest gaps first."""
    gaps = [
        b for b in benchmarks
        if b["gap_to_book_pct"] is not None and abs(b["gap_to_book_pct"]) >= BENCHMARK_GAP_PCT
    ]  # fmt: skip
    gaps.sort(key=lambda b: -abs(b["gap_to_book_pct"]))
    points = [
        f"{b['label']}: {_num_text(b['value'])} against the book's {_num_text(b['book'])} "
        f"({_gap_text(b)})."
        for b in gaps[:5]
    ]
    return points or [f"No measure is {BENCHMARK_GAP_PCT}% or more away from the book."]


def _gap_text(b: dict[str, Any]) -> str:
    """The gap to the book: in percentage points between two percentages, else in percent."""
    if b["unit"] == "%":
        return formatting.points(b["gap_to_book"])
    return formatting.signed_percent(b["gap_to_book_pct"])


def _benchmark_row(b: dict[str, Any]) -> list[Any]:
    norm = b["norms"][0] if b.get("norms") else None
    return [
        b["label"],
        b["unit"],
        b["value"],
        b["book"],
        b["gap_to_book_pct"],
        norm["value"] if norm else None,
        norm["source"] if norm else "",
    ]


def _claimants_section(report: dict[str, Any]) -> Section:
    h = report["high_cost_claimants"]
    section = Section("claimants", "High-cost claimants")
    threshold = money_text(h["threshold"], 0)
    columns = [
        Column("Claimant"),
        Column("Medical paid", "money0"),
        Column("Pharmacy paid", "money0"),
        Column("Total paid", "money0"),
    ]
    if h["count"] >= SMALL_CELL:
        section.bullets.append(
            f"{h['count']:,} members over {threshold} paid, {money_text(h['paid'], 0)} in all "
            f"({_num_text(h['share_of_paid'], '%')} of paid)."
        )
        rows: list[list[Any]] = [
            [f"Claimant {n}", m["medical_paid"], m["pharmacy_paid"], m["paid"]]
            for n, m in enumerate(h["members"], start=1)
        ]
        note = "De-identified: claimants are numbered by paid amount; no member identifiers."
    else:
        shown = small_cell(h["count"])
        section.bullets.append(
            f"{shown} members over {threshold} paid: "
            + ("none." if not h["count"] else "fewer than 11, so the detail is suppressed.")
        )
        rows = [] if not h["count"] else [[SUPPRESSED, None, None, None]]
        note = "Small cell: fewer than 11 claimants, figures suppressed."
    section.bullets.append(
        f"The top 1% of members account for {_num_text(h['top1_share_of_allowed'], '%')} of "
        f"allowed; the top 5% for {_num_text(h['top5_share_of_allowed'], '%')}."
    )
    section.tables.append(
        Table(
            "High-cost claimants",
            f"Claimants over {threshold} paid in the period",
            "utilization.analysis.account_report(...)['high_cost_claimants']",
            columns,
            rows,
            note,
        )
    )
    chronic = report["conditions"]["chronic"]
    section.tables.append(
        Table(
            "Chronic conditions",
            "Members with chronic conditions",
            "utilization.analysis.account_report(...)['conditions']['chronic']",
            [Column("Condition"), Column("Members"), Column("Per 1,000", "decimal")],
            [
                [
                    c["label"],
                    small_cell(c["members"]),
                    c["prevalence_per_1000"] if c["members"] >= SMALL_CELL else None,
                ]
                for c in chronic
            ],
            "Counts under 11 are shown as <11 and their rates left out.",
        )
    )
    return section


def _guarantee_row(card: Any) -> list[Any]:
    g = card.guarantee
    current = card.current
    forecast = card.forecast
    met = "—"
    if current is not None and current.met is not None:
        met = "yes" if current.met else "no"
    return [
        g.display_name,
        f"{g.comparator_symbol} {g.target_display}",
        current.period_label if current else "",
        current.actual_display if current else "—",
        met,
        card.settlement.amount_at_risk if card.settlement else None,
        (card.settlement.owed or Decimal(0)) if card.settlement else None,
        forecast.p_miss * 100 if forecast and forecast.p_miss is not None else None,
        forecast.expected_penalty if forecast else None,
    ]


def _account_attainment(user: AnyUser, account: Account, period: Period) -> Attainment | None:
    groups = attainment(user, period.start, period.last_day)
    for item in groups["account"]:
        cells = [*item.met.values(), *item.breached.values()]
        if any(str(c.params.get("account")) == str(account.pk) for c in cells):
            return item
    return None


def _sla_rows(sla: Attainment | None) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for metric, label in (("first_response", "First response"), ("resolution", "Resolution")):
        if sla is None:
            rows.append([label, 0, 0, None])
            continue
        met = sla.met[metric].value if metric in sla.met else 0
        late = sla.breached[metric].value if metric in sla.breached else 0
        rows.append([label, met, late, sla.percent(metric)])
    return rows


def _inquiry_volumes(account: Account, period: Period) -> list[tuple[str, int]]:
    labels = dict(Category.choices)
    counts = (
        InquiryModel.objects.filter(
            account=account,
            opened_at__gte=local_midnight(period.start),
            opened_at__lt=local_midnight(period.day_after),
            merged_into__isnull=True,
        )
        .values("category")
        .annotate(n=Count("id"))
        .order_by("-n", "category")
    )
    return [(str(labels.get(r["category"], r["category"])), int(r["n"])) for r in counts]


def _monitors(
    account: Account, period: Period, engine: str | None
) -> tuple[Monitor | None, Monitor | None]:
    """The IVR and auto-adjudication monitors over the 13 weeks ending with the period (or the
    last day with data, when earlier). None when the lake has no such feed."""
    try:
        with open_lake(Scope.account(account), engine=engine) as lake:
            ivr_last = last_data_day(lake, Feed.IVR)
            aa_last = last_data_day(lake, Feed.CLAIMS)
            ivr = (
                ivr_monitor(
                    lake,
                    {account.pk: account.timezone},
                    account_id=account.pk,
                    last=min(ivr_last, period.last_day),
                    grain="weekly",
                )
                if ivr_last is not None and ivr_last >= period.start
                else None
            )
            aa = (
                auto_adjudication_monitor(
                    lake, account_id=account.pk, last=min(aa_last, period.last_day), grain="weekly"
                )
                if aa_last is not None and aa_last >= period.start
                else None
            )
    except (LakeError, KeyError, AttributeError):
        return None, None
    return ivr, aa


def _monitor_rows(ivr: Monitor | None, aa: Monitor | None) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for monitor in (ivr, aa):
        if monitor is None:
            continue
        for chart in monitor.charts:
            if chart.center is None:
                continue
            rows.append(
                [
                    chart.title,
                    round(chart.center, 1),
                    None if chart.target is None else round(chart.target, 1),
                    chart.signals,
                ]
            )
    return rows


def _problem_rows(problems: list[Any]) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for p in problems:
        actions = list(p.actions.all())
        base = [f"{p.reference} {p.title}", p.get_status_display(), p.root_cause or "—"]
        if not actions:
            rows.append([*base, "—", "", None])
        rows.extend([*base, a.description, a.get_status_display(), a.due_date] for a in actions)
    return rows
