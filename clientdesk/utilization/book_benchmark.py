"""The book an account is compared with: figures of the whole book as suppressed cells.

An associate's utilization page compares their account with the book of business, which is
mostly other people's accounts. So the book's figures are never read in the associate's name
as rows: `analysis.book_benchmark` asks the gateway for an **aggregate read**
(`open_aggregates(...).aggregate_with(benchmark_aggregates_of(...))`), which computes the book's
report inside the gateway and hands back only these cells, each a figure and the number of
distinct members it is over. A cell of 1 to 10 members is suppressed (`lib.small_cells`: the
value and the count are withheld, shown as "—", never rounded); 11 or more is exact.

The members behind each figure:
- population figures (paid, allowed, medical and pharmacy PMPM, PMPM by service category,
  member cost share, the top 1 % / 5 % shares, the PMPM trend): the book's members in the
  period;
- figures over events (per 1,000 and cost per event of each measure; ALOS over admits; the
  generic dispensing rate and specialty share over fills): the book's members, capped at the
  number of events (a member behind an event is counted by it, so a measure with 1 to 10
  events is suppressed however large the book);
- a chronic condition's prevalence: the members who have it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from clientdesk.lib.small_cells import Aggregate, Cell, suppress_all
from clientdesk.utilization.report import UtilizationReport, metric_values

LEAF_PMPM = "leaf_paid_pmpm_"  # + service leaf: the book's paid PMPM in one category
POPULATION = (
    "paid_pmpm",
    "allowed_pmpm",
    "medical_paid_pmpm",
    "pharmacy_paid_pmpm",
    "top1_share",
    "top5_share",
    "cost_share_of_allowed",
    "paid_pmpm_trend",
)
PHARMACY_FILLS = ("generic_dispensing_rate", "specialty_share_of_paid")


@dataclass(frozen=True)
class BookBenchmark:
    """The book's figures by metric key (as `report.metric_values` names them, plus
    `leaf_paid_pmpm_<leaf>`), each a suppressed cell."""

    cells: Mapping[str, Cell]

    def value(self, key: str) -> Decimal | None:
        """The figure, or None when it is suppressed or the book has none."""
        cell = self.cells.get(key)
        if cell is None or cell.value is None:
            return None
        return Decimal(cell.value)

    def values(self) -> dict[str, Decimal | None]:
        return {key: self.value(key) for key in self.cells}

    def leaf_pmpm(self, leaf: str) -> Decimal | None:
        return self.value(LEAF_PMPM + leaf)

    @property
    def suppressed(self) -> tuple[str, ...]:
        """The keys withheld because fewer than 11 members are behind them."""
        return tuple(sorted(key for key, cell in self.cells.items() if cell.suppressed))


def benchmark_aggregates(book: UtilizationReport) -> dict[str, Aggregate]:
    """Each benchmark figure of a book report with the distinct members it is over (see the
    module's docstring); no member-level row of the report comes out."""
    members = book.member_months.members
    fills = book.pharmacy.fills
    events = {row.key: row.events for row in book.utilization}
    prevalence = {f"prevalence_{c.key}": c.members for c in book.conditions.chronic}
    out: dict[str, Aggregate] = {}
    for key, value in metric_values(book).items():
        if key in POPULATION:
            behind = members
        elif key in PHARMACY_FILLS:
            behind = min(members, fills)
        elif key == "alos":
            behind = min(members, events.get("admits", 0))
        elif key in prevalence:
            behind = prevalence[key]
        else:  # <measure>_per_1000 and paid_per_<measure>
            measure = key.removeprefix("paid_per_").removesuffix("_per_1000")
            behind = min(members, events.get(measure, 0))
        out[key] = Aggregate(value if behind else None, behind)
    for category in book.paid_pmpm.by_service_category:
        out[LEAF_PMPM + category.leaf] = Aggregate(category.pmpm if members else None, members)
    return out


def benchmark_of(book: UtilizationReport) -> BookBenchmark:
    """The benchmark cells of a book report the reader may already see in full (the book
    page of a manager): the same suppression as the aggregate read, so an account compares
    with the same book figures whoever asks."""
    return BookBenchmark(suppress_all(benchmark_aggregates(book)))


__all__ = ["LEAF_PMPM", "BookBenchmark", "benchmark_aggregates", "benchmark_of"]
