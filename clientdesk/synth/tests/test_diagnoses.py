"""Every diagnosis code comes from the installed ICD-10-CM release and is billable."""

from __future__ import annotations

import duckdb
import pytest

from clientdesk.synth.conditions import CANCER_FEMALE, CANCER_MALE, CONDITIONS
from clientdesk.synth.diagnoses import POOLS, dx_dictionary
from clientdesk.synth.icd10 import UnknownCodeError, build_pool, is_billable
from clientdesk.synth.procedures import INPATIENT, NEWBORNS


def test_dictionary_codes_are_billable_icd10cm() -> None:
    codes = dx_dictionary().codes
    assert len(codes) > 200
    assert all(is_billable(code) for code in codes)
    assert all("." not in code for code in codes)


def test_every_pool_spec_builds() -> None:
    specs = [
        *POOLS.values(),
        CANCER_FEMALE,
        CANCER_MALE,
        *(c.dx for c in CONDITIONS if c.dx),
        *(s.dx for s in INPATIENT),
        *(n.dx for n in NEWBORNS),
    ]
    for spec in specs:
        pool = build_pool(spec)
        assert abs(pool.weights.sum() - 1.0) < 1e-9


def test_invented_codes_are_refused() -> None:
    with pytest.raises(UnknownCodeError):
        build_pool((("E11.999", 1.0),))
    with pytest.raises(UnknownCodeError):
        build_pool((("E11", 1.0),))  # a category, not a billable code


def test_every_diagnosis_in_the_claims_is_valid(small_db: duckdb.DuckDBPyConnection) -> None:
    selects = [f"select distinct diagnosis_code_{k} from medical_claim" for k in range(1, 26)]  # noqa: S608 (fixed names)
    columns = " union ".join(selects)
    sql = f"select * from ({columns}) t(c) where c is not null"  # noqa: S608 (fixed names)
    rows = small_db.execute(sql).fetchall()
    assert len(rows) > 100
    assert [c for (c,) in rows if not is_billable(str(c))] == []


def test_diagnosis_metadata(small_db: duckdb.DuckDBPyConnection) -> None:
    types = small_db.execute("select distinct diagnosis_code_type from medical_claim").fetchall()
    assert types == [("icd-10-cm",)]
    poa = small_db.execute(
        "select distinct diagnosis_poa_1 from medical_claim where bill_type_code = '111'"
    ).fetchall()
    assert poa == [("Y",)]
    pcs = small_db.execute(
        "select count(*) from medical_claim where procedure_code_1 is not null"
        " and (procedure_code_type <> 'icd-10-pcs' or length(procedure_code_1) <> 7)"
    ).fetchall()[0][0]
    assert pcs == 0
