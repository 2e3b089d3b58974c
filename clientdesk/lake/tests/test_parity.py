"""The same Ibis expressions give the same answers on DuckDB and on Spark.

A small fixture lake (two sponsors, eligibility spans with gaps and open ends, claim lines with
empty and negative amounts, a re-sent file) is loaded once through ingestion; each query runs
on both engines over the same committed files. Counts must match exactly, money to the cent.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd
import pytest

from clientdesk.lake.gateway import Lake, SystemActor, open_lake, spark_session
from clientdesk.lake.ingestion import ingest_files
from clientdesk.lake.staging import final_action_claim_lines
from clientdesk.lake.tests.lakefiles import eligibility_row, medical_row, write_csv
from clientdesk.testing import Cast

pytestmark = [pytest.mark.django_db, pytest.mark.spark]

JOB = SystemActor("lake tests")

MONTHS = [dt.date(2025, m, 1) for m in range(1, 13)]
OPEN_END = ibis.date(9999, 12, 31)


def month_end(start: dt.date) -> dt.date:
    following = dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def load_fixture_lake(tmp_path: Path) -> int:
    """Load the fixture lake; returns how many claim lines are final-action."""
    rng = random.Random(20261127)  # noqa: S311  # test data, not secrets
    spans = []
    for i in range(120):
        group = "G100001" if i % 3 else "G100002"
        start = MONTHS[i % 5]
        end = "" if i % 4 == 0 else month_end(MONTHS[min(11, i % 5 + 3 + i % 6)]).isoformat()
        spans.append(
            eligibility_row(
                person_id=f"P{i}",
                member_id=f"M{i}",
                subscriber_id=f"M{i - i % 2}",
                group_id=group,
                enrollment_start_date=start.isoformat(),
                enrollment_end_date=end,
            )
        )
        if i % 7 == 0 and end:  # a second span after a gap
            spans.append(
                eligibility_row(
                    person_id=f"P{i}",
                    member_id=f"M{i}",
                    group_id=group,
                    enrollment_start_date="2025-11-01",
                    enrollment_end_date="2025-12-31",
                )
            )
    claims = []
    for n in range(1500):
        i = rng.randrange(120)
        day = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(365))
        cents = rng.randrange(-20_000, 150_000)
        paid = "" if n % 37 == 0 else f"{Decimal(cents) / 100:.2f}"
        claims.append(
            medical_row(
                claim_id=f"C{n // 2}",
                claim_line_number=str(n % 2 + 1),
                person_id=f"P{i}",
                member_id=f"M{i}",
                group_id="",  # the sponsor comes from eligibility
                claim_start_date=day.isoformat(),
                claim_end_date=day.isoformat(),
                claim_line_start_date=day.isoformat(),
                claim_line_end_date=day.isoformat(),
                paid_amount=paid,
                allowed_amount=f"{Decimal(abs(cents) + 1_999) / 100:.2f}",
                file_date="2026-01-05",
            )
        )
    resent = [
        dict(row, paid_amount=f"{Decimal(k) / 10:.2f}", file_date="2026-02-05")
        for k, row in enumerate(claims[:40])
    ]
    ingest_files("eligibility", [write_csv(tmp_path / "e.csv", spans)], acting_user=None)
    ingest_files(
        "medical_claim",
        [write_csv(tmp_path / "m1.csv", claims), write_csv(tmp_path / "m2.csv", resent)],
        acting_user=None,
    )
    final = {(r["claim_id"], r["claim_line_number"]): r["paid_amount"] for r in claims + resent}
    return sum(1 for paid in final.values() if not paid.startswith("-"))


def calendar() -> ir.Table:
    return ibis.memtable(
        pd.DataFrame({"month_start": MONTHS, "month_end": [month_end(m) for m in MONTHS]})
    )


def member_months(lake: Lake) -> ir.Table:
    """Grain: account x month. Spans joined to the month calendar by date range."""
    e, cal = lake.eligibility, calendar()
    spans = e.join(
        cal,
        [
            e.enrollment_start_date <= cal.month_end,
            e.enrollment_end_date.fill_null(OPEN_END) >= cal.month_start,
        ],
    )
    return spans.group_by(["account_id", "month_start"]).aggregate(
        member_months=spans.person_id.nunique(), span_months=spans.count()
    )


def spend(lake: Lake) -> ir.Table:
    """Grain: account x month of service."""
    c = lake.medical_claim
    month = c.claim_start_date.truncate("M").cast("date")
    return c.group_by(account_id=c.account_id, month_start=month).aggregate(
        paid=c.paid_amount.sum(), allowed=c.allowed_amount.sum(), lines=c.count()
    )


def pmpm(lake: Lake) -> ir.Table:
    """Grain: account x month; months without claims have 0 spend (Tuva's left join)."""
    mm, sp = member_months(lake), spend(lake)
    joined = mm.left_join(sp, ["account_id", "month_start"])
    return joined.select(
        "account_id",
        "month_start",
        "member_months",
        paid=joined.paid.fill_null(0),
        paid_pmpm=(joined.paid.fill_null(0) / joined.member_months).cast("decimal(18, 2)"),
    )


def claim_counts(lake: Lake) -> ir.Table:
    c = lake.medical_claim
    return c.group_by("account_id").aggregate(
        claims=c.claim_id.nunique(), lines=c.count(), persons=c.person_id.nunique()
    )


def paid_buckets(lake: Lake) -> ir.Table:
    c = lake.medical_claim
    bucket = ibis.cases(
        (c.paid_amount.isnull(), "none"),
        (c.paid_amount < 0, "reversal"),
        (c.paid_amount < 100, "low"),
        (c.paid_amount < 500, "mid"),
        else_="high",
    )
    return c.group_by(account_id=c.account_id, bucket=bucket).aggregate(
        n=c.count(), paid=c.paid_amount.sum()
    )


def final_action(lake: Lake) -> ir.Table:
    f = final_action_claim_lines(lake.medical_claim)
    return f.group_by("account_id").aggregate(lines=f.count(), paid=f.paid_amount.sum())


QUERIES: dict[str, Callable[[Lake], ir.Table]] = {
    "member_months": member_months,
    "spend": spend,
    "pmpm": pmpm,
    "claim_counts": claim_counts,
    "paid_buckets": paid_buckets,
    "final_action": final_action,
}
MONEY = {"paid", "allowed", "paid_pmpm"}


def normalized(frame: pd.DataFrame) -> list[dict[str, Any]]:
    def value(column: str, v: Any) -> Any:
        if v is None or (isinstance(v, float) and pd.isna(v)):
            return None
        if column in MONEY:
            return Decimal(str(v)).quantize(Decimal("0.01"))
        if column == "month_start":
            return pd.Timestamp(v).date()
        if isinstance(v, int | float) or hasattr(v, "item"):
            return int(v)
        return v

    records = [{k: value(k, v) for k, v in row.items()} for row in frame.to_dict("records")]
    return sorted(records, key=lambda r: tuple(str(r[k]) for k in sorted(r)))


def test_duckdb_and_spark_agree(cast: Cast, tmp_path: Path) -> None:
    final_lines = load_fixture_lake(tmp_path)
    answers: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for engine in ("duckdb", "spark"):
        with open_lake(JOB, engine=engine) as lake:
            answers[engine] = {
                name: normalized(lake.execute(query(lake))) for name, query in QUERIES.items()
            }
    duck, spark = answers["duckdb"], answers["spark"]
    for name in QUERIES:
        assert duck[name] == spark[name], name
    # The fixture is not trivial: both sponsors, every month, every bucket.
    assert {r["account_id"] for r in duck["claim_counts"]} == {cast.acme.pk, cast.bayside.pk}
    assert len(duck["member_months"]) == 24
    assert {r["bucket"] for r in duck["paid_buckets"]} == {"none", "reversal", "low", "mid", "high"}
    assert sum(r["lines"] for r in duck["claim_counts"]) == 1540  # both versions kept
    assert sum(r["lines"] for r in duck["final_action"]) == final_lines < 1500


def test_spark_scope_and_limits(cast: Cast, tmp_path: Path) -> None:
    load_fixture_lake(tmp_path)
    with open_lake(JOB, accounts=[cast.bayside], engine="spark", max_rows=10) as lake:
        t = lake.medical_claim
        assert set(lake.execute(t.account_id.nunique().name("n").as_table())["n"]) == {1}
        assert lake.execute(t.account_id.max()) == cast.bayside.pk
        with pytest.raises(Exception, match="more than 10 rows"):
            lake.execute(t)


def test_spark_python_workers_run_this_interpreter() -> None:
    """Spark's Python workers ran the first `python3` on the PATH (without the virtualenv's
    libraries, and of whatever version it was), not the app's interpreter."""
    session = spark_session()
    ran = session.sparkContext.parallelize([0], 1).map(lambda _: sys.executable).collect()
    assert ran == [sys.executable]
