"""Account health at scale: the daily snapshot of 2,000 accounts and the portfolio page.

    .venv/bin/python bench/health.py                 # 2,000 accounts
    .venv/bin/python bench/health.py --accounts 500

Targets (issue 15): one snapshot of every account with every measure <= 10 s; the portfolio
health page p95 <= 300 ms at 2,000 accounts. The book is built in a temporary SQLite database
(bulk inserts: accounts, a decision maker each, a logged touch each, escalations and inquiries
on some), then `run_snapshot` (what `clientdesk health snapshot` runs: every registered measure
read once for all accounts, scored, stored with its words) is timed twice on two days, and the
portfolio page is fetched 30 times as the manager. A fixed Python workload timed in the same
process gives the ratio (the machine is shared).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def reference_seconds() -> float:
    started = time.perf_counter()
    total = 0
    for i in range(3_000_000):
        total += (i * 7) % 13
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=2000)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="health-bench-"))
    os.environ["CLIENTDESK_DATA_DIR"] = str(data_dir)
    os.environ["DATABASE_URL"] = f"sqlite:///{data_dir / 'db.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clientdesk.settings")
    os.environ.setdefault("CLIENTDESK_MFA_REQUIRED", "0")  # force_login has no second factor
    import django
    from django.conf import settings

    # Plain static storage: a temporary data dir has no collected manifest.
    settings.STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from clientdesk.accounts.models import Account, ActivityEvent, Contact
    from clientdesk.inquiries.models import AccountEscalation
    from clientdesk.people.roles import Role
    from clientdesk.strategy.runs import run_snapshot
    from clientdesk.testing import make_user

    call_command("migrate", interactive=False, verbosity=0)
    n = args.accounts
    today = timezone.localdate()
    Account.objects.bulk_create(
        Account(
            name=f"Sponsor {i:05d}",
            group_number=f"B{i:06d}",
            segment=("commercial", "public_sector", "labor_fund")[i % 3],
            funding=("aso", "fully_insured")[i % 2],
            employees=500 + i,
            members=1200 + 2 * i,
            state="OH",
            region="Midwest",
            effective_date=dt.date(2020, 1, 1),
            renewal_date=dt.date(2027, 1 + i % 12, 1),
        )
        for i in range(n)
    )
    accounts = list(Account.objects.order_by("pk"))
    Contact.objects.bulk_create(
        Contact(account=a, name=f"Director {a.pk}", role="hr_director", is_primary=True)
        for a in accounts
    )
    contacts = {c.account_id: c for c in Contact.objects.all()}
    now = timezone.now()
    events = ActivityEvent.objects.bulk_create(
        ActivityEvent(
            account=a, occurred_at=now - dt.timedelta(days=i % 150), kind="meeting", subject="QBR"
        )
        for i, a in enumerate(accounts)
    )
    through = ActivityEvent.contacts.through
    through.objects.bulk_create(
        through(activityevent_id=e.pk, contact_id=contacts[e.account_id].pk) for e in events
    )
    AccountEscalation.objects.bulk_create(
        AccountEscalation(account=a, title="Backlog", reason="Late claims", raised_at=now)
        for a in accounts[::7]
    )
    manager = make_user("bench-manager", Role.MANAGER, "Bench", "Manager")

    reference_before = reference_seconds()
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    first: dict[str, float] = {}
    second: dict[str, float] = {}
    _, s1 = run_snapshot(today - dt.timedelta(days=31), acting_user=manager, timings=first)
    run2, s2 = run_snapshot(today, acting_user=manager, timings=second)
    client = Client()
    client.force_login(manager)
    client.get("/strategy/health/")  # warm
    times = []
    for _ in range(30):
        started = time.perf_counter()
        response = client.get("/strategy/health/")
        times.append(time.perf_counter() - started)
        assert response.status_code == 200
    reference = (reference_before + reference_seconds()) / 2
    p95 = statistics.quantiles(times, n=20)[-1]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"accounts: {n:,}; scored {run2.scored:,}, changed since the first day {run2.changed:,}")
    print(f"snapshot: {s1:.2f} s (first day), {s2:.2f} s (second day, with the words of change)")
    print(f"snapshot rate: {n / s2:,.0f} accounts/s")
    print(
        "where the time goes (first day / second day, s): "
        + "; ".join(f"{k} {first[k]:.2f}/{second.get(k, 0):.2f}" for k in first)
    )
    print(
        f"portfolio page: median {statistics.median(times) * 1000:.0f} ms, "
        f"p95 {p95 * 1000:.0f} ms over {len(times)} requests"
    )
    print(f"peak memory: {peak / 1024:.0f} MB (before the snapshots {peak_before / 1024:.0f} MB)")
    print(f"reference workload: {reference:.2f} s; snapshot / reference = {s2 / reference:.1f}")


if __name__ == "__main__":
    main()
