"""X12 834 / 835 / 837 (P, I, D) into the lake's input-layer tables, as Parquet files of text.

`convert(path, work_dir)` reads one file once (`fast.run`: blocks of bytes cut into segments
and elements column-wise; 837P read column-wise too), follows the envelopes (ISA/GS/ST ...
SE/GE/IEA) and hands each transaction's segments to the reader of its type. What comes out:

- `medical_claim` rows from 837P/837I/837D (dental claims as claim_type `dental`), one per
  service line, with the claim's header fields on every line; claim frequency 7 (replacement)
  and 8 (void) applied to earlier versions of the claim in the same file;
- `eligibility` spans from 834 (subscriber and dependents, one span per HD coverage);
- `claim_processing` rows from 835 (one per CLP claim: status, paid/allowed, CARC/RARC with
  their group codes at claim and line level; PLB provider adjustments in the report);
- an acceptance report in the spirit of a 999/TA1: per transaction set accepted, accepted
  with errors or rejected, with the segment position and reason of every finding, envelope
  counts and control numbers checked, unknown segments counted.

Columns are written as text (the lake's loader types and checks every value, as for a CSV).
A transaction that cannot be read (no SE, a claim line outside a claim, ...) is rejected with
its position: its records are dropped and counted, and the rest of the file loads.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from clientdesk.lake.x12.reader import (
    CLAIM_SEGMENTS,
    Delimiters,
    Finding,
    TransactionInfo,
    X12FormatError,
    claim_type_of,
    sniff,
)

FLUSH_ROWS = 50_000
SINK_ROWS = 100_000  # rows handed to a sink at a time (`convert(..., sinks=...)`)
ENVELOPE = frozenset({"ISA", "GS", "ST", "SE", "GE", "IEA"})
SUPPORTED = {"834", "835", "837"}

MEDICAL_COLUMNS: tuple[str, ...] = (
    "claim_id",
    "claim_line_number",
    "claim_type",
    "person_id",
    "member_id",
    "payer",
    "plan",
    "claim_start_date",
    "claim_end_date",
    "claim_line_start_date",
    "claim_line_end_date",
    "admission_date",
    "discharge_date",
    "admit_source_code",
    "admit_type_code",
    "discharge_disposition_code",
    "place_of_service_code",
    "bill_type_code",
    "drg_code_type",
    "drg_code",
    "revenue_center_code",
    "service_unit_quantity",
    "hcpcs_code",
    "hcpcs_modifier_1",
    "hcpcs_modifier_2",
    "hcpcs_modifier_3",
    "hcpcs_modifier_4",
    "rendering_npi",
    "billing_npi",
    "billing_tin",
    "facility_npi",
    "paid_date",
    "paid_amount",
    "allowed_amount",
    "charge_amount",
    "coinsurance_amount",
    "copayment_amount",
    "deductible_amount",
    "diagnosis_code_type",
    *(f"diagnosis_code_{i}" for i in range(1, 26)),
    *(f"diagnosis_poa_{i}" for i in range(1, 26)),
    "procedure_code_type",
    *(f"procedure_code_{i}" for i in range(1, 26)),
    *(f"procedure_date_{i}" for i in range(1, 26)),
    "data_source",
    "group_id",
    "x12_position",
)
ELIGIBILITY_COLUMNS: tuple[str, ...] = (
    "person_id",
    "member_id",
    "subscriber_id",
    "gender",
    "birth_date",
    "enrollment_start_date",
    "enrollment_end_date",
    "payer",
    "payer_type",
    "plan",
    "subscriber_relation",
    "first_name",
    "last_name",
    "address",
    "city",
    "state",
    "zip_code",
    "data_source",
    "file_date",
    "group_id",
    "group_name",
    "x12_position",
)
# 834 records that act on spans loaded before without naming their start date (a termination
# with only an end date, a reinstatement, a change of member details): the X12 loader applies
# them to the member's committed spans (`load._apply_to_earlier_spans`). Not a lake table.
SPAN_CHANGE_COLUMNS: tuple[str, ...] = (
    *ELIGIBILITY_COLUMNS,
    "change_action",  # terminate / reinstate / change
    "change_date",  # the end date (terminate) or the maintenance effective date (DTP 303)
    "plan_given",  # "1" when an HD named the coverage, else the change is the member's
)
PROCESSING_COLUMNS: tuple[str, ...] = (
    "claim_id",
    "original_claim_id",
    "claim_frequency",
    "adjustment_type",
    "group_id",
    "member_id",
    "claim_type",
    "received_date",
    "finalized_date",
    "paid_date",
    "auto_adjudicated",
    "status",
    "carc",
    "carc_codes",
    "billing_npi",
    "hcpcs_code",
    "charge_amount",
    "allowed_amount",
    "paid_amount",
    "x12_position",
)
TABLE_COLUMNS = {
    "medical_claim": MEDICAL_COLUMNS,
    "eligibility": ELIGIBILITY_COLUMNS,
    "eligibility_changes": SPAN_CHANGE_COLUMNS,
    "claim_processing": PROCESSING_COLUMNS,
}


def iso(d: str) -> str | None:
    """CCYYMMDD as YYYY-MM-DD (other text is passed on, for the loader to judge)."""
    if len(d) == 8 and d.isdigit():
        return f"{d[:4]}-{d[4:6]}-{d[6:]}"
    return d or None


def date_range(qualifier: str, value: str) -> tuple[str | None, str | None]:
    if qualifier == "RD8" and "-" in value:
        start, end = value.split("-", 1)
        return iso(start), iso(end)
    if qualifier == "DT" and len(value) == 12 and value.isdigit():
        value = value[:8]  # CCYYMMDDHHMM (837I admission, DTP*435): the day
    day = iso(value)
    return day, day


def el(parts: list[str], index: int) -> str:
    return parts[index] if len(parts) > index else ""


# --- the table being written ------------------------------------------------------------


class TableWriter:
    """Column-wise buffers of text values, flushed to one Parquet file in row groups.

    A medical_claim row sets about 30 of its 180 columns, so `add` walks the row's own keys
    (private `_` keys are skipped) into column lists made when a column is first set, rather
    than every column (the per-column walk was most of the conversion time in bench/x12.py);
    a column never set in a row group is written as nulls."""

    def __init__(
        self, path: Path, columns: tuple[str, ...], sink: Callable[[pa.Table], None] | None = None
    ) -> None:
        self.path = path
        self.columns = columns
        self.schema = pa.schema([pa.field(c, pa.string()) for c in columns])
        self.names = frozenset(columns)
        self.buffer: dict[str, list[str | None]] = {}
        self.pending = 0
        self.rows = 0
        self.writer: pq.ParquetWriter | None = None
        self.tables: list[pa.Table] = []  # column-wise rows waiting for a row group
        self.table_rows = 0
        # With a sink, each group of rows goes to it instead of the file: the columns set in
        # them only (a part of a 837 sets about 30 of 180), text.
        self.sink = sink
        self.group_rows = SINK_ROWS if sink is not None else FLUSH_ROWS

    def add(self, row: dict[str, str | None]) -> None:
        index = self.pending
        buffer = self.buffer
        for name, value in row.items():
            if value is not None:
                values = buffer.get(name)
                if values is None:
                    if name not in self.names:
                        continue  # a reader's private `_` key
                    values = buffer[name] = [None] * FLUSH_ROWS
                values[index] = value
        self.pending = index + 1
        if self.pending >= FLUSH_ROWS:
            self._buffer_to_table()
            if self.table_rows >= self.group_rows:
                self._write_tables()

    def add_table(self, table: pa.Table) -> None:
        """Rows read column-wise (`fast`): text columns of this table, any subset, in order
        after the rows added before."""
        self._buffer_to_table()
        count = table.num_rows
        if not count:
            return
        self.tables.append(table)
        self.table_rows += count
        if self.table_rows >= self.group_rows:
            self._write_tables()

    def _buffer_to_table(self) -> None:
        count = self.pending
        if not count:
            return
        if self.sink is not None:  # the columns set only
            arrays = {
                c: pa.array(self.buffer[c][:count], pa.string())
                for c in self.columns
                if c in self.buffer
            }
            if not arrays:  # rows with no value at all
                arrays = {self.columns[0]: pa.nulls(count, pa.string())}
            self.tables.append(pa.table(arrays))
        else:
            arrays = {
                c: pa.array(self.buffer[c][:count], pa.string())
                if c in self.buffer
                else pa.nulls(count, pa.string())
                for c in self.columns
            }
            self.tables.append(pa.table(arrays, schema=self.schema))
        self.table_rows += count
        self.pending = 0
        self.buffer = {}

    def _write_tables(self) -> None:
        if not self.tables:
            return
        table = pa.concat_tables(self.tables, promote_options="default")
        count = table.num_rows
        if self.sink is not None:  # the columns set, as they are (the sink takes any subset)
            self.rows += count
            self.tables = []
            self.table_rows = 0
            self.sink(table)
            return
        table = pa.table(
            [
                table.column(c) if c in table.column_names else pa.nulls(count, pa.string())
                for c in self.columns
            ],
            schema=self.schema,
        )
        self.rows += table.num_rows
        self.tables = []
        self.table_rows = 0
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.path, self.schema, compression="zstd")
        self.writer.write_table(table, row_group_size=max(table.num_rows, 1))

    def flush(self) -> None:
        self._buffer_to_table()
        self._write_tables()

    def close(self) -> None:
        self.flush()
        if self.writer is not None:
            self.writer.close()


# --- transaction readers ------------------------------------------------------------------


class TransactionReader:
    """Reads the segments of one transaction set; `rows` are its records (held until SE so a
    transaction that turns out unreadable loads nothing)."""

    known: frozenset[str] = frozenset()

    def __init__(self, conv: Conversion, info: TransactionInfo) -> None:
        self.conv = conv
        self.info = info
        self.d = conv.delimiters
        self.rows: list[tuple[str, dict[str, str | None]]] = []
        self.table: tuple[str, pa.Table] | None = None  # rows read column-wise (`fast`)
        self.handlers: dict[str, Callable[[list[str], int], None]] = {}

    def finish(self) -> None:
        """Called at SE: finish any open record."""

    def error(self, position: int, message: str) -> None:
        self.info.findings.append(Finding(position, "error", message))

    def warning(self, position: int, message: str) -> None:
        self.info.findings.append(Finding(position, "warning", message))


def _member_key(subscriber_id: str, last: str, first: str, birth: str) -> str:
    """A dependent's member id when the 5010 837 gives none: the subscriber's id and a short
    digest of name and birth date (no member data in the id itself)."""
    digest = hashlib.sha1(f"{last}|{first}|{birth}".upper().encode(), usedforsecurity=False)
    return f"{subscriber_id}-{digest.hexdigest()[:6]}"


class ClaimReader(TransactionReader):
    """837 P/I/D: one medical_claim row per service line."""

    known = CLAIM_SEGMENTS

    def __init__(self, conv: Conversion, info: TransactionInfo) -> None:
        super().__init__(conv, info)
        self.claim_type = claim_type_of(info.version)
        self.billing: dict[str, str | None] = {}
        self.subscriber: dict[str, str | None] = {}
        self.patient: dict[str, str | None] | None = None
        self.claim: dict[str, str | None] | None = None
        self.lines: list[dict[str, str | None]] = []
        self.line: dict[str, str | None] | None = None
        self.nm1_context = ""
        self.in_claim = False
        self.in_cob = False
        self.frequency = "1"
        self.position = 0
        self.handlers = {
            "HL": self.hl,
            "NM1": self.nm1,
            "REF": self.ref,
            "SBR": self.sbr,
            "DMG": self.dmg,
            "PAT": self.pat,
            "CLM": self.clm,
            "DTP": self.dtp,
            "CL1": self.cl1,
            "HI": self.hi,
            "LX": self.lx,
            "SV1": self.sv1,
            "SV2": self.sv2,
            "SV3": self.sv3,
            "SVD": self.svd,
            "CAS": self.cas,
        }

    # -- loops above the claim
    def hl(self, e: list[str], pos: int) -> None:
        self.close_claim()
        self.in_cob = False  # a new billing provider, subscriber or patient loop
        level = el(e, 3)
        if level == "20":
            self.billing = {}
            self.subscriber = {}
        elif level == "22":
            self.subscriber = {}
            self.patient = None
        elif level == "23":
            self.patient = {}
        self.nm1_context = level

    def nm1(self, e: list[str], pos: int) -> None:
        who = el(e, 1)
        ident = el(e, 9) or None
        if self.line is not None and who == "82":
            self.line["rendering_npi"] = ident
            return
        if self.in_cob:
            return  # 2330x: other subscriber / other payer of a COB claim
        if self.claim is not None:
            if who == "82":
                self.claim["rendering_npi"] = ident
            elif who == "77" or who == "FA":
                self.claim["facility_npi"] = ident
            return
        if who == "85":
            self.billing["billing_npi"] = ident
        elif who == "IL":
            self.subscriber["member_id"] = ident
            self.subscriber["_last"] = el(e, 3)
            self.subscriber["_first"] = el(e, 4)
        elif who == "PR":
            self.subscriber["payer"] = el(e, 3) or None
        elif who == "QC" and self.patient is not None:
            self.patient["_last"] = el(e, 3)
            self.patient["_first"] = el(e, 4)
            if ident:
                self.patient["member_id"] = ident

    def ref(self, e: list[str], pos: int) -> None:
        qualifier = el(e, 1)
        if qualifier == "EI" and self.claim is None and not self.subscriber:
            self.billing["billing_tin"] = el(e, 2) or None
        elif qualifier == "F8" and self.claim is not None and self.line is None:
            self.claim["_original"] = el(e, 2) or None

    def sbr(self, e: list[str], pos: int) -> None:
        if self.claim is not None:
            self.in_cob = True  # 2320: other subscriber information
            return
        self.subscriber["group_id"] = el(e, 3) or None
        self.subscriber["plan"] = el(e, 4) or el(e, 3) or None

    def dmg(self, e: list[str], pos: int) -> None:
        target = self.patient if self.patient is not None else self.subscriber
        if self.claim is None:
            target["_birth"] = el(e, 2)

    def pat(self, e: list[str], pos: int) -> None:
        if self.patient is None:
            self.patient = {}

    # -- the claim
    def clm(self, e: list[str], pos: int) -> None:
        self.close_claim()
        self.position = pos
        self.in_cob = False
        member = self.subscriber.get("member_id")
        if self.patient is not None and not self.patient.get("member_id") and member:
            member = _member_key(
                member,
                self.patient.get("_last") or "",
                self.patient.get("_first") or "",
                self.patient.get("_birth") or "",
            )
        elif self.patient is not None and self.patient.get("member_id"):
            member = self.patient["member_id"]
        where = el(e, 5).split(self.d.component)
        facility = where[0] if where else ""
        self.frequency = where[2] if len(where) > 2 else "1"
        claim: dict[str, str | None] = {
            "claim_id": el(e, 1) or None,
            "claim_type": self.claim_type or None,
            "member_id": member,
            "person_id": member,
            "payer": self.subscriber.get("payer"),
            "plan": self.subscriber.get("plan"),
            "group_id": self.subscriber.get("group_id"),
            "billing_npi": self.billing.get("billing_npi"),
            "billing_tin": self.billing.get("billing_tin"),
            "data_source": self.conv.data_source,
        }
        if self.claim_type == "institutional":
            claim["bill_type_code"] = f"{facility}{self.frequency}" if facility else None
        else:
            claim["place_of_service_code"] = facility or None
        self.claim = claim
        self.in_claim = True

    def dtp(self, e: list[str], pos: int) -> None:
        qualifier = el(e, 1)
        start, end = date_range(el(e, 2), el(e, 3))
        if self.line is not None:
            if qualifier == "472":
                self.line["claim_line_start_date"] = start
                self.line["claim_line_end_date"] = end
            elif qualifier == "573":
                self.line["paid_date"] = start
            return
        if self.claim is None or self.in_cob:
            if self.claim is not None and qualifier == "573":
                self.claim["paid_date"] = start
            return
        if qualifier == "434":
            self.claim["claim_start_date"] = start
            self.claim["claim_end_date"] = end
        elif qualifier == "435":
            self.claim["admission_date"] = start
        elif qualifier == "096" and el(e, 2) != "TM":
            # 5010 sends the discharge hour alone (TM, HHMM): no date in it (the stay's end is
            # the statement period's, DTP*434); a date (D8, DT) is taken as the discharge day
            self.claim["discharge_date"] = start
        elif qualifier == "472":
            self.claim["_service_start"] = start
            self.claim["_service_end"] = end

    def cl1(self, e: list[str], pos: int) -> None:
        if self.claim is not None:
            self.claim["admit_type_code"] = el(e, 1) or None
            self.claim["admit_source_code"] = el(e, 2) or None
            self.claim["discharge_disposition_code"] = el(e, 3) or None

    def hi(self, e: list[str], pos: int) -> None:
        claim = self.claim
        if claim is None:
            self.warning(pos, "HI outside a claim: ignored")
            return
        comp = self.d.component
        for item in e[1:]:
            if not item:
                continue
            parts = item.split(comp)
            qualifier, code = parts[0], el(parts, 1)
            if qualifier == "DR":  # 837I: the DRG the claim was grouped to
                claim["drg_code"] = code or None
                claim["drg_code_type"] = "ms-drg" if code else None
            elif qualifier in ("ABK", "ABF", "BK", "BF", "ABJ", "BJ"):
                if qualifier in ("ABJ", "BJ"):
                    continue  # admitting diagnosis: not a claim diagnosis position
                n = int(claim.get("_dx") or 0) + 1
                if n > 25:
                    continue
                claim["_dx"] = str(n)
                claim[f"diagnosis_code_{n}"] = code or None
                claim["diagnosis_code_type"] = "icd-10-cm" if qualifier[0] == "A" else "icd-9-cm"
                poa = el(parts, 8)
                if poa:
                    claim[f"diagnosis_poa_{n}"] = poa
            elif qualifier in ("BBR", "BBQ", "BR", "BQ"):
                n = int(claim.get("_px") or 0) + 1
                if n > 25:
                    continue
                claim["_px"] = str(n)
                claim[f"procedure_code_{n}"] = code or None
                claim["procedure_code_type"] = (
                    "icd-10-pcs" if qualifier[0] == "B" and len(qualifier) == 3 else "icd-9-pcs"
                )
                if el(parts, 2) == "D8":
                    claim[f"procedure_date_{n}"] = iso(el(parts, 3))

    # -- service lines
    def lx(self, e: list[str], pos: int) -> None:
        if self.claim is None:
            self.error(pos, "LX (service line) outside a claim")
            return
        self.in_cob = False
        self.line = {"claim_line_number": el(e, 1) or str(len(self.lines) + 1)}
        self.lines.append(self.line)

    def _procedure(self, line: dict[str, str | None], composite: str) -> None:
        parts = composite.split(self.d.component)
        line["hcpcs_code"] = el(parts, 1) or None
        for i in range(1, 5):
            modifier = el(parts, 1 + i)
            if modifier:
                line[f"hcpcs_modifier_{i}"] = modifier

    def _need_line(self, pos: int, tag: str) -> dict[str, str | None] | None:
        if self.line is None:
            self.error(pos, f"{tag} without its LX (service line) loop")
        return self.line

    def sv1(self, e: list[str], pos: int) -> None:
        line = self._need_line(pos, "SV1")
        if line is None:
            return
        self._procedure(line, el(e, 1))
        line["charge_amount"] = el(e, 2) or None
        line["service_unit_quantity"] = el(e, 4) or None
        if el(e, 5):
            line["place_of_service_code"] = el(e, 5)

    def sv2(self, e: list[str], pos: int) -> None:
        line = self._need_line(pos, "SV2")
        if line is None:
            return
        line["revenue_center_code"] = el(e, 1) or None
        if el(e, 2):
            self._procedure(line, el(e, 2))
        line["charge_amount"] = el(e, 3) or None
        line["service_unit_quantity"] = el(e, 5) or None

    def sv3(self, e: list[str], pos: int) -> None:
        line = self._need_line(pos, "SV3")
        if line is None:
            return
        self._procedure(line, el(e, 1))
        line["charge_amount"] = el(e, 2) or None
        if el(e, 3):
            line["place_of_service_code"] = el(e, 3)
        line["service_unit_quantity"] = el(e, 6) or "1"

    def svd(self, e: list[str], pos: int) -> None:
        line = self.line
        if line is None:
            return
        paid = el(e, 2)
        if paid:
            line["paid_amount"] = paid
            line["_paid"] = paid

    def cas(self, e: list[str], pos: int) -> None:
        line = self.line
        if line is None:
            return  # claim-level COB adjustments (2320) do not map to one line
        group = el(e, 1)
        if group != "PR":
            return
        for i in range(2, len(e) - 1, 3):
            reason, amount = e[i], e[i + 1]
            column = {"1": "deductible_amount", "2": "coinsurance_amount", "3": "copayment_amount"}
            if reason in column and amount:
                line[column[reason]] = amount

    # -- flushing
    def close_claim(self) -> None:
        claim = self.claim
        if claim is None:
            return
        self.claim = None
        self.line = None
        self.in_claim = False
        lines, self.lines = self.lines, []
        if not lines:
            self.warning(self.position, f"claim at segment {self.position} has no service line")
            return
        starts = [x.get("claim_line_start_date") for x in lines]
        ends = [x.get("claim_line_end_date") for x in lines]
        given_starts = [s for s in starts if s]
        given_ends = [s for s in ends if s]
        if not claim.get("claim_start_date"):
            claim["claim_start_date"] = claim.get("_service_start") or (
                min(given_starts) if given_starts else None
            )
            claim["claim_end_date"] = claim.get("_service_end") or (
                max(given_ends) if given_ends else None
            )
        position = str(self.position)
        frequency = self.frequency
        for line in lines:
            row = dict(claim)
            row.update(line)
            if not row.get("claim_line_start_date"):
                row["claim_line_start_date"] = claim.get("_service_start")
                row["claim_line_end_date"] = claim.get("_service_end")
            if row.get("_paid") is not None:
                allowed = _add(
                    row.get("_paid"),
                    row.get("deductible_amount"),
                    row.get("coinsurance_amount"),
                    row.get("copayment_amount"),
                )
                row["allowed_amount"] = allowed
            row["x12_position"] = position
            self.rows.append(("medical_claim", row))
        self.info.records += len(lines)
        if frequency in ("7", "8"):
            self.conv.adjustments.append(
                (claim.get("claim_id") or "", frequency, claim.get("_original") or "")
            )

    def finish(self) -> None:
        self.close_claim()


def _add(*amounts: str | None) -> str | None:
    """The sum of decimal amounts as text with two decimals (None when one is not a number)."""
    cents = 0
    for amount in amounts:
        if not amount:
            continue
        try:
            cents += round(float(amount) * 100)
        except ValueError:
            return None
    sign, whole = ("-" if cents < 0 else ""), abs(cents)
    return f"{sign}{whole // 100}.{whole % 100:02d}"


FULL_FILE = frozenset({"RX", "4"})  # BGN08: replace, verify (audit)
SPAN_CHANGES = {"024": "terminate", "025": "reinstate", "001": "change"}


class EnrollmentReader(TransactionReader):
    """834: one eligibility span per member and HD coverage (or per member when no HD)."""

    known = frozenset(
        [
            "BGN",
            "REF",
            "DTP",
            "QTY",
            "N1",
            "INS",
            "NM1",
            "PER",
            "N3",
            "N4",
            "DMG",
            "EC",
            "ICM",
            "AMT",
            "HLH",
            "LUI",
            "HD",
            "IDC",
            "LS",
            "LX",
            "PLA",
            "COB",
            "LE",
        ]
    )

    def __init__(self, conv: Conversion, info: TransactionInfo) -> None:
        super().__init__(conv, info)
        self.payer: str | None = None
        self.sponsor: str | None = None
        self.sponsor_id: str | None = None
        self.master_policy: str | None = None
        self.file_purpose = ""
        self.file_date: str | None = None
        self.member: dict[str, str | None] | None = None
        self.coverages: list[dict[str, str | None]] = []
        self.coverage: dict[str, str | None] | None = None
        self.in_ls = False
        self.position = 0
        self.handlers = {
            "BGN": self.bgn,
            "N1": self.n1,
            "REF": self.ref,
            "INS": self.ins,
            "NM1": self.nm1,
            "N3": self.n3,
            "N4": self.n4,
            "DMG": self.dmg,
            "DTP": self.dtp,
            "HD": self.hd,
            "LS": self.ls,
            "LE": self.le,
        }

    def bgn(self, e: list[str], pos: int) -> None:
        # BGN08: 2 change (update), 4 verify (audit), RX replace: 4 and RX are full files
        self.file_purpose = el(e, 8)
        self.file_date = iso(el(e, 3))  # the set's creation date: the order files apply in

    def n1(self, e: list[str], pos: int) -> None:
        if self.member is not None or self.in_ls:
            return
        who = el(e, 1)
        if who == "P5":
            self.sponsor = el(e, 2) or None
            self.sponsor_id = el(e, 4) or None
        elif who == "IN":
            # a payer named by its identifier only (N104, e.g. its FEIN) is still the payer
            self.payer = el(e, 2) or el(e, 4) or None

    def ref(self, e: list[str], pos: int) -> None:
        qualifier, value = el(e, 1), el(e, 2)
        if self.member is None:
            if qualifier == "38":
                self.master_policy = value or None
            return
        if self.coverage is not None:
            return
        if qualifier == "0F":
            self.member["subscriber_id"] = value or None
        elif qualifier == "1L":
            self.member["group_id"] = value or None
        elif qualifier in ("23", "ZZ", "17"):
            self.member.setdefault("_member_ref", value or None)
        elif qualifier == "ABB":  # personal id number: the person behind the member id
            self.member["_person"] = value or None

    def ins(self, e: list[str], pos: int) -> None:
        self.close_member()
        self.position = pos
        self.member = {
            "_subscriber": "1" if el(e, 1) == "Y" else "0",
            "subscriber_relation": {
                "18": "self",
                "01": "spouse",
                "19": "child",
                "53": "domestic partner",
            }.get(el(e, 2), "other"),
            "_maintenance": el(e, 3),
            "_reason": el(e, 4),
        }
        self.info.records += 1

    def nm1(self, e: list[str], pos: int) -> None:
        if self.member is None or self.in_ls:
            return
        if el(e, 1) in ("IL", "74"):
            if el(e, 1) == "74":
                return  # corrected (former) name
            self.member["last_name"] = el(e, 3) or None
            self.member["first_name"] = el(e, 4) or None
            if el(e, 8) in ("ZZ", "N", "MI", "EI") and el(e, 9):
                self.member["_member_ref"] = el(e, 9)

    def n3(self, e: list[str], pos: int) -> None:
        if self.member is not None and not self.in_ls and self.coverage is None:
            self.member["address"] = el(e, 1) or None

    def n4(self, e: list[str], pos: int) -> None:
        if self.member is not None and not self.in_ls and self.coverage is None:
            self.member["city"] = el(e, 1) or None
            self.member["state"] = el(e, 2) or None
            self.member["zip_code"] = el(e, 3) or None

    def dmg(self, e: list[str], pos: int) -> None:
        if self.member is not None and not self.in_ls:
            self.member["birth_date"] = iso(el(e, 2))
            # DMG03 is X12's own code set (F, M, U): its meaning is certain, no warning
            code = el(e, 3)
            self.member["gender"] = {"F": "female", "M": "male", "U": "unknown"}.get(
                code, code
            ) or None

    def dtp(self, e: list[str], pos: int) -> None:
        if self.member is None or self.in_ls:
            return
        qualifier = el(e, 1)
        start, end = date_range(el(e, 2), el(e, 3))
        target = self.coverage if self.coverage is not None else self.member
        if qualifier in ("348", "356"):
            target["_start"] = start
            if el(e, 2) == "RD8":
                target["_end"] = end
        elif qualifier in ("349", "357"):
            target["_end"] = start
        elif qualifier == "303":
            target["_effective"] = start

    def hd(self, e: list[str], pos: int) -> None:
        if self.member is None:
            self.error(pos, "HD (coverage) outside a member (INS) loop")
            return
        self.coverage = {
            "_maintenance": el(e, 1),
            "_line": el(e, 3),
            "plan": el(e, 4) or el(e, 3) or None,
            "_level": el(e, 5),
        }
        self.coverages.append(self.coverage)

    def ls(self, e: list[str], pos: int) -> None:
        self.in_ls = True

    def le(self, e: list[str], pos: int) -> None:
        self.in_ls = False

    def close_member(self) -> None:
        member = self.member
        if member is None:
            return
        self.member = None
        coverages, self.coverages = self.coverages, []
        self.coverage = None
        subscriber_id = member.get("subscriber_id")
        is_subscriber = member.get("_subscriber") == "1"
        member_id = member.get("_member_ref") or (
            subscriber_id
            if is_subscriber
            else (
                _member_key(
                    subscriber_id or "",
                    member.get("last_name") or "",
                    member.get("first_name") or "",
                    member.get("birth_date") or "",
                )
                if subscriber_id
                else None
            )
        )
        base: dict[str, str | None] = {k: v for k, v in member.items() if not k.startswith("_")}
        base.update(
            {
                "member_id": member_id,
                "person_id": member.get("_person") or member_id,
                "payer": self.payer or self.sponsor,
                "payer_type": "commercial",
                "group_id": member.get("group_id") or self.master_policy or self.sponsor_id,
                "group_name": self.sponsor,
                "data_source": self.conv.data_source,
                "x12_position": str(self.position),
            }
        )
        base["file_date"] = self.file_date
        full = self.file_purpose in FULL_FILE
        for coverage in coverages or [{}]:
            start = coverage.get("_start") or member.get("_start")
            end = coverage.get("_end") or member.get("_end")
            maintenance = coverage.get("_maintenance") or member.get("_maintenance") or ""
            effective = coverage.get("_effective") or member.get("_effective")
            row = dict(base)
            row["plan"] = coverage.get("plan") or self.master_policy or "unknown"
            if not start and maintenance in SPAN_CHANGES:
                # no start date: it acts on a span loaded before (applied at load)
                action = SPAN_CHANGES[maintenance]
                if action == "terminate" and not end:
                    end = effective
                if action == "terminate" and not end:
                    self.warning(self.position, "termination (INS03/HD01 024) without a date")
                    continue
                row["enrollment_end_date"] = end if action != "change" else None
                row["change_action"] = action
                row["change_date"] = end if action == "terminate" else effective
                row["plan_given"] = "1" if coverage else "0"
                self.rows.append(("eligibility_changes", row))
                self.conv.span_changes += 1
                continue
            if maintenance == "024" and not end:
                end = effective
            row["enrollment_start_date"] = start
            row["enrollment_end_date"] = end or "9999-12-31"
            if maintenance == "024" and start and end and end < start:
                # cancelled before it began: no coverage at all
                self.warning(
                    self.position,
                    "coverage cancelled before its start: no span loaded (a span loaded "
                    "before with this start is not removed: send it in a full file)",
                )
                continue
            if full and row.get("group_id"):
                self.conv.full_file_groups.add(str(row["group_id"]))
            self.rows.append(("eligibility", row))

    def finish(self) -> None:
        self.close_member()


class RemittanceReader(TransactionReader):
    """835: one claim_processing row per CLP claim payment; adjustments as GROUP-CARC."""

    known = frozenset(
        [
            "BPR",
            "TRN",
            "CUR",
            "REF",
            "DTM",
            "N1",
            "N3",
            "N4",
            "PER",
            "RDM",
            "LX",
            "TS3",
            "TS2",
            "CLP",
            "CAS",
            "NM1",
            "MIA",
            "MOA",
            "AMT",
            "QTY",
            "SVC",
            "LQ",
            "PLB",
        ]
    )
    STATUS = {"1": "paid", "2": "paid", "3": "paid", "19": "paid", "20": "paid", "21": "paid",
              "4": "denied", "22": "paid", "23": "paid", "25": "pended"}  # fmt: skip

    def __init__(self, conv: Conversion, info: TransactionInfo) -> None:
        super().__init__(conv, info)
        self.payment_date: str | None = None
        self.production_date: str | None = None
        self.payee_npi: str | None = None
        self.claim: dict[str, Any] | None = None
        self.in_service = False
        self.position = 0
        self.handlers = {
            "BPR": self.bpr,
            "CLP": self.clp,
            "CAS": self.cas,
            "NM1": self.nm1,
            "DTM": self.dtm,
            "SVC": self.svc,
            "LQ": self.lq,
            "PLB": self.plb,
            "REF": self.ref,
            "N1": self.n1,
            "AMT": self.amt,
        }

    def bpr(self, e: list[str], pos: int) -> None:
        self.payment_date = iso(el(e, 16))

    def n1(self, e: list[str], pos: int) -> None:
        if self.claim is None and el(e, 1) == "PE" and el(e, 3) == "XX":
            self.payee_npi = el(e, 4) or None

    def ref(self, e: list[str], pos: int) -> None:
        if self.claim is None or self.in_service:
            return
        qualifier = el(e, 1)
        if qualifier == "F8":  # the claim this one reverses or replaces
            self.claim["_original"] = el(e, 2) or None
        elif qualifier in ("1L", "6P"):  # the member's group or policy number
            self.claim["group_id"] = el(e, 2) or None

    def amt(self, e: list[str], pos: int) -> None:
        if self.claim is not None and self.in_service and el(e, 1) == "B6":
            self.claim["_allowed"].append(el(e, 2))

    def clp(self, e: list[str], pos: int) -> None:
        self.close_claim()
        self.position = pos
        self.in_service = False
        status = el(e, 2)
        self.claim = {
            "claim_id": el(e, 1) or None,
            "_status": status,
            "charge_amount": el(e, 3) or None,
            "paid_amount": el(e, 4) or None,
            "_patient": el(e, 5) or None,
            "_payer_claim": el(e, 7),
            "_facility": el(e, 8),
            "_frequency": el(e, 9) or "1",
            "_adjustments": [],
            "_line_adjustments": 0,
            "_remarks": [],
            "_lines": 0,
            "_institutional": False,
            "_allowed": [],
        }
        self.info.records += 1

    def cas(self, e: list[str], pos: int) -> None:
        if self.claim is None:
            return
        group = el(e, 1)
        for i in range(2, len(e), 3):
            if e[i]:
                self.claim["_adjustments"].append((group, e[i], el(e, i + 1), self.in_service))

    def nm1(self, e: list[str], pos: int) -> None:
        if self.claim is not None and el(e, 1) == "QC":
            self.claim["member_id"] = el(e, 9) or None

    def dtm(self, e: list[str], pos: int) -> None:
        qualifier = el(e, 1)
        if qualifier == "405" and self.claim is None:
            self.production_date = iso(el(e, 2))
            return
        if self.claim is None:
            return
        if qualifier == "050":
            self.claim["received_date"] = iso(el(e, 2))
        elif qualifier in ("232", "150") and not self.claim.get("_service"):
            self.claim["_service"] = iso(el(e, 2))

    def svc(self, e: list[str], pos: int) -> None:
        if self.claim is None:
            self.error(pos, "SVC (service payment) outside a claim payment (CLP)")
            return
        self.in_service = True
        self.claim["_lines"] += 1
        parts = el(e, 1).split(self.d.component)
        if parts[0] == "NU" or el(e, 4):
            self.claim["_institutional"] = True
        if parts[0] in ("HC", "AD") and not self.claim.get("hcpcs_code"):
            self.claim["hcpcs_code"] = el(parts, 1) or None

    def lq(self, e: list[str], pos: int) -> None:
        if self.claim is not None:
            self.claim["_remarks"].append(el(e, 2))

    def plb(self, e: list[str], pos: int) -> None:
        total = 0.0
        for i in range(3, len(e) - 1, 2):
            try:
                total += float(e[i + 1] or 0)
            except ValueError:
                self.warning(pos, f"PLB amount {e[i + 1][:20]!r} is not a number")
        self.conv.provider_adjustments += 1
        self.conv.provider_adjustment_total += total

    def close_claim(self) -> None:
        claim = self.claim
        if claim is None:
            return
        self.claim = None
        adjustments = claim.pop("_adjustments")
        code = claim.pop("_status")
        status = self.STATUS.get(code, "paid")
        paid = claim.get("paid_amount")
        try:
            paid_value = float(paid) if paid else 0.0
        except ValueError:
            paid_value = 0.0
        codes = []
        seen: set[str] = set()
        for group, reason, _amount, _line in adjustments:
            code = f"{group}-{reason}"
            if code not in seen:
                seen.add(code)
                codes.append(code)
        patient_share = sum(
            float(a) for g, _r, a, line in adjustments if g == "PR" and not line and _num(a)
        ) or sum(float(a) for g, _r, a, line in adjustments if g == "PR" and _num(a))
        if (
            status == "paid"
            and paid_value == 0.0
            and patient_share == 0.0
            and any(g in ("CO", "OA", "PI") for g, *_ in adjustments)
        ):
            # nothing paid and nothing owed by the member: a denial sent as processed (a claim
            # applied to the deductible owes the member's share and stays paid)
            status = "denied"
        frequency = claim.pop("_frequency")
        if code == "22":  # reversal of a previous payment
            adjustment = "reversal"
        else:
            adjustment = {"7": "replacement", "8": "reversal"}.get(frequency, "original")
        allowed_lines = [a for a in claim["_allowed"] if _num(a)]
        if allowed_lines:  # AMT*B6 per service line: the payer's allowed amount
            allowed: str | None = _add(*allowed_lines)
        else:
            allowed = f"{paid_value + patient_share:.2f}" if paid else None
        denial = [r for g, r, *_ in adjustments if g in ("CO", "OA", "PI")] or [
            r for _g, r, *_ in adjustments
        ]
        # The day adjudication finished: the remittance's production date (DTM*405), else its
        # payment date; the payment (or denial) was issued on the payment date (BPR16).
        finalized = self.production_date or self.payment_date
        row: dict[str, str | None] = {
            "claim_id": claim.get("claim_id"),
            "original_claim_id": claim.get("_original") or claim.get("claim_id"),
            "claim_frequency": frequency if frequency in ("1", "7", "8") else "1",
            "adjustment_type": adjustment,
            "group_id": claim.get("group_id"),
            "billing_npi": self.payee_npi,
            "member_id": claim.get("member_id"),
            "claim_type": "institutional" if claim.get("_institutional") else "professional",
            "received_date": claim.get("received_date") or claim.get("_service") or finalized,
            "finalized_date": finalized,
            "paid_date": self.payment_date if status in ("paid", "denied") else None,
            # An 835 has no element for it: null, not stated (left out of the rate).
            "auto_adjudicated": None,
            "status": status,
            "carc": denial[0] if status == "denied" and denial else None,
            "carc_codes": ";".join(codes) or None,
            "hcpcs_code": claim.get("hcpcs_code"),
            "charge_amount": claim.get("charge_amount"),
            "paid_amount": paid,
            "allowed_amount": allowed,
            "x12_position": str(self.position),
        }
        if claim.get("_remarks"):
            self.conv.remarks.update(claim["_remarks"])
        self.rows.append(("claim_processing", row))

    def finish(self) -> None:
        self.close_claim()


def _num(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


READERS: dict[str, type[TransactionReader]] = {
    "837": ClaimReader,
    "834": EnrollmentReader,
    "835": RemittanceReader,
}


# --- the file --------------------------------------------------------------------------


@dataclass
class Conversion:
    """State of one file's conversion; `report()` is its acceptance report."""

    path: Path
    work_dir: Path
    data_source: str
    delimiters: Delimiters
    writers: dict[str, TableWriter] = field(default_factory=dict)
    transactions: list[TransactionInfo] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # envelope findings outside an ST
    segments: int = 0
    interchanges: int = 0
    groups: int = 0
    adjustments: list[tuple[str, str, str]] = field(default_factory=list)
    superseded: list[str] = field(default_factory=list)
    span_changes: int = 0
    full_file_groups: set[str] = field(default_factory=set)
    remarks: Counter[str] = field(default_factory=Counter)
    provider_adjustments: int = 0
    provider_adjustment_total: float = 0.0

    sinks: dict[str, Callable[[pa.Table], None]] = field(default_factory=dict)

    def writer(self, table: str) -> TableWriter:
        if table not in self.writers:
            self.writers[table] = TableWriter(
                self.work_dir / f"{table}.parquet", TABLE_COLUMNS[table], self.sinks.get(table)
            )
        return self.writers[table]

    def report(self) -> dict[str, Any]:
        kinds = Counter(t.kind for t in self.transactions)
        statuses = Counter(t.status for t in self.transactions)
        return {
            "format": "x12",
            "segments": self.segments,
            "interchanges": self.interchanges,
            "groups": self.groups,
            "transactions": len(self.transactions),
            "transaction_types": dict(sorted(kinds.items())),
            "accepted": statuses.get("accepted", 0),
            "accepted_with_errors": statuses.get("accepted with errors", 0),
            "rejected": statuses.get("rejected", 0),
            "records": sum(t.records for t in self.transactions),
            "rejected_records": sum(t.rejected_records for t in self.transactions),
            "rows": {name: w.rows for name, w in sorted(self.writers.items())},
            "claim_adjustments": len(self.adjustments),
            "changes_to_earlier_spans": self.span_changes,
            "full_file_groups": sorted(self.full_file_groups),
            "provider_adjustments": self.provider_adjustments,
            "provider_adjustment_total": round(self.provider_adjustment_total, 2),
            "remark_codes": dict(sorted(self.remarks.items())),
            "findings": [f.as_dict() for f in self.findings],
            "transaction_sets": [t.as_dict() for t in self.transactions],
        }


@dataclass
class ConversionResult:
    tables: dict[str, Path]
    report: dict[str, Any]
    superseded: list[str] = field(default_factory=list)
    """Claims replaced (frequency 7, REF*F8 under another claim id) that this file does not
    hold: loaded before, their lines are to be reversed (`load._reverse_superseded`)."""


class Stream:
    """The envelope walk (ISA/GS/ST ... SE/GE/IEA) over a file's segments, one at a time:
    `feed(text, position)` takes the next segment. A segment inside a transaction goes
    straight to its reader's handler (no per-segment method call or counter; a transaction's
    segment count is taken from the positions of its ST and SE). `fast.run` feeds the
    envelopes and the transactions it cannot read column-wise through here and hands the
    rows of the ones it can read to `reader.table`."""

    def __init__(self, conv: Conversion) -> None:
        self.conv = conv
        self.element = conv.delimiters.element
        self.isa_control = ""
        self.gs_control = ""
        self.gs_version = ""
        self.gs_sender = ""
        self.group_count = 0
        self.transaction_count = 0
        self.reader: TransactionReader | None = None
        self.handlers: dict[str, Callable[[list[str], int], None]] = {}
        self.known: frozenset[str] = frozenset()
        self.unknown: dict[str, int] = {}
        self.count_unknown = False

    def feed(self, text: str, position: int) -> None:
        element = self.element
        conv = self.conv
        cut = text.find(element)
        tag = text if cut < 0 else text[:cut]
        reader = self.reader
        if reader is not None and tag not in ENVELOPE:
            handler = self.handlers.get(tag)
            if handler is not None:
                handler(text.split(element), position)
            elif self.count_unknown and tag not in self.known:
                self.unknown[tag] = self.unknown.get(tag, 0) + 1
            return
        e = text.split(element)
        if tag == "ISA":
            if reader is not None:
                _abandon(conv, reader, position, "ISA before the transaction's SE")
                self.reader = None
            conv.interchanges += 1
            self.isa_control = el(e, 13).strip()
            self.group_count = 0
            if len(e) > 16 and e[1:2] and len(text) + 1 != 106:
                conv.findings.append(
                    Finding(position, "warning", f"ISA is {len(text) + 1} bytes, not 106")
                )
        elif tag == "GS":
            if reader is not None:
                _abandon(conv, reader, position, "GS before the transaction's SE")
                self.reader = None
            conv.groups += 1
            self.group_count += 1
            self.gs_control = el(e, 6)
            self.gs_version = el(e, 8)
            self.gs_sender = el(e, 2)
            self.transaction_count = 0
        elif tag == "ST":
            if reader is not None:
                _abandon(conv, reader, position, "ST before the previous transaction's SE")
            self.transaction_count += 1
            info = TransactionInfo(
                interchange=self.isa_control,
                group=self.gs_control,
                control=el(e, 2),
                kind=el(e, 1),
                version=el(e, 3) or self.gs_version,
                position=position,
                segments=1,
            )
            conv.transactions.append(info)
            if not conv.data_source:
                conv.data_source = self.gs_sender.strip() or "x12"
            cls = READERS.get(info.kind)
            if cls is None:
                info.findings.append(
                    Finding(
                        position,
                        "warning",
                        f"transaction set {info.kind} is not loaded into the lake "
                        "(834, 835 and 837 are)",
                    )
                )
                reader = TransactionReader(conv, info)
                self.count_unknown = False
            else:
                reader = cls(conv, info)
                self.count_unknown = True
            self.reader = reader
            self.handlers = reader.handlers
            self.known = reader.known
            self.unknown = info.unknown_segments
        elif tag == "SE":
            if reader is None:
                conv.findings.append(Finding(position, "warning", "SE without an ST"))
                return
            info = reader.info
            info.segments = position - info.position + 1
            if el(e, 1) != str(info.segments):
                info.findings.append(
                    Finding(
                        position,
                        "warning",
                        f"SE01 says {el(e, 1)} segments, the transaction has {info.segments}",
                    )
                )
            if el(e, 2) != info.control:
                info.findings.append(
                    Finding(
                        position,
                        "warning",
                        f"SE02 control number {el(e, 2)} differs from ST02 {info.control}",
                    )
                )
            try:
                reader.finish()
            except Exception as error:  # one bad transaction must not stop the file
                info.findings.append(Finding(position, "error", f"unreadable: {error}"))
            _settle(conv, reader)
            self.reader = None
        elif tag == "GE":
            if el(e, 1) != str(self.transaction_count):
                conv.findings.append(
                    Finding(
                        position,
                        "warning",
                        f"GE01 says {el(e, 1)} transactions, the group has "
                        f"{self.transaction_count}",
                    )
                )
            if el(e, 2) != self.gs_control:
                conv.findings.append(
                    Finding(
                        position, "warning", f"GE02 {el(e, 2)} differs from GS06 {self.gs_control}"
                    )
                )
        elif tag == "IEA":
            if el(e, 1) != str(self.group_count):
                conv.findings.append(
                    Finding(
                        position,
                        "warning",
                        f"IEA01 says {el(e, 1)} groups, the interchange has {self.group_count}",
                    )
                )
            if el(e, 2).strip() != self.isa_control:
                conv.findings.append(
                    Finding(
                        position,
                        "warning",
                        f"IEA02 {el(e, 2)} differs from ISA13 {self.isa_control}",
                    )
                )
        else:
            conv.findings.append(
                Finding(position, "warning", f"segment {tag[:3]} outside a transaction set")
            )


def convert(
    path: Path, work_dir: Path, *, data_source: str | None = None, fast: bool = True
) -> ConversionResult:
    """Read one X12 file into Parquet files under `work_dir` (one per lake table).

    `fast` (the default) reads 837P transactions column-wise (`fast.run`); `fast=False` feeds
    every segment through the transaction readers, as the tests compare."""
    return finish(read(path, work_dir, data_source=data_source, fast=fast))


def read(
    path: Path,
    work_dir: Path,
    *,
    data_source: str | None = None,
    fast: bool = True,
    sinks: dict[str, Callable[[pa.Table], None]] | None = None,
) -> Conversion:
    """The reading part of `convert`: the file read, its tables written, no whole-file step.
    A table named in `sinks` is not written: its rows go to the sink as they are read, in
    groups of `SINK_ROWS` rows, as text columns (those set in the group's rows only; `x12.load`
    checks them while the file is still being read)."""
    from clientdesk.lake.x12 import fast as fast_path

    delimiters = sniff(path)
    work_dir.mkdir(parents=True, exist_ok=True)
    conv = Conversion(path, work_dir, data_source or "", delimiters, sinks=dict(sinks or {}))
    stream = Stream(conv)
    position = fast_path.run(path, stream, columnar=fast)
    if stream.reader is not None:
        _abandon(conv, stream.reader, position + 1, "the file ends before the transaction's SE")
    conv.segments = position
    if conv.interchanges == 0:
        raise X12FormatError("no ISA interchange found")
    for writer in conv.writers.values():
        writer.close()
    return conv


def finish(conv: Conversion) -> ConversionResult:
    """The whole-file steps of `convert` (claim frequency codes) on the tables `read` wrote,
    and the acceptance report."""
    tables = {name: w.path for name, w in conv.writers.items() if w.rows}
    if conv.adjustments and "medical_claim" in tables:
        _apply_frequency(tables["medical_claim"], conv)
    return ConversionResult(tables, conv.report(), conv.superseded)


def _abandon(conv: Conversion, reader: TransactionReader, position: int, why: str) -> None:
    reader.info.segments = position - reader.info.position
    reader.info.findings.append(Finding(position, "error", why))
    _settle(conv, reader)


def _settle(conv: Conversion, reader: TransactionReader) -> None:
    """Write a read transaction's records, or count them rejected when it is rejected."""
    info = reader.info
    read = reader.table
    reader.table = None
    if info.status == "rejected":
        info.rejected_records = max(info.records, len(reader.rows))
        reader.rows = []
        return
    for table, row in reader.rows:
        conv.writer(table).add(row)
    reader.rows = []
    if read is not None:
        conv.writer(read[0]).add_table(read[1])


def _apply_frequency(path: Path, conv: Conversion) -> None:
    """Claim frequency 7 (replacement) and 8 (void): keep only the last version of a claim in
    the file; a void removes the claim. Versions are told apart by their segment position; a
    replacement or void that names the claim it acts on (REF*F8) under another claim id
    removes that claim too.

    A void of a claim this file does not hold (it was loaded from an earlier file) loads its
    lines as reversals of that claim: the claim id it voids, the amounts negative. The lake's
    staging takes a later version with a negative paid amount as a reversal, so the claim
    drops out of final action (Tuva's adjustment, denial and reversal conventions)."""
    import duckdb

    con = duckdb.connect()
    try:
        replaced = {c for c, f, _o in conv.adjustments if f == "7"}
        voids = {c: (o or c) for c, f, o in conv.adjustments if f == "8"}
        voided = set(voids) | {o for c, _f, o in conv.adjustments if o and o != c}
        source = f"read_parquet('{path}')"
        con.execute("CREATE TABLE void (claim_id VARCHAR, target VARCHAR)")
        if voids:
            con.executemany("INSERT INTO void VALUES (?, ?)", sorted(voids.items()))

        def negative(column: str) -> str:
            return (
                f"CASE WHEN TRY_CAST({column} AS DECIMAL(18, 2)) IS NULL THEN {column} "
                f"ELSE CAST(-abs(CAST({column} AS DECIMAL(18, 2))) AS VARCHAR) END AS {column}"
            )

        amounts = ("paid_amount", "allowed_amount", "charge_amount")
        con.execute(
            f"""
            CREATE TABLE carried AS
            WITH t AS (SELECT *, CAST(x12_position AS BIGINT) AS _pos,
                              max(CAST(x12_position AS BIGINT)) OVER (PARTITION BY claim_id)
                              AS _last
                       FROM {source}),
            v AS (SELECT t.*, void.target FROM t JOIN void USING (claim_id) WHERE _pos = _last)
            SELECT v.* EXCLUDE (_pos, _last, target, claim_id, {", ".join(amounts)}),
                   v.target AS claim_id, {", ".join(negative(a) for a in amounts)}
            FROM v
            WHERE NOT EXISTS (SELECT 1 FROM t earlier
                              WHERE earlier.claim_id = v.target AND earlier._pos < v._pos)
            """  # noqa: S608  # our own path
        )
        con.execute(
            f"""
            CREATE TABLE kept AS
            WITH t AS (SELECT *, max(CAST(x12_position AS BIGINT)) OVER (PARTITION BY claim_id)
                              AS _last
                       FROM {source})
            SELECT * EXCLUDE (_last) FROM t
            WHERE CAST(x12_position AS BIGINT) = _last
              AND NOT (claim_id IN (SELECT unnest(?::VARCHAR[])))
            """,  # noqa: S608  # our own path
            [sorted(voided)],
        )
        columns = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()]  # noqa: S608
        listed = ", ".join(f'"{c}"' for c in columns)
        con.execute(
            f"CREATE TABLE out AS SELECT {listed} FROM kept UNION ALL "  # noqa: S608  # our names
            f"SELECT {listed} FROM carried "
            "ORDER BY CAST(x12_position AS BIGINT), TRY_CAST(claim_line_number AS BIGINT)"
        )
        before = con.execute(f"SELECT count(*) FROM {source}").fetchone()  # noqa: S608
        after = con.execute("SELECT count(*) FROM kept").fetchone()
        reversals = con.execute("SELECT count(*), count(DISTINCT claim_id) FROM carried").fetchone()
        tmp = path.with_suffix(".kept.parquet")
        con.execute(f"COPY out TO '{tmp}' (FORMAT parquet)")
        tmp.replace(path)
        kept = int(after[0] if after else 0)
        dropped = int(before[0] if before else 0) - kept
        carried_lines, carried_claims = (int(x) for x in (reversals or (0, 0)))
        message = (
            f"claim frequency codes: {len(replaced)} replacement(s) and {len(voids)} "
            "void(s) applied to earlier versions in this file; "
            f"{dropped} earlier or voided line(s) not loaded"
        )
        if carried_claims:
            message += (
                f"; {carried_claims} void(s) of claims loaded before: their {carried_lines} "
                "line(s) load as reversals"
            )
        replacements = {o: c for c, f, o in conv.adjustments if f == "7" and o and o != c}
        present = {
            r[0]
            for r in con.execute(
                f"SELECT DISTINCT claim_id FROM {source} WHERE claim_id IN "  # noqa: S608
                "(SELECT unnest(?::VARCHAR[]))",
                [sorted(replacements)],
            ).fetchall()
        }
        conv.superseded = sorted(set(replacements) - present)
        if conv.superseded:
            message += (
                f"; {len(conv.superseded)} replacement(s) of claims loaded before: their lines "
                "load as reversals"
            )
        conv.findings.append(Finding(0, "warning", message))
        conv.writers["medical_claim"].rows = kept + carried_lines
    finally:
        con.close()


__all__ = ["Conversion", "ConversionResult", "X12FormatError", "convert", "finish", "read"]
