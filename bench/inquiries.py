"""Inquiry pages and SLA recompute on a large book.

    .venv/bin/python bench/inquiries.py                      # 1,000,000 inquiries, temp SQLite
    .venv/bin/python bench/inquiries.py --count 200000
    DATABASE_URL=postgres://…/scratch .venv/bin/python bench/inquiries.py   # a scratch database:
                                                             # it is migrated and filled

Builds a book (200 accounts, 20 associates, two years of inquiries with their status history,
a few thousand still active) with bulk_create in batches, recomputes every SLA state (which also
writes the SLA events the dashboard reads), then times ~30 requests each of the inquiry list
with filters and the manager's dashboard through Django's test Client, printing p50/p95 and
the queries per page, and the time of `clientdesk inquiries sla` (active inquiries).

It prints the seconds to build and recompute, the rows in each table, p50/p95 and queries per
page (and per list filter), the process's peak memory, and each page's p95 as a multiple of a
reference query timed in the same process (the machine is shared; the ratio travels better
than the milliseconds). On PostgreSQL the tables get VACUUM ANALYZE before the pages.

    .venv/bin/python bench/inquiries.py --data-dir /tmp/book            # build once, keep
    .venv/bin/python bench/inquiries.py --data-dir /tmp/book --pages-only   # measure again
    DATABASE_URL=postgres://…/scratch .venv/bin/python bench/inquiries.py \
        --copy-from /tmp/book/clientdesk.sqlite3 --one-pass      # the same book on PostgreSQL

Targets (issue 5): p95 <= 150 ms per page; the SLA recompute <= 60 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
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

ACCOUNTS = 200
ASSOCIATES = 20
BATCH = 20_000
CATEGORIES = [
    ("claims", 34),
    ("eligibility_enrollment", 15),
    ("id_cards", 8),
    ("benefits", 15),
    ("pharmacy", 10),
    ("provider_network", 7),
    ("billing_fees", 2),
    ("reports", 2),
    ("other", 7),
]
PRIORITIES = [("low", 15), ("normal", 65), ("high", 15), ("urgent", 5)]


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


def weighted(rng: random.Random, pairs: list[tuple[str, int]], n: int) -> list[str]:
    return rng.choices([p for p, _ in pairs], weights=[w for _, w in pairs], k=n)


def build(count: int, now: dt.datetime, seed: int) -> dict[str, Any]:
    from django.contrib.auth.models import Group, User

    from clientdesk.accounts.models import US_TIMEZONES, Account, Assignment
    from clientdesk.inquiries.models import SUBCATEGORIES, Inquiry, InquiryStatusChange
    from clientdesk.people.roles import Role, ensure_role_groups

    rng = random.Random(seed)  # noqa: S311  (synthetic data, not secrets)
    ensure_role_groups()
    manager = User(
        username="bench-manager", first_name="Mia", last_name="Manager", email="manager@example.org"
    )
    manager.set_unusable_password()
    associates = [
        User(
            username=f"bench-assoc{i:02d}",
            first_name="Associate",
            last_name=f"{i:02d}",
            email=f"assoc{i:02d}@example.org",
        )
        for i in range(ASSOCIATES)
    ]
    for user in associates:
        user.set_unusable_password()
    User.objects.bulk_create([manager, *associates])
    manager = User.objects.get(username="bench-manager")
    associates = list(User.objects.filter(username__startswith="bench-assoc").order_by("id"))
    manager.groups.add(Group.objects.get(name=Role.MANAGER))
    Group.objects.get(name=Role.ASSOCIATE).user_set.add(*associates)
    zones = US_TIMEZONES[:5]
    accounts = Account.objects.bulk_create(
        Account(
            name=f"Sponsor {i:03d}",
            group_number=f"B{i:06d}",
            segment="commercial",
            funding="aso",
            tier="key" if i % 5 == 0 else "standard",
            status="active",
            employees=1000,
            members=2500,
            state="OH",
            region="Midwest",
            timezone=zones[i % len(zones)],
            effective_date=dt.date(2020, 1, 1),
            renewal_date=dt.date(2027, 1, 1),
        )
        for i in range(ACCOUNTS)
    )
    accounts = list(Account.objects.filter(group_number__startswith="B").order_by("id"))
    teams: dict[int, list[int]] = {}
    assignments = []
    for i, account in enumerate(accounts):
        lead, backup = associates[i % ASSOCIATES], associates[(i + 7) % ASSOCIATES]
        teams[account.pk] = [lead.pk, backup.pk]
        assignments += [
            Assignment(account=account, user=lead, role="lead", since=dt.date(2024, 1, 1)),
            Assignment(account=account, user=backup, role="backup", since=dt.date(2024, 1, 1)),
        ]
    Assignment.objects.bulk_create(assignments)

    span = dt.timedelta(days=730).total_seconds()
    made = 0
    started = time.perf_counter()
    while made < count:
        n = min(BATCH, count - made)
        categories = weighted(rng, CATEGORIES, n)
        priorities = weighted(rng, PRIORITIES, n)
        rows: list[Inquiry] = []
        plans: list[tuple[dt.datetime, str, dt.datetime | None]] = []
        for k in range(n):
            account = accounts[rng.randrange(ACCOUNTS)]
            # In the order they arrived, over two years. Time to resolve: median 20 hours with
            # a long tail (5 % over 6 days); the ones not resolved yet are still being worked.
            position = (made + k + rng.random()) / count
            opened = now - dt.timedelta(seconds=(1 - position) * span)
            hours = rng.lognormvariate(math.log(20), 1.2)
            done_at = opened + dt.timedelta(hours=hours)
            active = done_at > now
            resolved = None if active else done_at
            responded = opened + dt.timedelta(hours=hours / 4)
            status = (
                rng.choice(
                    ["new", "open", "open", "open", "waiting_on_sponsor", "waiting_on_service_ops"]
                )
                if active
                else ("closed" if rng.random() < 0.6 else "resolved")
            )
            category = categories[k]
            subs = SUBCATEGORIES[category]
            rows.append(
                Inquiry(
                    account=account,
                    requester_type="member",
                    member_reference=f"M{rng.randrange(10**8):08d}",
                    channel=rng.choice(["phone", "phone", "email", "portal", "onsite"]),
                    category=category,
                    subcategory=subs[rng.randrange(len(subs))][0],
                    priority=priorities[k],
                    subject=f"{category.replace('_', ' ').title()} question",
                    status=status,
                    owner_id=teams[account.pk][rng.random() < 0.3],
                    assigned_by="least_loaded",
                    opened_at=opened,
                    first_responded_at=responded if responded <= now else None,
                    resolved_at=resolved,
                    closed_at=resolved if status == "closed" else None,
                )
            )
            plans.append((opened, status, resolved))
        created = Inquiry.objects.bulk_create(rows, batch_size=500)
        changes: list[InquiryStatusChange] = []
        for inquiry, (opened, status, resolved) in zip(created, plans, strict=True):
            changes.append(
                InquiryStatusChange(inquiry=inquiry, from_status="", to_status="new", at=opened)
            )
            if status == "new":
                continue
            first = "open" if resolved else status
            changes.append(
                InquiryStatusChange(inquiry=inquiry, from_status="new", to_status=first, at=opened)
            )
            if resolved is not None:
                changes.append(
                    InquiryStatusChange(
                        inquiry=inquiry, from_status="open", to_status="resolved", at=resolved
                    )
                )
                if status == "closed":
                    changes.append(
                        InquiryStatusChange(
                            inquiry=inquiry, from_status="resolved", to_status="closed", at=resolved
                        )
                    )
        InquiryStatusChange.objects.bulk_create(changes, batch_size=2000)
        made += n
        rate = made / (time.perf_counter() - started)
        print(f"\r  built {made:,} of {count:,} inquiries ({rate:,.0f}/s)", end="", flush=True)
    print()
    return {"manager": manager, "associates": associates, "accounts": accounts}


def copy_book(source: Path) -> None:
    """Copy a SQLite bench book into this (migrated, empty) PostgreSQL database with COPY:
    the users, accounts and account teams, the inquiries with their status history, SLA
    events and per-day outcome counts, ids kept. Role groups and SLA policies come from the
    migrations on both sides and are matched by name."""
    import sqlite3

    from django.contrib.auth.models import Group, User
    from django.core.management.color import no_style
    from django.db import connection, transaction
    from django.db.models import Model

    from clientdesk.accounts.models import Account, Assignment
    from clientdesk.inquiries.models import (
        Inquiry,
        InquiryStatusChange,
        SlaEvent,
        SlaOutcomeDay,
        SlaPolicy,
    )
    from clientdesk.people.roles import ensure_role_groups

    if connection.vendor != "postgresql":
        raise SystemExit("--copy-from fills a PostgreSQL database")
    ensure_role_groups()
    lite = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    policies = dict(lite.execute("SELECT id, name FROM inquiries_slapolicy").fetchall())
    here = dict(SlaPolicy.objects.values_list("id", "name"))
    if any(here.get(pk) != name for pk, name in policies.items()):
        raise SystemExit("the SLA policies differ between the two databases")
    groups = {
        old: Group.objects.get(name=name).pk
        for old, name in lite.execute("SELECT id, name FROM auth_group").fetchall()
    }
    membership = User.groups.through
    models: list[type[Model]] = [
        User,
        Account,
        Assignment,
        Inquiry,
        InquiryStatusChange,
        SlaEvent,
        SlaOutcomeDay,
    ]
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for model in [*models[:1], membership, *models[1:]]:
            table = model._meta.db_table
            columns = [f.column for f in model._meta.concrete_fields]
            names = ", ".join(f'"{c}"' for c in columns)
            rows = lite.execute(f"SELECT {names} FROM {table} ORDER BY id")  # noqa: S608
            group_at = columns.index("group_id") if model is membership else -1
            copied = 0
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    if group_at >= 0:
                        row = (*row[:group_at], groups[row[group_at]], *row[group_at + 1 :])
                    copy.write_row(row)
                    copied += 1
            print(f"  copied {copied:,} rows of {table}", flush=True)
        for sql in connection.ops.sequence_reset_sql(no_style(), [*models, membership]):
            cursor.execute(sql)
    print(f"copied the book from {source} in {time.perf_counter() - started:.0f} s")


def existing_book() -> dict[str, Any]:
    from django.contrib.auth.models import User

    from clientdesk.accounts.models import Account

    return {
        "manager": User.objects.get(username="bench-manager"),
        "associates": list(User.objects.filter(username__startswith="bench-assoc").order_by("id")),
        "accounts": list(Account.objects.filter(group_number__startswith="B").order_by("id")),
    }


def timed_pages(client: Any, urls: list[str]) -> tuple[list[float], list[float], list[int]]:
    """Wall-clock and CPU milliseconds and the query count of each request (CPU time is the
    steadier figure on a shared machine)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    wall, cpu, queries = [], [], []
    for url in urls:
        with CaptureQueriesContext(connection) as ctx:
            started, used = time.perf_counter(), time.process_time()
            response = client.get(url)
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - used) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        queries.append(len(ctx.captured_queries))
    return wall, cpu, queries


def summary(name: str, wall: list[float], cpu: list[float], queries: list[int]) -> str:
    return (
        f"{name} ({len(wall)} requests): p50 {statistics.median(wall):.0f} ms, "
        f"p95 {p95(wall):.0f} ms, max {max(wall):.0f} ms (CPU p50 "
        f"{statistics.median(cpu):.0f} ms, p95 {p95(cpu):.0f} ms); queries per page "
        f"{min(queries)}-{max(queries)}"
    )


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def peak_memory_mb() -> float:
    """The process's peak resident memory so far (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reference_ms(repeats: int = 15) -> float:
    """The median time of a fixed reference query (the same work on any book of 100,000+
    inquiries: read 100,000 rows by primary key and aggregate them), run in this process
    beside the pages, so that a page's time can be read against the machine's speed and
    load at that moment (the machine is shared)."""
    from django.db import connection

    from clientdesk.inquiries.models import Inquiry

    table = connection.ops.quote_name(Inquiry._meta.db_table)
    # A fixed statement over a model table name: nothing here comes from outside.
    sql = (
        f"SELECT COUNT(*), MAX(opened_at), COUNT(DISTINCT category) FROM {table} "  # noqa: S608
        "WHERE id BETWEEN 1 AND 100000"
    )
    times = []
    with connection.cursor() as cursor:
        for _ in range(repeats):
            started = time.perf_counter()
            cursor.execute(sql)
            cursor.fetchall()
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def table_rows() -> str:
    from clientdesk.inquiries.models import (
        Inquiry,
        InquiryStatusChange,
        SlaEvent,
        SlaOutcomeDay,
    )

    return ", ".join(
        f"{model._meta.verbose_name_plural} {model.objects.count():,}"
        for model in (Inquiry, InquiryStatusChange, SlaEvent, SlaOutcomeDay)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument(
        "--pages-only",
        action="store_true",
        help="on a book already built and recomputed, time only the pages (no SLA recompute)",
    )
    parser.add_argument(
        "--one-pass",
        action="store_true",
        help="recompute every inquiry once (skip the second, nothing-changed pass)",
    )
    parser.add_argument(
        "--copy-from",
        metavar="SQLITE_FILE",
        help="on PostgreSQL: fill the empty scratch database with the book (and its SLA "
        "events) of a SQLite bench database by COPY, instead of building it again",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temp data dir")
    parser.add_argument(
        "--data-dir",
        help="use (and keep) this data dir; a book already built there is measured again",
    )
    args = parser.parse_args()

    data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix="clientdesk-bench-inquiries-"))
    keep = args.keep or args.data_dir is not None
    try:
        setup_django(data_dir)
        run(args)
    finally:
        if not keep and "DATABASE_URL" not in os.environ:
            shutil.rmtree(data_dir, ignore_errors=True)
        elif keep:
            print(f"data kept in {data_dir}")


def run(args: argparse.Namespace) -> None:
    from django.conf import settings
    from django.db import connection
    from django.urls import reverse
    from django.utils import timezone

    from clientdesk.inquiries.models import Inquiry, InquiryStatusChange

    settings.ALLOWED_HOSTS = ["testserver"]
    # Pages render {% static %}: use plain names (there is no collectstatic manifest here).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    engine = connection.vendor
    if engine == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -262144")  # 256 MB of pages for the build
        # SQLite has taken 32,766 bound parameters per statement since 3.32; Django assumes
        # 999, which makes bulk_create of a 38-column model insert 26 rows per statement.
        connection.features.max_query_params = 32_766
    print(f"database: {engine} · {args.count:,} inquiries")
    now = timezone.now().replace(microsecond=0)
    if args.copy_from and not Inquiry.objects.exists():
        copy_book(Path(args.copy_from))
    if Inquiry.objects.exists():
        book = existing_book()
        latest = Inquiry.objects.order_by("-opened_at").values_list("opened_at", flat=True)[0]
        now = max(now, latest)
        print(
            f"measuring the book already in {settings.DATA_DIR} ({Inquiry.objects.count():,} "
            f"inquiries, {InquiryStatusChange.objects.count():,} status changes)"
        )
    else:
        started = time.perf_counter()
        book = build(args.count, now, args.seed)
        built = time.perf_counter() - started
        total = Inquiry.objects.count()
        print(
            f"built {total:,} inquiries and {InquiryStatusChange.objects.count():,} status "
            f"changes in {built:.0f} s"
        )

    # Load every app's URLs now (mail links need them), not inside the first timed step.
    reverse("inquiries:list")
    routine = steady = 0.0
    if not args.pages_only:
        routine, steady = recompute_all(now, second_pass=not args.one_pass)
    if connection.vendor == "postgresql":
        vacuum_analyze()
    print(f"rows: {table_rows()}; peak memory so far {peak_memory_mb():,.0f} MB")
    pages(args, book, now, routine, steady)


def vacuum_analyze() -> None:
    """What autovacuum does to a table that grew by a million rows (planner statistics, and
    the visibility map that index-only scans need), done now rather than some time later."""
    from django.db import connection

    from clientdesk.inquiries.models import (
        Inquiry,
        InquiryStatusChange,
        SlaEvent,
        SlaOutcomeDay,
    )

    started = time.perf_counter()
    with connection.cursor() as cursor:
        for model in (Inquiry, InquiryStatusChange, SlaEvent, SlaOutcomeDay):
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"VACUUM ANALYZE {table}")
    print(f"VACUUM ANALYZE of the inquiry tables: {time.perf_counter() - started:.0f} s")


def recompute_all(now: dt.datetime, *, second_pass: bool = True) -> tuple[float, float]:
    """Time `clientdesk inquiries sla --all` (first and again) and the routine run."""
    from clientdesk.inquiries.models import SlaEvent
    from clientdesk.inquiries.runs import run_sla

    started, used = time.perf_counter(), time.process_time()
    everything = run_sla(now=now, include_done=True, escalate=False)
    full, full_cpu = time.perf_counter() - started, time.process_time() - used
    print(
        f"SLA recompute of every inquiry (clientdesk inquiries sla --all), first time: "
        f"{full:.1f} s (CPU {full_cpu:.1f} s) "
        f"for {everything.inquiries:,} ({everything.inquiries / full:,.0f}/s); "
        f"{SlaEvent.objects.count():,} SLA events"
    )
    steady = full
    if second_pass:
        started, used = time.perf_counter(), time.process_time()
        again = run_sla(now=now, include_done=True, escalate=False)
        steady, steady_cpu = time.perf_counter() - started, time.process_time() - used
        print(
            f"SLA recompute of every inquiry again (nothing changed, nothing written): "
            f"{steady:.1f} s (CPU {steady_cpu:.1f} s) for {again.inquiries:,} "
            f"({again.inquiries / steady:,.0f}/s)"
        )
    later = now + dt.timedelta(minutes=5)
    started = time.perf_counter()
    active = run_sla(now=later)
    routine = time.perf_counter() - started
    print(
        f"SLA recompute of the active inquiries (clientdesk inquiries sla): {routine:.1f} s "
        f"for {active.inquiries:,}; {active.at_risk} at risk, {active.breached} breached, "
        f"{active.reassigned} reassigned"
    )
    return routine, steady


def pages(
    args: argparse.Namespace, book: dict[str, Any], now: dt.datetime, routine: float, steady: float
) -> None:
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from clientdesk.inquiries.models import Inquiry

    client = Client()
    client.force_login(book["manager"])
    associate = book["associates"][3]
    account = book["accounts"][17]
    base = reverse("inquiries:list")
    this_quarter = f"{now.year}Q{(now.month - 1) // 3 + 1}"
    week_start = (now - dt.timedelta(days=14)).date().isoformat()
    week_end = (now - dt.timedelta(days=8)).date().isoformat()
    some = Inquiry.objects.order_by("-id").values_list("id", flat=True)[500]
    filters = [
        "",
        "status=active&sort=due",
        "category=claims&status=active",
        f"owner={associate.pk}&status=active&sort=due",
        f"account={account.pk}&period={this_quarter}",
        "status=active&sla=breached",
        f"priority=urgent&period={now.year}",
        f"q=Q-{some:06d}",
        "sla=at_risk&sort=due",
        f"category=pharmacy&opened_from={week_start}&opened_to={week_end}",
    ]
    urls = [f"{base}?{f}" for f in filters]
    list_urls = (urls * (args.requests // len(urls) + 1))[: args.requests]
    dash = reverse("inquiries:dashboard")
    dash_urls = ([dash, f"{dash}?period={now.year}-{now.month:02d}"] * args.requests)[
        : args.requests
    ]
    timed_pages(client, urls[:3] + dash_urls[:2])  # warm up templates and caches
    list_wall, list_cpu, list_queries = timed_pages(client, list_urls)
    dash_wall, dash_cpu, dash_queries = timed_pages(client, dash_urls)
    reference = reference_ms()
    print(
        f"reference query (100,000 rows by primary key, aggregated; {connection.vendor}): "
        f"p50 {reference:.1f} ms"
    )
    print(summary("inquiry list with filters", list_wall, list_cpu, list_queries))
    print(f"    p95 = {p95(list_wall) / reference:.1f} x the reference query")
    by_url: dict[str, list[float]] = {}
    for ms, url in zip(list_wall, list_urls, strict=True):
        by_url.setdefault(url, []).append(ms)
    for url, times in by_url.items():
        print(
            f"    p50 {statistics.median(times):5.0f} ms, max {max(times):5.0f} ms "
            f"({len(times)}x)  {url}"
        )
    print(summary("manager dashboard", dash_wall, dash_cpu, dash_queries))
    print(f"    p95 = {p95(dash_wall) / reference:.1f} x the reference query")
    year_wall, _, _ = timed_pages(client, [f"{dash}?period={now.year}"])
    print(f"    dashboard for the whole year {now.year}: {year_wall[0]:.0f} ms")
    print(f"peak memory {peak_memory_mb():,.0f} MB")
    ok_pages = p95(list_wall) <= 150 and p95(dash_wall) <= 150
    recomputed = (
        f"routine SLA recompute <= 60 s {'met' if routine <= 60 else 'NOT met'}; "
        f"full recompute <= 60 s {'met' if steady <= 60 else 'NOT met'} ({steady:.0f} s)"
        if not args.pages_only
        else "SLA recompute not timed (--pages-only)"
    )
    print(f"targets: pages p95 <= 150 ms {'met' if ok_pages else 'NOT met'}; {recomputed}")


if __name__ == "__main__":
    main()
