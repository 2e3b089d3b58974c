"""NPIs carry valid Luhn check digits (80840 prefix); NDCs and other codes are well formed."""

from __future__ import annotations

import re

import duckdb
import numpy as np

from clientdesk.synth.providers import is_valid_npi, npi_check_digit


def test_known_npi_examples() -> None:
    # CMS's worked example: 123456789 -> check digit 3.
    assert is_valid_npi("1234567893")
    assert not is_valid_npi("1234567890")
    assert not is_valid_npi("123456789")
    assert not is_valid_npi("3234567893")


def test_vectorised_check_digit_matches_scalar_rule() -> None:
    rng = np.random.default_rng(0)
    base = rng.integers(100_000_000, 299_999_999, 2_000)
    digits = npi_check_digit(base)
    for b, d in zip(base.tolist(), digits.tolist(), strict=True):
        assert is_valid_npi(f"{b}{d}")
        assert not is_valid_npi(f"{b}{(d + 1) % 10}")


def test_every_npi_in_the_book_is_valid(small_db: duckdb.DuckDBPyConnection) -> None:
    npis = small_db.execute(
        "select distinct npi from ("
        " select npi from provider union all select billing_npi from medical_claim"
        " union all select rendering_npi from medical_claim"
        " union all select facility_npi from medical_claim"
        " union all select prescribing_provider_npi from pharmacy_claim"
        " union all select dispensing_provider_npi from pharmacy_claim"
        " union all select billing_npi from claim_processing) t(npi) where npi is not null"
    ).fetchall()
    assert len(npis) > 500
    bad = [n for (n,) in npis if not is_valid_npi(str(n))]
    assert bad == []


def test_claim_npis_exist_in_the_provider_table(small_db: duckdb.DuckDBPyConnection) -> None:
    missing = small_db.execute(
        "select count(*) from medical_claim m left join provider p on m.billing_npi = p.npi"
        " where p.npi is null"
    ).fetchall()[0][0]
    assert missing == 0


def test_ndc_codes_are_eleven_digits_and_catalogued(small_db: duckdb.DuckDBPyConnection) -> None:
    rows = small_db.execute("select distinct ndc_code from pharmacy_claim").fetchall()
    assert rows
    assert all(re.fullmatch(r"\d{11}", str(code)) for (code,) in rows)
    unknown = small_db.execute(
        "select count(*) from pharmacy_claim p left join ndc n using (ndc_code)"
        " where n.ndc_code is null"
    ).fetchall()[0][0]
    assert unknown == 0


def test_code_formats(small_db: duckdb.DuckDBPyConnection) -> None:
    def distinct(column: str) -> set[str]:
        sql = f"select distinct {column} from medical_claim where {column} is not null"  # noqa: S608 (fixed names)
        rows = small_db.execute(sql).fetchall()
        return {str(r[0]) for r in rows}

    assert distinct("bill_type_code") <= {"111", "131", "831", "721"}
    assert all(re.fullmatch(r"\d{4}", r) for r in distinct("revenue_center_code"))
    assert all(re.fullmatch(r"\d{2}", p) for p in distinct("place_of_service_code"))
    assert all(re.fullmatch(r"\d{3}", d) for d in distinct("drg_code"))
    assert all(re.fullmatch(r"[0-9A-Z]\d{3}[0-9A-Z]", h) for h in distinct("hcpcs_code"))
    assert distinct("claim_type") == {"professional", "institutional"}
    assert distinct("discharge_disposition_code") <= {"01", "02", "03", "06", "07", "20", "62"}
