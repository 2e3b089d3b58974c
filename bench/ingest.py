"""Ingestion speed: `ingest_files` against a bare DuckDB read_csv -> Parquet of the same file.

    .venv/bin/python bench/ingest.py                 # builds ~2M medical_claim lines in a temp dir
    .venv/bin/python bench/ingest.py --rows 500000
    .venv/bin/python bench/ingest.py --csv path.csv  # an existing medical_claim CSV
    .venv/bin/python bench/ingest.py --no-group-id   # claims without group_id (eligibility lookup)

The target (issue 3): ingestion at least half the speed of the bare copy, i.e. ratio <= 2.0.
The file's 40 sponsor accounts are created first, as they would exist before claims arrive.
Both are timed in the same process, alternately, best of --repeat runs; the CPU-time ratio
is printed too because wall time on a shared machine moves with other people's load.
The bare copy only parses and re-encodes; ingestion also validates every value, checks keys,
finds the sponsor of every row, writes a rejects file and records the batch.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

GROUPS = 40  # sponsor groups in the generated file
NPI_POOL = 4000


def valid_npi(base9: int) -> str:
    """The NPI whose first nine digits are base9, with its Luhn check digit (prefix 80840)."""
    digits = [int(c) for c in f"{base9:09d}"]
    total = 24
    for i, d in enumerate(digits):
        if i % 2 == 0:
            d *= 2
            total += d - 9 if d > 9 else d
        else:
            total += d
    return f"{base9:09d}{(10 - total % 10) % 10}"


def build_medical_claim_csv(path: Path, rows: int, *, with_group_id: bool = True) -> None:
    """Write a Tuva medical_claim CSV of `rows` lines; about 1 in 2,000 lines is invalid."""
    from clientdesk.lake.schemas import MEDICAL_CLAIM

    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute("CREATE TABLE npi(k INTEGER, npi VARCHAR)")
    con.executemany(
        "INSERT INTO npi VALUES (?, ?)",
        [(i, valid_npi(100_000_000 + i * 7919)) for i in range(NPI_POOL)],
    )
    dx = "['E119','I10','J069','M5450','Z0000','E785','F419','K219','R079','N390','E6601']"
    cpt = "['99213','99214','99203','80053','85025','71046','97110','G0439','J1100','36415']"
    generated = {
        "claim_id": "'C' || lpad(CAST(i // 3 AS VARCHAR), 9, '0')",
        "claim_line_number": "CAST(i % 3 + 1 AS VARCHAR)",
        "claim_type": "CASE WHEN h % 10 < 8 THEN 'professional' ELSE 'institutional' END",
        "person_id": "'P' || CAST(i // 30 AS VARCHAR)",
        "member_id": "'M' || CAST(i // 30 AS VARCHAR)",
        "payer": "'clientdesk health'",
        "plan": "CASE WHEN h % 3 = 0 THEN 'PPO' ELSE 'HMO' END",
        "claim_start_date": "CASE WHEN h % 2000 = 1 THEN '2024-02-30' ELSE "
        "CAST(DATE '2024-01-01' + CAST((i // 3) % 700 AS INTEGER) AS VARCHAR) END",
        "claim_end_date": "CAST(DATE '2024-01-02' + CAST((i // 3) % 700 AS INTEGER) AS VARCHAR)",
        "claim_line_start_date": (
            "CAST(DATE '2024-01-01' + CAST((i // 3) % 700 AS INTEGER) AS VARCHAR)"
        ),
        "claim_line_end_date": (
            "CAST(DATE '2024-01-01' + CAST((i // 3) % 700 AS INTEGER) AS VARCHAR)"
        ),
        "place_of_service_code": "CASE WHEN h % 10 < 8 THEN '11' END",
        "bill_type_code": "CASE WHEN h % 10 >= 8 THEN '0131' END",
        "revenue_center_code": "CASE WHEN h % 10 >= 8 THEN '0450' END",
        "service_unit_quantity": "'1'",
        "hcpcs_code": f"{cpt}[CAST(h % 10 AS INTEGER) + 1]",
        "hcpcs_modifier_1": "CASE WHEN h % 17 = 0 THEN '25' END",
        "rendering_npi": "CASE WHEN h % 2000 = 2 THEN '1234567890' ELSE n1.npi END",
        "billing_npi": "n2.npi",
        "billing_tin": "lpad(CAST(h % 1000000000 AS VARCHAR), 9, '0')",
        "paid_date": "CAST(DATE '2024-01-20' + CAST((i // 3) % 700 AS INTEGER) AS VARCHAR)",
        "paid_amount": "CASE WHEN h % 50 = 0 THEN NULL WHEN h % 2000 = 3 THEN '12.345' "
        "ELSE CAST(round((h % 90000) / 100.0 + 5, 2) AS VARCHAR) END",
        "allowed_amount": "CASE WHEN h % 50 = 0 THEN NULL ELSE CAST(round((h % 90000) / 100.0 "
        "+ 25, 2) AS VARCHAR) END",
        "charge_amount": "CAST(round((h % 90000) / 50.0 + 60, 2) AS VARCHAR)",
        "coinsurance_amount": "CAST(round((h % 900) / 100.0, 2) AS VARCHAR)",
        "copayment_amount": "CASE WHEN h % 10 < 8 THEN '20.00' ELSE '0.00' END",
        "deductible_amount": "'0.00'",
        "diagnosis_code_type": "'icd-10-cm'",
        "diagnosis_code_1": f"{dx}[CAST(h % 11 AS INTEGER) + 1]",
        "diagnosis_code_2": (
            f"CASE WHEN h % 4 = 0 THEN {dx}[CAST((h // 11) % 11 AS INTEGER) + 1] END"
        ),
        "diagnosis_code_3": (
            f"CASE WHEN h % 9 = 0 THEN {dx}[CAST((h // 7) % 11 AS INTEGER) + 1] END"
        ),
        "in_network_flag": "CASE WHEN h % 20 = 0 THEN '0' ELSE '1' END",
        "data_source": "'bench'",
        "file_name": "'medical_claim.csv'",
        "file_date": "'2026-01-31'",
        "group_id": "'G' || CAST(200000 + (i // 30) % " + str(GROUPS) + " AS VARCHAR)",
    }
    names = [c.name for c in MEDICAL_CLAIM.columns if with_group_id or c.name != "group_id"]
    select = ",\n".join(f'{generated.get(n, "NULL")} AS "{n}"' for n in names)
    # About 1 line in 2,000 gets a defect: a bad date, a bad NPI, or a 3-decimal amount.
    con.execute(
        f"""
        COPY (
          WITH base AS (
            SELECT i, hash(i, 'clientdesk') % 1000000007 AS h FROM range({rows}) r(i)
          )
          SELECT {select} FROM base
          JOIN npi n1 ON n1.k = CAST(base.h % {NPI_POOL} AS INTEGER)
          JOIN npi n2 ON n2.k = CAST((base.h // {NPI_POOL}) % {NPI_POOL} AS INTEGER)
          ORDER BY base.i
        ) TO '{path}' (HEADER, DELIMITER ',')
        """  # noqa: S608  # our own literals and temp path
    )


def bare_copy(csv: Path, out: Path) -> tuple[float, float]:
    """Wall and CPU seconds of DuckDB's own read_csv (type sniffing) -> Parquet of the file."""
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    started, cpu = time.perf_counter(), time.process_time()
    con.execute(f"COPY (SELECT * FROM read_csv('{csv}')) TO '{out}' (FORMAT parquet)")  # noqa: S608  # our own temp paths
    took, cpu = time.perf_counter() - started, time.process_time() - cpu
    con.close()
    out.unlink()
    return took, cpu


def setup_django(data_dir: Path) -> None:
    os.environ["CLIENTDESK_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clientdesk.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def create_sponsors() -> None:
    """The file's sponsor accounts, as the account book would have them before claims come."""
    from clientdesk.lake.sponsors import NewSponsor, create_sponsor_accounts

    create_sponsor_accounts(
        [
            NewSponsor(f"G{200000 + g}", f"Bench sponsor {g}", "OH", None, 0, 0)
            for g in range(GROUPS)
        ],
        acting_user=None,
    )


def ingest(csv: Path, *, replace: bool) -> tuple[float, float, dict[str, object]]:
    """Wall and CPU seconds of clientdesk's ingest_files on the file (runs after the first
    replace the batch before)."""
    from clientdesk.lake.ingestion import ingest_files

    started, cpu = time.perf_counter(), time.process_time()
    [result] = ingest_files("medical_claim", [csv], acting_user=None, replace=replace)
    return time.perf_counter() - started, time.process_time() - cpu, result.as_dict()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--csv", type=Path, help="an existing medical_claim CSV")
    parser.add_argument("--no-group-id", action="store_true")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each (best is kept)")
    parser.add_argument("--keep", action="store_true", help="keep the temp folder")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="clientdesk-bench-"))
    try:
        setup_django(work / "var")
        csv = args.csv
        if csv is None:
            csv = work / "medical_claim.csv"
            started = time.perf_counter()
            build_medical_claim_csv(csv, args.rows, with_group_id=not args.no_group_id)
            print(f"built {csv} in {time.perf_counter() - started:.1f} s")
        create_sponsors()
        if args.no_group_id:
            build_eligibility_for(csv, work)
        size_mb = csv.stat().st_size / 1e6
        bare_runs: list[tuple[float, float]] = []
        ingest_runs: list[tuple[float, float]] = []
        result: dict[str, object] = {}
        for run in range(args.repeat):
            bare_runs.append(bare_copy(csv, work / "bare.parquet"))
            took, cpu, result = ingest(csv, replace=run > 0)
            ingest_runs.append((took, cpu))
            print(
                f"run {run + 1}: bare {bare_runs[-1][0]:.2f} s (cpu {bare_runs[-1][1]:.1f} s), "
                f"ingest {took:.2f} s (cpu {cpu:.1f} s)",
                flush=True,
            )
        bare, bare_cpu = min(bare_runs)
        took, cpu = min(ingest_runs)
        rows = int(str(result["rows_read"]))
        print(
            f"file: {size_mb:,.0f} MB, {rows:,} rows, {os.cpu_count()} cores, "
            f"best of {args.repeat} runs, load average {os.getloadavg()[0]:.1f}"
        )
        print(f"bare DuckDB read_csv -> Parquet: {bare:6.2f} s  {rows / bare:12,.0f} rows/s")
        print(f"clientdesk ingest_files:         {took:6.2f} s  {rows / took:12,.0f} rows/s")
        print(
            f"loaded {result['rows_loaded']:,} rejected {result['rows_rejected']:,}; "
            f"ratio ingest/bare = {took / bare:.2f} (target <= 2.00); "
            f"CPU-time ratio {cpu / bare_cpu:.2f}"
        )
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def build_eligibility_for(csv: Path, work: Path) -> None:
    """Load eligibility spans for every member of a claims file without group_id."""
    from clientdesk.lake.ingestion import ingest_files

    path = work / "eligibility.csv"
    duckdb.execute(
        f"""
        COPY (
          SELECT DISTINCT person_id, member_id, payer, 'commercial' AS payer_type,
                 DATE '2024-01-01' AS enrollment_start_date,
                 'G' || CAST(200000 + CAST(substr(member_id, 2) AS BIGINT) % {GROUPS} AS VARCHAR)
                   AS group_id,
                 data_source
          FROM read_csv('{csv}', all_varchar = true)
        ) TO '{path}' (HEADER)
        """  # noqa: S608  # our own temp paths
    )
    ingest_files("eligibility", [path], acting_user=None)


if __name__ == "__main__":
    main()
