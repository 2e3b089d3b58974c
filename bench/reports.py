"""Report speed: one account's deck + workbook + PDF, and the portfolio report of 200 accounts.

    flock /tmp/clientdesk-bench.lock .venv/bin/python bench/reports.py
    .venv/bin/python bench/reports.py --accounts 200 --members 40000   # the defaults
    .venv/bin/python bench/reports.py --dir /path/data                 # reuse a loaded data dir

Builds (or reuses) a synthetic book with `generate_book` (24 months from Dec 2024), loads it
through ingestion into a temporary data dir, then times in one process:

1. the reference: a bare scan of the medical claim table (count and sum of paid), which every
   other figure is also given as a ratio of, so runs on a busier machine compare;
2. warm-up: the ICD-10-CM code list, WeasyPrint's import and one Vega chart, once per
   process, as a server or worker has them (printed, not counted in the targets);
3. one account's stewardship report for a quarter (the largest account): gather, then the
   deck, the workbook and the PDF — best of `--repeat`;
4. the portfolio report of every account for the same quarter, in the three formats.

Prints seconds, the ratio to the bare scan and the process's peak RSS after each step, and the
load average. Targets (issue 8, this 2-core machine): one account <= 10 s, portfolio <= 60 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PERIOD = "2026Q2"
TODAY = dt.date(2026, 12, 31)


def build(data_dir: Path, accounts: int, members: int) -> None:
    """Generate a 24-month book of `accounts` sponsors and load it into data_dir."""
    from django.core.management import call_command

    from clientdesk.accounts.models import US_TIMEZONES
    from clientdesk.demo.loading import load_book
    from clientdesk.synth.generator import SynthParams, generate_book
    from clientdesk.utilization.actions import do_load_drug_reference

    call_command("migrate", interactive=False, verbosity=0)
    params = SynthParams(
        accounts=accounts,
        members=members,
        months=24,
        start=dt.date(2024, 12, 1),
        seed=8,
        workers=2,
    )
    out = data_dir / "book"
    started = time.perf_counter()
    generate_book(params, out)
    print(
        f"generated {accounts} accounts, {members:,} members in "
        f"{time.perf_counter() - started:.0f} s",
        flush=True,
    )
    book = json.loads((out / "book.json").read_text())
    for sponsor in book["sponsors"]:  # as bench/utilization.py: zones the book accepts
        if sponsor.get("timezone") not in US_TIMEZONES:
            sponsor["timezone"] = "America/New_York"
    (out / "book.json").write_text(json.dumps(book))
    started = time.perf_counter()
    load_book(out)
    do_load_drug_reference(out / "ndc", acting_user=None)
    print(f"loaded through ingestion in {time.perf_counter() - started:.0f} s", flush=True)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(label: str, seconds: float, bare: float | None, extra: str = "") -> None:
    ratio = f"{seconds / bare:8.1f}x the bare scan" if bare else " " * 23
    print(
        f"{label:<44}{seconds:8.2f} s {ratio}  peak RSS {peak_rss_mb():,.0f} MB{extra}", flush=True
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument("--members", type=int, default=40_000)
    parser.add_argument("--dir", type=Path, default=None, help="a loaded data dir to reuse")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data dir")
    parser.add_argument("--repeat", type=int, default=2, help="one-account runs (best of)")
    args = parser.parse_args(argv)
    temp = None
    data_dir = args.dir
    if data_dir is None:
        temp = Path(tempfile.mkdtemp(prefix="clientdesk-bench-reports-"))
        data_dir = temp
    os.environ["CLIENTDESK_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clientdesk.settings")
    import django

    django.setup()
    from clientdesk.accounts.models import Account
    from clientdesk.lake.gateway import SystemActor, open_lake
    from clientdesk.lib.periods import parse_period
    from clientdesk.reports.documents import Chart
    from clientdesk.reports.images import chart_png
    from clientdesk.reports.portfolio import gather_portfolio
    from clientdesk.reports.runs import SystemPrincipal, render_formats
    from clientdesk.reports.stewardship import gather_stewardship
    from clientdesk.utilization.reference import category_label

    reader = SystemPrincipal()
    try:
        if args.dir is None:
            build(data_dir, args.accounts, args.members)
        else:
            from django.core.management import call_command

            call_command("migrate", interactive=False, verbosity=0)
        print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
        with open_lake(SystemActor("bench/reports.py")) as lake:
            claims = lake.medical_claim
            started = time.perf_counter()
            scan = lake.execute(claims.aggregate(n=claims.count(), paid=claims.paid_amount.sum()))
            bare = time.perf_counter() - started
        lines = int(scan["n"][0])
        print(f"medical lines: {lines:,}; accounts: {Account.objects.count()}")
        timed("reference: bare scan (count, sum paid)", bare, None)

        started = time.perf_counter()
        category_label("E11")
        import weasyprint  # noqa: F401  (its import loads pango and fonts: once per process)

        warm = {
            "mark": "bar",
            "data": {"values": [{"a": 1}]},
            "encoding": {"x": {"field": "a", "type": "quantitative"}},
        }
        chart_png(Chart("warm", "warm", warm))
        timed("warm-up (ICD list, WeasyPrint, Vega)", time.perf_counter() - started, bare)

        period = parse_period(PERIOD)
        sizes = {a.pk: a for a in Account.objects.all()}
        # The largest account by members on file: the heaviest stewardship report.
        account = max(sizes.values(), key=lambda a: (a.members, a.pk))
        runs = []
        for _ in range(max(1, args.repeat)):
            started = time.perf_counter()
            doc = gather_stewardship(account, period, user=reader, today=TODAY)  # type: ignore[arg-type]
            gathered = time.perf_counter() - started
            files = render_formats(doc, ["pptx", "xlsx", "pdf"])
            runs.append((time.perf_counter() - started, gathered))
        one, gathered = min(runs)
        sizes_text = ", ".join(f"{k} {len(v) / 1024:,.0f} KB" for k, v in files.items())
        timed(
            f"one account ({account.group_number}, {PERIOD}), 3 formats",
            one,
            bare,
            f"\n  gather {gathered:.2f} s, render {one - gathered:.2f} s; {sizes_text}; "
            f"runs {', '.join(f'{r:.2f}' for r, _ in runs)} s",
        )

        started = time.perf_counter()
        doc = gather_portfolio(period, user=reader, today=TODAY)  # type: ignore[arg-type]
        gathered = time.perf_counter() - started
        files = render_formats(doc, ["pptx", "xlsx", "pdf"])
        portfolio = time.perf_counter() - started
        sizes_text = ", ".join(f"{k} {len(v) / 1024:,.0f} KB" for k, v in files.items())
        detail = f"\n  gather {gathered:.2f} s, render {portfolio - gathered:.2f} s; {sizes_text}"
        timed(f"portfolio ({Account.objects.count()} accounts), 3 formats", portfolio, bare, detail)

        print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print(
            f"targets: one account <= 10 s ({'met' if one <= 10 else 'missed'}), "
            f"portfolio <= 60 s ({'met' if portfolio <= 60 else 'missed'})"
        )
    finally:
        if temp is not None and not args.keep:
            shutil.rmtree(temp, ignore_errors=True)
        elif temp is not None:
            print(f"kept {temp}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
