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
2. **Public page**: ``--concurrency`` respondents at once (threads, each with its own link),
   each opening the page, saving a partial answer and finishing (Django's test client in
   process: the page's own time, not a network's), once with no pause between the steps
   (every thread hammering: a stress figure) and once with respondents' pauses (``--think``).
   Prints p50/p95/max per request kind, in wall time and in the request's own CPU (its
   thread's), and every failure (target p95 ≤ 100 ms under 50 concurrent, no failure).
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
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

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


def bench_public(
    concurrency: int, rounds: int, think: float, seed: int
) -> tuple[dict[str, list[float]], list[str]]:
    """``concurrency`` respondents at a time, ``rounds`` each in turn: open, save a partial
    answer, finish, with a random pause of 0 to 2 x ``think`` seconds before each step (a
    person reading and choosing; 0: every thread hammers). Answers the seconds of each
    request kind and every failure (a status other than 200, or an exception)."""
    from django.test import Client

    from clientdesk.surveys import conf, tokens
    from clientdesk.surveys.models import Invitation

    conf.PUBLIC_RATE_LIMIT = 10**9  # every bench request comes from one address
    invitations = list(
        Invitation.objects.filter(status="sent").order_by("pk")[: concurrency * rounds]
    )
    paths = [f"/s/{tokens.token_for(i.nonce)}/" for i in invitations]
    kinds = ("open", "save", "finish")
    timings: dict[str, list[float]] = {k: [] for k in (*kinds, *(f"{k} CPU" for k in kinds))}
    failures: list[str] = []
    rng = random.Random(seed)  # noqa: S311  (benchmark pauses)
    pauses = [[rng.uniform(0, 2 * think) for _ in range(3)] for _ in paths]

    def respond(index: int) -> dict[str, float]:
        from django.db import connection

        path, pause = paths[index], pauses[index]
        client = Client()
        out: dict[str, float] = {}
        posts = {
            "save": {"recommend": "9", "action": "save"},
            "finish": {"recommend": "9", "comment": "Fine.", "action": "submit"},
        }

        def step(kind: str) -> int:
            page = client.get(path) if kind == "open" else client.post(path, posts[kind])
            return int(page.status_code)

        try:
            for kind, wait in zip(kinds, pause, strict=True):
                time.sleep(wait)
                start, cpu = time.perf_counter(), time.thread_time()
                try:
                    status = step(kind)
                except Exception as error:
                    failures.append(f"{kind}: {type(error).__name__}: {error}")
                    return out
                out[kind] = time.perf_counter() - start
                out[f"{kind} CPU"] = time.thread_time() - cpu
                if status != 200:
                    failures.append(f"{kind}: HTTP {status}")
                    return out
            return out
        finally:
            connection.close()

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
        "--mail", choices=sorted(BACKENDS), default="wire", help="mail backend (WireBackend)"
    )
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="bench-surveys-"))
    try:
        setup_django(data_dir, args.mail)
        from django.db import connection

        print(f"database: {connection.vendor}")
        start = time.perf_counter()
        accounts = build(args.accounts, args.contacts)
        print(
            f"built {len(accounts)} accounts x {args.contacts} contacts in "
            f"{time.perf_counter() - start:.1f} s"
        )
        seconds, cpu, invited = bench_send(accounts)
        print(
            f"send ({args.mail} mail): {invited:,} invitations rendered and mailed in "
            f"{seconds:.1f} s, {cpu:.1f} s CPU ({invited / seconds:,.0f} /s; target 50,000 in "
            f"<= 60 s); load {os.getloadavg()[0]:.1f}"
        )
        for think in args.think:
            timings, failures = bench_public(args.concurrency, args.rounds, think, args.seed)
            print(
                f"public page, {args.concurrency} concurrent, pause 0-{2 * think:g} s "
                f"(target p95 <= 100 ms): {len(failures)} failures "
                f"{sorted(set(failures))[:3]}; load {os.getloadavg()[0]:.1f}"
            )
            for kind, values in timings.items():
                if values:
                    print(
                        f"  {kind}: n={len(values)} p50 {statistics.median(values) * 1000:.0f} ms"
                        f" p95 {percentile(values, 0.95) * 1000:.0f} ms"
                        f" max {max(values) * 1000:.0f} ms"
                    )
        answers = build_answers(accounts, args.answers, args.seed)
        reference = reference_seconds()
        print(f"answers: {answers:,} over 2 years; reference scan {reference * 1000:.1f} ms")
        for name, value in bench_results(accounts).items():
            print(f"{name}: {value:.2f} s ({value / reference:.0f}x the reference; target <= 2 s)")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak memory {peak:,.0f} MB")
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
