"""SQL compiled once per expression shape: what each lake gets is what Ibis compiles for it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import ibis
import ibis.expr.operations as ops
import ibis.expr.types as ir
import pandas as pd
import pytest
from ibis.backends.duckdb import Backend as IbisDuckDB

from clientdesk.lake import gateway
from clientdesk.lake.gateway import Lake, SystemActor, open_lake
from clientdesk.lake.ingestion import ingest_files
from clientdesk.lake.sql_shapes import ShapeCache, shape_of
from clientdesk.lake.tests.lakefiles import eligibility_row, medical_row, write_csv
from clientdesk.testing import Cast

pytestmark = pytest.mark.django_db

JOB = SystemActor("lake tests")


@pytest.fixture
def loaded(cast: Cast, tmp_path: Path) -> Cast:
    spans = [eligibility_row(person_id=f"P{i}", member_id=f"M{i}") for i in range(4)]
    claims = [
        medical_row(claim_id=f"C{i}", person_id=f"P{i % 4}", member_id=f"M{i % 4}")
        for i in range(6)
    ] + [medical_row(claim_id="D1", group_id="G100002")]
    ingest_files("eligibility", [write_csv(tmp_path / "e.csv", spans)], acting_user=None)
    ingest_files("medical_claim", [write_csv(tmp_path / "m.csv", claims)], acting_user=None)
    return cast


def calendar() -> ir.Table:
    months = [dt.date(2025, m, 1) for m in (1, 2, 3)]
    return ibis.memtable(pd.DataFrame({"month_start": months}))


def paid_by_member_month(lake: Lake) -> ir.Table:
    """Spans joined to a new in-memory calendar, claims joined twice (a self-join)."""
    e, c, cal = lake.eligibility, lake.medical_claim, calendar()
    months = e.cross_join(cal).select("person_id", "month_start")
    paid = c.group_by("person_id").aggregate(paid=c.paid_amount.sum(), lines=c.count())
    again = c.group_by("person_id").aggregate(claims=c.claim_id.nunique())
    joined = months.left_join(paid, "person_id").left_join(again, "person_id")
    return joined.select(
        "person_id", "month_start", paid=joined.paid.fill_null(0), claims=joined.claims
    ).order_by(["person_id", "month_start"])


def by_ibis(lake: Lake, expr: ir.Expr, **kwargs: object) -> str:
    """What Ibis's own DuckDB backend compiles for `expr` on this lake's connection."""
    return str(IbisDuckDB.compile(lake._con, expr, **kwargs))


def test_each_lake_gets_the_sql_ibis_compiles_for_its_own_tables(loaded: Cast) -> None:
    gateway._SQL_SHAPES.clear()
    with open_lake(loaded.bob) as first, open_lake(loaded.bob) as second:
        one, two = paid_by_member_month(first), paid_by_member_month(second)
        sql_one, sql_two = first._con.compile(one), second._con.compile(two)
        assert (gateway._SQL_SHAPES.misses, gateway._SQL_SHAPES.hits) == (1, 1)
        assert sql_one == by_ibis(first, one)
        assert sql_two == by_ibis(second, two)
        assert sql_one != sql_two  # each lake's own views and calendar
        assert all(view in sql_two for view in second._views)
        assert not any(view in sql_two for view in first._views)
        assert first.execute(one).equals(second.execute(two))
        assert len(first.execute(one)) == 12  # Acme's 4 members x 3 months
        limited = second._con.compile(two, limit=5)
        assert limited == by_ibis(second, two, limit=5) != sql_two  # the limit is its own shape


def test_each_read_keeps_its_own_row_limit(loaded: Cast) -> None:
    with open_lake(JOB, max_rows=10) as roomy:
        assert len(roomy.execute(roomy.medical_claim)) == 7
    with open_lake(JOB, max_rows=3) as tight, pytest.raises(gateway.RowLimitExceeded):
        tight.execute(tight.medical_claim)


def literal_query(value: object) -> Callable[[Lake], ir.Table]:
    def query(lake: Lake) -> ir.Table:
        c = lake.medical_claim
        return c.select("claim_id", x=ibis.literal(value))

    return query


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (0.0, -0.0),  # equal, printed apart
        (1, True),
        (dt.date(2025, 1, 1), dt.date(2025, 1, 2)),
        ("G100001", "G100002"),
    ],
    ids=["signed-zero", "int-bool", "date", "text"],
)
def test_values_that_print_apart_are_shapes_apart(loaded: Cast, a: object, b: object) -> None:
    with open_lake(JOB) as lake:
        first, second = literal_query(a)(lake), literal_query(b)(lake)
        shape_a, shape_b = shape_of(first.op()), shape_of(second.op())
        assert shape_a is not None and shape_b is not None
        assert shape_a[0] != shape_b[0]
        assert lake._con.compile(second) == by_ibis(lake, second)


def test_column_order_is_part_of_a_tables_shape() -> None:
    ab = ibis.memtable(pd.DataFrame({"a": [1], "b": ["x"]}))
    ba = ibis.memtable(pd.DataFrame({"b": ["x"], "a": [1]}))
    shape_ab, shape_ba = shape_of(ab.op()), shape_of(ba.op())
    assert shape_ab is not None and shape_ba is not None
    assert shape_ab[0] != shape_ba[0]
    again = shape_of(ibis.memtable(pd.DataFrame({"a": [2], "b": ["y"]})).op())  # other data
    assert again is not None and again[0] == shape_ab[0]


def test_parameters_and_sql_strings_are_compiled_every_time(loaded: Cast) -> None:
    cache = ShapeCache("duckdb")
    with open_lake(JOB) as lake:
        c = lake.medical_claim
        since = ibis.param("date")
        recent = c.filter(c.claim_start_date >= since)
        one = ibis.schema({"one": "int64"})
        raw = ops.SQLQueryResult(query="SELECT 1 AS one", schema=one, source=lake._con).to_expr()
        assert shape_of(recent.op()) is None and shape_of(raw.op()) is None
        asked: list[ir.Expr] = []

        def compile_(expr: ir.Expr) -> str:
            asked.append(expr)
            return "SQL"

        for expr, has_params in ((recent, False), (raw, False), (c, True), (c, True)):
            assert cache.compile(expr, compile_, has_params=has_params) == "SQL"
        assert [id(e) for e in asked] == [id(recent), id(raw), id(c), id(c)]  # as they are
        assert (cache.misses, cache.hits) == (0, 0)


def test_the_cache_keeps_its_size_dropping_the_least_recently_used() -> None:
    cache = ShapeCache("duckdb", size=2)
    compiled: list[str] = []

    def compile_(expr: ir.Expr) -> str:
        compiled.append(str(expr.op().__class__.__name__))
        return str(ibis.to_sql(expr, dialect="duckdb"))

    tables = [ibis.memtable(pd.DataFrame({f"c{i}": [i]})) for i in range(3)]
    for t in (tables[0], tables[1], tables[0], tables[2], tables[0], tables[1]):
        sql = cache.compile(t, compile_)
        assert str(t.op().name) in sql
    # 0, 1 compiled; 0 hit; 2 compiled (1 out); 0 hit; 1 compiled again (2 out)
    assert (cache.misses, cache.hits) == (4, 2)
