"""CPU per page as each role sees it, on a demo book: where bench/load.py's time goes.

    .venv/bin/python bench/page_cpu.py --data-dir /tmp/demo_22a
    .venv/bin/python bench/page_cpu.py --data-dir /tmp/demo_22a --user manager --page home \\
        --profile 25                                  # the 25 costliest functions of that page
    .venv/bin/python bench/page_cpu.py --data-dir /tmp/demo_22a --floor --repeat 50

Renders the pages bench/load.py walks (load.pages_for), for each demo user in its rotation,
through Django's test client in this process (no server, no network): one warm-up render (the
first fills per-process memos, as a server worker's first request does), then `--repeat` timed
renders. `--floor` renders instead what every page pays and no more: the search page without
a query (the middleware, the session, the user and their roles, the top bar and base template;
no query of its own) and the health check (the middleware, the session and the user, one query
of its own, no template). Prints per user and page the median CPU ms of the process (DuckDB's
threads included), the SQL queries and the ms spent in them, and the median CPU ms of every
page together. CPU time, not wall time, is the comparable figure on a shared machine; quote
`uptime` beside it.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def backend_cpu_ms(pid: int | None) -> float:
    """CPU ms the database server process ``pid`` has used (0 when unknown or not local)."""
    if pid is None:
        return 0.0
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e6
    except (OSError, ValueError, IndexError):
        return 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", required=True, help="a demo book's data dir")
    parser.add_argument("--user", action="append", help="only this demo user (repeatable)")
    parser.add_argument("--page", action="append", help="only this page (repeatable)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--profile", type=int, default=0, help="print the N costliest functions")
    parser.add_argument("--queries", action="store_true", help="print each page's SQL once")
    parser.add_argument(
        "--floor",
        action="store_true",
        help="the pages' common part only: /search/ with no query and /healthz, signed in",
    )
    parser.add_argument(
        "--cold",
        action="store_true",
        help="empty the per-process memos (lake/memo.py) before each render: what a server "
        "worker pays when a reader's answers expire (each minute, after a write or a batch)",
    )
    args = parser.parse_args()

    os.environ["CLIENTDESK_DATA_DIR"] = str(Path(args.data_dir).resolve())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clientdesk.settings")
    os.environ.setdefault("CLIENTDESK_MFA_REQUIRED", "0")  # force_login has no second factor
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from load import ROTATION, pages_for  # bench/load.py

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    # No collectstatic here: plain static URLs (the manifest's lookup is a dict read).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    users = args.user or list(dict.fromkeys(ROTATION))
    print(
        f"{'user':11} {'page':22} {'cpu ms':>7} {'db cpu':>7} {'wall ms':>8} {'queries':>7} "
        f"{'sql ms':>7}"
    )
    every: list[float] = []
    every_db: list[float] = []
    for username in users:
        client = Client()
        client.force_login(User.objects.get(username=username))
        pages = FLOOR_PAGES if args.floor else pages_for(username)
        for name, path in pages.items():
            if args.page and name not in args.page:
                continue
            first = client.get(path)
            if first.status_code != 200:
                print(f"{username:11} {name:22} HTTP {first.status_code}")
                continue
            cpu: list[float] = []
            db_cpu: list[float] = []
            wall: list[float] = []
            queries: list[tuple[float, str]] = []

            def capture(execute, sql, params, many, context, queries=queries):  # type: ignore[no-untyped-def]
                started = time.perf_counter()
                try:
                    return execute(sql, params, many, context)
                finally:
                    queries.append((time.perf_counter() - started, sql))

            if args.cold:
                forget_memos()
            with connection.execute_wrapper(capture):
                client.get(path)
            for _ in range(args.repeat):
                if args.cold:
                    forget_memos()
                backend = server_pid(connection)
                started_db = backend_cpu_ms(backend)
                started_cpu, started = time.process_time(), time.perf_counter()
                client.get(path)
                cpu.append((time.process_time() - started_cpu) * 1000)
                wall.append((time.perf_counter() - started) * 1000)
                # The same server process only (a reconnect mid-page would be counted as 0).
                if backend is not None and server_pid(connection) == backend:
                    db_cpu.append(backend_cpu_ms(backend) - started_db)
            sql_ms = sum(seconds for seconds, _ in queries) * 1000
            median = statistics.median(cpu)
            median_db = statistics.median(db_cpu) if db_cpu else 0.0
            every.append(median)
            every_db.append(median_db)
            print(
                f"{username:11} {name:22} {median:7.1f} {median_db:7.1f} "
                f"{statistics.median(wall):8.0f} {len(queries):7d} {sql_ms:7.0f}"
            )
            if args.queries:
                for seconds, sql in queries:
                    print(f"    {seconds * 1000:6.1f}  {sql[:220]}")
            if args.profile:
                profile = cProfile.Profile()
                profile.enable()
                client.get(path)
                profile.disable()
                out = io.StringIO()
                stats = pstats.Stats(profile, stream=out).sort_stats("cumulative")
                stats.print_stats(r"clientdesk|django/template|ibis|duckdb", args.profile)
                print(out.getvalue())
    if every:
        print(
            f"every page: median {statistics.median(every):.1f} CPU ms, mean "
            f"{statistics.mean(every):.1f}, {len(every)} pages; database server process: "
            f"mean {statistics.mean(every_db):.1f} CPU ms ({connection.vendor})"
        )
    print(f"uptime: {os.popen('uptime').read().strip()}")  # noqa: S605, S607  (a fixed command)
    return 0


# What every signed-in page pays (--floor): the search page with no query runs the middleware,
# loads the session, the user and their roles, and renders the top bar in base.html, no more.
FLOOR_PAGES = {"floor (search, no q)": "/search/", "healthz": "/healthz"}


def forget_memos() -> None:
    """Empty every per-process memo of answers (LakeMemo, ReaderMemo), as after their minute."""
    import gc

    from clientdesk.lake.memo import _BoundedMemo

    for memo in gc.get_objects():
        if issubclass(type(memo), _BoundedMemo):  # type(): a lazy object stays unevaluated
            memo.clear()


def server_pid(connection: Any) -> int | None:
    """The PostgreSQL server process serving this connection (None on SQLite or when the
    connection is closed)."""
    if connection.vendor != "postgresql" or connection.connection is None:
        return None
    return int(connection.connection.info.backend_pid)


if __name__ == "__main__":
    raise SystemExit(main())
