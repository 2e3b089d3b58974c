"""Demo implementations: a new account being installed (two eligibility test rounds: a CSV
with rejects, then the sponsor's 834 loaded on the plan with its acceptance report), a
renewal running late on its critical path, and a pharmacy carve-in that went live and is in
hypercare. Idempotent: an account that has an implementation is left alone. Synthetic members
come from this module's own random stream, so nothing else in the demo book changes."""

from __future__ import annotations

import csv
import datetime as dt
import random
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from django.contrib.auth.models import User

from clientdesk.accounts.actions import do_create_account
from clientdesk.accounts.models import Account
from clientdesk.guarantees.actions import do_create_guarantee
from clientdesk.guarantees.library import template
from clientdesk.implementations.actions import (
    business_days,
    do_approve,
    do_create_implementation,
    do_go_live,
    do_load_test_file,
)
from clientdesk.implementations.actions import do_update_task as update_task
from clientdesk.implementations.models import Implementation, TaskKind, Template
from clientdesk.lake.ingestion import ingest_files
from clientdesk.lake.x12.write import write_834

SEED = 1919
NEW_GROUP = "G900019"


def _first_of_month_after(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _finish_planned(implementation: Implementation, today: dt.date, user: User) -> int:
    """Every task planned to finish before today is done on its planned dates; one planned
    to be under way is in progress, its share of the days gone done."""
    done = 0
    days = business_days(implementation)
    for task in implementation.tasks.order_by("position"):
        if task.start_date and task.finish_date and task.start_date <= today <= task.finish_date:
            # Business days worked before today, as a share rounded up, so the forecast
            # finishes the task on its planned day.
            gone = days.offset(today) - task.early_start
            update_task(
                task,
                {
                    "status": "in_progress",
                    "actual_start": task.start_date,
                    "percent_done": min(99, -(-100 * gone // max(task.duration, 1))),
                },
                today=today,
                acting_user=user,
            )
            continue
        if (
            task.finish_date is not None
            and task.finish_date < today
            and task.kind != TaskKind.GO_LIVE
        ):
            update_task(
                task,
                {
                    "status": "done",
                    "actual_start": task.start_date,
                    "actual_finish": task.finish_date,
                },
                today=today,
                acting_user=user,
            )
            done += 1
    return done


def _members(
    account: Account, rng: random.Random, count: int, file_name: str, bad: int
) -> list[dict[str, str]]:
    rows = []
    for n in range(count):
        birth = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(0, 40 * 365))
        rows.append(
            {
                "person_id": f"{account.group_number}-{n:05d}",
                "member_id": f"M{account.group_number[1:]}{n:05d}01",
                "subscriber_id": f"M{account.group_number[1:]}{n:05d}",
                "gender": rng.choice(["female", "male"]),
                "birth_date": "1985-02-30" if n < bad else birth.isoformat(),
                "enrollment_start_date": account.effective_date.isoformat(),
                "enrollment_end_date": "",
                "payer": "Keystone",
                "payer_type": "commercial",
                "plan": rng.choice(["PPO 1000", "HDHP 3000"]),
                "group_id": account.group_number,
                "group_name": account.name,
                "state": account.state,
                "zip_code": "60601",
                "data_source": "demo",
                "file_name": file_name,
            }
        )
    return rows


def _ingest(rows: list[dict[str, str]], name: str, user: User) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        with path.open("w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        ingest_files("eligibility", [path], acting_user=user, test=True)


def _load_834(plan: Implementation, rows: list[dict[str, str]], user: User) -> None:
    """The rows as the sponsor's 834 (the lake's X12 writer), loaded as the plan's next test
    round: its acceptance report is on the plan page."""
    with tempfile.TemporaryDirectory() as folder:
        book = Path(folder)
        (book / "eligibility").mkdir()
        pq.write_table(pa.Table.from_pylist(rows), book / "eligibility" / "part-0.parquet")
        path = book / "northwind-834-test-2.834"
        write_834(book, path)
        do_load_test_file(plan, path.read_bytes(), path.name, acting_user=user)


def _implementation_guarantees(plan: Implementation, user: User) -> None:
    """The implementation guarantees on the contract in force at go-live, measured from the
    plan's start to 90 days after the effective date (the guarantees app evaluates them)."""
    contract = plan.account.contracts.filter(
        start_date__lte=plan.effective_date, end_date__gte=plan.effective_date
    ).first()
    if contract is None or plan.start_date is None:
        return
    for code in ("implementation_id_cards_10", "implementation_milestones"):
        data = template(code).guarantee_data(contract) | {
            "measure_from": max(plan.start_date, contract.start_date),
            "measure_to": min(plan.effective_date + dt.timedelta(days=90), contract.end_date),
        }
        do_create_guarantee(contract, data, acting_user=user)


def seed_implementations(*, acting_user: User, today: dt.date, data_end: dt.date) -> str:
    templates = {t.code: t for t in Template.objects.all()}
    rng = random.Random(SEED)  # noqa: S311  (synthetic data, not secrets)
    made = []
    # 1. A new self-funded account, effective the first of the month after next.
    effective = _first_of_month_after(today, 2)
    account = Account.objects.filter(group_number=NEW_GROUP).first()
    if account is None:
        account = do_create_account(
            {
                "name": "Northwind Logistics",
                "group_number": NEW_GROUP,
                "segment": "commercial",
                "funding": "aso",
                "employees": 180,
                "members": 420,
                "state": "IL",
                "region": "Midwest",
                "timezone": "America/Chicago",
                "effective_date": effective,
                "renewal_date": _first_of_month_after(effective, 12),
            },
            acting_user=acting_user,
        )
    if not account.implementations.exists():
        plan = do_create_implementation(
            account,
            name=f"Northwind Logistics {effective.year} new account",
            kind="",
            effective_date=account.effective_date,
            template=templates["new-self-funded"],
            acting_user=acting_user,
        )
        do_approve(
            plan,
            now=dt.datetime.combine(plan.start_date or today, dt.time(15), tzinfo=dt.UTC),
            acting_user=acting_user,
        )
        _finish_planned(plan, today, acting_user)
        _ingest(
            _members(account, rng, 400, "northwind-834-test-1", bad=31),
            "northwind-834-test-1.csv",
            acting_user,
        )
        # Round 2 comes as the sponsor's 834, loaded on the plan (its acceptance report shown).
        _load_834(plan, _members(account, rng, 415, "northwind-834-test-2", bad=2), acting_user)
        made.append(plan.name)
    # 2 and 3: the book's two largest accounts.
    book = list(Account.objects.exclude(group_number=NEW_GROUP).order_by("-members", "id")[:2])
    if len(book) == 2 and not book[0].implementations.exists():
        renewal = do_create_implementation(
            book[0],
            name=f"{book[0].name}: {effective.year} renewal with plan changes",
            kind="",
            effective_date=_first_of_month_after(today, 1),
            template=templates["renewal-plan-changes"],
            acting_user=acting_user,
        )
        do_approve(
            renewal,
            now=dt.datetime.combine(renewal.start_date or today, dt.time(15), tzinfo=dt.UTC),
            acting_user=acting_user,
        )
        # Done on plan except the changed eligibility file, which has not come in: late.
        for task in renewal.tasks.order_by("position"):
            if task.kind == TaskKind.ELIGIBILITY_TEST:
                update_task(
                    task,
                    {
                        "status": "blocked",
                        "blocker": "Sponsor's vendor has not sent the changed 834",
                    },
                    today=today,
                    acting_user=acting_user,
                )
            elif task.finish_date is not None and task.finish_date < today:
                update_task(
                    task,
                    {
                        "status": "done",
                        "actual_start": task.start_date,
                        "actual_finish": task.finish_date,
                    },
                    today=today,
                    acting_user=acting_user,
                )
        made.append(renewal.name)
    if len(book) == 2 and not book[1].implementations.exists():
        went_live = data_end - dt.timedelta(days=45)
        carve_in = do_create_implementation(
            book[1],
            name=f"{book[1].name}: pharmacy carve-in",
            kind="",
            effective_date=went_live,
            template=templates["pharmacy-carve-in"],
            acting_user=acting_user,
        )
        do_approve(
            carve_in,
            now=dt.datetime.combine(carve_in.start_date or today, dt.time(15), tzinfo=dt.UTC),
            acting_user=acting_user,
        )
        _finish_planned(carve_in, went_live, acting_user)
        do_go_live(carve_in, on=went_live, acting_user=acting_user)
        _implementation_guarantees(carve_in, acting_user)
        made.append(carve_in.name)
    return f"implementations: {len(made)} plans ({'; '.join(made) or 'already there'})"
