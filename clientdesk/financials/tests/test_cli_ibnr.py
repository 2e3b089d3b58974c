"""`clientdesk financials ibnr` and `ibnr-backtest` from the command line."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import numpy as np
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pytest
from django.core.management import CommandError, call_command

from clientdesk.financials.tests.test_chain_ladder import ROWS, ULTIMATES
from clientdesk.synth.params import SynthParams
from clientdesk.synth.testing import BookShelf


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("financials", *args, stdout=out)
    return out.getvalue()


def lags_csv(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    lines = ["incurred_period,paid_period,paid_amount", *[",".join(r) for r in rows]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_ibnr_json_has_the_totals_the_factors_and_each_period(tmp_path: Path) -> None:
    data = json.loads(
        run("ibnr", "--lags", str(lags_csv(tmp_path / "l.csv", ROWS)), "--format", "json")
    )
    assert data["paid_total"] == 677
    assert data["ultimate_total"] == round(sum(ULTIMATES), 2)
    assert data["ibnr_total"] == round(sum(ULTIMATES) - 677, 2)
    assert [f["link_ratio"] for f in data["factors"]] == [1.5, 1.13125, round(18 / 17, 6), 1.0]
    newest = data["periods"][-1]
    assert newest["incurred_period"] == "2025-04"
    assert newest["paid"] == 130
    assert newest["ultimate"] == round(ULTIMATES[3], 2)
    assert newest["ibnr"] == round(ULTIMATES[3] - 130, 2)
    assert data["average_periods"] is None and data["tail"] == 1.0


def test_ibnr_average_and_tail_options(tmp_path: Path) -> None:
    path = str(lags_csv(tmp_path / "l.csv", ROWS))
    data = json.loads(
        run("ibnr", "--lags", path, "--average", "1", "--tail", "1.05", "--format", "json")
    )
    assert data["average_periods"] == 1
    assert data["periods"][0]["ultimate"] == round(180 * 1.05, 2)


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([("2025-02", "2025-01", "5")], "before its incurred period"),
        ([("2025-01", "2025-01", "5"), ("2025-01", "2025-01", "6")], "duplicate row"),
        ([("2025-01", "2025-01", "5"), ("2025-03", "2025-03", "6")], "gap"),
        ([("2025-01", "2025-01", "n/a")], "is not a number"),
    ],
)
def test_ibnr_bad_table_is_a_clear_error(
    tmp_path: Path, rows: list[tuple[str, str, str]], message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        run("ibnr", "--lags", str(lags_csv(tmp_path / "l.csv", rows)), "--format", "json")


def test_ibnr_wrong_header(tmp_path: Path) -> None:
    path = tmp_path / "l.csv"
    path.write_text("incurred,paid,amount\n2025-01,2025-01,1\n", encoding="utf-8")
    with pytest.raises(CommandError, match="missing column"):
        run("ibnr", "--lags", str(path))


def test_backtest_against_a_generated_book(generated_books) -> None:  # type: ignore[no-untyped-def]
    book = generated_books(
        SynthParams(
            accounts=2, members=400, months=12, start=dt.date(2025, 1, 1), seed=11, runout_months=6
        )
    ).path
    data = json.loads(
        run(
            "ibnr-backtest",
            "--truth",
            str(book),
            "--as-of",
            "2025-12-31",
            "--immature",
            "0",
            "--basis",
            "paid",
            "--format",
            "json",
        )
    )
    # The truth, read independently: every row incurred by the as-of date and paid after it.
    rows = ds.dataset(book / "medical_claim", format="parquet").to_table(
        columns=["claim_start_date", "paid_date", "paid_amount"]
    )
    paid = pc.cast(rows["paid_date"], "date32").to_numpy(zero_copy_only=False)
    amount = pc.cast(rows["paid_amount"], "float64").to_numpy(zero_copy_only=False)
    later = paid > np.datetime64("2025-12-31")
    assert data["true_ibnr"] == pytest.approx(float(amount[later].sum()), abs=0.01)
    assert data["runout_months_after_as_of"] == 6
    expected = (data["estimated_ibnr"] - data["true_ibnr"]) / data["true_ibnr"] * 100
    assert data["total_error_pct"] == pytest.approx(expected, abs=0.001)
    assert len(data["by_month"]) == 12
    assert sum(m["true_ibnr"] for m in data["by_month"]) == pytest.approx(
        data["true_ibnr"], abs=0.1
    )
    assert {
        "incurred_period",
        "estimated_ibnr",
        "true_ibnr",
        "ibnr_error_pct",
        "ultimate_error_pct",
    } <= set(data["by_month"][0])
    assert data["basis"] == "paid" and data["estimated_inventory"] is None
    # The reported basis: the same truth; the claims adjudicated by the as-of date and paid
    # after it (read independently from claim_processing) are reserved at their amounts.
    reported = json.loads(
        run("ibnr-backtest", "--truth", str(book), "--as-of", "2025-12-31", "--basis",
            "reported", "--immature", "0", "--format", "json")
    )  # fmt: skip
    assert reported["true_ibnr"] == data["true_ibnr"]
    processing = ds.dataset(book / "claim_processing", format="parquet").to_table(
        columns=["finalized_date", "paid_date", "paid_amount"]
    )
    day = np.datetime64("2025-12-31")
    finalized = pc.cast(processing["finalized_date"], "date32").to_numpy(zero_copy_only=False)
    paid_on = pc.cast(processing["paid_date"], "date32").to_numpy(zero_copy_only=False)
    waiting = (finalized <= day) & (paid_on > day)
    claims = pc.cast(processing["paid_amount"], "float64").to_numpy(zero_copy_only=False)
    parts = reported["estimated_inventory"]
    assert parts["finalized_unpaid"] == pytest.approx(float(claims[waiting].sum()), abs=0.05)
    assert sum(parts.values()) == pytest.approx(reported["estimated_ibnr"], abs=0.05)
    assert reported["method"].startswith("reported claims")
    # The range stated with the estimate: the claims in process known, and whether it held.
    shown = reported["range"]
    assert shown["known"] == pytest.approx(
        parts["finalized_unpaid"] + parts["pended_valued"], abs=0.05
    )
    assert shown["low"] < reported["estimated_ibnr"] < shown["high"]
    assert reported["truth_within_range"] == (
        shown["low"] <= reported["true_ibnr"] <= shown["high"]
    )
    text = run("ibnr-backtest", "--truth", str(book), "--as-of", "2025-12-31", "--immature", "0")
    held = "holds" if reported["truth_within_range"] else "does not hold"
    assert f"90 % range {shown['low']:,.2f} to {shown['high']:,.2f}" in text
    assert f"it {held} the truth" in text
    with pytest.raises(CommandError, match="paid basis only"):
        run("ibnr-backtest", "--truth", str(book), "--as-of", "2025-12-31", "--basis",
            "reported", "--average", "3")  # fmt: skip


def test_backtest_needs_a_book(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="generated book"):
        run("ibnr-backtest", "--truth", str(tmp_path), "--as-of", "2025-12-31")


def test_backtest_refuses_a_book_with_no_payments_after_the_as_of_date(
    generated_books: BookShelf,
) -> None:
    """A book cut at its window end (run-out 0, as `make demo` builds it) has no truth at its
    own end: the backtest says so instead of printing an error against a truth of zero."""
    book = generated_books(
        SynthParams(accounts=2, members=400, months=12, start=dt.date(2025, 1, 1), seed=11)
    ).path
    with pytest.raises(CommandError, match=r"not after 2025-12-31: it holds no claims paid"):
        run("ibnr-backtest", "--truth", str(book), "--as-of", "2025-12-31")
    # An earlier date of the same book has a truth (what was paid by the window end).
    data = json.loads(
        run("ibnr-backtest", "--truth", str(book), "--as-of", "2025-09-30", "--format", "json")
    )
    assert data["runout_months_after_as_of"] == 3 and data["true_ibnr"] > 0
