"""Eligibility: households, relations, identifiers, enrollment spans."""

from __future__ import annotations

import duckdb
import numpy as np

from clientdesk.synth.params import SynthParams
from clientdesk.synth.population import build_population
from clientdesk.synth.sponsors import plan_sponsors


def one(db: duckdb.DuckDBPyConnection, sql: str) -> object:
    return db.execute(sql).fetchall()[0][0]


def test_every_household_has_one_subscriber(small_db: duckdb.DuckDBPyConnection) -> None:
    bad = one(
        small_db,
        """
        select count(*) from (select subscriber_id,
          count(distinct case when subscriber_relation = 'self' then person_id end) selfs,
          count(distinct case when subscriber_relation = 'spouse' then person_id end) spouses
          from eligibility group by 1) where selfs <> 1 or spouses > 1""",
    )
    assert bad == 0


def test_member_ids_extend_the_subscriber_id(small_db: duckdb.DuckDBPyConnection) -> None:
    bad = one(
        small_db,
        "select count(*) from eligibility where member_id not like"
        " subscriber_id || '__' or length(member_id) <> 12",
    )
    assert bad == 0
    selfs = one(
        small_db,
        "select count(*) from eligibility where subscriber_relation = 'self'"
        " and right(member_id, 2) <> '01'",
    )
    assert selfs == 0
    one_person_one_member = one(
        small_db,
        "select count(*) from (select person_id,"
        " count(distinct member_id) n from eligibility"
        " group by 1) where n > 1",
    )
    assert one_person_one_member == 0


def test_household_shares_group_and_address(small_db: duckdb.DuckDBPyConnection) -> None:
    bad = one(
        small_db,
        "select count(*) from (select subscriber_id, count(distinct group_id) g,"
        " count(distinct address) a from eligibility group by 1)"
        " where g > 1 or a > 1",
    )
    assert bad == 0


def test_children_are_under_26_and_younger_than_parents(
    small_db: duckdb.DuckDBPyConnection,
) -> None:
    old = one(
        small_db,
        "select count(*) from eligibility where subscriber_relation = 'child'"
        " and enrollment_end_date >= birth_date + interval 26 year"
        " + interval 31 day",
    )
    assert old == 0
    older_than_parent = one(
        small_db,
        """
        select count(*) from eligibility c join eligibility s
          on s.subscriber_id = c.subscriber_id and s.subscriber_relation = 'self'
        where c.subscriber_relation = 'child' and c.birth_date < s.birth_date""",
    )
    assert older_than_parent == 0


def test_spans_are_ordered_and_disjoint(small_db: duckdb.DuckDBPyConnection) -> None:
    assert (
        one(
            small_db,
            "select count(*) from eligibility where enrollment_end_date < enrollment_start_date",
        )
        == 0
    )
    overlap = one(
        small_db,
        """
        select count(*) from eligibility a join eligibility b
          on a.member_id = b.member_id and a.enrollment_start_date < b.enrollment_start_date
        where b.enrollment_start_date <= a.enrollment_end_date""",
    )
    assert overlap == 0


def test_newborns_join_at_birth(small_db: duckdb.DuckDBPyConnection) -> None:
    babies = small_db.execute(
        "select birth_date, enrollment_start_date from eligibility"
        " where birth_date >= date '2025-01-01'"
    ).fetchall()
    assert babies
    assert all(born == start for born, start in babies)


def test_enrollment_mix_and_household_size() -> None:
    params = SynthParams(accounts=10, members=20_000)
    sponsors = plan_sponsors(params)
    pop = build_population(sponsors, params.window, params.seed)
    assert pop.size == 20_000
    households = len(set(pop.household.tolist()))
    assert 2.1 < pop.size / households < 2.6  # members per subscriber (commercial ~2.3)
    established = [s.index for s in sponsors if s.effective_date <= params.start]
    old = np.isin(pop.account, established)
    full = (pop.enrolled_days()[old] == params.window.days).mean()
    assert 0.55 < full < 0.8  # 86 % from day 1, 13 % terminate early, 3.5 % gaps
    gaps = (pop.span2_end >= pop.span2_start).mean()
    assert 0.015 < gaps < 0.05
    assert 0.44 < pop.female.mean() < 0.52
