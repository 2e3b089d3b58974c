"""Published norms to compare an account with, each with its source.

From `shared/domain/claims-analytics.md` §4 (commercial employer population). The notes say
where a norm is not like-for-like with our measure; figures marked there as estimates are
not used.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Norm:
    metric: str  # a key of the report's metrics (see report.METRIC_LABELS)
    value: Decimal
    label: str
    source: str
    note: str = ""
    higher_is_worse: bool = True


NORMS: tuple[Norm, ...] = (
    Norm(
        "allowed_pmpm",
        Decimal("596"),
        "Milliman Medical Index 2024: $7,151 per person a year",
        "Milliman press release, 2024-05-21 (milliman.com, 2024 Milliman Medical Index)",
        "Employer PPO, total allowed incl. member cost share; $7,151 / 12.",
    ),
    Norm(
        "allowed_pmpm",
        Decimal("559"),
        "HCCI 2022: $6,711 per person with employer coverage",
        "Health Care Cost Institute, Health Care Cost and Utilization Report 2022 (2024-04-25)",
        "Under-65 employer-sponsored insurance, allowed; $6,711 / 12.",
    ),
    Norm(
        "ed_visits_per_1000",
        Decimal("150.5"),
        "NCQA HEDIS EDU, commercial PPO, MY2022",
        "ncqa.org/hedis/measures/emergency-department-utilization",
        "Members 18+, risk-standardised; ours counts all ages and every ED visit day.",
    ),
    Norm(
        "admits_excl_maternity_per_1000",
        Decimal("31.3"),
        "NCQA HEDIS AHU total acute, commercial PPO, MY2022",
        "ncqa.org/hedis/measures/acute-hospital-utilization",
        "Adults 18+, excludes maternity, newborn and mental health; ours excludes maternity "
        "and newborn stays and counts all ages.",
    ),
    Norm(
        "generic_dispensing_rate",
        Decimal("90"),
        "Generics are about 90 % of US prescriptions (AAM / IQVIA)",
        "Association for Accessible Medicines generic drug access and savings reports, 2019-2020",
        "All payers; share of prescriptions.",
        higher_is_worse=False,
    ),
    Norm(
        "top5_share",
        Decimal("50"),
        "The top 5 % of people account for about half of spending (MEPS 2021)",
        "KFF, How do health expenditures vary across the population (MEPS 2021)",
        "All payers, whole US population.",
    ),
    Norm(
        "top1_share",
        Decimal("20.2"),
        "The top 1 % of people account for 20.2 % of spending (MEPS 2008)",
        "AHRQ MEPS Statistical Brief #354",
        "All payers, whole US population.",
    ),
    Norm(
        "paid_pmpm_trend",
        Decimal("8.0"),
        "Group medical cost trend 8.0 % (2025)",
        "PwC Health Research Institute, Medical cost trend: behind the numbers 2026",
        "Projected actuarial trend, year over year; compare with a 12-month period only.",
    ),
)


def norms_for(metric: str) -> list[Norm]:
    return [n for n in NORMS if n.metric == metric]


@dataclass(frozen=True)
class Compared:
    metric: str
    label: str
    unit: str  # "$" (PMPM or cost), "per 1,000", "%" or "days"
    higher_is_worse: bool = True


COMPARED: tuple[Compared, ...] = (
    Compared("paid_pmpm", "Paid PMPM", "$"),
    Compared("allowed_pmpm", "Allowed PMPM", "$"),
    Compared("medical_paid_pmpm", "Medical paid PMPM", "$"),
    Compared("pharmacy_paid_pmpm", "Pharmacy paid PMPM", "$"),
    Compared("admits_per_1000", "Acute admits per 1,000", "per 1,000"),
    Compared(
        "admits_excl_maternity_per_1000", "Acute admits excl. maternity per 1,000", "per 1,000"
    ),
    Compared("paid_per_admits", "Paid per admit", "$"),
    Compared("alos", "Average length of stay", "days"),
    Compared("ed_visits_per_1000", "ED visits per 1,000", "per 1,000"),
    Compared("paid_per_ed_visits", "Paid per ED visit", "$"),
    Compared(
        "office_visits_per_1000", "Office visits per 1,000", "per 1,000", higher_is_worse=False
    ),
    Compared("advanced_imaging_per_1000", "Advanced imaging per 1,000", "per 1,000"),
    Compared("outpatient_surgery_per_1000", "Outpatient surgery per 1,000", "per 1,000"),
    Compared("paid_per_outpatient_surgery", "Paid per outpatient surgery", "$"),
    Compared("scripts_per_1000", "Prescriptions per 1,000", "per 1,000"),
    Compared("generic_dispensing_rate", "Generic dispensing rate", "%", higher_is_worse=False),
    Compared("specialty_share_of_paid", "Specialty share of pharmacy paid", "%"),
    Compared("top1_share", "Allowed in the top 1 % of members", "%"),
    Compared("top5_share", "Allowed in the top 5 % of members", "%"),
    Compared("cost_share_of_allowed", "Member cost share of allowed", "%", higher_is_worse=False),
    Compared("paid_pmpm_trend", "Paid PMPM change vs prior period", "%"),
)


@dataclass(frozen=True)
class NormGap:
    """The account against one published norm."""

    label: str
    value: Decimal
    gap_pct: Decimal | None
    gap: Decimal | None
    source: str
    note: str


@dataclass(frozen=True)
class Comparison:
    """One compared metric: the account, the book, the gap in % and in dollars a year."""

    metric: str
    label: str
    unit: str
    higher_is_worse: bool
    value: Decimal | None
    book: Decimal | None
    gap_to_book: Decimal | None
    gap_to_book_pct: Decimal | None
    gap_to_book_dollars: Decimal | None
    norms: tuple[NormGap, ...]


def gap_percent(value: Decimal | None, reference: Decimal | None) -> Decimal | None:
    if value is None or reference is None or reference == 0:
        return None
    return ((value - reference) / reference * 100).quantize(Decimal("0.1"))


def comparisons(
    values: dict[str, Decimal | None],
    book: dict[str, Decimal | None],
    dollars: dict[str, Decimal | None],
    *,
    months: int,
) -> tuple[Comparison, ...]:
    """Each compared metric against the book and the published norms.

    `dollars` holds the annualised dollar effect of the gap to the book per metric (see
    `findings.dollar_gaps`). The trend norm applies to 12-month periods only."""
    rows: list[Comparison] = []
    for c in COMPARED:
        value, reference = values.get(c.metric), book.get(c.metric)
        norms = tuple(
            NormGap(
                label=n.label,
                value=n.value,
                gap_pct=gap_percent(value, n.value),
                gap=None if value is None else value - n.value,
                source=n.source,
                note=n.note,
            )
            for n in norms_for(c.metric)
            if c.metric != "paid_pmpm_trend" or months == 12
        )
        rows.append(
            Comparison(
                metric=c.metric,
                label=c.label,
                unit=c.unit,
                higher_is_worse=c.higher_is_worse,
                value=value,
                book=reference,
                gap_to_book=None if value is None or reference is None else value - reference,
                gap_to_book_pct=gap_percent(value, reference),
                gap_to_book_dollars=dollars.get(c.metric),
                norms=norms,
            )
        )
    return tuple(rows)
