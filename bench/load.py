"""Concurrent users on the main pages through the real server: p50, p95 and errors per page.

    .venv/bin/python bench/load.py --data-dir /tmp/demo_22                 # SQLite demo copy
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/demo_22 \\
        .venv/bin/python bench/load.py --data-dir /tmp/demo_22 --users 20 --seconds 60
    .venv/bin/python bench/load.py --url http://127.0.0.1:8000 --data-dir ...   # a running server

Starts `clientdesk serve` on the data dir (and DATABASE_URL, when set) unless --url names a
server already running, signs each virtual user in through the login page as one of the demo
book's people (the manager, the executive and the associates in turn; password
`clientdesk-demo`), then every user walks the main pages of their role in a shuffled order,
back to back (or, with `--think MIN MAX`, waiting a random MIN to MAX seconds between pages:
a secondary figure), until the time is up: home, accounts, an account of theirs (overview and
utilization), inquiries, my work, problems, guarantees, health, reports, and for the roles that
see the whole book the utilization book. Each request's wall time and status is kept; an error
is a status other than 200 or a failed connection. Prints per page: requests, p50, p95, max,
errors, then all pages together and `uptime` before and after. Exit 1 when a page's p95 is over
the target (300 ms by default) or any request failed.

The client runs in this process on the same machine as the server: threads, one kept-open HTTP
connection per user (http.client; requests only signs in), so it takes ~0.5 CPU ms a page from
the cores the server runs on (requests took 1.5-2.0). On a loaded machine both share the cores,
so quote `uptime` with the figures. Beside the wall times it prints the CPU the timed part cost,
per request: the server it started (gunicorn's master and workers), the database's own server
processes on PostgreSQL (the connections to this database, from /proc/<pid>/stat; 0 when
PostgreSQL runs elsewhere) and this client. CPU per request is the figure that compares runs on
a machine others load.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PASSWORD = "clientdesk-demo"  # noqa: S105  (the published demo password (clientdesk/demo/team.py)
ROTATION = ["manager", "associate", "associate2", "executive", "associate3", "associate4"]
BOOK_ROLES = {"manager", "executive"}


@dataclass
class Sample:
    page: str
    seconds: float
    status: int


@dataclass
class Results:
    samples: list[Sample] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)


def pages_for(username: str) -> dict[str, str]:
    """The main pages of this demo user's role, with one account of theirs."""
    from django.contrib.auth.models import User
    from django.urls import reverse

    from clientdesk.accounts.access import accounts_visible_to

    user = User.objects.get(username=username)
    account = accounts_visible_to(user).order_by("pk").first()
    pages = {
        "home": reverse("home"),
        "accounts": reverse("accounts:list"),
        "inquiries": reverse("inquiries:list"),
        "my work": reverse("inquiries:mine"),
        "problems": reverse("insights:problems"),
        "guarantees": reverse("guarantees:portfolio"),
        "health": reverse("strategy:portfolio"),
        "reports": reverse("reports:portfolio") if username in BOOK_ROLES else reverse("home"),
    }
    if account is not None:
        pages["account"] = reverse("accounts:detail", args=[account.pk])
        pages["account utilization"] = reverse("utilization:account", args=[account.pk])
    if username in BOOK_ROLES:
        pages["utilization book"] = reverse("utilization:book")
    return pages


def sign_in(base: str, username: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base}/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    if token is None:
        raise SystemExit(f"no sign-in form at {base}/login/ ({page.status_code})")
    answer = session.post(
        f"{base}/login/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token[1]},
        headers={"Referer": f"{base}/login/"},
        timeout=30,
        allow_redirects=False,
    )
    if answer.status_code != 302:
        raise SystemExit(f"{username} could not sign in ({answer.status_code})")
    return session


class Browser:
    """One user's connection to the server, kept open between pages (plain HTTP/1.1,
    http.client), carrying the cookies their sign-in set."""

    def __init__(self, base: str, session: requests.Session) -> None:
        url = urlsplit(base)
        self.connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=60)
        self.headers = {
            "Cookie": "; ".join(f"{c.name}={c.value}" for c in session.cookies),
            "Accept": "text/html",
        }

    def get(self, path: str) -> int:
        try:
            self.connection.request("GET", path, headers=self.headers)
            response = self.connection.getresponse()
            response.read()  # the whole page, as a browser reads it
            return response.status
        except (OSError, http.client.HTTPException):
            self.connection.close()  # the next page opens a new connection
            return 0


def user_loop(
    base: str,
    session: requests.Session,
    pages: dict[str, str],
    deadline: float,
    results: Results,
    seed: int,
    think: tuple[float, float] | None = None,
) -> None:
    browser = Browser(base, session)
    order = list(pages.items())
    rng = random.Random(seed)  # noqa: S311  (an order of pages, not a secret)
    while time.monotonic() < deadline:
        rng.shuffle(order)
        for name, path in order:
            if time.monotonic() >= deadline:
                return
            started = time.perf_counter()
            status = browser.get(path)
            results.add(Sample(name, time.perf_counter() - started, status))
            if think is not None:
                time.sleep(min(rng.uniform(*think), max(0.0, deadline - time.monotonic())))
    browser.connection.close()


def wait_until_up(base: str, server: subprocess.Popen[bytes] | None, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server is not None and server.poll() is not None:
            raise SystemExit(f"clientdesk serve exited with {server.returncode}")
        try:
            if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise SystemExit(f"{base} did not answer /healthz within {seconds:.0f} s")


def cpu_ns(pid: int) -> int | None:
    """CPU nanoseconds process ``pid`` has used, all its threads (user + system, in clock
    ticks of 10 ms: /proc/<pid>/schedstat counts the main thread only), None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) * 1_000_000_000 // os.sysconf("SC_CLK_TCK")


def server_pids(master: int) -> list[int]:
    """gunicorn's master and its workers (the children of the master's threads)."""
    pids = [master]
    try:
        for task in Path(f"/proc/{master}/task").iterdir():
            pids += [int(child) for child in (task / "children").read_text().split()]
    except OSError:
        pass
    return pids


def database_pids() -> list[int]:
    """PostgreSQL's server processes for this database's other connections ([] on SQLite)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
        return [row[0] for row in cursor.fetchall()]


class CpuMeter:
    """CPU used by the server's and the database's processes over the timed part: sampled every
    half second, so a process that ends (a worker restarted, a connection closed) keeps what it
    used until its last sample."""

    def __init__(self, master: int | None) -> None:
        self.master = master
        self.first: dict[tuple[str, int], int] = {}
        self.last: dict[tuple[str, int], int] = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> None:
        groups = {"database": database_pids()}
        if self.master is not None:
            groups["server"] = server_pids(self.master)
        for group, pids in groups.items():
            for pid in pids:
                used = cpu_ns(pid)
                if used is not None:
                    self.first.setdefault((group, pid), used)
                    self.last[(group, pid)] = used

    def _run(self) -> None:
        while not self.stop.wait(0.5):
            self.sample()

    def start(self) -> None:
        self.sample()
        self.thread.start()

    def finish(self) -> dict[str, float]:
        """CPU seconds per group ("server", "database") since start."""
        self.stop.set()
        self.thread.join()
        self.sample()
        used: dict[str, float] = {"server": 0.0, "database": 0.0}
        for (group, pid), last in self.last.items():
            used[group] += (last - self.first[(group, pid)]) / 1e9
        return used


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def uptime() -> str:
    done = subprocess.run(["/usr/bin/uptime"], capture_output=True, text=True, check=False)
    return done.stdout.strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", required=True, help="a demo book's data dir (a copy)")
    parser.add_argument("--url", help="a server already running (else clientdesk serve starts)")
    parser.add_argument("--bind", default="127.0.0.1:8722")
    parser.add_argument(
        "--workers",
        type=int,
        help="gunicorn workers (default: serve's, cores + 1; cores with a local DB server)",
    )
    parser.add_argument(
        "--threads", type=int, help="threads per gunicorn worker (default: serve's)"
    )
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--target-ms", type=float, default=300, help="p95 target for each page")
    parser.add_argument("--seed", type=int, default=22)
    parser.add_argument(
        "--think",
        type=float,
        nargs=2,
        metavar=("MIN", "MAX"),
        help="seconds each user waits between pages, drawn uniformly (a secondary figure; "
        "the headline is back to back, no think time)",
    )
    args = parser.parse_args()

    os.environ["CLIENTDESK_DATA_DIR"] = str(Path(args.data_dir).resolve())
    # The virtual users sign in with the password only (a demo book's users have no
    # authenticator); the server it starts is on loopback, where serve allows MFA off.
    os.environ.setdefault("CLIENTDESK_MFA_REQUIRED", "0")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clientdesk.settings")
    import django

    django.setup()
    from django.db import connection

    engine = connection.vendor
    base = args.url or f"http://{args.bind}"
    server = None
    if args.url is None:
        clientdesk = str(Path(sys.executable).parent / "clientdesk")
        log = Path(args.data_dir).resolve().parent / f"load-serve-{args.bind.replace(':', '-')}.log"
        print(f"clientdesk serve on {args.bind}; its output in {log}")
        with log.open("wb") as out:
            server = subprocess.Popen(  # noqa: S603  (our own command, our arguments)
                [
                    clientdesk,
                    "serve",
                    "--bind",
                    args.bind,
                    *(["--workers", str(args.workers)] if args.workers else []),
                    *(["--threads", str(args.threads)] if args.threads else []),
                    "--no-worker",
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
    try:
        wait_until_up(base, server, 600)  # collectstatic compresses first
        users = [ROTATION[i % len(ROTATION)] for i in range(args.users)]
        pages = {name: pages_for(name) for name in set(users)}
        connection.close()
        sessions = [sign_in(base, name) for name in users]
        for session, name in zip(sessions, users, strict=True):  # warm each page once
            for path in pages[name].values():
                session.get(base + path, timeout=120)
        before = uptime()
        think = (args.think[0], args.think[1]) if args.think else None
        results = Results()
        deadline = time.monotonic() + args.seconds
        threads = [
            threading.Thread(
                target=user_loop,
                args=(base, session, pages[name], deadline, results, args.seed + i, think),
            )
            for i, (session, name) in enumerate(zip(sessions, users, strict=True))
        ]
        meter = CpuMeter(server.pid if server is not None else None)
        meter.start()
        started, started_cpu = time.perf_counter(), time.process_time()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
        client_cpu = time.process_time() - started_cpu
        cpu = meter.finish()
        connection.close()
        after = uptime()
    finally:
        if server is not None and server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=120)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)

    by_page: dict[str, list[Sample]] = {}
    for sample in results.samples:
        by_page.setdefault(sample.page, []).append(sample)
    if args.think:
        print(
            f"SECONDARY FIGURE: each user thinks {args.think[0]:g}-{args.think[1]:g} s "
            "between pages"
        )
    print(
        f"{args.users} users, {wall:.0f} s, {engine} behind clientdesk serve "
        f"({args.workers or 'default'} workers, {args.threads or 'default'} threads), "
        f"{len(results.samples)} requests "
        f"({len(results.samples) / wall:.1f}/s)"
    )
    print(f"{'page':22} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'errors':>7}")
    missed = []
    every = by_page | {"ALL PAGES": results.samples}
    for name, samples in sorted(every.items(), key=lambda kv: (kv[0] == "ALL PAGES", kv[0])):
        times = [s.seconds * 1000 for s in samples]
        errors = sum(1 for s in samples if s.status != 200)
        p95 = percentile(times, 0.95)
        print(
            f"{name:22} {len(samples):6d} {statistics.median(times):8.0f} {p95:8.0f} "
            f"{max(times):8.0f} {errors:7d}"
        )
        if name != "ALL PAGES" and (p95 > args.target_ms or errors):
            missed.append(name)
    count = max(1, len(results.samples))
    print(
        f"CPU ms per request: server {cpu['server'] * 1000 / count:.1f}"
        + (" (not started here)" if server is None else "")
        + f", database processes {cpu['database'] * 1000 / count:.1f}"
        + ("" if engine == "postgresql" else f" ({engine}: inside the server)")
        + f", this client {client_cpu * 1000 / count:.1f}"
    )
    print(f"uptime before: {before}")
    print(f"uptime after:  {after}")
    if missed:
        print(f"target (p95 <= {args.target_ms:.0f} ms, 0 errors) missed on: {', '.join(missed)}")
        return 1
    print(f"target met: every page p95 <= {args.target_ms:.0f} ms, 0 errors")
    return 0


if __name__ == "__main__":
    sys.exit(main())
