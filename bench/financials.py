"""Benchmark the financials: the P&L with IBNR of a book, and plan options re-adjudicated.

Usage: ``.venv/bin/python bench/financials.py --lines 10000000 --accounts 200``

1. Generates a synthetic book of about ``--lines`` medical claim lines over 24 months
   (bench/synth.py's sizing) into a temporary folder, then stages it as the lake holds it
   (claims and eligibility with their account id and a batch id; untimed: that is ingestion).
2. **Reference**: a bare scan of the claims in the same DuckDB process (sum of paid and a
   row count over medical and pharmacy), the floor any P&L must pay.
3. **P&L**: the app's own marts (payments by incurred and paid month, member and subscriber
   months, stop-loss claims for half the accounts, the book's pooling excess at four points)
   executed, and the run's reported basis (payments by the month their claim was received,
   the claims in process on the as-of date valued claim by claim), then the book's
   chain-ladder factors, each account's months completed with them and blended with its
   PMPM (IBNR = ultimate - cash paid), and every account-month priced with `pnl.pnl_lines`. What the
   run does beyond this (contracts and guarantee penalties from the database, storing the
   rows) is not timed here. Prints seconds per step, the total and the ratio to the scan.
4. **Plan options**: the claims of 12 months of a ``--option-members`` account (people of the
   book, taken together), read with the app's mart and re-adjudicated under 5 designs.

Prints figures only; not a test.
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

import django
import duckdb
import ibis

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clientdesk.settings")
django.setup()  # marts reads the lake's gateway types

from clientdesk.financials import marts  # noqa: E402
from clientdesk.financials.adjudication import Claims, PlanDesign, price_options  # noqa: E402
from clientdesk.financials.chain_ladder import (  # noqa: E402
    MONTH,
    blend_with_pmpm,
    chain_ladder,
    development_factors,
    lag_table_from_cells,
    period_label,
    with_paid_to_date,
)
from clientdesk.financials.pnl import MonthFigures, MonthTerms, money, pnl_lines  # noqa: E402
from clientdesk.synth.generator import SynthParams, generate_book  # noqa: E402

LINES_PER_MEMBER_MONTH = 1.08  # bench/synth.py, measured
MONTHS = 24
START = date(2024, 12, 1)
AS_OF = date(2026, 11, 30)
DESIGNS = [
    PlanDesign("Current", 1_000, 20, 4_000, 30, 250, 15),
    PlanDesign("PPO 2,000", 2_000, 20, 5_000, 35, 300, 20),
    PlanDesign("PPO 500", 500, 10, 3_000, 25, 200, 10),
    PlanDesign("HDHP 3,300", 3_300, 20, 6_600),
    PlanDesign("HDHP 5,000", 5_000, 0, 5_000),
]


def peak_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return max(own, children)


def stage(book: Path, out: Path) -> None:
    """The book as the lake holds it: account_id on every row, a batch id."""
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    eligibility = con.read_parquet(str(book / "eligibility" / "*.parquet"))
    con.register("eligibility", eligibility)
    con.execute(
        "CREATE TABLE accounts AS SELECT group_id, row_number() OVER (ORDER BY group_id) "
        "AS account_id FROM (SELECT DISTINCT group_id FROM eligibility)"
    )
    con.execute(
        "CREATE TABLE people AS SELECT DISTINCT e.person_id, a.account_id "
        "FROM eligibility e JOIN accounts a USING (group_id)"
    )
    out.mkdir(parents=True)
    con.sql(
        "SELECT e.*, a.account_id, 1 AS batch_id "
        "FROM eligibility e JOIN accounts a USING (group_id)"
    ).write_parquet(str(out / "eligibility.parquet"))
    for name in ("medical_claim", "pharmacy_claim"):
        con.register("claims", con.read_parquet(str(book / name / "*.parquet")))
        con.sql(
            "SELECT c.*, p.account_id, 1 AS batch_id FROM claims c JOIN people p USING (person_id)"
        ).write_parquet(str(out / f"{name}.parquet"))
        con.unregister("claims")
    con.register("processing", con.read_parquet(str(book / "claim_processing" / "*.parquet")))
    con.sql(
        "SELECT c.*, a.account_id, 1 AS batch_id FROM processing c JOIN accounts a USING (group_id)"
    ).write_parquet(str(out / "claim_processing.parquet"))
    con.close()


def bare_scan(folder: Path) -> tuple[float, int, float]:
    """Seconds (wall), lines, CPU seconds (every thread of this process) of a bare scan."""
    con = ibis.duckdb.connect()
    clock = time.perf_counter()
    cpu = time.process_time()
    rows = 0
    for name in ("medical_claim", "pharmacy_claim"):
        t = con.read_parquet(str(folder / f"{name}.parquet"))
        result = t.aggregate(n=t.count(), paid=t.paid_amount.sum()).execute()
        rows += int(result["n"][0])
    return time.perf_counter() - clock, rows, time.process_time() - cpu


def build_derived(folder: Path) -> dict[str, float]:
    """The app's derived tables, built once per load (as `clientdesk ingest --prepare` does):
    every payment with its incurred and paid month (line versions ordered), member months."""
    con = ibis.duckdb.connect()
    con.raw_sql("SET enable_progress_bar = false")
    medical = con.read_parquet(str(folder / "medical_claim.parquet"))
    pharmacy = con.read_parquet(str(folder / "pharmacy_claim.parquet"))
    eligibility = con.read_parquet(str(folder / "eligibility.parquet"))
    processing = con.read_parquet(str(folder / "claim_processing.parquet"))
    steps = {}
    clock = time.perf_counter()
    payments = marts.stg_payments(medical, pharmacy, None, processing=processing).order_by(
        ["account_id", "incurred_month"]
    )
    con.to_parquet(payments, folder / "fin_payments.parquet")
    steps["fin_payments"] = time.perf_counter() - clock
    clock = time.perf_counter()
    horizon = marts.horizon_of(AS_OF)
    index = horizon.year * 12 + horizon.month - 1 - 119
    exposure = marts.mart_exposure_months(
        eligibility, date(index // 12, index % 12 + 1, 1), horizon
    )
    con.to_parquet(exposure.order_by(["account_id", "month"]), folder / "fin_exposure.parquet")
    steps["fin_exposure"] = time.perf_counter() - clock
    return steps


def pnl(folder: Path) -> dict[str, float]:
    """The run over the derived tables (marts.payments and marts.exposure's filters)."""
    con = ibis.duckdb.connect()
    con.raw_sql("SET enable_progress_bar = false")
    derived = con.read_parquet(str(folder / "fin_payments.parquet"))
    months_table = con.read_parquet(str(folder / "fin_exposure.parquet"))
    processing = con.read_parquet(str(folder / "claim_processing.parquet"))
    steps: dict[str, float] = {}
    cpu = time.process_time()
    clock = time.perf_counter()
    last = AS_OF.year * 12 + AS_OF.month - 1
    first = last - MONTHS + 1
    payments = derived.filter(
        (derived.paid_day <= AS_OF)
        & (derived.incurred_month >= first)
        & (derived.incurred_month <= last)
    )
    cells = marts.mart_lag_cells(payments).execute()
    steps["lag cells"] = time.perf_counter() - clock
    clock = time.perf_counter()
    reported = marts.mart_reported_cells(payments).execute()
    steps["cells by received month"] = time.perf_counter() - clock
    clock = time.perf_counter()
    in_process = marts.mart_in_process(processing, AS_OF, first).execute()
    steps["claims in process, valued"] = time.perf_counter() - clock
    clock = time.perf_counter()
    exposure = months_table.filter(
        (months_table.month >= first) & (months_table.month <= last)
    ).execute()
    steps["member months"] = time.perf_counter() - clock
    accounts = sorted(int(a) for a in exposure["account_id"].unique())
    aso = accounts[::2]  # half the accounts self-funded with stop-loss
    clock = time.perf_counter()
    starts = ibis.memtable({"account_id": aso, "start_month": [0] * len(aso)})
    stop_loss = marts.mart_stop_loss_months(payments, starts, 100_000.0).execute()
    steps["stop-loss claims"] = time.perf_counter() - clock
    clock = time.perf_counter()
    marts.mart_pooling_excess(payments, last - 11, last, (1e5, 1.5e5, 2.5e5, 5e5)).execute()
    steps["pooling excess (4 points)"] = time.perf_counter() - clock
    clock = time.perf_counter()
    # the run's reported basis (runs.compute_run): cells by received month plus the claims in
    # process valued, developed; IBNR = ultimate - cash paid
    by_account: dict[int, dict[tuple[int, int], float]] = defaultdict(lambda: defaultdict(float))
    cash: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    book: dict[tuple[int, int], float] = defaultdict(float)
    for row in cells.itertuples(index=False):
        cash[int(row.account_id)][period_label(MONTH, int(row.incurred_month))] += float(row.paid)
    for frame, column in ((reported, "paid"), (in_process, "value")):
        for row in frame.itertuples(index=False):
            key = (int(row.incurred_month), int(row.reported_month))
            by_account[int(row.account_id)][key] += float(getattr(row, column))
            book[key] += float(getattr(row, column))
    months: dict[int, dict[int, tuple[int, int]]] = defaultdict(dict)
    for row in exposure.itertuples(index=False):
        months[int(row.account_id)][int(row.month)] = (
            int(row.member_months),
            int(row.subscriber_months),
        )
    sl: dict[tuple[int, int], float] = {
        (int(r.account_id), int(r.incurred_month)): float(r.stop_loss_claims)
        for r in stop_loss.itertuples(index=False)
    }
    factors = development_factors(lag_table_from_cells(MONTH, book, valuation=last))
    rows = 0
    for account in accounts:
        own = {period_label(MONTH, m): float(mm) for m, (mm, _) in months[account].items()}
        table = lag_table_from_cells(MONTH, by_account[account], valuation=last)
        estimate = with_paid_to_date(
            blend_with_pmpm(chain_ladder(table, factors=factors), own, immature=3), cash[account]
        )
        origins = {o.period: o for o in estimate.origins}
        terms = MonthTerms(
            funding="aso" if account in aso else "fully_insured",
            admin_fee_pepm=Decimal("45.00"),
            premium_pmpm=Decimal("600.00"),
            stop_loss_sold=account in aso,
            stop_loss_premium_pepm=Decimal("120.00"),
            vendor_pepm=Decimal("2.00"),
            premium_tax_pct=Decimal("2.5"),
            admin_pmpm=Decimal("0"),
            admin_pepm=Decimal("28.00"),
        )
        for index in range(first, last + 1):
            mm, sm = months[account].get(index, (0, 0))
            origin = origins.get(period_label(MONTH, index))
            figures = MonthFigures(
                member_months=mm,
                subscriber_months=sm,
                paid_claims=money(origin.paid if origin else 0),
                ibnr=money(origin.ibnr if origin else 0),
                stop_loss_claims=money(sl.get((account, index), 0.0)),
                penalties=Decimal(0),
            )
            pnl_lines(terms, figures)
            rows += 1
    steps["chain ladder + pricing"] = time.perf_counter() - clock
    steps["account-months"] = rows
    steps["accounts"] = len(accounts)
    steps["cpu"] = time.process_time() - cpu
    return steps


def options(folder: Path, members: int) -> dict[str, float]:
    con = ibis.duckdb.connect()
    derived = con.read_parquet(str(folder / "fin_payments.parquet"))
    last = AS_OF.year * 12 + AS_OF.month - 1
    clock = time.perf_counter()
    payments = derived.filter((derived.paid_day <= AS_OF) & (derived.incurred_month >= last - 11))
    people = payments.select("person_id").distinct().order_by("person_id").limit(members)
    chosen = payments.semi_join(people, "person_id")
    frame = marts.stg_member_claims(chosen, last - 11, last).execute()
    read = time.perf_counter() - clock
    clock = time.perf_counter()
    days = frame["service_date"].to_numpy().astype("datetime64[D]").astype("int64")
    claims = Claims.build(
        frame["person_id"].astype(str).tolist(),
        days.tolist(),
        frame["category"].astype(str).tolist(),
        frame["allowed"].astype(float).tolist(),
    )
    results = price_options(claims, DESIGNS, member_months=members * 12.0, members=members)
    adjudicate = time.perf_counter() - clock
    return {
        "claims": float(claims.allowed.size),
        "persons with claims": float(claims.persons),
        "read (s)": read,
        "re-adjudicate 5 options (s)": adjudicate,
        "current plan PMPM": results[0].plan_pmpm,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument("--option-members", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--work", help="keep the generated and staged book here and reuse it on the next run"
    )
    args = parser.parse_args(argv)
    members = math.ceil(args.lines / (LINES_PER_MEMBER_MONTH * MONTHS))
    root = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="bench-financials-"))
    try:
        clock = time.perf_counter()
        reuse = (root / "lake" / "claim_processing.parquet").exists()
        params = SynthParams(
            accounts=args.accounts, members=members, months=MONTHS, start=START, seed=args.seed
        )
        if reuse:
            print(f"reusing the staged book in {root}")
        else:
            summary = generate_book(params, root / "book", progress=False)
            print(
                f"book: {args.accounts} accounts, {members:,} members, {MONTHS} months, "
                f"{summary.rows['medical_claim']:,} medical lines, "
                f"{summary.rows['pharmacy_claim']:,} pharmacy lines "
                f"(generated in {time.perf_counter() - clock:.1f} s)"
            )
            clock = time.perf_counter()
            stage(root / "book", root / "lake")
            shutil.rmtree(root / "book")
            print(f"staged as the lake holds it in {time.perf_counter() - clock:.1f} s (not timed)")
        built = build_derived(root / "lake")
        print(
            "derived tables, built once per load: "
            + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in built.items())
        )
        scan, rows, scan_cpu = bare_scan(root / "lake")
        print(
            f"reference, bare scan of {rows:,} claim lines: {scan:.2f} s "
            f"({rows / scan:,.0f} lines/s), {scan_cpu:.2f} s CPU"
        )
        steps = pnl(root / "lake")
        cpu = steps.pop("cpu")
        total = sum(v for k, v in steps.items() if k not in ("account-months", "accounts"))
        for name, value in steps.items():
            unit = "" if name in ("account-months", "accounts") else " s"
            print(f"  P&L {name}: {value:,.2f}{unit}" if unit else f"  P&L {name}: {value:,.0f}")
        print(
            f"P&L with IBNR, {int(steps['accounts'])} accounts x {MONTHS} months: {total:.2f} s "
            f"({rows / total:,.0f} lines/s), {total / scan:.1f} x the bare scan (target <= 10 s); "
            f"CPU {cpu:.2f} s = {cpu / scan_cpu:.1f} x the scan's {scan_cpu:.2f} s CPU; "
            f"load average {os.getloadavg()[0]:.1f}"
        )
        cpu_before = time.process_time()
        opt = options(root / "lake", args.option_members)
        opt_cpu = time.process_time() - cpu_before
        print(
            f"plan options: {args.option_members:,} members, {opt['claims']:,.0f} claims of "
            f"12 months ({opt['persons with claims']:,.0f} people with claims): "
            f"read {opt['read (s)']:.2f} s, "
            f"re-adjudicated under 5 options in {opt['re-adjudicate 5 options (s)']:.2f} s "
            f"(target <= 5 s); current plan {opt['current plan PMPM']:,.2f} PMPM; read and "
            f"re-adjudication {opt_cpu:.2f} s CPU; load average {os.getloadavg()[0]:.1f}"
        )
        print(f"peak RSS {peak_mb():,.0f} MB")
    finally:
        if not args.work:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
