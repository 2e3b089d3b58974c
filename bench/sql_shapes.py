"""What compiling Ibis expressions to SQL costs a utilization report, with and without the
process's SQL shapes (clientdesk/lake/sql_shapes.py).

    .venv/bin/python bench/sql_shapes.py                  # ~300k medical lines in a temp dir
    .venv/bin/python bench/sql_shapes.py --dir /path/data # a loaded CLIENTDESK_DATA_DIR

Builds (or reuses) a book as bench/utilization.py does and builds its derived tables. Then,
in one process, computes each account's metric set for a year (`metric_frames` narrowed to
the account, as the account's utilization page does when its report is not yet cached)
`--repeat` times in each of two ways, alternating: Ibis compiling every query (the reference)
and the shapes (a query of a shape compiled before only has its tables' names written in).
The shapes start empty, so their first report pays as the reference does. Prints per way the
median CPU seconds of a report (DuckDB's threads included), the seconds spent compiling and
the number of queries, and the ratio of the two.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))


@contextmanager
def shapes_used(on: bool, seconds: list[float]) -> Iterator[None]:
    """Compiles through the shapes (`on`) or straight through Ibis; adds each compile's wall
    seconds to `seconds`."""
    from clientdesk.lake import gateway

    shapes = gateway._SQL_SHAPES
    kept = shapes.compile

    def compile(expr: Any, by_ibis: Any, **options: Any) -> str:
        started = time.perf_counter()
        try:
            return kept(expr, by_ibis, **options) if on else by_ibis(expr)
        finally:
            seconds.append(time.perf_counter() - started)

    shapes.compile = compile  # type: ignore[method-assign]
    try:
        yield
    finally:
        del shapes.compile


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=300_000)
    parser.add_argument("--dir", type=Path, default=None, help="a loaded data dir to reuse")
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--repeat", type=int, default=5, help="reports per way and account")
    args = parser.parse_args(argv)
    temp = None
    data_dir = args.dir
    if data_dir is None:
        temp = Path(tempfile.mkdtemp(prefix="clientdesk-bench-sql-shapes-"))
        data_dir = temp
    os.environ["CLIENTDESK_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clientdesk.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from clientdesk.accounts.models import Account
    from clientdesk.lake.gateway import SystemActor, open_lake
    from clientdesk.lib.periods import parse_period
    from clientdesk.utilization.analysis import Request, drug_rows, metric_frames
    from clientdesk.utilization.marts.materialized import Inputs, prepare

    try:
        if args.dir is None:
            from utilization import build  # bench/utilization.py

            build(data_dir, args.lines)
        else:
            call_command("migrate", interactive=False, verbosity=0)
        bench = SystemActor("bench/sql_shapes.py")
        with open_lake(bench) as lake:
            prepare(lake, Inputs.for_today(timezone.localdate(), drug_rows()))
        period = parse_period(str(args.year))
        request = Request(period, period.prior(), as_of=dt.date(args.year + 1, 12, 31))
        accounts = list(Account.objects.order_by("pk"))
        print(f"accounts: {len(accounts)}; load average: {os.getloadavg()[0]:.2f}")
        cpu: dict[bool, list[float]] = {False: [], True: []}
        compiling: dict[bool, list[float]] = {False: [], True: []}
        for _ in range(args.repeat):
            for on in (False, True):
                for account in accounts:
                    seconds: list[float] = []
                    with shapes_used(on, seconds):
                        started = time.process_time()
                        metric_frames(bench, request, accounts=[account])
                        cpu[on].append(time.process_time() - started)
                    compiling[on].append(sum(seconds))
                    queries = len(seconds)
        for on, label in ((False, "Ibis compiles every query"), (True, "SQL shapes")):
            print(
                f"{label:<27} report {statistics.median(cpu[on]) * 1000:7.1f} ms CPU, "
                f"compiling {statistics.median(compiling[on]) * 1000:6.1f} ms "
                f"({queries} queries), median of {len(cpu[on])}"
            )
        ratio = statistics.median(cpu[True]) / statistics.median(cpu[False])
        print(f"report CPU with shapes / without: {ratio:.2f}")
        print(f"load average: {os.getloadavg()[0]:.2f}")
    finally:
        if temp is not None:
            shutil.rmtree(temp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
