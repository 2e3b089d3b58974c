"""Findings are written in the house format: percent with its narrow space, money with its
sign and cents, an article that agrees with its noun."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from clientdesk.lib.formatting import THIN
from clientdesk.utilization.benchmarks import Comparison
from clientdesk.utilization.findings import Evidence, _a, generics, length_of_stay, written


def _comparison(metric: str, label: str, unit: str, value: str, book: str) -> Comparison:
    return Comparison(
        metric=metric,
        label=label,
        unit=unit,
        higher_is_worse=False,
        value=Decimal(value),
        book=Decimal(book),
        gap_to_book=Decimal(value) - Decimal(book),
        gap_to_book_pct=None,
        gap_to_book_dollars=None,
        norms=(),
    )


def test_figures_are_written_for_their_unit() -> None:
    assert written(Decimal("27385.96"), "$") == "$27,385.96"
    assert written(Decimal("12"), "%") == f"12.0{THIN}%"
    assert written(Decimal("212.34"), "per 1,000") == "212.3"
    assert written(Decimal("4.25"), "days") == "4.3 days"
    assert written(None, "$") == "—"
    evidence = Evidence(
        "paid_per_admits", "Paid per admit", Decimal("27385.96"), None, None, None, "$"
    )
    assert evidence.value_text == "$27,385.96" and evidence.book_text == "—"


def test_an_article_agrees_with_its_noun() -> None:
    assert _a("obesity") == "an obesity"
    assert _a("diabetes") == "a diabetes"


def test_the_generics_finding_reads_in_the_house_format() -> None:
    gdr = _comparison("generic_dispensing_rate", "Generic dispensing rate", "%", "70", "80")
    pharmacy = _comparison("pharmacy_paid_pmpm", "Pharmacy paid PMPM", "$", "101.5", "90")
    nothing: Any = None
    finding = generics(nothing, nothing, [gdr, pharmacy])
    assert finding is not None
    assert finding.title.startswith(f"Generic dispensing rate 70.0{THIN}% of 30-day fills")
    assert finding.title.endswith(f"nationally and 80.0{THIN}% across the book")
    assert [e.value_text for e in finding.evidence] == [f"70.0{THIN}%", "$101.50"]


def test_a_gap_between_two_shares_is_in_points() -> None:
    """The demo's evidence read "Paid PMPM change vs prior period 17.9 % (book 19.3 %,
    -7.3 %)": the account's change is 1.4 points under the book's, which the benchmark table
    beside it said; a figure that is not a share keeps its gap in percent of the book's."""
    change = Evidence(
        "paid_pmpm_change",
        "Paid PMPM change",
        Decimal("17.9"),
        Decimal("19.3"),
        Decimal("-7.25"),
        None,
        "%",
    )
    assert change.gap_text == f"−1.4{THIN}pp"
    paid = Evidence(
        "paid_pmpm",
        "Paid PMPM",
        Decimal("560.77"),
        Decimal("555.20"),
        Decimal("1.00"),
        Decimal("5.57"),
        "$",
    )
    assert paid.gap_text == f"+1.0{THIN}%"
    alone = Evidence("paid_pmpm", "Paid PMPM", Decimal("560.77"), None, None, None, "$")
    assert alone.gap_text == ""


def test_the_length_of_stay_finding_writes_both_stays_alike() -> None:
    """The stewardship summary read "Hospital stays last 4.02 days on average, 12.0 % longer
    than the book (3.6)": both stays are now written to a tenth of a day."""

    class Admits:
        events = 12

    class OneReport:
        def measure(self, key: str) -> Admits:
            return Admits()

    alos = Comparison(
        metric="alos",
        label="Average length of stay",
        unit="days",
        higher_is_worse=True,
        value=Decimal("4.02"),
        book=Decimal("3.59"),
        gap_to_book=Decimal("0.43"),
        gap_to_book_pct=Decimal("12.0"),
        gap_to_book_dollars=Decimal("523507"),
        norms=(),
    )
    nothing: Any = None
    report: Any = OneReport()
    finding = length_of_stay(report, nothing, [alos])
    assert finding is not None
    assert finding.title == (
        f"Hospital stays last 4.0 days on average, 12.0{THIN}% longer than the book (3.6)"
    )
    assert finding.detail == "The extra days cost about $523,507 a year."
