"""Write input-layer tables as X12: eligibility as an 834, medical claims as 837P and 837I,
claim processing as 835 remittances (`clientdesk synth --x12`).

`write_x12(book_dir, out_dir)` reads the `eligibility/`, `medical_claim/` and
`claim_processing/` folders of Parquet parts of a book (the synthetic book's layout) and writes
into `out_dir`:

- `enrollment.834` (005010X220A1): one transaction set per sponsor group, a full (verify) file:
  per enrollment span an INS loop (subscriber or dependent with its relationship, the member id
  in REF*23, the subscriber's in REF*0F, the group in REF*1L), name, address, birth date and
  gender, one HD coverage with its start (348) and end (349) dates;
- `professional.837` (005010X222A1) and `institutional.837` (005010X223A2): one billing
  provider and subscriber loop per claim (every member has their own id, so each is a
  subscriber), CLM with place of service or type of bill and the claim frequency, diagnoses
  (POA on institutional claims), DRG, ICD-10-PCS procedures, admission and statement dates,
  per line SV1/SV2 with modifiers, units and charge, the rendering NPI, and the line's
  adjudication (SVD paid, CAS PR-1/2/3 deductible, coinsurance, copay, DTP*573 paid date).
  A replacement is sent as frequency 7 and a void as frequency 8 pointing at the claim it
  replaces (REF*F8); the reversal claim of a replacement chain is not sent (the replacement
  supersedes the original by itself);
- `remittance.835` (005010X221A1): one transaction set per payee, adjudication day and payment
  day (BPR16 the payment date, DTM*405 the day adjudication finished): per claim CLP with
  status (1 paid, 4 denied, 22 reversal), amounts and frequency, CAS with the claim's
  GROUP-CARC codes, the patient (NM1*QC), the group (REF*1L), the claim reversed or replaced
  (REF*F8), the received date (DTM*050), and a service line with its allowed amount (AMT*B6).

What an X12 file has no element for is not written: an 835 does not say whether a claim was
adjudicated without a human touch, why it pended, or whether it was audited; claims in process
on the extract date (pended, or adjudicated and waiting for the check run) are not remitted.
The result counts what was written and what was left out.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

import pyarrow.parquet as pq

SEGMENT = "~\n"
FORBIDDEN = str.maketrans({"*": " ", "~": " ", ":": " ", "^": " "})
RELATION = {"self": "18", "spouse": "01", "child": "19", "domestic partner": "53"}
PAYER_ID = "KMH01"
STAMP = dt.date(2026, 1, 1)
"""The interchange date of every file written (the files of a book are the same every run)."""


@dataclass
class WriteResult:
    """What `write_x12` wrote: files, transaction sets and records, and what it left out."""

    files: dict[str, Path] = field(default_factory=dict)
    transactions: dict[str, int] = field(default_factory=dict)
    records: dict[str, int] = field(default_factory=dict)
    left_out: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "files": {k: str(v) for k, v in self.files.items()},
            "transactions": dict(self.transactions),
            "records": dict(self.records),
            "left_out": dict(self.left_out),
        }


def text(value: object) -> str:
    """An element's text: delimiters taken out, None empty."""
    if value is None:
        return ""
    return str(value).translate(FORBIDDEN).strip()


def d8(value: object) -> str:
    """A date as CCYYMMDD."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.strftime("%Y%m%d")
    return str(value)[:10].replace("-", "")


def amount(value: object) -> str:
    """An X12 decimal: no trailing zeros, no exponent, empty for None."""
    if value is None or value == "":
        return ""
    number = Decimal(str(value)).quantize(Decimal("0.01"))
    if number == number.to_integral_value():
        return str(number.to_integral_value())
    return f"{number:f}".rstrip("0")


def seg(*elements: object) -> str:
    """One segment: trailing empty elements dropped."""
    parts = [e if isinstance(e, str) else text(e) for e in elements]
    while len(parts) > 1 and parts[-1] == "":
        parts.pop()
    return "*".join(parts) + SEGMENT


def read_rows(folder: Path) -> Iterator[dict[str, Any]]:
    """The rows of a folder of Parquet parts (or one file), part by part."""
    files = sorted(folder.glob("*.parquet")) if folder.is_dir() else [folder]
    for path in files:
        for batch in pq.ParquetFile(path).iter_batches(batch_size=50_000):
            yield from batch.to_pylist()


class Interchange:
    """An ISA/IEA interchange with one GS/GE group, written transaction by transaction."""

    def __init__(self, out: TextIO, function: str, version: str, sender: str) -> None:
        self.out = out
        self.version = version
        self.sets = 0
        date6, time4 = STAMP.strftime("%y%m%d"), "1200"
        out.write(
            f"ISA*00*{' ' * 10}*00*{' ' * 10}*ZZ*{sender[:15]:<15}*ZZ*{'CLIENTDESK':<15}*"
            f"{date6}*{time4}*^*00501*000000001*0*P*:" + SEGMENT
        )
        out.write(
            seg("GS", function, sender[:15], "CLIENTDESK", d8(STAMP), time4, "1", "X", version)
        )

    def transaction(self, kind: str, segments: list[str]) -> None:
        self.sets += 1
        control = f"{self.sets:04d}"
        self.out.write(seg("ST", kind, control, self.version))
        self.out.writelines(segments)
        self.out.write(seg("SE", len(segments) + 2, control))

    def close(self) -> None:
        self.out.write(seg("GE", self.sets, "1"))
        self.out.write(seg("IEA", "1", "000000001"))


# --- 834 -------------------------------------------------------------------------------


def _members_834(rows: list[dict[str, Any]]) -> list[str]:
    first = rows[0]
    out = [
        seg("BGN", "00", f"{text(first.get('group_id'))}-FULL", d8(STAMP), "1200", "", "", "", "4"),
        seg("REF", "38", first.get("group_id")),
        seg("N1", "P5", first.get("group_name"), "FI", first.get("group_id")),
        seg("N1", "IN", first.get("payer"), "FI", PAYER_ID),
    ]
    for row in rows:
        relation = text(row.get("subscriber_relation")) or "self"
        subscriber = relation == "self"
        out += [
            seg("INS", "Y" if subscriber else "N", RELATION.get(relation, "G8"), "030", "XN", "A"),
            seg("REF", "0F", row.get("subscriber_id")),
            seg("REF", "1L", row.get("group_id")),
            seg("REF", "23", row.get("member_id")),
            seg("REF", "ABB", row.get("person_id")),
            seg(
                "NM1",
                "IL",
                "1",
                row.get("last_name"),
                row.get("first_name"),
                row.get("middle_name"),
            ),
            seg("N3", row.get("address")),
            seg("N4", row.get("city"), row.get("state"), row.get("zip_code")),
            seg(
                "DMG",
                "D8",
                d8(row.get("birth_date")),
                {"male": "M", "female": "F"}.get(text(row.get("gender")), "U"),
            ),
            seg("HD", "030", "", "HLT", row.get("plan"), "IND"),
            seg("DTP", "348", "D8", d8(row.get("enrollment_start_date"))),
        ]
        end = d8(row.get("enrollment_end_date"))
        if end and end != "99991231":
            out.append(seg("DTP", "349", "D8", end))
    return out


def write_834(book: Path, path: Path) -> tuple[int, int]:
    """Eligibility spans as one 834 transaction set per sponsor group; (sets, spans)."""
    by_group: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in read_rows(book / "eligibility"):
        by_group[text(row.get("group_id"))].append(row)
    spans = 0
    with path.open("w", encoding="latin-1", errors="replace") as out:
        interchange = Interchange(out, "BE", "005010X220A1", "CLIENTDESK")
        for group in sorted(by_group):
            rows = by_group[group]
            interchange.transaction("834", _members_834(rows))
            spans += len(rows)
        interchange.close()
    return interchange.sets, spans


# --- 837 -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Adjudication:
    adjustment_type: str
    original_claim_id: str
    frequency: str


def _claims(book: Path) -> Iterator[list[dict[str, Any]]]:
    """The lines of each claim, claim by claim (a claim's lines are together in a part)."""
    current: list[dict[str, Any]] = []
    for row in read_rows(book / "medical_claim"):
        if current and row["claim_id"] != current[0]["claim_id"]:
            yield current
            current = []
        current.append(row)
    if current:
        yield current


def _diagnoses(claim: dict[str, Any], institutional: bool) -> list[str]:
    items: list[str] = []
    icd10 = text(claim.get("diagnosis_code_type")) != "icd-9-cm"
    for n in range(1, 26):
        code = text(claim.get(f"diagnosis_code_{n}")).replace(".", "")
        if not code:
            continue
        qualifier = ("ABK" if not items else "ABF") if icd10 else ("BK" if not items else "BF")
        poa = text(claim.get(f"diagnosis_poa_{n}")) if institutional else ""
        items.append(f"{qualifier}:{code}:::::::{poa}" if poa else f"{qualifier}:{code}")
    return [seg("HI", *items[i : i + 12]) for i in range(0, len(items), 12)]


def _procedures(claim: dict[str, Any]) -> list[str]:
    items: list[str] = []
    pcs = text(claim.get("procedure_code_type")) != "icd-9-pcs"
    for n in range(1, 26):
        code = text(claim.get(f"procedure_code_{n}")).replace(".", "")
        if not code:
            continue
        qualifier = ("BBR" if not items else "BBQ") if pcs else ("BR" if not items else "BQ")
        day = d8(claim.get(f"procedure_date_{n}"))
        items.append(f"{qualifier}:{code}:D8:{day}" if day else f"{qualifier}:{code}")
    return [seg("HI", *items[i : i + 12]) for i in range(0, len(items), 12)]


def _procedure_composite(line: dict[str, Any]) -> str:
    code = text(line.get("hcpcs_code"))
    if not code:
        return ""
    mods = [text(line.get(f"hcpcs_modifier_{i}")) for i in range(1, 5)]
    while mods and not mods[-1]:
        mods.pop()
    return ":".join(["HC", code, *mods])


def _dates(qualifier: str, start: object, end: object) -> str:
    first, last = d8(start), d8(end)
    if last and last != first:
        return seg("DTP", qualifier, "RD8", f"{first}-{last}")
    return seg("DTP", qualifier, "D8", first)


def _claim_837(
    lines: list[dict[str, Any]],
    hl: int,
    frequency: str,
    original: str,
    names: dict[str, tuple[str, str, str]],
    negate: bool,
) -> list[str]:
    claim = lines[0]
    institutional = claim.get("claim_type") == "institutional"
    sign = Decimal(-1) if negate else Decimal(1)

    def money(value: object) -> str:
        return "" if value is None else amount(Decimal(str(value)) * sign)

    member = text(claim.get("member_id"))
    last, first, group = names.get(member, ("MEMBER", "", ""))
    total = sum((Decimal(str(x.get("charge_amount") or 0)) * sign for x in lines), Decimal(0))
    if institutional:
        bill = text(claim.get("bill_type_code")).lstrip("0")
        where = f"{bill[:2]}:A:{frequency}"
    else:
        where = f"{text(claim.get('place_of_service_code')) or '11'}:B:{frequency}"
    out = [
        seg("HL", hl, "", "20", "1"),
        seg("NM1", "85", "2", "BILLING PROVIDER", "", "", "", "", "XX", claim.get("billing_npi")),
        seg("N3", "1 MAIN ST"),
        seg("N4", "ANYTOWN", "PA", "19103"),
        seg("REF", "EI", claim.get("billing_tin") or "999999999"),
        seg("HL", hl + 1, hl, "22", "0"),
        seg(
            "SBR",
            "P",
            "18",
            claim.get("group_id") or group,
            claim.get("plan"),
            "",
            "",
            "",
            "",
            "CI",
        ),
        seg("NM1", "IL", "1", last, first, "", "", "", "MI", member),
        seg("NM1", "PR", "2", claim.get("payer"), "", "", "", "", "PI", PAYER_ID),
        seg("CLM", claim.get("claim_id"), amount(total), "", "", where, "Y", "A", "Y", "Y"),
    ]
    if original:
        out.append(seg("REF", "F8", original))
    if institutional:
        out.append(_dates("434", claim.get("claim_start_date"), claim.get("claim_end_date")))
        if claim.get("admission_date"):
            out.append(seg("DTP", "435", "D8", d8(claim.get("admission_date"))))
        if claim.get("discharge_date"):
            out.append(seg("DTP", "096", "D8", d8(claim.get("discharge_date"))))
        if claim.get("admit_type_code") or claim.get("admit_source_code"):
            out.append(
                seg(
                    "CL1",
                    claim.get("admit_type_code"),
                    claim.get("admit_source_code"),
                    claim.get("discharge_disposition_code"),
                )
            )
    out += _diagnoses(claim, institutional)
    if institutional and claim.get("drg_code"):
        out.append(seg("HI", f"DR:{text(claim.get('drg_code'))}"))
    if institutional:
        out += _procedures(claim)
    if claim.get("rendering_npi") and institutional:
        out.append(seg("NM1", "82", "1", "RENDERING", "", "", "", "", "XX", claim["rendering_npi"]))
    if claim.get("facility_npi"):
        out.append(seg("NM1", "77", "2", "FACILITY", "", "", "", "", "XX", claim["facility_npi"]))
    for number, line in enumerate(lines, 1):
        units = amount(line.get("service_unit_quantity")) or "1"
        out.append(seg("LX", line.get("claim_line_number") or number))
        if institutional:
            out.append(
                seg(
                    "SV2",
                    line.get("revenue_center_code"),
                    _procedure_composite(line),
                    money(line.get("charge_amount")),
                    "UN",
                    units,
                )
            )
        else:
            out.append(
                seg(
                    "SV1",
                    _procedure_composite(line),
                    money(line.get("charge_amount")),
                    "UN",
                    units,
                    line.get("place_of_service_code"),
                    "",
                    "1",
                )
            )
        out.append(
            _dates("472", line.get("claim_line_start_date"), line.get("claim_line_end_date"))
        )
        if line.get("rendering_npi") and not institutional:
            out.append(
                seg("NM1", "82", "1", "RENDERING", "", "", "", "", "XX", line["rendering_npi"])
            )
        if line.get("paid_amount") is not None:
            procedure = _procedure_composite(line) or f"NU:{text(line.get('revenue_center_code'))}"
            out.append(seg("SVD", PAYER_ID, money(line.get("paid_amount")), procedure, "", units))
            shares = [
                (reason, money(line.get(column)))
                for reason, column in (
                    ("1", "deductible_amount"),
                    ("2", "coinsurance_amount"),
                    ("3", "copayment_amount"),
                )
                if line.get(column) is not None
            ]
            if shares:
                out.append(
                    seg("CAS", "PR", *[x for reason, cash in shares for x in (reason, cash, "")])
                )
            if line.get("paid_date"):
                out.append(seg("DTP", "573", "D8", d8(line.get("paid_date"))))
    return out


def _adjudications(book: Path) -> dict[str, Adjudication]:
    out: dict[str, Adjudication] = {}
    folder = book / "claim_processing"
    if not folder.exists():
        return out
    for row in read_rows(folder):
        out[row["claim_id"]] = Adjudication(
            text(row.get("adjustment_type")) or "original",
            text(row.get("original_claim_id")) or row["claim_id"],
            text(row.get("claim_frequency")) or "1",
        )
    return out


def _names(book: Path) -> dict[str, tuple[str, str, str]]:
    """Each member's name and group (the subscriber loop of an 837 names them)."""
    return {
        text(r.get("member_id")): (
            text(r.get("last_name")),
            text(r.get("first_name")),
            text(r.get("group_id")),
        )
        for r in read_rows(book / "eligibility")
    }


def write_837(
    claims: Iterable[list[dict[str, Any]]],
    paths: dict[str, Path],
    adjudications: dict[str, Adjudication],
    names: dict[str, tuple[str, str, str]],
    result: WriteResult,
    claims_per_set: int = 1000,
) -> None:
    """Claims as 837P (professional) and 837I (institutional) files, `claims_per_set` claims
    per transaction set."""
    versions = {"professional": "005010X222A1", "institutional": "005010X223A2"}
    handles = {
        kind: path.open("w", encoding="latin-1", errors="replace") for kind, path in paths.items()
    }
    interchanges = {
        kind: Interchange(handles[kind], "HC", versions[kind], "CLIENTDESK") for kind in paths
    }
    pending: dict[str, list[str]] = {kind: [] for kind in paths}
    counts: dict[str, int] = dict.fromkeys(paths, 0)
    header = [
        seg("BHT", "0019", "00", "1", d8(STAMP), "1200", "CH"),
        seg("NM1", "41", "2", "CLIENTDESK", "", "", "", "", "46", "CLIENTDESK"),
        seg("PER", "IC", "CLAIMS", "TE", "5555550100"),
        seg("NM1", "40", "2", "KEYSTONE MUTUAL HEALTH", "", "", "", "", "46", PAYER_ID),
    ]
    try:
        for lines in claims:
            claim_id = lines[0]["claim_id"]
            kind = lines[0].get("claim_type")
            if kind not in paths:
                result.left_out[f"claims of type {kind}"] = (
                    result.left_out.get(f"claims of type {kind}", 0) + 1
                )
                continue
            adjudication = adjudications.get(claim_id)
            frequency, original, negate = "1", "", False
            if adjudication is not None and adjudication.adjustment_type == "reversal":
                if adjudication.frequency == "7":
                    # the reversal half of a replacement: the replacement (frequency 7) says it
                    result.left_out["reversals sent as their replacement"] = (
                        result.left_out.get("reversals sent as their replacement", 0) + 1
                    )
                    continue
                frequency, original, negate = "8", adjudication.original_claim_id, True
            elif adjudication is not None and adjudication.adjustment_type == "replacement":
                frequency, original = "7", adjudication.original_claim_id
            counts[kind] += 1
            result.records[f"{kind} claims"] = result.records.get(f"{kind} claims", 0) + 1
            pending[kind] += _claim_837(
                lines, 2 * counts[kind] - 1, frequency, original, names, negate
            )
            result.records[f"{kind} lines"] = result.records.get(f"{kind} lines", 0) + len(lines)
            if counts[kind] % claims_per_set == 0:
                interchanges[kind].transaction("837", header + pending[kind])
                pending[kind] = []
                counts[kind] = 0
        for kind in paths:
            if pending[kind]:
                interchanges[kind].transaction("837", header + pending[kind])
            interchanges[kind].close()
            result.transactions[f"837 {kind}"] = interchanges[kind].sets
    finally:
        for handle in handles.values():
            handle.close()


# --- 835 -------------------------------------------------------------------------------

STATUS_835 = {"paid": "1", "denied": "4"}


def _remit_claim(row: dict[str, Any]) -> list[str]:
    reversal = row.get("adjustment_type") == "reversal"
    status = "22" if reversal else STATUS_835.get(text(row.get("status")), "1")
    charge, paid = row.get("charge_amount"), row.get("paid_amount") or 0
    allowed = row.get("allowed_amount")
    patient = Decimal(str(allowed)) - Decimal(str(paid)) if allowed is not None else Decimal(0)
    facility = "13" if row.get("claim_type") == "institutional" else "11"
    out = [
        seg(
            "CLP",
            row.get("claim_id"),
            status,
            amount(charge) or "0",
            amount(paid) or "0",
            amount(patient) if patient else "",
            "12",
            row.get("claim_id"),
            facility,
            row.get("claim_frequency") or "1",
        )
    ]
    by_group: dict[str, list[str]] = defaultdict(list)
    for code in text(row.get("carc_codes")).split(";"):
        if "-" in code:
            group, reason = code.split("-", 1)
            by_group[group].append(reason)
    carc = text(row.get("carc"))
    groups = sorted(by_group, key=lambda g: (carc not in by_group[g], g))
    # The amounts an adjustment carries where the row says them: the contractual reduction
    # (charge - allowed) on the first CO reason, the member's share (allowed - paid) on the
    # first PR reason; other reasons 0.
    charged = Decimal(str(charge or 0))
    allowed_value = Decimal(str(allowed)) if allowed is not None else charged
    share = {"CO": charged - allowed_value, "PR": patient}
    for group in groups:
        reasons = sorted(by_group[group], key=lambda r: r != carc)
        cash = [amount(share.get(group, 0)) or "0"] + ["0"] * (len(reasons) - 1)
        out.append(
            seg("CAS", group, *[x for r, c in zip(reasons, cash, strict=True) for x in (r, c, "")])
        )
    out.append(seg("NM1", "QC", "1", "PATIENT", "", "", "", "", "MI", row.get("member_id")))
    if row.get("group_id"):
        out.append(seg("REF", "1L", row.get("group_id")))
    original = text(row.get("original_claim_id"))
    if original and original != row.get("claim_id"):
        out.append(seg("REF", "F8", original))
    out.append(seg("DTM", "050", d8(row.get("received_date"))))
    code = text(row.get("hcpcs_code"))
    procedure = f"HC:{code}" if code else "NU:0001"
    institutional_rev = "0001" if row.get("claim_type") == "institutional" and code else ""
    out.append(seg("SVC", procedure, amount(charge) or "0", amount(paid) or "0", institutional_rev))
    if allowed is not None:
        out.append(seg("AMT", "B6", amount(allowed)))
    return out


def write_835(book: Path, path: Path, result: WriteResult) -> None:
    """Claim processing as remittances: one transaction set per payee, adjudication day and
    payment day. Claims without a finalized day are not remitted, nor those adjudicated and
    waiting for the check run (no paid day): an 835 goes with the payment."""
    runs: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in read_rows(book / "claim_processing"):
        if row.get("finalized_date") is None:
            result.left_out["claims not finalized (not remitted)"] = (
                result.left_out.get("claims not finalized (not remitted)", 0) + 1
            )
            continue
        if row.get("paid_date") is None:  # adjudicated, waiting for the check run
            result.left_out["claims not yet paid (remitted at the check run)"] = (
                result.left_out.get("claims not yet paid (remitted at the check run)", 0) + 1
            )
            continue
        paid_day = d8(row["paid_date"])
        runs[(d8(row["finalized_date"]), paid_day, text(row.get("billing_npi")))].append(row)
    with path.open("w", encoding="latin-1", errors="replace") as out:
        interchange = Interchange(out, "HP", "005010X221A1", "CLIENTDESK")
        for (finalized, paid_day, npi), rows in sorted(runs.items()):
            total = sum((Decimal(str(r.get("paid_amount") or 0)) for r in rows), Decimal(0))
            segments = [
                seg(
                    "BPR",
                    "I",
                    amount(total) or "0",
                    "C",
                    "ACH",
                    "CCP",
                    "01",
                    "011000015",
                    "DA",
                    "0001",
                    "1512345678",
                    "",
                    "01",
                    "011000015",
                    "DA",
                    "0002",
                    paid_day,
                ),
                seg("TRN", "1", f"{finalized}{npi}", "1512345678"),
                seg("DTM", "405", finalized),
                seg("N1", "PR", "KEYSTONE MUTUAL HEALTH"),
                seg("N1", "PE", "PAYEE", "XX", npi),
                seg("LX", "1"),
            ]
            for row in rows:
                segments += _remit_claim(row)
            interchange.transaction("835", segments)
            result.records["remitted claims"] = result.records.get("remitted claims", 0) + len(rows)
        interchange.close()
    result.transactions["835"] = interchange.sets
    result.left_out[
        "remitted claims without auto_adjudicated, pend_reason, audit (no 835 element)"
    ] = sum(len(r) for r in runs.values())


def write_x12(book: Path, out_dir: Path) -> WriteResult:
    """The book's eligibility, medical claims and claim processing as 834, 837P/I and 835."""
    out_dir.mkdir(parents=True, exist_ok=True)
    result = WriteResult()
    if (book / "eligibility").exists():
        path = out_dir / "enrollment.834"
        sets, spans = write_834(book, path)
        result.files["834"] = path
        result.transactions["834"] = sets
        result.records["enrollment spans"] = spans
    if (book / "medical_claim").exists():
        paths = {
            "professional": out_dir / "professional.837",
            "institutional": out_dir / "institutional.837",
        }
        write_837(_claims(book), paths, _adjudications(book), _names(book), result)
        for kind, path in paths.items():
            if result.transactions.get(f"837 {kind}"):
                result.files[f"837 {kind}"] = path
            else:  # no claim of that kind: no file of empty envelopes
                path.unlink()
                result.transactions.pop(f"837 {kind}", None)
    if (book / "claim_processing").exists():
        path = out_dir / "remittance.835"
        write_835(book, path, result)
        result.files["835"] = path
    return result


__all__ = ["WriteResult", "write_x12"]
