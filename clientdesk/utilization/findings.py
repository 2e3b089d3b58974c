"""Findings: rules that turn the numbers into plain words, with the evidence and an action.

Each rule reads the account's report, the book's benchmark cells (the same period, every
account; `book_benchmark.BookBenchmark`, where a figure over fewer than 11 members is
suppressed and reads as None, so no finding rests on it) and the comparisons, and says
something only when the gap is large enough to matter and the account large enough to trust
(`report.MIN_CREDIBLE_MEMBER_MONTHS`). Every finding carries the figures behind it
(`evidence`) and the page section they are on (`section`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from clientdesk.lib import formatting
from clientdesk.lib.small_cells import MIN_CELL_MEMBERS
from clientdesk.utilization.benchmarks import Comparison, gap_percent, norms_for
from clientdesk.utilization.book_benchmark import BookBenchmark
from clientdesk.utilization.marts.service_categories import category_title
from clientdesk.utilization.report import (
    MIN_CREDIBLE_MEMBER_MONTHS,
    UtilizationReport,
    UtilizationRow,
)

Report = UtilizationReport
Book = BookBenchmark
Comparisons = Sequence[Comparison]


@dataclass(frozen=True)
class Evidence:
    metric: str
    label: str
    value: Decimal | None
    book: Decimal | None
    gap_to_book_pct: Decimal | None
    gap_to_book_dollars: Decimal | None
    unit: str = ""  # as Compared.unit: "$", "per 1,000", "%", "days"

    @property
    def value_text(self) -> str:
        return written(self.value, self.unit)

    @property
    def book_text(self) -> str:
        return written(self.book, self.unit)

    @property
    def gap_text(self) -> str:
        """How far the account is from the book: in percentage points between two shares
        (a PMPM change of 17.9 % against the book's 19.3 % is -1.4 pp, not -7.3 %), as the
        benchmark table and the exports say it; in percent of the book's figure otherwise;
        empty when either is missing."""
        if self.unit == "%":
            if self.value is None or self.book is None:
                return ""
            return formatting.points(self.value - self.book)
        if self.gap_to_book_pct is None:
            return ""
        return formatting.signed_percent(self.gap_to_book_pct)


def written(value: Decimal | None, unit: str) -> str:
    """A compared figure in the house format for its unit: $27,385.96; 212.3 (per 1,000);
    12.0 %; 4.2 days; — when missing."""
    if value is None:
        return formatting.DASH
    if unit == "$":
        return formatting.money(value)
    if unit == "%":
        return formatting.percent(value)
    if unit == "days":
        return f"{formatting.number(value)} days"
    return formatting.number(value)


@dataclass(frozen=True)
class Finding:
    key: str
    severity: str  # bad | warn | ok
    title: str
    detail: str
    action: str
    evidence: tuple[Evidence, ...]
    section: str  # the page section the evidence is on
    leaf: str | None  # the service category whose claim lines explain it


def _util(report: Report, key: str) -> UtilizationRow:
    return report.measure(key)


def dollar_gaps(account: Report, book: Book) -> dict[str, Decimal | None]:
    """The yearly dollar effect of each gap to the book, at the account's size:
    PMPM gaps x member months; rate gaps x member months / 12,000 x the account's paid per
    event; unit-cost gaps x the account's events; ALOS gaps x admits x paid per day."""
    mm = account.member_months.total
    months = account.period.months
    year = Decimal(12) / Decimal(months) if months else Decimal(0)
    out: dict[str, Decimal | None] = {}
    for key in ("paid_pmpm", "allowed_pmpm"):
        mine, theirs = getattr(account, key).total, book.value(key)
        gap = mine - theirs if mm and theirs else None
        out[key] = None if gap is None else (gap * mm * year).quantize(Decimal("1"))
    for part in ("medical", "pharmacy"):
        theirs = book.value(f"{part}_paid_pmpm")
        gap = None if theirs is None else getattr(account.paid_pmpm, part) - theirs
        out[f"{part}_paid_pmpm"] = (
            (gap * mm * year).quantize(Decimal("1")) if mm and gap is not None else None
        )
    for row in account.utilization:
        rate, book_rate, cost = row.per_1000, book.value(f"{row.key}_per_1000"), row.paid_per_event
        if rate is not None and book_rate is not None and cost is not None:
            extra = (rate - book_rate) * mm / 12_000
            out[f"{row.key}_per_1000"] = (extra * cost * year).quantize(Decimal("1"))
        book_cost = book.value(f"paid_per_{row.key}")
        if cost is not None and book_cost is not None:
            out[f"paid_per_{row.key}"] = ((cost - book_cost) * row.events * year).quantize(
                Decimal("1")
            )
    alos, book_alos = account.unit_cost["alos"], book.value("alos")
    days = _util(account, "inpatient_days")
    if alos is not None and book_alos is not None and days.paid_per_event is not None:
        admits = _util(account, "admits").events
        out["alos"] = ((alos - book_alos) * admits * days.paid_per_event * year).quantize(
            Decimal("1")
        )
    return out


def _money(value: Decimal | None) -> str:
    """A yearly dollar effect, in whole dollars."""
    return formatting.money(value, 0)


def _dollars(value: Decimal | None) -> str:
    """A PMPM or a cost per case, to the cent."""
    return formatting.money(value)


_pct = formatting.percent
_num = formatting.number
_signed = formatting.signed_money


def _a(noun: str) -> str:
    """The noun with its indefinite article: "a diabetes", "an obesity"."""
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def _evidence(comparisons: Comparisons, *metrics: str) -> tuple[Evidence, ...]:
    by_metric = {c.metric: c for c in comparisons}
    return tuple(
        Evidence(
            metric=m,
            label=by_metric[m].label,
            value=by_metric[m].value,
            book=by_metric[m].book,
            gap_to_book_pct=by_metric[m].gap_to_book_pct,
            gap_to_book_dollars=by_metric[m].gap_to_book_dollars,
            unit=by_metric[m].unit,
        )
        for m in metrics
        if m in by_metric
    )


Rule = Callable[[Report, Book, Comparisons], Finding | None]


def _above(comparisons: Comparisons, metric: str, pct: Decimal) -> Comparison | None:
    row = next(c for c in comparisons if c.metric == metric)
    gap = row.gap_to_book_pct
    return row if gap is not None and gap >= pct else None


def _below(comparisons: Comparisons, metric: str, pct: Decimal) -> Comparison | None:
    row = next(c for c in comparisons if c.metric == metric)
    gap = row.gap_to_book_pct
    return row if gap is not None and gap <= -pct else None


def ed_use(report: Report, book: Book, comparisons: Comparisons) -> Finding | None:
    row = _above(comparisons, "ed_visits_per_1000", Decimal(15))
    if row is None:
        return None
    norm = norms_for("ed_visits_per_1000")[0]
    return Finding(
        key="ed_use",
        severity="bad" if (row.gap_to_book_pct or 0) >= 30 else "warn",
        title=(
            f"ED visits {_num(row.value)} per 1,000, {_pct(row.gap_to_book_pct)} above the book "
            f"({_num(row.book)}); HEDIS commercial PPO is {norm.value}"
        ),
        detail=(
            f"At the account's cost per visit the excess costs about "
            f"{_money(row.gap_to_book_dollars)} a year."
        ),
        action="Promote telehealth, urgent care and the nurse line; reach out to members "
        "with repeat ED visits.",
        evidence=_evidence(
            comparisons, "ed_visits_per_1000", "paid_per_ed_visits", "office_visits_per_1000"
        ),
        section="utilization",
        leaf="ed",
    )


def inpatient_use(report: Report, book: Book, comparisons: Comparisons) -> Finding | None:
    row = _above(comparisons, "admits_excl_maternity_per_1000", Decimal(15))
    if row is None:
        return None
    return Finding(
        key="inpatient_use",
        severity="bad" if (row.gap_to_book_pct or 0) >= 30 else "warn",
        title=(
            f"Acute admits (excl. maternity) {_num(row.value)} per 1,000, "
            f"{_pct(row.gap_to_book_pct)} above the book ({_num(row.book)})"
        ),
        detail=f"About {_money(row.gap_to_book_dollars)} a year at the account's cost per admit.",
        action="Enrol members with chronic conditions in care management; review elective "
        "admissions and readmissions with the medical director.",
        evidence=_evidence(
            comparisons,
            "admits_excl_maternity_per_1000",
            "admits_per_1000",
            "paid_per_admits",
            "alos",
        ),
        section="utilization",
        leaf="acute_medical",
    )


def length_of_stay(report: Report, book: Book, comparisons: Comparisons) -> Finding | None:
    row = _above(comparisons, "alos", Decimal(10))
    if row is None or _util(report, "admits").events < 5:
        return None
    return Finding(
        key="length_of_stay",
        severity="warn",
        title=f"Hospital stays last {_num(row.value)} days on average, "
        f"{_pct(row.gap_to_book_pct)} longer than the book ({_num(row.book)})",
        detail=f"The extra days cost about {_money(row.gap_to_book_dollars)} a year.",
        action="Start discharge planning at admission; check transfers to skilled nursing "
        "and home health.",
        evidence=_evidence(comparisons, "alos", "admits_per_1000"),
        section="utilization",
        leaf="acute_medical",
    )


def imaging_use(report: Report, book: Book, comparisons: Comparisons) -> Finding | None:
    row = _above(comparisons, "advanced_imaging_per_1000", Decimal(20))
    if row is None:
        return None
    return Finding(
        key="imaging_use",
        severity="warn",
        title=f"Advanced imaging {_num(row.value)} scans per 1,000, "
        f"{_pct(row.gap_to_book_pct)} above the book ({_num(row.book)})",
        detail=f"About {_money(row.gap_to_book_dollars)} a year.",
        action="Turn on prior authorization for CT/MRI/PET and steer members to "
        "free-standing imaging centres.",
        evidence=_evidence(comparisons, "advanced_imaging_per_1000"),
        section="utilization",
        leaf="op_rad_mri",
    )


def surgery_cost(report: Report, book: Book, comparisons: Comparisons) -> Finding | None:
    row = _above(comparisons, "paid_per_outpatient_surgery", Decimal(20))
    if row is None or _util(report, "outpatient_surgery").events < 10:
        return None
    return Finding(
        key="surgery_cost",
        severity="warn",
        title=f"Outpatient surgery costs {_dollars(row.value)} a case, "
        f"{_pct(row.gap_to_book_pct)} more than the book ({_dollars(row.book)})",
        detail=f"About {_money(row.gap_to_book_dollars)} a year.",
        action="Steer elective procedures from hospital outpatient departments to "
        "ambulatory surgery centres (site-of-care benefit, reference pricing).",
        evidence=_evidence(
            comparisons, "paid_per_outpatient_surgery", "outpatient_surgery_per_1000"
        ),
        section="utilization",
        leaf="op_surgery",
    )


def generics(report: Report, book: Book, comparisons: Comparisons) -> Finding | None:
    row = next(c for c in comparisons if c.metric == "generic_dispensing_rate")
    value, norm = row.value, norms_for("generic_dispensing_rate")[0].value
    if value is None:
        return None
    below_book = row.book is not None and value <= row.book - 3
    if value > norm - 3 and not below_book:
        return None
    return Finding(
        key="generics",
        severity="warn",
        title=f"Generic dispensing rate {_pct(value)} of 30-day fills, against about {_pct(norm)} "
        f"nationally and {_pct(row.book)} across the book",
        detail="Each point of GDR moves brand fills to generics at a fraction of the cost.",
        action="Add mandatory generic substitution and step therapy; publish a generics "
        "campaign to members.",
        evidence=_evidence(comparisons, "generic_dispensing_rate", "pharmacy_paid_pmpm"),
        section="pharmacy",
        leaf=None,
    )


def specialty(report: Report, book: Book, comparisons: Comparisons) -> Finding | None:
    row = _above(comparisons, "specialty_share_of_paid", Decimal(20))
    if row is None:
        return None
    return Finding(
        key="specialty",
        severity="warn",
        title=f"Specialty drugs are {_pct(row.value)} of pharmacy paid, against "
        f"{_pct(row.book)} across the book",
        detail="A few members on specialty drugs drive the pharmacy cost.",
        action="Route specialty fills to the specialty pharmacy with clinical management; "
        "check biosimilar options.",
        evidence=_evidence(comparisons, "specialty_share_of_paid", "pharmacy_paid_pmpm"),
        section="pharmacy",
        leaf=None,
    )


def high_cost(report: Report, book: Book, comparisons: Comparisons) -> Finding | None:
    hcc = report.high_cost_claimants
    share = hcc.share_of_paid
    if not hcc.count or share is None or share < 20:
        return None
    return Finding(
        key="high_cost",
        severity="bad" if share >= 35 else "warn",
        title=f"{hcc.count} member{'s' if hcc.count != 1 else ''} over "
        f"{_money(hcc.threshold)} account for {_pct(share)} of paid claims",
        detail=f"The top {_pct(1, 0)} of members hold {_pct(hcc.top1_share_of_allowed)} of allowed "
        + (
            f"dollars (book {_pct(top1)})."
            if (top1 := book.value("top1_share")) is not None
            else "dollars."
        ),
        action="Confirm each is in case management; check the stop-loss attachment point "
        "and reporting.",
        evidence=_evidence(comparisons, "top1_share", "top5_share"),
        section="high-cost",
        leaf=None,
    )


def cost_level(report: Report, book: Book, comparisons: Comparisons) -> Finding | None:
    row = next(c for c in comparisons if c.metric == "paid_pmpm")
    gap = row.gap_to_book_pct
    if gap is None or abs(gap) < 10:
        return None
    if gap < 0:
        return Finding(
            key="cost_level",
            severity="ok",
            title=f"Paid PMPM {_dollars(row.value)} is {_pct(abs(gap))} below the book "
            f"({_dollars(row.book)})",
            detail="Costs are running well under the book of business.",
            action="Share the result with the sponsor at the next stewardship review.",
            evidence=_evidence(comparisons, "paid_pmpm", "allowed_pmpm"),
            section="pmpm",
            leaf=None,
        )
    mm = report.member_months.total
    gaps = [
        (c.pmpm - theirs, c)
        for c in report.paid_pmpm.by_service_category
        if (theirs := book.leaf_pmpm(c.leaf)) is not None
    ]
    book_pharmacy = book.value("pharmacy_paid_pmpm")
    pharmacy_gap = None if book_pharmacy is None else report.paid_pmpm.pharmacy - book_pharmacy
    driver_gap, driver = max(gaps, key=lambda g: g[0], default=(Decimal(0), None))
    if pharmacy_gap is not None and (driver is None or pharmacy_gap > driver_gap):
        driver_text, leaf = f"pharmacy ({_signed(pharmacy_gap)} PMPM)", None
    elif driver is None:  # the book's category and pharmacy figures are suppressed
        return None
    else:
        leaf = driver.leaf
        driver_text = (
            f"{category_title(driver.service_category_2)}"
            + (
                f" – {category_title(driver.service_category_3)}"
                if driver.service_category_3 != driver.service_category_2
                else ""
            )
            + f" ({_signed(driver_gap)} PMPM, about {_money(driver_gap * mm)} in "
            "the period)"
        )
    return Finding(
        key="cost_level",
        severity="bad" if gap >= 20 else "warn",
        title=f"Paid PMPM {_dollars(row.value)} is {_pct(gap)} above the book "
        f"({_dollars(row.book)}); "
        f"the biggest driver is {driver_text}",
        detail=f"The gap is worth about {_money(row.gap_to_book_dollars)} a year.",
        action="Open the category below to see the claims behind it, and bring the "
        "drivers to the sponsor with the matching programme.",
        evidence=_evidence(comparisons, "paid_pmpm", "medical_paid_pmpm", "pharmacy_paid_pmpm"),
        section="pmpm",
        leaf=leaf,
    )


def trend(report: Report, book: Book, comparisons: Comparisons) -> Finding | None:
    t = report.trend.paid
    if t is None or t.change_pct is None or report.period.months != 12:
        return None
    norm = norms_for("paid_pmpm_trend")[0].value
    if t.change_pct < norm:
        return None
    effects = {"utilization": t.utilization, "mix": t.mix, "unit cost": t.unit_cost}
    main = max(effects, key=lambda k: effects[k])
    actions = {
        "utilization": "Members use more services: target the categories whose use grew.",
        "mix": "Care moved to costlier settings: steer to lower-cost sites of care.",
        "unit cost": "Prices per service rose: review network contracts and reference pricing.",
    }
    return Finding(
        key="trend",
        severity="bad" if t.change_pct >= norm * 2 else "warn",
        title=f"Paid PMPM rose {_pct(t.change_pct)} on the prior 12 months, above the "
        f"{_pct(norm)} market trend",
        detail=f"{_signed(t.change)} PMPM: utilization {_signed(t.utilization)}, mix "
        f"{_signed(t.mix)}, unit cost {_signed(t.unit_cost)}.",
        action=actions[main],
        evidence=_evidence(comparisons, "paid_pmpm_trend", "paid_pmpm"),
        section="trend",
        leaf=None,
    )


def primary_care(report: Report, book: Book, comparisons: Comparisons) -> Finding | None:
    office = _below(comparisons, "office_visits_per_1000", Decimal(20))
    ed = _above(comparisons, "ed_visits_per_1000", Decimal(0))
    if office is None or ed is None:
        return None
    return Finding(
        key="primary_care",
        severity="warn",
        title=f"Office visits {_num(office.value)} per 1,000, "
        f"{_pct(abs(office.gap_to_book_pct or 0))} below the book, while ED use is above it",
        detail="Members may lack a usual source of care.",
        action="Help members pick a primary care doctor; promote preventive visits.",
        evidence=_evidence(comparisons, "office_visits_per_1000", "ed_visits_per_1000"),
        section="utilization",
        leaf="office_visit",
    )


def chronic(report: Report, book: Book, comparisons: Comparisons) -> Finding | None:
    worst = None
    for c in report.conditions.chronic:
        other = book.value(f"prevalence_{c.key}")
        gap = gap_percent(c.prevalence_per_1000, other)
        if (
            c.members >= MIN_CELL_MEMBERS
            and gap is not None
            and gap >= 25
            and (worst is None or gap > worst[0])
        ):
            worst = (gap, c, other)
    if worst is None:
        return None
    gap, c, other = worst
    return Finding(
        key="chronic",
        severity="warn",
        title=f"{c.label}: {_num(c.prevalence_per_1000)} members per 1,000, "
        f"{_pct(gap)} above the book ({_num(other)})",
        detail=f"{c.members} members have a claim with {c.codes} in the period.",
        action=f"Offer {_a(c.label.lower())} management programme and check adherence to "
        "maintenance drugs.",
        evidence=(
            Evidence(
                metric=f"prevalence_{c.key}",
                label=f"{c.label} per 1,000",
                value=c.prevalence_per_1000,
                book=other,
                gap_to_book_pct=gap,
                gap_to_book_dollars=None,
                unit="per 1,000",
            ),
        ),
        section="conditions",
        leaf=None,
    )


RULES: tuple[Rule, ...] = (
    cost_level,
    trend,
    ed_use,
    inpatient_use,
    length_of_stay,
    imaging_use,
    surgery_cost,
    primary_care,
    high_cost,
    generics,
    specialty,
    chronic,
)


def findings(report: Report, book: Book, comparisons: Comparisons) -> tuple[Finding, ...]:
    """Every rule that fires, worst first; none when the account is too small to trust."""
    if report.member_months.total < MIN_CREDIBLE_MEMBER_MONTHS:
        return ()
    found = [f for rule in RULES if (f := rule(report, book, comparisons)) is not None]
    order = {"bad": 0, "warn": 1, "ok": 2}
    return tuple(sorted(found, key=lambda f: order[f.severity]))
