"""Surveys at scale: sending, the public page under load, results over two years.

    .venv/bin/python bench/surveys.py                      # temp SQLite
    .venv/bin/python bench/surveys.py --accounts 200 --contacts 250 --concurrency 50
    DATABASE_URL=postgres://…/scratch .venv/bin/python bench/surveys.py   # a scratch database

Builds ``--accounts`` accounts (each with a lead) with ``--contacts`` contacts each (200 x 250 =
50,000 addresses), then times:

1. **Sending**: one relationship send per account through the real actions (`do_send_survey`:
   throttle and unsubscribe checks, one invitation and token per person) and its delivery
   (`deliver_send`: every mail rendered and handed to the mail backend: `WireBackend`, which
   serialises each message as the SMTP backend would and drops the bytes, or ``--mail
   locmem``), for every invitation. Prints invitations per second, the total seconds and the
   CPU seconds (target: 50,000 ≤ 60 s; on a shared machine the CPU time is the figure).
2. **Public page**, through the real server: `clientdesk serve` (gunicorn, ``--workers``, the
   production middleware, WhiteNoise, the rate limit counting) on the bench's database, and
   ``--concurrency`` respondents at once (client threads in this process, each a browser of
   its own with the CSRF cookie, each with its own link), each opening the page, saving a
   partial answer and finishing. Once per ``--think`` value: 0 is every thread hammering with
   no pause (a saturation figure: 50 requests always in flight on the machine's cores), a
   mean of 1 s or more is respondents reading and choosing between requests (what 50 people
   answering at once look like). Prints p50/p95/max per request kind (wall, connect to last
   byte), every failure, the server's CPU per request (its workers' CPU over the run, from
   /proc) and `uptime` (target p95 <= 100 ms under 50 concurrent, no failure).
3. **Results**: answers over two years for every account (``--answers`` per account per
   year, stored as imported rows), then `results` by account, by month and by role, and the
   per-account `satisfaction_by_account` the health reads. Prints seconds (target ≤ 2 s).

Every figure is also given as a multiple of a reference query in the same process (a bare
count and sum over the responses table): the machine is shared, the ratio travels better.
Prints figures only; not a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import os
import random
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


class WireBackend:
    """A mail backend that does our side of an SMTP send (each message built and serialised
    to the bytes that would go on the wire, over one connection) and drops the bytes: the
    CPU a real send costs us, without a mail server. ``--mail locmem`` uses Django's test
    backend instead (which also deep-copies every message into ``mail.outbox``)."""

    sent = 0
    octets = 0

    def __init__(self, fail_silently: bool = False, **kwargs: Any) -> None:
        self.fail_silently = fail_silently

    def open(self) -> bool:
        return True

    def close(self) -> None:
        return None

    def __enter__(self) -> WireBackend:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def send_messages(self, messages: list[Any]) -> int:
        for message in messages:
            WireBackend.octets += len(message.message().as_bytes(linesep="\r\n"))
        WireBackend.sent += len(messages)
        return len(messages)


BACKENDS = {
    "wire": f"{__name__}.WireBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
}


def setup_django(data_dir: Path, mail: str = "wire") -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clientdesk.settings")
    os.environ.setdefault("CLIENTDESK_DATA_DIR", str(data_dir))
    os.environ.setdefault("CLIENTDESK_EMAIL_BACKEND", BACKENDS[mail])
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.conf import settings

    # The pages link the stylesheet; without collectstatic, name it as DEBUG would.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def build(accounts: int, contacts: int) -> list[Any]:
    from django.contrib.auth.models import User

    from clientdesk.accounts.models import Account, Assignment, Contact

    lead = User.objects.create_user("lead", email="lead@example.org")
    made = Account.objects.bulk_create(
        Account(
            name=f"Sponsor {i:04d}",
            group_number=f"G{700000 + i}",
            segment="commercial",
            funding="aso",
            state="OH",
            region="Midwest",
            timezone="America/New_York",
            effective_date=dt.date(2020, 1, 1),
            renewal_date=dt.date(2027, 1, 1),
        )
        for i in range(accounts)
    )
    made = list(Account.objects.order_by("pk"))
    Assignment.objects.bulk_create(
        Assignment(account=a, user=lead, role="lead", since=dt.date(2024, 1, 1)) for a in made
    )
    roles = ["benefits_manager", "hr_director", "cfo", "broker"]
    Contact.objects.bulk_create(
        (
            Contact(
                account=a,
                name=f"Contact {j}",
                role=roles[j % len(roles)],
                email=f"c{j}.a{a.pk}@sponsor.example",
            )
            for a in made
            for j in range(contacts)
        ),
        batch_size=5000,
    )
    return made


def reference_seconds() -> float:
    from django.db import connection

    start = time.perf_counter()
    with connection.cursor() as cursor:
        for _ in range(5):
            cursor.execute("SELECT count(*), sum(nps), sum(csat) FROM surveys_surveyresponse")
            cursor.fetchall()
    return (time.perf_counter() - start) / 5


def bench_send(accounts: list[Any]) -> tuple[float, float, int]:
    from django.core import mail

    from clientdesk.surveys import actions
    from clientdesk.surveys.library import TEMPLATES

    survey = actions.do_create_survey(
        "Bench relationship", "relationship", TEMPLATES["relationship"], acting_user=None
    )
    invited = 0
    start, cpu = time.perf_counter(), time.process_time()
    for account in accounts:
        contacts = list(account.contacts.all())
        send = actions.do_send_survey(survey, account, contacts, acting_user=None)
        send = actions.deliver_send(send.pk)
        invited += send.invited
        mail.outbox = []  # the locmem backend keeps every message: let them go
    return time.perf_counter() - start, time.process_time() - cpu, invited


PUBLIC_STEPS = ("open", "save", "finish")
PUBLIC_POSTS = {
    "save": {"recommend": "9", "action": "save"},
    "finish": {"recommend": "9", "comment": "Fine.", "action": "submit"},
}
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CSRF_COOKIE = re.compile(r"csrftoken=([^;]+)")


def start_server(data_dir: Path, bind: str, workers: int) -> subprocess.Popen[bytes]:
    """`clientdesk serve` on the bench's database (the same DATA_DIR, or DATABASE_URL), with
    gunicorn's ``workers``, no report worker and no clock. The rate limit still counts every
    request (the same work as in production) but is raised out of reach: every bench request
    comes from one address."""
    env = {
        **os.environ,
        "CLIENTDESK_DATA_DIR": str(data_dir),
        "CLIENTDESK_SURVEY_RATE_LIMIT": str(10**9),
    }
    env.pop("CLIENTDESK_EMAIL_BACKEND", None)  # the bench's own backend lives in __main__
    clientdesk = str(Path(sys.executable).parent / "clientdesk")
    log = (data_dir / "serve.log").open("wb")
    server = subprocess.Popen(  # noqa: S603  (our own command, our arguments)
        [clientdesk, "serve", "--bind", bind, "--workers", str(workers), "--no-worker"],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
        start_new_session=True,
    )
    host, port = bind.rsplit(":", 1)
    deadline = time.monotonic() + 600  # collectstatic compresses the files first
    while time.monotonic() < deadline:
        if server.poll() is not None:
            log.close()
            tail = Path(log.name).read_text(errors="replace")[-3000:]
            raise SystemExit(f"clientdesk serve exited with {server.returncode}:\n{tail}")
        try:
            if http_get(host, int(port), "/healthz", {})[0] == 200:
                return server
        except OSError:
            pass
        time.sleep(0.5)
    stop_server(server)
    raise SystemExit(f"clientdesk serve did not answer on {bind} within 600 s")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)


def server_cpu(server: subprocess.Popen[bytes]) -> float:
    """CPU seconds (user + system) of gunicorn's workers so far: the processes of the server's
    session other than the arbiter (their own ticks, read from /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # fields[3] is the session id, [11] utime, [12] stime (after pid and comm).
        if int(fields[3]) == server.pid and int(stat.parent.name) != server.pid:
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def http_get(host: str, port: int, path: str, headers: dict[str, str]) -> tuple[int, str, str]:
    return http_request(host, port, "GET", path, None, headers)


def http_request(
    host: str, port: int, method: str, path: str, body: bytes | None, headers: dict[str, str]
) -> tuple[int, str, str]:
    """One request on its own connection (gunicorn's sync workers close each one): the
    status, the body and the Set-Cookie header."""
    connection = http.client.HTTPConnection(host, port, timeout=120)
    try:
        connection.request(method, path, body=body, headers=headers)
        answer = connection.getresponse()
        text = answer.read().decode()
        return answer.status, text, answer.getheader("Set-Cookie") or ""
    finally:
        connection.close()


def bench_public(
    base: str, concurrency: int, rounds: int, think: float, seed: int
) -> tuple[dict[str, list[float]], list[str]]:
    """``concurrency`` respondents at a time through the real server at ``base``
    (host:port), ``rounds`` each in turn: open the link, save a partial answer, finish,
    with a random pause of 0 to 2 x ``think`` seconds before each step (a person reading and
    choosing; 0: every thread hammers). Each respondent is a browser of its own: the CSRF
    cookie the page sets and the form's token go back with each post. Answers the seconds of
    each request kind (connect to the last byte) and every failure (a status other than 200,
    or an exception)."""
    from django.db import connection

    from clientdesk.surveys import tokens
    from clientdesk.surveys.models import Invitation

    invitations = list(  # links no earlier run has opened
        Invitation.objects.filter(status="sent").order_by("pk")[: concurrency * rounds]
    )
    connection.close()
    paths = [f"/s/{tokens.token_for(i.nonce)}/" for i in invitations]
    timings: dict[str, list[float]] = {k: [] for k in PUBLIC_STEPS}
    failures: list[str] = []
    rng = random.Random(seed)  # noqa: S311  (benchmark pauses)
    pauses = [[rng.uniform(0, 2 * think) for _ in range(3)] for _ in paths]
    host, port = base.rsplit(":", 1)

    def respond(index: int) -> dict[str, float]:
        path, pause = paths[index], pauses[index]
        out: dict[str, float] = {}
        cookie, form_token = "", ""
        for kind, wait in zip(PUBLIC_STEPS, pause, strict=True):
            time.sleep(wait)
            headers = {"Cookie": f"csrftoken={cookie}"} if cookie else {}
            body: bytes | None = None
            if kind != "open":
                form = {**PUBLIC_POSTS[kind], "csrfmiddlewaretoken": form_token}
                body = urlencode(form).encode()
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            start = time.perf_counter()
            try:
                method = "GET" if body is None else "POST"
                status, text, set_cookie = http_request(
                    host, int(port), method, path, body, headers
                )
            except Exception as error:
                failures.append(f"{kind}: {type(error).__name__}: {error}")
                return out
            out[kind] = time.perf_counter() - start
            if status != 200:
                failures.append(f"{kind}: HTTP {status}")
                return out
            found = CSRF_COOKIE.search(set_cookie)
            cookie = found[1] if found else cookie
            field = CSRF_FIELD.search(text)
            form_token = field[1] if field else form_token
        return out

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for result in pool.map(respond, range(len(paths))):
            for key, value in result.items():
                timings[key].append(value)
    return timings, failures


def build_answers(accounts: list[Any], per_year: int, seed: int) -> int:
    from clientdesk.surveys.models import SurveyResponse

    rng = random.Random(seed)  # noqa: S311  (benchmark data)
    roles = ["benefits_manager", "hr_director", "cfo", "broker"]
    start = dt.datetime(2024, 12, 1, 15, tzinfo=dt.UTC)
    rows = []
    for account in accounts:
        for _ in range(per_year * 2):
            at = start + dt.timedelta(minutes=rng.randrange(0, 730 * 24 * 60))
            rows.append(
                SurveyResponse(
                    source="import",
                    account=account,
                    kind="relationship",
                    contact_role=rng.choice(roles),
                    nps=rng.randint(0, 10),
                    csat=rng.randint(1, 5),
                    ces=rng.randint(1, 7),
                    started_at=at,
                    submitted_at=at,
                )
            )
    SurveyResponse.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def bench_results(accounts: list[Any]) -> dict[str, float]:
    from clientdesk.lake.gateway import SystemActor
    from clientdesk.surveys.queries import (
        Dimension,
        Source,
        results,
        satisfaction_by_account,
    )

    first, last = dt.date(2024, 12, 1), dt.date(2026, 11, 30)
    out: dict[str, float] = {}
    for by in (Dimension.ACCOUNT, Dimension.PERIOD, Dimension.ROLE):
        start = time.perf_counter()
        rows, _ = results(None, first, last, by=by)
        out[f"results by {by.value} ({len(rows)} rows)"] = time.perf_counter() - start
    start = time.perf_counter()
    found = satisfaction_by_account(
        SystemActor("bench"), [a.pk for a in accounts], first, last, sources=[Source.SURVEYS]
    )
    out[f"satisfaction_by_account ({len(found)} accounts)"] = time.perf_counter() - start
    return out


def uptime() -> str:
    env = {**os.environ, "TZ": "UTC"}  # Django set TZ to the site's zone
    done = subprocess.run(["/usr/bin/uptime"], capture_output=True, text=True, check=False, env=env)
    return done.stdout.strip()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument("--contacts", type=int, default=250)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=4, help="respondents per thread")
    parser.add_argument(
        "--think",
        type=float,
        nargs="+",
        default=[0.0, 1.0],
        help="mean pause (s) before each respondent's step; one run of the page per value",
    )
    parser.add_argument("--answers", type=int, default=150, help="per account per year")
    parser.add_argument("--seed", type=int, default=21)
    parser.add_argument(
        "--parts",
        nargs="+",
        choices=["send", "public", "results"],
        default=["send", "public", "results"],
        help="which figures to measure (the public page alone still sends its links)",
    )
    parser.add_argument("--bind", default="127.0.0.1:8121", help="where clientdesk serve listens")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (serve's default)")
    parser.add_argument(
        "--mail", choices=sorted(BACKENDS), default="wire", help="mail backend (WireBackend)"
    )
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="bench-surveys-"))
    try:
        setup_django(data_dir, args.mail)
        from django.conf import settings
        from django.db import connection

        print(f"database: {connection.vendor} ({settings.DATA_DIR})")
        start = time.perf_counter()
        accounts = build(args.accounts, args.contacts)
        print(
            f"built {len(accounts)} accounts x {args.contacts} contacts in "
            f"{time.perf_counter() - start:.1f} s"
        )
        if "send" in args.parts:
            seconds, cpu, invited = bench_send(accounts)
            print(
                f"send ({args.mail} mail): {invited:,} invitations rendered and mailed in "
                f"{seconds:.1f} s, {cpu:.1f} s CPU ({invited / seconds:,.0f} /s; target 50,000 "
                f"in <= 60 s); {uptime()}"
            )
        if "public" in args.parts:
            if "send" not in args.parts:  # links enough for the respondents
                links = args.concurrency * args.rounds * len(args.think)
                needed = -(-links // args.contacts)
                bench_send(accounts[:needed])
            connection.close()
            server = start_server(Path(settings.DATA_DIR), args.bind, args.workers)
            try:
                for think in args.think:
                    before, cpu_before = uptime(), server_cpu(server)
                    client_cpu, started = time.process_time(), time.perf_counter()
                    timings, failures = bench_public(
                        args.bind, args.concurrency, args.rounds, think, args.seed
                    )
                    wall = time.perf_counter() - started
                    client_cpu = time.process_time() - client_cpu
                    served = sum(len(v) for v in timings.values())
                    spent = server_cpu(server) - cpu_before
                    print(
                        f"public page through clientdesk serve ({args.workers} workers), "
                        f"{args.concurrency} concurrent, pause 0-{2 * think:g} s before each "
                        f"step (target p95 <= 100 ms): {served} requests in {wall:.1f} s, "
                        f"{len(failures)} failures {sorted(set(failures))[:3]}"
                    )
                    print(
                        f"  server CPU {spent * 1000 / max(served, 1):.1f} ms a request "
                        f"(workers {spent:.1f} s); client CPU "
                        f"{client_cpu * 1000 / max(served, 1):.1f} ms a request"
                    )
                    for kind, values in timings.items():
                        if values:
                            print(
                                f"  {kind}: n={len(values)} p50 "
                                f"{statistics.median(values) * 1000:.0f} ms p95 "
                                f"{percentile(values, 0.95) * 1000:.0f} ms max "
                                f"{max(values) * 1000:.0f} ms"
                            )
                    print(f"  uptime before: {before}\n  uptime after:  {uptime()}")
            finally:
                stop_server(server)
        if "results" in args.parts:
            bench_results_part(accounts, args.answers, args.seed)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak memory {peak:,.0f} MB")
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def bench_results_part(accounts: list[Any], per_year: int, seed: int) -> None:
    answers = build_answers(accounts, per_year, seed)
    reference = reference_seconds()
    print(f"answers: {answers:,} over 2 years; reference scan {reference * 1000:.1f} ms")
    for name, value in bench_results(accounts).items():
        print(f"{name}: {value:.2f} s ({value / reference:.0f}x the reference; target <= 2 s)")


if __name__ == "__main__":
    main()
