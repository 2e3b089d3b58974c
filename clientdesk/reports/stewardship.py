"""The stewardship report of one account and period, gathered once into a `ReportDocument`.

`read_stewardship` reads every figure for the period once, each from its app's function:
utilization (`utilization.analysis.account_report`, whose tables are the utilization exports'),
guarantees (`guarantees.queries.period_results`), service (`inquiries.queries.attainment`, the
IVR and auto-adjudication monitors), emerging issues and problems (`insights.access`),
satisfaction (`reports.satisfaction`). Then each function of `STEWARDSHIP_SECTIONS` makes one
section, or none when it has nothing for the period. Tables say where their figures come from
in words (`Table.source`), for the workbook's About sheet and the deck's speaker notes. Counts
of people under 11 are suppressed and the high-cost claimants are de-identified, because this
report leaves the team; the client edition leaves out the team's own items.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count
from django.utils import timezone

from clientdesk.accounts.access import AnyUser
from clientdesk.accounts.models import Account
from clientdesk.guarantees.metrics import Feed
from clientdesk.guarantees.models import GuaranteeResult
from clientdesk.guarantees.monitors import (
    Monitor,
    auto_adjudication_monitor,
    ivr_monitor,
    last_data_day,
)
from clientdesk.guarantees.queries import monitor_targets, period_results
from clientdesk.implementations.queries import InstallationLine, installation_status
from clientdesk.inquiries.models import AccountEscalation, Category, EscalationStatus
from clientdesk.inquiries.models import Inquiry as InquiryModel
from clientdesk.inquiries.queries import Attainment, attainment, local_midnight
from clientdesk.insights.access import issues_visible_to, problems_visible_to
from clientdesk.insights.models import (
    OPEN_PROBLEM_STATUSES,
    ActionStatus,
    EmergingIssue,
    IssueStatus,
    Problem,
)
from clientdesk.lake.gateway import LakeError, open_lake
from clientdesk.lib import formatting
from clientdesk.lib.periods import Period
from clientdesk.reports import satisfaction
from clientdesk.reports.documents import (
    SMALL_CELL,
    SUPPRESSED,
    Cell,
    Chart,
    Column,
    Figure,
    ReportDocument,
    Section,
    Table,
    small_cell,
)
from clientdesk.reports.models import ReportEdition
from clientdesk.reports.strategy import plan_steps
from clientdesk.utilization import charts, exports
from clientdesk.utilization.analysis import Request, account_report
from clientdesk.utilization.benchmarks import Comparison
from clientdesk.utilization.metrics import DEFAULT_HIGH_COST_THRESHOLD
from clientdesk.utilization.report import AccountReport

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


# Who the report is for: the sponsor (nothing internal) or the account team; kept on the run.
Edition = ReportEdition


@dataclass(frozen=True)
class StewardshipContext:
    """Everything read for one account and period, once; the section functions only arrange
    it. Every part is for the report's period (the IVR and auto-adjudication monitors: the 13
    weeks ending with it)."""

    account: Account
    period: Period
    today: dt.date
    edition: Edition
    report: AccountReport
    guarantee_results: list[GuaranteeResult]
    sla: Attainment | None
    volumes: list[tuple[str, int]]
    ivr: Monitor | None
    aa: Monitor | None
    surveys: satisfaction.Satisfaction | str
    issues: list[EmergingIssue]
    problems: list[Problem]
    escalations: list[AccountEscalation]


SectionFunction = Callable[[StewardshipContext], Section | None]

# In words, for the workbook's About sheet and the deck's speaker notes.
CLAIMS_SOURCE = (
    "Final-action medical and pharmacy claim lines and eligibility in the data lake; member "
    "months counted by month of enrollment"
)
BENCHMARK_SOURCE = (
    "The account against every account of the book in the same period, and published norms "
    "(named in the norm source column)"
)
GUARANTEE_SOURCE = (
    "Guarantee results of the measurement periods inside the report period, evaluated from "
    "the call, IVR and claim-processing feeds"
)
INQUIRY_SOURCE = "Inquiries logged for the account, by the day they were opened"
SLA_SOURCE = "Inquiry service-level clocks on business hours, met or breached in the period"
MONITOR_SOURCE = (
    "IVR sessions and claim processing, weekly, for the 13 weeks ending with the period"
)
ISSUE_SOURCE = "Emerging issues detected with alerts in the period, and the problems being worked"


def gather_stewardship(
    account: Account,
    period: Period,
    *,
    user: AnyUser,
    today: dt.date | None = None,
    engine: str | None = None,
    progress: Progress = _quiet,
    util_report: AccountReport | None = None,
    high_cost_threshold: Decimal = DEFAULT_HIGH_COST_THRESHOLD,
    edition: Edition = Edition.CLIENT,
) -> ReportDocument:
    """Everything the stewardship deck, workbook and PDF show, for one account and period.

    `user` decides what the issues, problems and SLA figures may include (the caller has
    already checked that the user may read the account). `util_report` lets a caller that
    already holds the account's utilization report (the portfolio bench) pass it in."""
    context = read_stewardship(
        account,
        period,
        user=user,
        today=today or timezone.localdate(),
        engine=engine,
        progress=progress,
        util_report=util_report,
        high_cost_threshold=high_cost_threshold,
        edition=edition,
    )
    report = context.report
    doc = ReportDocument(
        kind="stewardship",
        title=f"{account.name} — stewardship report",
        subtitle=f"{period.label} · group {account.group_number}" + _prepared_for(account),
        period_code=period.code,
        period_label=period.label,
        data_period=data_period_text(period, period.prior()),
        paid_through=report.data_paid_through,
        generated_at=timezone.now(),
        generated_by=person_name(user),
        warnings=[w.message for w in report.warnings],
    )
    progress(65, "Writing the sections")
    doc.sections = [s for f in STEWARDSHIP_SECTIONS if (s := f(context)) is not None]
    progress(70, "Gathered")
    return doc


def read_stewardship(
    account: Account,
    period: Period,
    *,
    user: AnyUser,
    today: dt.date,
    engine: str | None,
    progress: Progress,
    util_report: AccountReport | None,
    high_cost_threshold: Decimal,
    edition: Edition,
) -> StewardshipContext:
    """Read every figure of the report for the period, each from its app's function."""
    request = Request(
        period,
        period.prior(),
        high_cost_threshold=high_cost_threshold,
        engine=engine,
        as_of=today,
    )
    progress(5, "Reading claims and eligibility")
    report = util_report if util_report is not None else account_report(user, account, request)
    progress(35, "Reading guarantees")
    results = period_results(account, period.start, period.last_day)
    progress(45, "Reading service levels")
    ivr, aa = _monitors(user, account, period, engine)
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
    return StewardshipContext(
        account=account,
        period=period,
        today=today,
        edition=edition,
        report=report,
        guarantee_results=results,
        sla=_account_attainment(user, account, period),
        volumes=_inquiry_volumes(account, period),
        ivr=ivr,
        aa=aa,
        surveys=satisfaction.load_satisfaction(
            user, {account.pk: account.timezone}, period, engine=engine
        ),
        issues=issues,
        problems=problems,
        escalations=escalations,
    )


def person_name(user: AnyUser) -> str:
    """Who made the report, by name (a login is not a name)."""
    if not user.is_authenticated:
        return "clientdesk"
    full_name = getattr(user, "get_full_name", None)
    name = full_name() if callable(full_name) else ""
    return str(name or user.get_username())


def from_export(
    table: exports.Table, key: str, source: str, *, in_deck: tuple[bool, ...] = ()
) -> Table:
    """One of the utilization exports' tables (the same rows as the page's CSV and XLSX) as
    a report table. In a table with a unit a row (the benchmarks), each "decimal" figure is
    written in its row's unit: dollars to the cent, the rest to a tenth."""
    columns = [
        Column(
            label[:1].upper() + label[1:],
            kind,
            in_deck=in_deck[j] if j < len(in_deck) else True,
        )
        for j, (label, kind) in enumerate(zip(table.headers, table.kinds, strict=True))
    ]
    rows: list[list[Cell]] = [list(row) for row in table.rows]
    if "unit" in table.headers:
        unit_at = table.headers.index("unit")
        for row in rows:
            kind = "hundredths" if row[unit_at] == "$" else "tenths"
            for j, column in enumerate(columns):
                value = row[j]
                if column.kind == "decimal" and not isinstance(value, str | Figure):
                    row[j] = Figure(value, kind)  # type: ignore[arg-type]
    return Table(key, table.title, source, columns, rows)


def with_rows(table: Table) -> list[Table]:
    """The table, or nothing when it has no rows (an empty table is left out, not printed)."""
    return [table] if table.rows else []


# --- the sections, in the order of the report ----------------------------------------------


def summary_section(c: StewardshipContext) -> Section | None:
    report, mm = c.report, c.report.member_months.total
    paid, trend = c.report.paid_pmpm, c.report.trend.paid
    section = Section("summary", "Executive summary")
    if mm:
        section.bullets.append(
            f"Paid PMPM {money_text(paid.total)} on {formatting.count(mm)} member months "
            f"(prior {money_text(paid.prior_total)}"
            + (f", {pct_text(trend.change_pct)}" if trend else "")
            + ")."
        )
    else:
        section.bullets.append(f"No member months in {c.period.label}: no claims figures.")
    if trend:
        section.bullets.append(
            f"The change of {formatting.signed_money(trend.change)} PMPM splits into "
            f"utilization {formatting.signed_money(trend.utilization)}, mix "
            f"{formatting.signed_money(trend.mix)} and unit cost "
            f"{formatting.signed_money(trend.unit_cost)}."
        )
    section.bullets.extend(f"{f.title}: {f.detail}" for f in report.findings[:4])
    if c.guarantee_results:
        section.bullets.append(_guarantee_sentence(c))
    resolution = c.sla.percent("resolution") if c.sla else None
    if resolution is not None:
        section.bullets.append(f"Inquiries resolved within SLA: {formatting.percent(resolution)}.")
    if c.issues or c.problems:
        section.bullets.append(
            f"Emerging issues in the period: {len(c.issues)}; problems being worked: "
            f"{len(c.problems)}."
        )
    section.tables.append(_headline_table(report))
    return section


def membership_section(c: StewardshipContext) -> Section | None:
    report = c.report
    mm = report.member_months
    if not mm.total and not any(m.member_months for m in report.monthly):
        return None
    section = Section("membership", "Membership and member months")
    section.bullets.append(
        f"{formatting.count(mm.total)} member months in {c.period.label} (prior "
        f"{formatting.count(mm.prior)}); average members "
        f"{formatting.number(mm.average_members or 0)}."
    )
    section.tables += with_rows(
        from_export(exports.REPORT_TABLES["monthly"](report), "Monthly", CLAIMS_SOURCE)
    )
    if any(m.member_months for m in report.monthly):
        section.charts.append(
            Chart("monthly", "Paid PMPM by month", charts.monthly_pmpm_chart(report), brief=True)
        )
    return section


def cost_section(c: StewardshipContext) -> Section | None:
    report, trend = c.report, c.report.trend.paid
    if not report.member_months.total and trend is None:
        return None
    section = Section("cost", "PMPM trend and its drivers")
    categories = from_export(
        exports.REPORT_TABLES["categories"](report), "PMPM by category", CLAIMS_SOURCE
    )
    paid = report.paid_pmpm
    categories.rows.append(
        [
            "Total",
            "",
            "",
            paid.amount,
            paid.total,
            paid.prior_total,
            trend.change_pct if trend else None,
        ]
    )
    section.tables.append(categories)
    if trend:
        section.bullets.append(
            f"Paid PMPM moved from {money_text(trend.pmpm_prior)} to "
            f"{money_text(trend.pmpm_current)} ({pct_text(trend.change_pct)})."
        )
        drivers = from_export(
            exports.REPORT_TABLES["trend"](report), "Trend drivers", CLAIMS_SOURCE
        )
        drivers.rows = [*drivers.rows[:-1][:15], drivers.rows[-1]]  # the 15 largest, and all
        section.tables.append(drivers)
        trend_spec = charts.trend_chart(report)
        if trend_spec is not None:
            section.charts.append(Chart("trend", "What moved the paid PMPM", trend_spec))
    else:
        section.bullets.append("No prior-period membership: the trend cannot be split.")
    if report.member_months.total:
        section.charts.append(
            Chart("categories", "Paid PMPM by service category", charts.category_chart(report))
        )
    return section


def benchmarks_section(c: StewardshipContext) -> Section | None:
    report = c.report
    if not report.member_months.total:
        return None
    section = Section("benchmarks", "Utilization against benchmarks")
    section.bullets = _benchmark_points(report.benchmarks)
    section.tables.append(
        from_export(
            exports.REPORT_TABLES["benchmarks"](report),
            "Benchmarks",
            BENCHMARK_SOURCE,
            in_deck=(True, True, True, True, True, True, False, True, False, False),
        )
    )
    section.tables.append(
        from_export(exports.REPORT_TABLES["utilization"](report), "Use per 1000", CLAIMS_SOURCE)
    )
    return section


def claimants_section(c: StewardshipContext) -> Section | None:
    """High-cost claimants, de-identified and with small cells suppressed."""
    report = c.report
    if not report.member_months.total:
        return None
    h = report.high_cost_claimants
    section = Section("claimants", "High-cost claimants")
    threshold = money_text(h.threshold, 0)
    columns = [
        Column("Claimant"),
        Column("Medical paid", "money0"),
        Column("Pharmacy paid", "money0"),
        Column("Total paid", "money0"),
    ]
    if h.count >= SMALL_CELL:
        section.bullets.append(
            f"{formatting.count(h.count)} members over {threshold} paid, "
            f"{money_text(h.paid, 0)} in all ({formatting.percent(h.share_of_paid)} of paid)."
        )
        rows: list[list[Cell]] = [
            [f"Claimant {n}", m.medical_paid, m.pharmacy_paid, m.paid]
            for n, m in enumerate(h.members, start=1)
        ]
        note = "De-identified: claimants are numbered by paid amount; no member identifiers."
    else:
        shown = small_cell(h.count)
        section.bullets.append(
            f"{shown} members over {threshold} paid: "
            + ("none." if not h.count else "fewer than 11, so the detail is suppressed.")
        )
        rows = [] if not h.count else [[SUPPRESSED, None, None, None]]
        note = "Small cell: fewer than 11 claimants, figures suppressed."
    section.bullets.append(
        f"The top 1 % of members account for {formatting.percent(h.top1_share_of_allowed)} of "
        f"allowed; the top 5 % for {formatting.percent(h.top5_share_of_allowed)}."
    )
    section.tables += with_rows(
        Table(
            "High-cost claimants",
            f"Claimants over {threshold} paid in the period",
            CLAIMS_SOURCE,
            columns,
            rows,
            note,
        )
    )
    section.tables.append(
        Table(
            "Chronic conditions",
            "Members with chronic conditions",
            CLAIMS_SOURCE + "; conditions from the diagnosis codes of the period's claims",
            [Column("Condition"), Column("Members"), Column("Per 1,000", "tenths")],
            [
                [
                    cc.label,
                    small_cell(cc.members),
                    cc.prevalence_per_1000 if cc.members >= SMALL_CELL else None,
                ]
                for cc in report.conditions.chronic
            ],
            "Counts under 11 are shown as <11 and their rates left out.",
        )
    )
    return section


def pharmacy_section(c: StewardshipContext) -> Section | None:
    rx, paid = c.report.pharmacy, c.report.paid_pmpm
    if not rx.fills:
        return None
    section = Section("pharmacy", "Pharmacy")
    section.bullets.append(
        f"{formatting.count(rx.fills)} fills, {money_text(rx.paid)} paid "
        f"({money_text(paid.pharmacy)} PMPM); generic dispensing rate "
        f"{formatting.percent(rx.generic_dispensing_rate)}, specialty share of paid "
        f"{formatting.percent(rx.specialty_share_of_paid)}."
    )
    section.tables.append(
        Table(
            "Pharmacy",
            "Pharmacy figures",
            "Pharmacy claims in the data lake, with the drug reference for generic and "
            "specialty drugs",
            [Column("Figure"), Column("Current", "decimal"), Column("Prior", "decimal")],
            [
                _figures("Fills", "int", rx.fills, None),
                _figures("Scripts per 1,000", "tenths", rx.scripts_per_1000, None),
                _figures(
                    "Paid per script ($)",
                    "hundredths",
                    rx.paid_per_script,
                    rx.prior_paid_per_script,
                ),
                _figures(
                    "Generic dispensing rate (%)",
                    "tenths",
                    rx.generic_dispensing_rate,
                    rx.prior_generic_dispensing_rate,
                ),
                _figures(
                    "Specialty share of paid (%)",
                    "tenths",
                    rx.specialty_share_of_paid,
                    rx.prior_specialty_share_of_paid,
                ),
                _figures("Paid ($)", "hundredths", rx.paid, None),
                _figures("Member cost share ($)", "hundredths", rx.cost_share, None),
            ],
        )
    )
    return section


def _missed(c: StewardshipContext) -> list[GuaranteeResult]:
    return [r for r in c.guarantee_results if r.met is False]


def _guarantee_sentence(c: StewardshipContext) -> str:
    """The period's guarantees in one sentence; its penalty is the table's column total."""
    missed = _missed(c)
    penalty = sum((r.penalty for r in missed), Decimal(0))
    return (
        f"Performance guarantees in {c.period.label}: {len(missed)} of "
        f"{len(c.guarantee_results)} results missed"
        + (f", {money_text(penalty, 0)} in penalties." if missed else ".")
    )


def _installation_sentence(line: InstallationLine) -> str:
    done = f"{line.done} of {line.tasks} tasks done"
    if line.went_live_on is not None:
        return (
            f"{line.name}: live since {formatting.date(line.went_live_on)} ({done}); "
            f"hypercare watch until {formatting.date(line.hypercare_ends)}."
        )
    readiness = "" if line.readiness is None else f", readiness {line.readiness} ({line.band})"
    forecast = (
        f"go-live forecast {line.days_lost} business days late"
        if line.days_lost
        else "on plan for the effective date"
    )
    return (
        f"{line.name}: effective {formatting.date(line.effective_date)}, {line.status.lower()}"
        f"; {done}{readiness}; {forecast}."
    )


def implementation_section(c: StewardshipContext) -> Section | None:
    """Implementation status for an account in its first year (and any plan still being
    installed or in hypercare): from the implementations app's plans, as of the deck's day."""
    lines = installation_status(c.account, c.today)
    if not lines:
        return None
    section = Section("implementation", "Implementation")
    section.bullets.extend(_installation_sentence(line) for line in lines)
    section.tables.append(
        Table(
            "Implementation",
            "Implementation status",
            "Implementation plans (tasks, their status and dates); readiness from the plan "
            "and the eligibility test loads",
            [
                Column("Plan"),
                Column("Effective", "date"),
                Column("Status"),
                Column("Tasks done", "int"),
                Column("Tasks", "int"),
                Column("Readiness", "int"),
                Column("Business days late", "int"),
                Column("Hypercare until", "date"),
            ],
            [
                [
                    line.name,
                    line.effective_date,
                    line.status,
                    line.done,
                    line.tasks,
                    line.readiness,
                    line.days_lost,
                    line.hypercare_ends,
                ]
                for line in lines
            ],
            "Readiness 0-100 before go-live (ready ≥ 80); hypercare is the 90 days after.",
            brief=True,
        )
    )
    return section


def guarantees_section(c: StewardshipContext) -> Section | None:
    if not c.guarantee_results:
        return None
    section = Section("guarantees", "Performance guarantees")
    section.bullets.append(_guarantee_sentence(c))
    for r in _missed(c):
        g = r.guarantee
        section.bullets.append(
            f"Missed: {g.display_name}, {r.actual_display} against "
            f"{g.comparator_symbol} {g.target_display} ({r.period_label}); penalty "
            f"{money_text(r.penalty, 0)}."
        )
    section.tables.append(
        Table(
            "Guarantees",
            f"Guarantee results for {c.period.label}",
            GUARANTEE_SOURCE,
            [
                Column("Guarantee"),
                Column("Target"),
                Column("Period"),
                Column("Actual"),
                Column("Met"),
                Column("At risk", "money0"),
                Column("Penalty", "money0"),
            ],
            [_guarantee_row(r) for r in c.guarantee_results],
            "Penalties of missed periods before the contract-year cap; settled after the "
            "contract year.",
            brief=True,
        )
    )
    return section


def service_section(c: StewardshipContext) -> Section | None:
    monitor_rows = _monitor_rows(c.ivr, c.aa)
    if not c.volumes and c.sla is None and not monitor_rows:
        return None
    section = Section("service", "Service: inquiries, SLA, IVR and auto-adjudication")
    total_inquiries = sum(n for _, n in c.volumes)
    section.bullets.append(
        f"{formatting.count(total_inquiries)} inquiries opened in {c.period.label}."
    )
    if c.sla is not None:
        first = c.sla.percent("first_response")
        resolution = c.sla.percent("resolution")
        section.bullets.append(
            f"SLA met: first response {formatting.percent(first)}, resolution "
            f"{formatting.percent(resolution)} "
            f"({formatting.count(c.sla.decided('resolution'))} resolutions decided)."
        )
        if c.sla.first_response_note:
            note = c.sla.first_response_note
            section.bullets.append(f"{note[0].upper()}{note[1:]}.")
    section.tables += with_rows(
        Table(
            "Inquiries",
            "Inquiries opened by category",
            INQUIRY_SOURCE,
            [Column("Category"), Column("Inquiries", "int")],
            [[label, n] for label, n in c.volumes],
        )
    )
    if c.sla is not None:
        section.tables.append(
            Table(
                "SLA attainment",
                "SLA attainment (% met of decided outcomes)",
                SLA_SOURCE,
                [
                    Column("Clock"),
                    Column("Met", "int"),
                    Column("Breached", "int"),
                    Column("% met", "tenths"),
                ],
                _sla_rows(c.sla),
            )
        )
    section.tables += with_rows(
        Table(
            "IVR and auto-adjudication",
            "IVR and auto-adjudication, last 13 weeks of the period",
            MONITOR_SOURCE,
            [
                Column("Measure"),
                Column("Window rate %", "tenths"),
                Column("Target %", "tenths"),
                Column("Weeks outside limits", "int"),
            ],
            monitor_rows,
        )
    )
    return section


def issues_section(c: StewardshipContext) -> Section | None:
    if not c.issues and not c.problems:
        return None
    section = Section("issues", "Emerging issues and the actions taken")
    section.bullets.append(
        f"Emerging issues with alerts in {c.period.label}: {len(c.issues)}; problems being "
        f"worked: {len(c.problems)}."
    )
    section.bullets.extend(f"{i.title}: {i.summary}" for i in c.issues[:3])
    section.tables += with_rows(
        Table(
            "Emerging issues",
            "Emerging issues detected in the period",
            ISSUE_SOURCE,
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
                for i in c.issues
            ],
        )
    )
    section.tables += with_rows(
        Table(
            "Problems and actions",
            "Problems being worked and their corrective actions",
            ISSUE_SOURCE,
            [
                Column("Problem"),
                Column("Status"),
                Column("Root cause"),
                Column("Action"),
                Column("Action status"),
                Column("Due", "date"),
            ],
            _problem_rows(c.problems),
        )
    )
    return section


def satisfaction_section(c: StewardshipContext) -> Section | None:
    if isinstance(c.surveys, str) and c.edition == Edition.CLIENT:
        return None  # the reason the survey figures could not be read is for the team
    section = satisfaction.stewardship_section(c.surveys, c.account.pk, c.period)
    section.tables = [t for t in section.tables if t.rows]
    alone = isinstance(c.surveys, satisfaction.Satisfaction) and not c.surveys.any_invitations
    ours = satisfaction.own_surveys_sentence(c.account.pk, c.period, of_these=not alone)
    if alone:
        if ours is None:
            return None
        section.bullets, section.tables = [], []  # the table had nothing: our surveys only
    if ours is not None:
        section.bullets.append(ours)
    return section


def next_steps_section(c: StewardshipContext) -> Section | None:
    """What happens next. The client edition leaves out the team's own items (account
    escalations, the renewal to prepare)."""
    section = Section("next_steps", "Next steps")
    for p in c.problems:
        for a in p.actions.all():
            if a.status in (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS):
                section.bullets.append(f"{a.description} (due {formatting.date(a.due_date)}).")
    section.bullets.extend(f.action for f in c.report.findings[:3] if f.action)
    # The account plan's objectives not on track; the open calls to action, internal only.
    internal = c.edition == Edition.INTERNAL
    section.bullets.extend(plan_steps(c.account.pk, c.today, internal=internal))
    if c.edition == Edition.INTERNAL:
        section.bullets.extend(
            f"Resolve the account escalation “{e.title}”." for e in c.escalations
        )
        renewal = c.account.renewal_date
        if renewal and renewal >= c.today:
            section.bullets.append(f"Prepare the renewal of {formatting.date(renewal)}.")
    return section if section.bullets else None


STEWARDSHIP_SECTIONS: tuple[SectionFunction, ...] = (
    summary_section,
    membership_section,
    cost_section,
    benchmarks_section,
    claimants_section,
    pharmacy_section,
    implementation_section,
    guarantees_section,
    service_section,
    issues_section,
    satisfaction_section,
    next_steps_section,
)


def _prepared_for(account: Account) -> str:
    contact = account.contacts.filter(is_primary=True).first()
    if contact is None:
        return ""
    return f" · prepared for {contact.name}" + (f", {contact.title}" if contact.title else "")


def _figures(label: str, kind: str, *values: int | float | Decimal | None) -> list[Cell]:
    """A row of a table with a unit a row: its label, then its figures in the row's kind."""
    return [label, *(Figure(v, kind) for v in values)]


def _headline_table(report: AccountReport) -> Table:
    mm = report.member_months
    paid = report.paid_pmpm
    allowed = report.allowed_pmpm
    admits, ed = report.measure("admits"), report.measure("ed_visits")
    has_members = bool(mm.total)
    rows: list[list[Cell]] = [
        _figures("Member months", "int", mm.total, mm.prior),
        _figures("Average members", "tenths", mm.average_members, mm.prior_average_members),
        _figures(
            "Paid PMPM ($)", "hundredths", paid.total if has_members else None, paid.prior_total
        ),
        _figures(
            "Allowed PMPM ($)",
            "hundredths",
            allowed.total if has_members else None,
            allowed.prior_total,
        ),
        _figures(
            "Medical paid PMPM ($)",
            "hundredths",
            paid.medical if has_members else None,
            paid.prior_medical,
        ),
        _figures(
            "Pharmacy paid PMPM ($)",
            "hundredths",
            paid.pharmacy if has_members else None,
            paid.prior_pharmacy,
        ),
        _figures("Acute admits per 1,000", "tenths", admits.per_1000, admits.prior_per_1000),
        _figures("ED visits per 1,000", "tenths", ed.per_1000, ed.prior_per_1000),
        _figures(
            "Generic dispensing rate (%)",
            "tenths",
            report.pharmacy.generic_dispensing_rate,
            report.pharmacy.prior_generic_dispensing_rate,
        ),
    ]
    return Table(
        "Headlines",
        "Headline figures",
        CLAIMS_SOURCE + "; the period against the one before",
        [Column("Figure"), Column("Current", "decimal"), Column("Prior", "decimal")],
        rows,
        brief=True,
    )


BENCHMARK_GAP_PCT = 10  # a measure this far from the book (in % of the book's value) is named
BENCHMARK_GAP_POINTS = 5  # a percentage this many points from the book's is named


def _benchmark_points(benchmarks: Sequence[Comparison]) -> list[str]:
    """The measures furthest from the book, largest gaps first: 10 % or more of the book's
    value, or 5 percentage points or more for measures that are percentages."""
    named: list[tuple[Decimal, str]] = []
    for b in benchmarks:
        if b.value is None or b.book is None:
            continue
        if b.unit == "%":
            gap = b.value - b.book
            if abs(gap) >= BENCHMARK_GAP_POINTS:
                text = (
                    f"{b.label}: {formatting.percent(b.value)} against the book's "
                    f"{formatting.percent(b.book)} ({formatting.points(gap)})."
                )
                named.append((abs(gap) / BENCHMARK_GAP_POINTS, text))
        elif b.gap_to_book_pct is not None and abs(b.gap_to_book_pct) >= BENCHMARK_GAP_PCT:
            value, book = (
                (money_text(b.value), money_text(b.book))
                if b.unit == "$"
                else (formatting.number(b.value), formatting.number(b.book))
            )
            text = (
                f"{b.label}: {value} against the book's {book} "
                f"({formatting.signed_percent(b.gap_to_book_pct)})."
            )
            named.append((abs(b.gap_to_book_pct) / BENCHMARK_GAP_PCT, text))
    named.sort(key=lambda pair: -pair[0])
    points = [text for _, text in named[:5]]
    return points or [
        f"No measure is {BENCHMARK_GAP_PCT} % or more ({BENCHMARK_GAP_POINTS} points for "
        "percentages) away from the book."
    ]


def _guarantee_row(r: GuaranteeResult) -> list[Cell]:
    g = r.guarantee
    met = "—" if r.met is None else ("yes" if r.met else "no")
    return [
        g.display_name,
        f"{g.comparator_symbol} {g.target_display}",
        r.period_label,
        r.actual_display,
        met,
        r.amount_at_risk,
        r.penalty if r.met is False else Decimal(0),
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
    user: AnyUser, account: Account, period: Period, engine: str | None
) -> tuple[Monitor | None, Monitor | None]:
    """The IVR and auto-adjudication monitors over the 13 weeks ending with the period (or the
    last day with data, when earlier). None when the lake has no such feed."""
    targets = monitor_targets(account)
    try:
        with open_lake(user, accounts=[account], engine=engine) as lake:
            ivr_last = last_data_day(lake, Feed.IVR)
            aa_last = last_data_day(lake, Feed.CLAIMS)
            ivr = (
                ivr_monitor(
                    lake,
                    {account.pk: account.timezone},
                    account_id=account.pk,
                    last=min(ivr_last, period.last_day),
                    grain="weekly",
                    target=targets.get("ivr_containment"),
                )
                if ivr_last is not None and ivr_last >= period.start
                else None
            )
            aa = (
                auto_adjudication_monitor(
                    lake,
                    account_id=account.pk,
                    last=min(aa_last, period.last_day),
                    grain="weekly",
                    target=targets.get("auto_adjudication_rate"),
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
