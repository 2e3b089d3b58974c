"""The test suite's time against the machine's speed: `make test` must stay under 6 minutes.

The 2-core machines this project is tested on differ in speed from one to the next (the same
commit's `make test` took 4 min 17 s on one and 6 min 13 s on another), so a wall time alone
cannot say whether the suite grew or the machine is slower. This runs a make target (`suite`
by default: the whole pytest run as `make test` runs it; `test` for lint, type check and suite)
between two timings of a fixed single-core workload, and prints the ratio of the two. A change
to the suite moves the ratio; a slower machine moves both.

    .venv/bin/python bench/suite.py [--target suite|test] [--budget 360]

It prints the wall and CPU seconds of the target (every process it ran, from the kernel's
accounting), the reference workload's median seconds, their ratio, and the slowest reference a
machine may have for the target to fit the budget at this ratio.
"""

from __future__ import annotations

import argparse
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def reference_seconds(repeats: int = 3) -> float:
    """Median of `repeats` runs of a fixed pure-Python loop (the suite is mostly Python), each
    about half a second on the machines here (shorter ones varied by 15 % from run to run)."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        total = 0
        for i in range(15_000_000):
            total += (i * 7) % 13
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", choices=["suite", "test"], default="suite")
    parser.add_argument("--budget", type=float, default=360.0, help="seconds (6 min)")
    args = parser.parse_args()

    before = reference_seconds()
    started = time.perf_counter()
    make = shutil.which("make") or "make"
    run = subprocess.run(  # noqa: S603  (make, our own targets)
        [make, "--no-print-directory", args.target],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - started
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    after = reference_seconds()
    reference = (before + after) / 2

    summary = re.findall(r"^=*\s*(\d+ passed.*?) in [\d.]+s", run.stdout, flags=re.M)
    print(f"make {args.target}: exit {run.returncode}, {summary[-1] if summary else 'no summary'}")
    print(f"  wall {wall:.1f} s, CPU {used.ru_utime + used.ru_stime:.1f} s (user + system)")
    print(f"reference workload: {reference:.2f} s (before {before:.2f}, after {after:.2f})")
    ratio = wall / reference
    print(f"wall / reference = {ratio:.0f}")
    print(
        f"at this ratio the target fits {args.budget:.0f} s on a machine whose reference "
        f"takes under {args.budget / ratio:.2f} s ({args.budget / wall:.2f}x this machine's)"
    )
    if run.returncode:
        sys.stderr.write(run.stdout[-3000:] + run.stderr[-3000:])
        sys.exit(run.returncode)


if __name__ == "__main__":
    main()
