"""Growth speed: suggestions for 2,000 accounts, library search over 20,000 answers, and a
300-question questionnaire imported with suggestions for every question.

    .venv/bin/python bench/growth.py                         # the three figures, SQLite
    DATABASE_URL=postgres://... .venv/bin/python bench/growth.py --skip-suggestions
    .venv/bin/python bench/growth.py --members 200000        # a bigger lake

Targets (issue 18): suggestions evaluated for 2,000 accounts <= 10 s; library search p95
<= 100 ms on both databases; 300-question XLSX import with suggestions <= 5 s. The machine
is shared, so the run also times a fixed reference workload in the same process and prints
each figure's ratio to it (the ratio hardly depends on how busy the machine is).

"Suggestions" is what `clientdesk growth suggest` does: the lake read through the gateway
(condition members, member months, ED visits, paid, specialty share: one query each over every
account), inquiry figures, the rules, and storing what is new with its audit rows. The lake
(eligibility, medical and pharmacy claims for 2025) is generated with numpy/pyarrow straight
into Parquet and registered as committed batches; ingestion's validation is skipped
(bench/ingest.py measures ingestion).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import resource
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ACCOUNTS = 2_000
ANSWERS = 20_000
QUESTIONS = 300
SEARCHES = 200
WORDS = [
    "claims",
    "eligibility",
    "pharmacy",
    "network",
    "stewardship",
    "reporting",
    "implementation",
    "guarantee",
    "diabetes",
    "specialty",
    "nurse",
    "counselling",
    "security",
    "audit",
    "premium",
    "stop-loss",
    "enrollment",
    "billing",
    "invoice",
    "dental",
    "vision",
    "wellness",
    "coaching",
    "member",
    "portal",
    "appeals",
    "grievances",
    "formulary",
    "rebate",
    "mail",
    "retail",
    "provider",
    "directory",
    "credentialing",
    "utilization",
    "review",
    "prior",
    "authorization",
    "care",
    "management",
    "behavioral",
    "telehealth",
    "data",
    "file",
    "vendor",
]


def reference_seconds() -> float:
    """A fixed workload (DuckDB aggregation over 10 M rows, then Python object work)."""
    import json

    import duckdb

    started = time.perf_counter()
    con = duckdb.connect()
    con.sql(
        "SELECT i % 2000 AS a, count(*), sum(i % 97) FROM range(10000000) t(i) GROUP BY ALL"
    ).fetchall()
    con.close()
    rows = [json.dumps({"i": i, "v": str(Decimal(i) / 7)}) for i in range(50_000)]
    assert rows
    return time.perf_counter() - started


def _write(table: str, lake_dir: Path, batch: int, columns: dict[str, object], n: int) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from clientdesk.lake.schemas import get_table

    schema = get_table(table).arrow_schema()
    arrays = []
    defaults = {
        "data_source": "bench",
        "payer": "Keystone",
        "claim_type": "professional",
        "batch_id": batch,
    }
    for f in schema:
        value = columns.get(f.name)
        if value is None and f.name in defaults:
            value = pa.array([defaults[f.name]] * n)
        if value is None:
            arrays.append(pa.nulls(n, f.type))
        else:
            assert isinstance(value, pa.Array)
            arrays.append(value.cast(f.type) if value.type != f.type else value)
    folder = lake_dir / table / f"batch={batch}"
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_arrays(arrays, schema=schema), folder / "part-00000.parquet")


def build_lake(lake_dir: Path, accounts: list[tuple[int, str]], members: int) -> dict[str, int]:
    """Eligibility for 2025 (two people per subscriber), 4 medical lines and 3 fills per
    member, diagnoses drawn so prevalence varies between accounts."""
    import numpy as np
    import pyarrow as pa
    from django.utils import timezone

    from clientdesk.lake.models import BatchStatus, IngestBatch

    rng = np.random.default_rng(18)
    ids = np.array([a for a, _ in accounts])
    groups = np.array([g for _, g in accounts])
    who = rng.integers(0, len(accounts), members)
    person = np.array([f"P{i:08d}" for i in range(members)])
    subscriber = np.array([f"M{(i - i % 2):08d}" for i in range(members)])
    day = (dt.date(2025, 1, 1) - dt.date(1970, 1, 1)).days
    counts: dict[str, int] = {}

    def batch(table: str, n: int) -> int:
        row = IngestBatch.objects.create(
            table=table,
            source_name=f"bench-{table}",
            source_format="parquet",
            checksum=f"bench-growth-{table}",
            status=BatchStatus.COMMITTED,
            rows_read=n,
            rows_loaded=n,
            started_at=timezone.now(),
            finished_at=timezone.now(),
        )
        counts[table] = n
        return int(row.pk)

    # a member's account is their subscriber's
    who[1::2] = who[0::2][: len(who[1::2])]
    _write(
        "eligibility",
        lake_dir,
        batch("eligibility", members),
        {
            "person_id": pa.array(person),
            "member_id": pa.array(person),
            "subscriber_id": pa.array(subscriber),
            "enrollment_start_date": pa.array(np.full(members, day, dtype=np.int32), pa.date32()),
            "enrollment_end_date": pa.array(
                np.full(members, day + 364, dtype=np.int32), pa.date32()
            ),
            "payer": pa.array(np.full(members, "Keystone")),
            "group_id": pa.array(groups[who]),
            "account_id": pa.array(ids[who], pa.int64()),
        },
        members,
    )
    lines = members * 4
    line_member = rng.integers(0, members, lines)
    account_bias = rng.uniform(0.5, 1.5, len(accounts))[who[line_member]]
    dx_pick = rng.random(lines) * account_bias
    dx = np.where(
        dx_pick < 0.06,
        "E119",
        np.where(dx_pick < 0.12, "F329", np.where(dx_pick < 0.14, "I509", "Z0000")),
    )
    pos = np.where(rng.random(lines) < 0.05, "23", "11")
    _write(
        "medical_claim",
        lake_dir,
        batch("medical_claim", lines),
        {
            "claim_id": pa.array(np.array([f"C{i}" for i in range(lines)])),
            "claim_line_number": pa.array(np.ones(lines, dtype=np.int32)),
            "person_id": pa.array(person[line_member]),
            "member_id": pa.array(person[line_member]),
            "claim_start_date": pa.array(
                (day + rng.integers(0, 365, lines)).astype(np.int32), pa.date32()
            ),
            "place_of_service_code": pa.array(pos),
            "diagnosis_code_1": pa.array(dx),
            "paid_amount": pa.array(rng.integers(2_000, 50_000, lines) / 100.0).cast(
                pa.decimal128(18, 2)
            ),
            "group_id": pa.array(groups[who[line_member]]),
            "account_id": pa.array(ids[who[line_member]], pa.int64()),
        },
        lines,
    )
    fills = members * 3
    fill_member = rng.integers(0, members, fills)
    _write(
        "pharmacy_claim",
        lake_dir,
        batch("pharmacy_claim", fills),
        {
            "claim_id": pa.array(np.array([f"R{i}" for i in range(fills)])),
            "claim_line_number": pa.array(np.ones(fills, dtype=np.int32)),
            "person_id": pa.array(person[fill_member]),
            "member_id": pa.array(person[fill_member]),
            "dispensing_date": pa.array(
                (day + rng.integers(0, 365, fills)).astype(np.int32), pa.date32()
            ),
            "ndc_code": pa.array(np.where(rng.random(fills) < 0.02, "00000000033", "00000000011")),
            "paid_amount": pa.array(rng.integers(500, 90_000, fills) / 100.0).cast(
                pa.decimal128(18, 2)
            ),
            "group_id": pa.array(groups[who[fill_member]]),
            "account_id": pa.array(ids[who[fill_member]], pa.int64()),
        },
        fills,
    )
    return counts


def _sentence(rng, n: int) -> str:  # type: ignore[no-untyped-def]
    return " ".join(WORDS[i] for i in rng.integers(0, len(WORDS), n))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--skip-suggestions", action="store_true")
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        os.environ["CLIENTDESK_DATA_DIR"] = tempfile.mkdtemp(prefix="growth-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clientdesk.settings")
    import django

    django.setup()
    import numpy as np
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone
    from openpyxl import Workbook

    from clientdesk.accounts.models import Account
    from clientdesk.growth.actions import do_store_suggestions
    from clientdesk.growth.library import search_ids
    from clientdesk.growth.models import LibraryAnswer
    from clientdesk.growth.rfps import import_rfp
    from clientdesk.growth.runs import find_suggestions
    from clientdesk.lake.gateway import SystemActor
    from clientdesk.lib.periods import parse_period

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}")
    user, _ = User.objects.get_or_create(username="bench-growth")
    reference = reference_seconds()
    print(f"reference workload: {reference:.2f} s")
    rng = np.random.default_rng(18)

    if not args.skip_suggestions:
        began = time.perf_counter()
        Account.objects.bulk_create(
            Account(
                name=f"Bench sponsor {i}",
                group_number=f"GB{i:06d}",
                segment="commercial",
                funding="aso",
                employees=50,
                members=100,
                state="OH",
                region="Midwest",
                effective_date=dt.date(2020, 1, 1),
                renewal_date=dt.date(2027, 1, 1),
            )
            for i in range(ACCOUNTS)
        )
        accounts = list(Account.objects.filter(group_number__startswith="GB").order_by("pk"))
        rows = build_lake(
            Path(settings.LAKE_DIR), [(a.pk, a.group_number) for a in accounts], args.members
        )
        print(f"lake: {rows} written in {time.perf_counter() - began:.1f} s")
        t0 = time.perf_counter()
        figures, findings = find_suggestions(
            SystemActor("bench growth"), accounts, parse_period("2025"), timezone.now()
        )
        found_in = time.perf_counter() - t0
        stored = do_store_suggestions(findings, now=timezone.now(), acting_user=None)
        seconds = time.perf_counter() - t0
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"suggestions: {len(accounts):,} accounts, {len(figures.measures):,} with figures, "
            f"{len(findings):,} found in {found_in:.2f} s, {stored['new']:,} stored; "
            f"{seconds:.2f} s in all "
            f"({len(accounts) / seconds:,.0f} accounts/s; target <= 10 s); "
            f"ratio to reference {seconds / reference:.2f}; peak RSS {peak:,.0f} MB"
        )

    began = time.perf_counter()
    now = timezone.now()
    today = timezone.localdate()
    answers = [
        LibraryAnswer(
            question=_sentence(rng, 10) + "?",
            answer=_sentence(rng, 60),
            owner=user,
            last_reviewed=today,
            review_due=today + dt.timedelta(days=365),
            created_at=now,
        )
        for _ in range(ANSWERS)
    ]
    LibraryAnswer.objects.bulk_create(answers, batch_size=2000)
    print(
        f"library: {LibraryAnswer.objects.count():,} answers in {time.perf_counter() - began:.1f} s"
    )
    timings = []
    for _ in range(SEARCHES):
        query = _sentence(rng, int(rng.integers(1, 4)))
        t0 = time.perf_counter()
        search_ids(query, 20)
        timings.append((time.perf_counter() - t0) * 1000)
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(
        f"library search: {SEARCHES} queries over {ANSWERS:,} answers, median "
        f"{statistics.median(timings):.1f} ms, p95 {p95:.1f} ms (target <= 100 ms), "
        f"max {timings[-1]:.1f} ms"
    )

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Section", "No.", "Question", "Response"])
    for i in range(QUESTIONS):
        sheet.append([f"Section {i // 30 + 1}", f"{i + 1}", _sentence(rng, 12) + "?", None])
    out = io.BytesIO()
    book.save(out)
    t0 = time.perf_counter()
    rfp = import_rfp(
        "bench.xlsx",
        out.getvalue(),
        {"title": "Bench", "issuer": "Bench", "final_due": today},
        now=now,
        acting_user=user,
    )
    seconds = time.perf_counter() - t0
    with_suggestions = sum(1 for q in rfp.questions.all() if q.suggestions)
    print(
        f"questionnaire import: {QUESTIONS} questions, {with_suggestions} with suggestions from "
        f"{ANSWERS:,} answers in {seconds:.2f} s (target <= 5 s); ratio to reference "
        f"{seconds / reference:.2f}"
    )


if __name__ == "__main__":
    main()
