"""Benchmark the synthetic book generator against a plain pyarrow write.

Usage: ``.venv/bin/python bench/synth.py --lines 10000000``

Sizes the book so it has about ``--lines`` medical claim lines (the generator makes about
1.1 medical lines per generated member and window month: 15.8 lines per enrolled
member-year at about 86 % average enrollment), generates it with its eligibility, pharmacy
and operational feeds into a temporary folder, then times pyarrow writing the same number of
rows of random numbers (10 float64 columns, 1M-row parts, same compression) in the same
process as a reference. Prints medical lines, seconds, lines/s, CPU seconds, peak RSS and the
ratio to the reference. Needs no Django.
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
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from clientdesk.synth.generator import SynthParams, generate_book

LINES_PER_MEMBER_MONTH = 1.08
"""Medical lines per generated member per window month (measured: seed 7, 24 months)."""


def reference_write(rows: int, folder: Path, seed: int) -> float:
    """Seconds for pyarrow to write ``rows`` rows of 10 random float64 columns."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    part = 0
    done = 0
    while done < rows:
        n = min(1_000_000, rows - done)
        table = pa.table({f"x{k}": rng.random(n) for k in range(10)})
        pq.write_table(
            table, folder / f"part-{part:05d}.parquet", compression="zstd", compression_level=1
        )
        done += n
        part += 1
    return time.perf_counter() - started


def cpu_seconds() -> float:
    """User + system CPU seconds of this process and its finished children (workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def peak_rss_mib() -> tuple[float, float]:
    """Peak resident set size (MiB) of this process and of its largest child."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--accounts", type=int, default=0, help="0 = one per 6,000 members")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=None, help="keep the book here")
    args = parser.parse_args(argv)
    members = math.ceil(args.lines / (LINES_PER_MEMBER_MONTH * args.months))
    accounts = args.accounts or max(2, min(2000, members // 6000))
    params = SynthParams(
        accounts=accounts,
        members=members,
        months=args.months,
        start=date(2024, 12, 1),
        seed=args.seed,
        workers=args.workers,
    )
    scratch = Path(tempfile.mkdtemp(prefix="synth-bench-"))
    out = args.out or scratch / "book"
    try:
        print(
            f"book: {accounts} accounts, {members:,} members, {args.months} months, "
            f"seed {args.seed}, {args.workers} workers, cpus {os.cpu_count()}"
        )
        cpu_before = cpu_seconds()
        summary = generate_book(params, out, progress=sys.stdout.isatty())
        cpu = cpu_seconds() - cpu_before
        lines = summary.rows.get("medical_claim", 0)
        own, children = peak_rss_mib()
        print(f"medical lines      {lines:,}")
        for table, count in summary.rows.items():
            print(f"  {table:<18} {count:>12,}")
        print(f"seconds            {summary.seconds:.1f}")
        print(f"lines/s            {lines / summary.seconds:,.0f}")
        print(f"cpu seconds        {cpu:.1f} (parent + workers; wall x cores when idle)")
        print(f"load average       {os.getloadavg()[0]:.1f} (other work on the machine)")
        print(f"peak RSS           parent {own:,.0f} MiB, largest worker {children:,.0f} MiB")
        ref = reference_write(lines, scratch / "reference", args.seed)
        print(f"reference          pyarrow wrote {lines:,} rows x 10 float64 in {ref:.1f} s")
        print(f"ratio              {summary.seconds / ref:.1f}x the reference")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
