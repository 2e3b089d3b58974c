"""Books generated once per test session and shared by the synth tests (no Django needed):
the session's shelf of generated books (`generated_books`, clientdesk/synth/testing.py), so a
book other apps' tests ask for with the same parameters is generated once."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from clientdesk.synth.generator import BookSummary, SynthParams
from clientdesk.synth.testing import BookShelf

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
def small_book(generated_books: BookShelf) -> tuple[Path, BookSummary]:
    """A 12-account, 6,000-member, 12-month book."""
    book = generated_books(SMALL)
    return book.path, book.summary


@pytest.fixture(scope="session")
def calibration_book(generated_books: BookShelf) -> tuple[Path, BookSummary]:
    """The 24-account, 30,000-member, 24-month book used for calibration and guarantees."""
    book = generated_books(CALIBRATION)
    return book.path, book.summary


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
