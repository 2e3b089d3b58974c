"""Books generated once per test session and shared by the synth tests (no Django needed)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from clientdesk.synth.generator import BookSummary, SynthParams, generate_book

TABLES = (
    "eligibility",
    "medical_claim",
    "pharmacy_claim",
    "claim_processing",
    "call_record",
    "ivr_session",
    "inquiry_import",
    "survey_response",
    "provider",
    "ndc",
)

SMALL = SynthParams(accounts=12, members=6_000, months=12, start=date(2025, 1, 1), seed=11)
CALIBRATION = SynthParams(accounts=24, members=30_000, months=24, start=date(2024, 12, 1), seed=7)
"""30,000 members x 24 months (about 600,000 member months) is enough for stable PMPM and
utilisation rates while generating in a few seconds."""


@pytest.fixture(scope="session")
def small_book(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BookSummary]:
    """A 12-account, 6,000-member, 12-month book."""
    out = tmp_path_factory.mktemp("small_book")
    return out, generate_book(SMALL, out)


@pytest.fixture(scope="session")
def calibration_book(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BookSummary]:
    """The 24-account, 30,000-member, 24-month book used for calibration and guarantees."""
    out = tmp_path_factory.mktemp("calibration_book")
    return out, generate_book(CALIBRATION, out)


def open_book(book: Path) -> duckdb.DuckDBPyConnection:
    """DuckDB with every table of a book registered as a view (UTC session)."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    for table in TABLES:
        source = f"read_parquet('{book / table}/*.parquet')"
        con.execute(f"create view {table} as select * from {source}")  # noqa: S608 (fixed names)
    return con


@pytest.fixture(scope="session")
def small_db(small_book: tuple[Path, BookSummary]) -> duckdb.DuckDBPyConnection:
    """DuckDB over the small book."""
    return open_book(small_book[0])


@pytest.fixture(scope="session")
def calibration_db(calibration_book: tuple[Path, BookSummary]) -> duckdb.DuckDBPyConnection:
    """DuckDB over the calibration book."""
    return open_book(calibration_book[0])
