"""Case installation speed: scheduling a 2,000-task plan with 5,000 dependencies, and
recomputing readiness for 200 concurrent implementations.

    .venv/bin/python bench/installation.py
    .venv/bin/python bench/installation.py --tasks 2000 --links 5000 --plans 200

Targets (issue 19): scheduling <= 1 s; readiness for 200 implementations <= 5 s.

1. **Scheduling** is what `clientdesk installation schedule FILE.csv --effective ...` does
   without the printing: read the CSV (MS Project columns, every predecessor parsed and
   checked, cycle check), the CPM forward and backward passes, and every task's four dates
   on the business calendar backward from the effective date. The plan is a random DAG
   (seeded): each task links to earlier ones, 70 % FS, 15 % SS, 10 % FF, 5 % SF, lags -2..5.
2. **Readiness** is `evidence.plan_states` over 200 implementations (the new self-funded
   template, 20 tasks each, some done, four effective dates) in a temporary SQLite database:
   tasks and eligibility batches from the DB (two test files and one production file, each
   covering every account, as a multi-sponsor 834 would), the forecast forward from today
   per plan, the readiness score, and the lake read of members covered on each effective date
   (DuckDB, 200 accounts x ~300 members in the production file).

The machine is shared, so the run also times a fixed pure-Python reference workload in the
same process before and after and prints the ratio.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

EFFECTIVE = dt.date(2027, 1, 1)
TODAY = dt.date(2026, 11, 16)


def reference_seconds() -> float:
    """A fixed workload of dicts, sorting and integer arithmetic, timed in this process."""
    started = time.perf_counter()
    rng = random.Random(7)  # noqa: S311  (synthetic data, not secrets)
    table = {i: rng.random() for i in range(300_000)}
    ordered = sorted(table.items(), key=lambda item: item[1])
    total = 0
    for key, _ in ordered:
        total = (total * 31 + key) % 1_000_003
    return time.perf_counter() - started


def plan_csv(tasks: int, links: int, seed: int = 19) -> bytes:
    rng = random.Random(seed)  # noqa: S311  (synthetic data, not secrets)
    preds: list[set[int]] = [set() for _ in range(tasks)]
    made = 0
    while made < links:
        successor = rng.randrange(1, tasks)
        predecessor = rng.randrange(max(0, successor - 60), successor)
        if predecessor not in preds[successor]:
            preds[successor].add(predecessor)
            made += 1
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["ID", "Name", "Duration", "Predecessors", "Owner team"])
    kinds = ["FS"] * 14 + ["SS"] * 3 + ["FF"] * 2 + ["SF"]
    for i in range(tasks):
        parts = []
        for p in sorted(preds[i]):
            kind = rng.choice(kinds)
            lag = rng.randint(-2, 5)
            parts.append(f"{p + 1}{kind}{lag:+d}" if lag or kind != "FS" else str(p + 1))
        duration = 0 if i == tasks - 1 else rng.randint(0, 10)
        writer.writerow(
            [i + 1, f"Task {i + 1}", f"{duration} days", ";".join(parts), "Eligibility"]
        )
    return out.getvalue().encode()


def bench_scheduling(tasks: int, links: int, runs: int) -> tuple[list[float], dict[str, object]]:
    from clientdesk.implementations.plan_files import read_csv
    from clientdesk.implementations.schedule_report import schedule_json

    content = plan_csv(tasks, links)
    times = []
    data: dict[str, object] = {}
    for _ in range(runs):
        started = time.perf_counter()
        data = schedule_json(read_csv(content), EFFECTIVE)
        times.append(time.perf_counter() - started)
    return times, data


def build_book(plans: int) -> None:
    """Accounts, implementations (through the actions), eligibility batches and the lake."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    from django.conf import settings
    from django.utils import timezone

    from clientdesk.accounts import actions as account_actions
    from clientdesk.accounts.models import ActivityEvent, ActivityKind
    from clientdesk.implementations.actions import do_create_implementation, do_update_task
    from clientdesk.implementations.models import Template
    from clientdesk.lake.models import BatchStatus, IngestBatch
    from clientdesk.lake.schemas import get_table

    template = Template.objects.get(code="new-self-funded")
    accounts = []
    for i in range(plans):
        account = account_actions.do_create_account(
            {
                "name": f"Bench New Sponsor {i:03d}",
                "group_number": f"G{300000 + i}",
                "segment": "commercial",
                "funding": "aso",
                "employees": 120,
                "members": 300,
                "state": "OH",
                "region": "Midwest",
                "timezone": "America/New_York",
                "effective_date": dt.date(2027, 1 + i % 4, 1),
                "renewal_date": dt.date(2028, 1 + i % 4, 1),
            },
            acting_user=None,
        )
        implementation = do_create_implementation(
            account,
            name=f"Implementation {i:03d}",
            kind="",
            effective_date=dt.date(2027, 1 + i % 4, 1),
            template=template,
            acting_user=None,
        )
        for task in implementation.tasks.order_by("position")[: 2 + i % 5]:
            do_update_task(task, {"status": "done"}, today=TODAY, acting_user=None)
        accounts.append(account)
    schema = get_table("eligibility").arrow_schema()
    now = timezone.now()
    for b, name in enumerate(("book-834-test-1", "book-834-test-2", "book-834-production")):
        members_each = 300 if "production" in name else 20
        rows = members_each * len(accounts)
        batch = IngestBatch.objects.create(
            table="eligibility",
            source_name=f"{name}.parquet",
            source_format="parquet",
            checksum=name,
            status=BatchStatus.COMMITTED,
            test="test" in name,
            rows_read=rows + (b == 0) * 40,
            rows_loaded=rows,
            rows_rejected=(b == 0) * 40,
            started_at=now + dt.timedelta(minutes=b),
            finished_at=now + dt.timedelta(minutes=b),
        )
        columns: dict[str, list[object]] = {f.name: [] for f in schema}
        for account in accounts:
            for m in range(members_each):
                person = f"{account.group_number}-{m}"
                values = {
                    "person_id": person,
                    "member_id": person + "01",
                    "subscriber_id": person,
                    "gender": "female",
                    "birth_date": dt.date(1980, 1, 1),
                    "enrollment_start_date": account.effective_date,
                    "enrollment_end_date": dt.date(2027, 12, 31),
                    "payer": "Keystone",
                    "payer_type": "commercial",
                    "plan": "PPO",
                    "group_id": account.group_number,
                    "data_source": "bench",
                    "file_name": name,
                    "account_id": account.pk,
                    "batch_id": batch.pk,
                }
                for field in schema:
                    columns[field.name].append(values.get(field.name))
            ActivityEvent.objects.create(
                account=account,
                occurred_at=now,
                kind=ActivityKind.DATA_LOAD,
                subject=f"eligibility: {members_each} rows loaded from {name}",
                source_type="lake.ingestbatch",
                source_id=str(batch.pk),
            )
        folder = Path(settings.LAKE_DIR) / "eligibility" / f"batch={batch.pk}"
        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.table(columns, schema=schema), folder / "part-00000.parquet")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=2000)
    parser.add_argument("--links", type=int, default=5000)
    parser.add_argument("--plans", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="installation-bench-"))
    os.environ["CLIENTDESK_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clientdesk.settings")
    import django

    django.setup()
    from django.core.management import call_command

    reference_before = reference_seconds()
    times, data = bench_scheduling(args.tasks, args.links, args.runs)
    tasks = data["tasks"]
    assert isinstance(tasks, list)
    print(
        f"scheduling {args.tasks:,} tasks, {args.links:,} dependencies: "
        f"median {statistics.median(times):.3f} s, best {min(times):.3f} s over {args.runs} runs "
        f"(project {data['project_length_business_days']} business days, "
        f"{sum(1 for t in tasks if t['critical'])} critical tasks, starts {data['start_date']})"
    )

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    build_book(args.plans)
    print(f"book: {args.plans} implementations built in {time.perf_counter() - started:.1f} s")

    from clientdesk.implementations.evidence import plan_states
    from clientdesk.implementations.models import Implementation
    from clientdesk.lake.gateway import SystemActor

    reader = SystemActor("installation bench")
    readiness_times = []
    states = {}
    for _ in range(3):
        started = time.perf_counter()
        plans = list(Implementation.objects.select_related("account"))
        states = plan_states(plans, TODAY, reader=reader)
        readiness_times.append(time.perf_counter() - started)
    scores = [s.readiness.score for s in states.values() if s.readiness.score is not None]
    loaded = sum(1 for s in states.values() if s.readiness.components["members_loaded"] == 1.0)
    print(
        f"readiness for {len(states)} implementations: median "
        f"{statistics.median(readiness_times):.2f} s, "
        f"best {min(readiness_times):.2f} s over 3 runs "
        f"(mean score {statistics.mean(scores):.1f}; members loaded = census on {loaded})"
    )
    reference = (reference_before + reference_seconds()) / 2
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"reference workload: {reference:.2f} s; scheduling / reference = "
        f"{statistics.median(times) / reference:.2f}; readiness / reference = "
        f"{statistics.median(readiness_times) / reference:.2f}; peak memory {peak:.0f} MB"
    )


if __name__ == "__main__":
    main()
