"""Guarantee metrics computed straight from the written feeds with DuckDB (test helper).

Independent of the generator's code: the definitions are the ones documented in
``SCHEMA.md`` (and ``service_levels.METRICS``). Grain of ``metric_values``: one row per
(level key, metric, period) where level key is a group number or ``*`` for the whole book.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb

QUARTER = "strftime({d}, '%Y') || 'Q' || quarter({d})"
YEAR = "strftime({d}, '%Y')"

METRIC_SQL: dict[str, tuple[str, str, str, str]] = {
    # metric: (table, date expression, value expression, filter)
    "average_speed_of_answer": (
        "call_record",
        "offered_at::date",
        "avg(wait_seconds)",
        "line = 'member' and answered",
    ),
    "abandonment_rate": (
        "call_record",
        "offered_at::date",
        "100.0 * sum(case when abandoned and wait_seconds >= 5 then 1 else 0 end) / count(*)",
        "line = 'member' and not (abandoned and wait_seconds < 5)",
    ),
    "first_contact_resolution": (
        "call_record",
        "offered_at::date",
        "100.0 * avg(resolved_first_contact::int)",
        "line = 'member' and answered",
    ),
    "claims_turnaround": (
        "claim_processing",
        "finalized_date",
        "100.0 * avg(case when finalized_date - received_date <= 10 then 1 else 0 end)",
        "claim_frequency = '1'",
    ),
    "auto_adjudication_rate": (
        "claim_processing",
        "finalized_date",
        "100.0 * avg(auto_adjudicated::int)",
        "claim_frequency = '1'",
    ),
    "financial_accuracy": (
        "claim_processing",
        "finalized_date",
        "100.0 * (sum(audit_paid_amount) - sum(abs(audit_error_amount))) "
        "/ nullif(sum(audit_paid_amount), 0)",
        "audited",
    ),
    "ivr_containment": (
        "ivr_session",
        "started_at::date",
        "100.0 * avg(case when outcome = 'contained' then 1 else 0 end)",
        "true",
    ),
    "member_satisfaction": (
        "survey_response",
        "answered_at::date",
        "100.0 * avg(case when csat >= 4 then 1 else 0 end)",
        "survey = 'member' and answered_at is not null",
    ),
}
PERIOD = {
    "average_speed_of_answer": QUARTER,
    "abandonment_rate": QUARTER,
    "first_contact_resolution": QUARTER,
    "claims_turnaround": QUARTER,
    "auto_adjudication_rate": QUARTER,
    "financial_accuracy": QUARTER,
    "ivr_containment": QUARTER,
    "member_satisfaction": YEAR,
}


def connect(book: Path) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with every feed registered as a view (UTC session)."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    for table in ("call_record", "claim_processing", "ivr_session", "survey_response"):
        source = f"read_parquet('{book / table}/*.parquet')"
        sql = f"create view {table} as select * from {source}"  # noqa: S608 (fixed names)
        con.execute(sql)
    return con


def metric_values(book: Path) -> dict[tuple[str, str, str], float]:
    """Every metric per account and period, plus the whole book under account ``*``."""
    con = connect(book)
    out: dict[tuple[str, str, str], float] = {}
    for metric, (table, day, value, where) in METRIC_SQL.items():
        period = PERIOD[metric].format(d=day)
        for group_sql, key in (("group_id", "group_id"), ("'*'", "'*'")):
            sql = (
                f"select {key}, {period} as p, ({value})::double from {table} "  # noqa: S608
                f"where {where} group by {group_sql}, p"
            )  # (fixed names, no input)
            rows = con.execute(sql).fetchall()
            for account, label, v in rows:
                if v is not None:
                    out[(str(account), metric, str(label))] = float(v)
    return out


def _periods(kind: str, start: date, end: date) -> list[tuple[str, date, date]]:
    out = []
    for year in range(start.year, end.year + 1):
        if kind == "annual":
            out.append((str(year), date(year, 1, 1), date(year, 12, 31)))
            continue
        for q in range(4):
            first = date(year, 3 * q + 1, 1)
            last = date(year + (q == 3), (3 * q + 3) % 12 + 1, 1)
            out.append((f"{year}Q{q + 1}", first, date.fromordinal(last.toordinal() - 1)))
    return [p for p in out if p[2] >= start and p[1] <= end]


def observed_misses(book: Path) -> set[tuple[str, str, str]]:
    """(account, metric, period) of every guarantee in force that the feeds miss."""
    doc = json.loads((book / "book.json").read_text())
    truth = json.loads((book / "ground_truth.json").read_text())
    w_start = date.fromisoformat(truth["window"]["start"])
    w_end = date.fromisoformat(truth["window"]["end"])
    values = metric_values(book)
    misses: set[tuple[str, str, str]] = set()
    for sponsor in doc["sponsors"]:
        for contract in sponsor["contracts"]:
            c_start = max(date.fromisoformat(contract["start_date"]), w_start)
            c_end = min(date.fromisoformat(contract["end_date"]), w_end)
            for g in contract["guarantees"]:
                key = sponsor["group_number"] if g["level"] == "client" else "*"
                for label, _, _ in _periods(g["period"], c_start, c_end):
                    value = values.get((key, g["metric"], label))
                    if value is None:
                        continue
                    target = float(g["target"])
                    missed = value > target if g["comparator"] == "<=" else value < target
                    if missed:
                        misses.add((sponsor["group_number"], g["metric"], label))
    return misses


def planned_misses(book: Path) -> set[tuple[str, str, str]]:
    """(account, metric, period) listed in ``ground_truth.json``."""
    truth = json.loads((book / "ground_truth.json").read_text())
    return {(m["account"], m["metric"], m["period"]) for m in truth["guarantee_misses"]}
