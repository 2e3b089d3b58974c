"""The team's compliance matrix and nightly jobs at scale.

    .venv/bin/python bench/team.py                     # 5,000 people, 40 courses, temp SQLite
    .venv/bin/python bench/team.py --people 2000 --repeat 20
    DATABASE_URL=postgres://…/scratch .venv/bin/python bench/team.py   # a scratch database

Builds a team of 5,000 people (one manager with 500 direct reports, the rest under nine other
managers), 40 required courses (half yearly), and for every person and course a completion a
few months to over a year ago or an open assignment (some overdue), two accruing time-off
types; then times:

- the manager's compliance matrix (500 people x 40 courses): the query alone
  (`compliance_matrix`) and the whole page through Django's test Client, p50/p95 over
  `--repeat` runs, and the queries per page;
- the nightly jobs for all 5,000 people: `run_reminders` (yearly re-assignment, overdue
  reminder mails, license alerts (10,000 licenses), managers' digests, to the locmem backend)
  then `run_accruals` for the month, in seconds.

It prints the rows built, p50/p95, seconds, the process's peak memory, and each figure as a
multiple of a reference query timed in the same process (the machine is shared; the ratio
travels better than the milliseconds).

Targets (issue 20): the matrix p95 <= 200 ms; reminders + accruals for 5,000 people <= 10 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

COURSES = 40
MANAGERS = 10
TODAY = dt.date(2026, 12, 1)


def setup_django(data_dir: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clientdesk.settings")
    os.environ.setdefault("CLIENTDESK_DATA_DIR", str(data_dir))
    os.environ.setdefault(
        "CLIENTDESK_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend"
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build(people: int, seed: int) -> dict[str, Any]:
    from decimal import Decimal

    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group, User

    from clientdesk.people.roles import Role, ensure_role_groups
    from clientdesk.team.models import (
        Course,
        License,
        Person,
        TimeOffType,
        TrainingAssignment,
    )

    rng = random.Random(seed)  # noqa: S311  (benchmark data)
    ensure_role_groups()
    password = make_password(None)
    managers = User.objects.bulk_create(
        User(username=f"manager{i}", password=password, email=f"m{i}@example.org")
        for i in range(MANAGERS)
    )
    Group.objects.get(name=Role.MANAGER.value).user_set.add(*managers)
    users = User.objects.bulk_create(
        (
            User(
                username=f"person{i:05d}",
                first_name=f"P{i:05d}",
                last_name="Bench",
                password=password,
                email=f"p{i}@example.org",
            )
            for i in range(people)
        ),
        batch_size=2000,
    )
    Group.objects.get(name=Role.ASSOCIATE.value).user_set.add(*users)
    direct = min(500, people)
    Person.objects.bulk_create(
        (
            Person(
                user=u,
                manager=managers[0] if i < direct else managers[1 + i % (MANAGERS - 1)],
                hire_date=TODAY - dt.timedelta(days=rng.randint(60, 3000)),
            )
            for i, u in enumerate(users)
        ),
        batch_size=2000,
    )
    courses = Course.objects.bulk_create(
        Course(
            code=f"C{i:02d}",
            title=f"Required course {i}",
            compliance=True,
            recurrence="yearly" if i % 2 == 0 else "once",
        )
        for i in range(COURSES)
    )
    rows = []
    for u in users:
        for c in courses:
            roll = rng.random()
            if roll < 0.8:  # done, 20 to 400 days ago
                done = TODAY - dt.timedelta(days=rng.randint(20, 400))
                rows.append(
                    TrainingAssignment(
                        user=u,
                        course=c,
                        assigned_on=done - dt.timedelta(days=20),
                        due_on=done + dt.timedelta(days=10),
                        completed_on=done,
                        score=rng.randint(80, 100),
                    )
                )
            elif roll < 0.95:  # open: due within a month or overdue by up to a month
                due = TODAY + dt.timedelta(days=rng.randint(-30, 30))
                rows.append(
                    TrainingAssignment(
                        user=u, course=c, assigned_on=due - dt.timedelta(days=30), due_on=due
                    )
                )
    TrainingAssignment.objects.bulk_create(rows, batch_size=5000)
    # Two licenses a person, expiring from a month ago to two years ahead (about one in eight
    # lapsed or within 90 days: the nightly run mails those alerts too).
    License.objects.bulk_create(
        (
            License(
                user=u,
                state=state,
                number=f"{state}-{u.pk}",
                issued_on=TODAY - dt.timedelta(days=700),
                expires_on=TODAY + dt.timedelta(days=rng.randint(-30, 730)),
            )
            for u in users
            for state in ("OH", "NY")
        ),
        batch_size=5000,
    )
    TimeOffType.objects.create(
        code="PTO", name="Paid time off", accrual_hours=Decimal("6.67"), max_balance=Decimal(160)
    )
    TimeOffType.objects.create(
        code="SICK", name="Sick leave", accrual_hours=Decimal(4), max_balance=Decimal(80)
    )
    return {"manager": managers[0], "people": people, "assignments": len(rows)}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def reference_ms() -> float:
    """A fixed query timed in this process: the figures below are also given as multiples."""
    from django.db import connection

    times = []
    for _ in range(20):
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SELECT user_id, COUNT(*) FROM team_trainingassignment GROUP BY user_id")
            cursor.fetchall()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--seed", type=int, default=20)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="bench-team-"))
    try:
        setup_django(data_dir)
        run(args)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def run(args: argparse.Namespace) -> None:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from clientdesk.team.access import managed_people
    from clientdesk.team.queries import compliance_matrix
    from clientdesk.team.runs import run_accruals, run_reminders

    started = time.perf_counter()
    built = build(args.people, args.seed)
    print(
        f"built {built['people']:,} people x {COURSES} courses: "
        f"{built['assignments']:,} assignments in {time.perf_counter() - started:.1f} s"
    )
    manager = built["manager"]
    ref = reference_ms()
    print(f"reference query (assignments per person): {ref:.1f} ms")

    today = TODAY
    query_ms, query_cpu = [], []
    for _ in range(args.repeat):
        start, cpu = time.perf_counter(), time.process_time()
        matrix = compliance_matrix(managed_people(manager), today)
        query_ms.append((time.perf_counter() - start) * 1000)
        query_cpu.append((time.process_time() - cpu) * 1000)
    cells = sum(len(c) for _, c in matrix.rows)
    print(
        f"matrix query ({len(matrix.rows)} people x {len(matrix.courses)} courses = "
        f"{cells:,} cells): p50 {percentile(query_ms, 0.5):.0f} ms, "
        f"p95 {percentile(query_ms, 0.95):.0f} ms ({percentile(query_ms, 0.95) / ref:.1f}x ref); "
        f"CPU p95 {percentile(query_cpu, 0.95):.0f} ms"
    )
    settings.STORAGES = {  # the pages' static links without a collected manifest
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    client = Client()
    client.force_login(manager)
    url = reverse("team:matrix")
    page_ms, page_cpu = [], []
    queries: list[str] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(url)
    for _ in range(args.repeat):
        start, cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        page_ms.append((time.perf_counter() - start) * 1000)
        page_cpu.append((time.process_time() - cpu) * 1000)
        assert response.status_code == 200
    p95 = percentile(page_ms, 0.95)
    print(
        f"matrix page: p50 {percentile(page_ms, 0.5):.0f} ms, p95 {p95:.0f} ms "
        f"({p95 / ref:.1f}x ref), CPU p95 {percentile(page_cpu, 0.95):.0f} ms, "
        f"{len(queries)} queries, {len(response.content) / 1e6:.1f} MB"
        f" -> target p95 <= 200 ms: {'met' if p95 <= 200 else 'MISSED'}"
    )

    start, cpu = time.perf_counter(), time.process_time()
    reminders = run_reminders(today)
    remind_s = time.perf_counter() - start
    start = time.perf_counter()
    accruals = run_accruals(today)
    accrue_s = time.perf_counter() - start
    jobs_cpu = time.process_time() - cpu
    total = remind_s + accrue_s
    print(
        f"reminders for {args.people:,} people: {reminders.reassigned:,} re-assigned, "
        f"{reminders.overdue:,} overdue, {reminders.mails:,} mails, "
        f"{reminders.license_alerts:,} license alerts, {reminders.manager_mails} manager "
        f"digests in {remind_s:.2f} s"
    )
    print(
        f"accruals: {accruals.balances:,} balances in {accrue_s:.2f} s "
        f"({accruals.balances / accrue_s:,.0f} rows/s)"
    )
    print(
        f"nightly jobs: {total:.2f} s ({total * 1000 / ref:.0f}x ref, CPU {jobs_cpu:.2f} s) "
        f"-> target <= 10 s: {'met' if total <= 10 else 'MISSED'}"
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak:.0f} MB")


if __name__ == "__main__":
    main()
