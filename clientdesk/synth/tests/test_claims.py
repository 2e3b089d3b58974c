"""Medical and pharmacy claim lines: keys, amount identities, adjustments, dates."""

from __future__ import annotations

import duckdb


def one(db: duckdb.DuckDBPyConnection, sql: str) -> object:
    return db.execute(sql).fetchall()[0][0]


def test_unique_line_key(small_db: duckdb.DuckDBPyConnection) -> None:
    dupes = one(
        small_db,
        "select count(*) from (select claim_id, claim_line_number, data_source,"
        " count(*) n from medical_claim group by 1, 2, 3 having n > 1)",
    )
    assert dupes == 0
    rx = one(small_db, "select count(*) - count(distinct claim_id) from pharmacy_claim")
    assert rx == 0


def test_charge_above_allowed_above_paid_on_originals(small_db: duckdb.DuckDBPyConnection) -> None:
    bad = one(
        small_db,
        """
        select count(*) from medical_claim m join claim_processing c using (claim_id)
        where c.adjustment_type = 'original' and c.status = 'paid'
          and not (m.charge_amount > m.allowed_amount and m.allowed_amount >= m.paid_amount
                   and m.paid_amount >= 0)""",
    )
    assert bad == 0
    denied = one(
        small_db,
        """
        select count(*) from medical_claim m join claim_processing c using (claim_id)
        where c.status = 'denied' and (m.allowed_amount <> 0 or m.paid_amount <> 0
                                       or m.charge_amount <= 0)""",
    )
    assert denied == 0
    rx = one(
        small_db,
        "select count(*) from pharmacy_claim where not (charge_amount >"
        " allowed_amount and allowed_amount >= paid_amount and paid_amount >= 0)",
    )
    assert rx == 0


def test_member_cost_share_is_allowed_minus_paid(small_db: duckdb.DuckDBPyConnection) -> None:
    for table in ("medical_claim", "pharmacy_claim"):
        sql = (
            f"select count(*) from {table} where allowed_amount - paid_amount"  # noqa: S608 (fixed names)
            " <> coinsurance_amount + copayment_amount + deductible_amount"
        )
        off = one(small_db, sql)
        assert off == 0, table
    negative_share = one(
        small_db,
        """
        select count(*) from medical_claim m join claim_processing c using (claim_id)
        where c.adjustment_type <> 'reversal'
          and least(coinsurance_amount, copayment_amount, deductible_amount) < 0""",
    )
    assert negative_share == 0


def test_reversals_negate_their_originals(small_db: duckdb.DuckDBPyConnection) -> None:
    mismatched = one(
        small_db,
        """
        select count(*) from medical_claim r
        join claim_processing c on c.claim_id = r.claim_id and c.adjustment_type = 'reversal'
        join medical_claim o on o.claim_id = c.original_claim_id
                            and o.claim_line_number = r.claim_line_number
        where r.paid_amount <> -o.paid_amount or r.allowed_amount <> -o.allowed_amount
           or r.charge_amount <> -o.charge_amount""",
    )
    assert mismatched == 0
    replaced_lower = one(
        small_db,
        """
        select count(*) from (
          select c.original_claim_id, sum(a.allowed_amount) new, sum(o.allowed_amount) old
          from claim_processing c
          join medical_claim a on a.claim_id = c.claim_id
          join medical_claim o on o.claim_id = c.original_claim_id
                              and o.claim_line_number = a.claim_line_number
          where c.adjustment_type = 'replacement' group by 1) where new > old""",
    )
    assert replaced_lower == 0


def test_adjustment_shares(calibration_db: duckdb.DuckDBPyConnection) -> None:
    # Tuva's generator: 3.5 % replacement chains, 1 % voids (claims-analytics.md §1.5)
    # shares of paid claims old enough for their adjustment (14-120 days later) to be in
    # the extract
    rows = dict(
        calibration_db.execute("""
        with eligible as (select claim_id from claim_processing
          where adjustment_type = 'original' and status = 'paid' and paid_amount > 0
            and paid_date <= date '2026-11-30' - interval 120 day)
        select case when a.adjustment_type = 'replacement' then 'replacement'
                    when a.claim_frequency = '8' then 'void' else 'other' end, count(*)
        from claim_processing a join eligible e on a.original_claim_id = e.claim_id
        where a.adjustment_type <> 'original' group by 1
        union all select 'eligible', count(*) from eligible""").fetchall()
    )
    assert 0.03 < rows["replacement"] / rows["eligible"] < 0.04, rows
    assert 0.007 < rows["void"] / rows["eligible"] < 0.013, rows


def test_one_processing_row_per_claim(small_db: duckdb.DuckDBPyConnection) -> None:
    missing = one(
        small_db,
        "select count(*) from (select distinct claim_id from medical_claim)"
        " m left join claim_processing c using (claim_id)"
        " where c.claim_id is null",
    )
    assert missing == 0
    extra = one(small_db, "select count(*) - count(distinct claim_id) from claim_processing")
    assert extra == 0
    orphans = one(
        small_db,
        "select count(*) from claim_processing c left join"
        " (select distinct claim_id from medical_claim) m using (claim_id)"
        " where m.claim_id is null",
    )
    # The rows without a medical line are exactly the claims in process on the extract date.
    in_process = one(small_db, "select count(*) from claim_processing where paid_date is null")
    assert orphans == in_process
    assert isinstance(in_process, int) and in_process > 0


def test_claims_in_process_on_the_extract_date(small_db: duckdb.DuckDBPyConnection) -> None:
    """Received by the extract date (2025-12-31) and not paid: adjudicated and waiting for the
    check run (finalized, amounts known) or pended (no finalized date, no amounts)."""
    rows = dict(
        small_db.execute(
            """select status, count(*) from claim_processing where paid_date is null
            group by 1"""
        ).fetchall()
    )
    assert rows.keys() == {"paid", "denied", "pended"}, rows
    bad = one(
        small_db,
        """select count(*) from claim_processing where paid_date is null and (
            received_date > date '2025-12-31' or claim_start_date is null
            or adjustment_type <> 'original'
            or (status = 'pended') <> (finalized_date is null)
            or (status = 'pended') <> (paid_amount is null)
            or finalized_date > date '2025-12-31'
            or charge_amount <= 0)""",
    )
    assert bad == 0
    # every claim starts on or before its receipt; the paid ones' start is their lines' start
    assert (
        one(
            small_db, "select count(*) from claim_processing where claim_start_date > received_date"
        )
        == 0
    )
    mismatched = one(
        small_db,
        """select count(*) from claim_processing c join (select claim_id,
            min(claim_start_date) s from medical_claim group by 1) m using (claim_id)
            where m.s <> c.claim_start_date""",
    )
    assert mismatched == 0


def test_dates_are_ordered(small_db: duckdb.DuckDBPyConnection) -> None:
    assert (
        one(
            small_db,
            "select count(*) from medical_claim where claim_end_date <"
            " claim_start_date or paid_date < claim_end_date",
        )
        == 0
    )
    assert (
        one(
            small_db,
            "select count(*) from medical_claim where bill_type_code = '111'"
            " and (admission_date is null or discharge_date < admission_date)",
        )
        == 0
    )
    assert (
        one(
            small_db,
            "select count(*) from claim_processing where finalized_date <"
            " received_date or paid_date < finalized_date",
        )
        == 0
    )
    last = one(small_db, "select max(paid_date) from medical_claim")
    window_end = one(small_db, "select max(enrollment_end_date) from eligibility")
    assert last <= window_end  # type: ignore[operator]


def test_claims_fall_in_enrollment(small_db: duckdb.DuckDBPyConnection) -> None:
    outside = one(
        small_db,
        """
        select count(*) from (select distinct member_id, claim_start_date from medical_claim)
        m where not exists (select 1 from eligibility e where e.member_id = m.member_id
          and m.claim_start_date between e.enrollment_start_date and e.enrollment_end_date)""",
    )
    total = one(
        small_db,
        "select count(*) from (select distinct member_id, claim_start_date from medical_claim)",
    )
    # stays may not start before coverage, but infusions/dialysis cycles are clipped too
    assert outside / total < 0.002  # type: ignore[operator]
    rx_outside = one(
        small_db,
        """
        select count(*) from pharmacy_claim p where not exists (select 1 from eligibility e
          where e.member_id = p.member_id
            and p.dispensing_date between e.enrollment_start_date and e.enrollment_end_date)""",
    )
    assert rx_outside == 0


def test_institutional_and_professional_shapes(small_db: duckdb.DuckDBPyConnection) -> None:
    assert (
        one(
            small_db,
            "select count(*) from medical_claim where claim_type = 'institutional'"
            " and (bill_type_code is null or place_of_service_code is not null)",
        )
        == 0
    )
    assert (
        one(
            small_db,
            "select count(*) from medical_claim where claim_type = 'professional'"
            " and (place_of_service_code is null or bill_type_code is not null)",
        )
        == 0
    )
    assert (
        one(
            small_db,
            "select count(*) from medical_claim where bill_type_code = '111' and drg_code is null",
        )
        == 0
    )
    ed = one(small_db, "select count(*) from medical_claim where revenue_center_code = '0450'")
    assert ed > 0  # type: ignore[operator]


def test_claim_totals_are_the_sums_of_their_lines(small_db: duckdb.DuckDBPyConnection) -> None:
    """Originals, reversals and replacements alike (a replacement's lines are each scaled and
    capped by their cost share: its claim total is their sum, not the original's x a factor)."""
    rows = small_db.execute(
        """select c.adjustment_type, count(*),
            count(*) filter (where c.paid_amount <> m.paid or c.allowed_amount <> m.allowed
                             or c.charge_amount <> m.charge)
        from claim_processing c join (select claim_id, sum(paid_amount) paid,
            sum(allowed_amount) allowed, sum(charge_amount) charge from medical_claim
            group by 1) m using (claim_id) group by 1"""
    ).fetchall()
    assert {kind for kind, _, _ in rows} == {"original", "reversal", "replacement"}
    assert all(n > 0 and wrong == 0 for _, n, wrong in rows), rows
