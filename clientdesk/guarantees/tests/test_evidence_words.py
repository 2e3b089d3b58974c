"""A result's evidence reads in words and dates: no epoch days, column names or file names."""

from __future__ import annotations

from clientdesk.guarantees.evidence import Line, component_label, evidence_lines

EVIDENCE = {
    "definition": {
        "numerator": "calls answered within the threshold",
        "denominator": "calls offered, less short abandons",
        "exclusions": "calls abandoned within 5 s",
        "dated_by": "offered_at, in the account's time zone",
        "threshold": 30,
        "short_abandon_seconds": 5,
        "line": None,
    },
    "feed": "calls",
    "level": "account",
    "scope": "account G100001",
    "measured": ["2026-07-01", "2026-09-30"],
    "fees_counted_on": ["2026-07-01", "2026-09-30"],
    "monthly_fees": "41500.00",
    "interval": "Wilson score",
    "engine": "duckdb",
    "components": {
        "abandoned": 412.0,
        "answered": 9_588.0,
        "offered": 10_000.0,
        "short_5": 37.0,
        "wait_sum": 512_345.0,
        "wait_sumsq": 9.9e7,
        "within_30": 8_120.0,
    },
    "batches": [12, 15],
    "time_zone": "America/New_York",
    "days_with_data": 92,
    "first_data_day": "2026-07-01",
    "last_data_day": "2026-09-30",
}


def test_a_lake_result_reads_line_by_line() -> None:
    lines = evidence_lines(EVIDENCE)
    assert lines == [
        Line("Counted", "calls answered within the threshold"),
        Line("Out of", "calls offered, less short abandons"),
        Line("Left out", "calls abandoned within 5 s"),
        Line("Dated by", "offered_at, in the account's time zone"),
        Line("Data", "call-center calls, account G100001"),
        Line("Measured", "Jul 1, 2026 – Sep 30, 2026"),
        Line("Days with data", "92, Jul 1, 2026 – Sep 30, 2026"),
        Line("Lake loads", "#12, #15"),
        Line("Days in", "America/New York"),
        Line("Fees at risk", "$41,500.00 a month, Jul 1, 2026 – Sep 30, 2026"),
        Line("Interval", "95 % Wilson score"),
        Line("Abandoned", "412"),
        Line("Answered", "9,588"),
        Line("Calls offered", "10,000"),
        Line("Abandoned within 5 s (not counted)", "37"),
        Line("Seconds waited (sum)", "512,345"),
        Line("Answered within 30 s", "8,120"),
    ]


def test_components_are_named_and_variance_sums_kept_for_the_record() -> None:
    assert component_label("tat_30") == "Finalized within 30 days"
    assert component_label("timely_2") == "Loaded within 2 business days"
    assert component_label("paid_sq") is None
    assert component_label("first_data_day") is None


def test_an_attested_result_shows_what_was_written() -> None:
    lines = evidence_lines({"evidence": "Fulfilment report FR-17", "mailed_on": "2026-03-02"})
    assert lines == [
        Line("Evidence", "Fulfilment report FR-17"),
        Line("Mailed on", "Mar 2, 2026"),
    ]
