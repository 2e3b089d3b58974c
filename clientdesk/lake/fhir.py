"""FHIR R4 Bundles (and NDJSON) into the lake: Patient/Coverage -> eligibility,
ExplanationOfBenefit -> medical_claim and pharmacy_claim.

`ingest_fhir(paths, ...)` reads each file (a Bundle, a JSON array of resources, or NDJSON with
one resource a line), validates every resource with the `fhir.resources` models (R4B, which
reads the R4 payer data of CARIN Blue Button; one model per resource type), and maps:

- **Coverage** (with its beneficiary **Patient**) -> one `eligibility` span: member id from the
  Coverage's or the Patient's `MB` identifier (else `subscriberId` for the subscriber, else the
  Patient's id), `period`, `relationship`, `payor`, `class` group (-> `group_id`, `group_name`)
  and plan; the Patient gives name, sex, birth date and address.
- **ExplanationOfBenefit** of type professional, institutional or oral (dental) -> one
  `medical_claim` row per `item`; of type pharmacy -> one `pharmacy_claim` row per item.
  Claim id from the `uc` identifier (else the resource id); sponsor, plan and member from the
  focal insurance's Coverage; billing NPI from the provider, rendering NPI from the care team;
  diagnoses with present-on-admission, procedures, type of bill, admission/discharge;
  per item HCPCS/CPT (or NDC), modifiers, revenue code, place of service, units and the
  CARIN adjudication amounts (submitted, eligible/allowed, paid, copay, coinsurance,
  deductible). An EOB's `status` `entered-in-error` (a void) loads nothing and is counted.

Rows go through the lake's ordinary load (`ingestion.ingest_converted`): every value checked
with Tuva's severity, rejects and warnings files, one atomic, idempotent batch per file and
table (a reload says to use `--replace`). A resource that is not valid FHIR, of a type the lake
does not read, or without what its rows need (an EOB whose patient is not in the load, a
Coverage without a beneficiary) is rejected with its entry number and a reason (never its
values: they may be member data); the file's report counts resources read, loaded and
rejected by reason and is stored on each batch.

References resolve across the files of one call: a FHIR Bulk Data export (`$export`) writes one
NDJSON file per resource type (Patient, Coverage, ExplanationOfBenefit, ...), so the files of
one export are loaded together (`clientdesk ingest fhir Patient.ndjson Coverage.ndjson
ExplanationOfBenefit.ndjson`); the referenced resources of every file are read first
(`reference_index`). A file's own resources win over another file's of the same id.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from django.contrib.auth.models import User
from fhir.resources.R4B.coverage import Coverage
from fhir.resources.R4B.explanationofbenefit import ExplanationOfBenefit
from fhir.resources.R4B.organization import Organization
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.practitioner import Practitioner
from pydantic import ValidationError

from clientdesk.lake import storage
from clientdesk.lake.ingestion import (
    BatchResult,
    IngestError,
    Origin,
    file_sha256,
    ingest_converted,
)

TABLE_ORDER = ("eligibility", "medical_claim", "pharmacy_claim")
MODELS: dict[str, Any] = {
    "Patient": Patient,
    "Coverage": Coverage,
    "ExplanationOfBenefit": ExplanationOfBenefit,
    "Practitioner": Practitioner,
    "Organization": Organization,
}
NPI_SYSTEM = "http://hl7.org/fhir/sid/us-npi"
CLAIM_TYPES = {"professional": "professional", "institutional": "institutional", "oral": "dental"}
RELATION = {"self": "self", "spouse": "spouse", "child": "child", "common": "domestic partner"}
# CARIN BB / HL7 adjudication categories -> lake money columns
ADJUDICATION = {
    "submitted": "charge_amount",
    "eligible": "allowed_amount",
    "allowed": "allowed_amount",
    "benefit": "paid_amount",
    "paidtoprovider": "paid_amount",
    "payment": "paid_amount",
    "copay": "copayment_amount",
    "coinsurance": "coinsurance_amount",
    "deductible": "deductible_amount",
}
ELIGIBILITY_COLUMNS = (
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
    "group_id",
    "group_name",
    "fhir_entry",
)
MEDICAL_COLUMNS = (
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
    "revenue_center_code",
    "service_unit_quantity",
    "hcpcs_code",
    "hcpcs_modifier_1",
    "hcpcs_modifier_2",
    "hcpcs_modifier_3",
    "hcpcs_modifier_4",
    "rendering_npi",
    "billing_npi",
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
    "fhir_entry",
)
PHARMACY_COLUMNS = (
    "claim_id",
    "claim_line_number",
    "person_id",
    "member_id",
    "payer",
    "plan",
    "prescribing_provider_npi",
    "dispensing_provider_npi",
    "dispensing_date",
    "ndc_code",
    "quantity",
    "days_supply",
    "refills",
    "paid_date",
    "paid_amount",
    "allowed_amount",
    "charge_amount",
    "coinsurance_amount",
    "copayment_amount",
    "deductible_amount",
    "data_source",
    "group_id",
    "fhir_entry",
)
TABLE_COLUMNS = {
    "eligibility": ELIGIBILITY_COLUMNS,
    "medical_claim": MEDICAL_COLUMNS,
    "pharmacy_claim": PHARMACY_COLUMNS,
}

Row = dict[str, str | None]


class FhirFormatError(Exception):
    """The file is not FHIR JSON at all (one-line message)."""


@dataclass
class Resource:
    entry: int  # 1-based position in the file
    kind: str
    model: Any  # the validated fhir.resources model


@dataclass
class FhirReport:
    resources: Counter[str] = field(default_factory=Counter)
    loaded: Counter[str] = field(default_factory=Counter)
    rejected: Counter[str] = field(default_factory=Counter)  # by reason
    examples: list[dict[str, object]] = field(default_factory=list)
    voided: int = 0

    def reject(self, entry: int, kind: str, reason: str) -> None:
        self.rejected[reason] += 1
        if len(self.examples) < 20:
            self.examples.append({"entry": entry, "resourceType": kind, "reason": reason})

    def as_dict(self, rows: dict[str, int]) -> dict[str, Any]:
        return {
            "format": "fhir",
            "resources": sum(self.resources.values()),
            "resource_types": dict(sorted(self.resources.items())),
            "loaded_resources": dict(sorted(self.loaded.items())),
            "rejected": sum(self.rejected.values()),
            "rejected_by_reason": dict(self.rejected.most_common()),
            "rejected_examples": sorted(self.examples, key=lambda x: str(x["entry"]).zfill(9)),
            "entered_in_error": self.voided,
            "rows": dict(sorted(rows.items())),
        }


# --- reading the file --------------------------------------------------------------------


def _raw_resources(path: Path) -> Iterator[tuple[int, Any]]:
    """(entry number, resource dict) for a Bundle, a JSON array or NDJSON."""
    with path.open("rb") as handle:
        head = handle.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head.startswith((b"{", b"[")):
        raise FhirFormatError("not FHIR JSON (it does not start with { or [)")
    text = path.read_text(encoding="utf-8-sig")
    try:
        whole: Any = json.loads(text)
    except json.JSONDecodeError:
        whole = None
    if whole is None:  # NDJSON: one resource a line
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as error:
                if number == 1:
                    raise FhirFormatError(f"not JSON or NDJSON ({error.msg})") from None
                yield number, {"_unreadable": f"line {number} is not JSON ({error.msg})"}
        return
    if isinstance(whole, list):
        yield from enumerate(whole, start=1)
        return
    if not isinstance(whole, dict) or "resourceType" not in whole:
        raise FhirFormatError("JSON without a resourceType: not a FHIR resource or Bundle")
    if whole["resourceType"] != "Bundle":
        yield 1, whole
        return
    for number, entry in enumerate(whole.get("entry") or [], start=1):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if isinstance(resource, dict) and isinstance(entry, dict) and entry.get("fullUrl"):
            resource = {**resource, "_fullUrl": entry["fullUrl"]}
        yield number, resource


def _reason(error: ValidationError, kind: str) -> str:
    """The first problems of a model validation, by field and type only (no values)."""
    parts = []
    for problem in error.errors()[:2]:
        where = ".".join(str(x) for x in problem["loc"]) or kind
        parts.append(f"{where}: {problem['type'].replace('_', ' ')}")
    return f"not a valid {kind}: " + "; ".join(parts)


def read_resources(path: Path, report: FhirReport) -> tuple[list[Resource], dict[str, Resource]]:
    """The file's valid resources and an index of them by `Type/id` and by fullUrl."""
    resources: list[Resource] = []
    index: dict[str, Resource] = {}
    for number, raw in _raw_resources(path):
        if not isinstance(raw, dict):
            report.resources["(no resource)"] += 1
            report.reject(number, "", "an entry without a resource")
            continue
        if "_unreadable" in raw:
            report.resources["(unreadable)"] += 1
            report.reject(number, "", "a line that is not JSON")
            continue
        kind = str(raw.get("resourceType") or "")
        report.resources[kind or "(no resourceType)"] += 1
        model_class = MODELS.get(kind)
        if model_class is None:
            report.reject(number, kind, f"{kind or 'no resourceType'}: not read into the lake")
            continue
        full_url = raw.pop("_fullUrl", None)
        try:
            model = model_class.model_validate(raw)
        except ValidationError as error:
            report.reject(number, kind, _reason(error, kind))
            continue
        resource = Resource(number, kind, model)
        resources.append(resource)
        if model.id:
            index[f"{kind}/{model.id}"] = resource
        if full_url:
            index[str(full_url)] = resource
    return resources, index


# --- mapping -------------------------------------------------------------------------------


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _codes(concept: Any) -> list[tuple[str, str]]:
    """(system, code) of a CodeableConcept's codings."""
    if concept is None:
        return []
    return [(c.system or "", c.code or "") for c in (concept.coding or []) if c.code]


def _code(concept: Any, system_part: str = "") -> str | None:
    for system, code in _codes(concept):
        if system_part in system:
            return code
    return None


def _identifier(identifiers: Any, type_code: str = "", system_part: str = "") -> str | None:
    for ident in identifiers or []:
        if type_code and _code(ident.type) != type_code:
            continue
        if system_part and system_part not in (ident.system or ""):
            continue
        if ident.value:
            return str(ident.value)
    return None


def _resolve(reference: Any, index: dict[str, Resource]) -> Resource | None:
    if reference is None or not reference.reference:
        return None
    return index.get(str(reference.reference))


def _npi(reference: Any, index: dict[str, Resource]) -> str | None:
    """The NPI of a referenced Practitioner/Organization (in the file or on the reference)."""
    if reference is None:
        return None
    if reference.identifier is not None and NPI_SYSTEM in (reference.identifier.system or ""):
        return _text(reference.identifier.value)
    target = _resolve(reference, index)
    if target is None:
        return None
    return _identifier(target.model.identifier, system_part="us-npi")


def _date(value: object) -> str | None:
    """A FHIR date or dateTime as YYYY-MM-DD."""
    text = _text(value)
    return text[:10] if text else None


@dataclass(frozen=True)
class Membership:
    member_id: str | None
    person_id: str | None
    payer: str | None
    plan: str | None
    group_id: str | None
    group_name: str | None


def membership(coverage: Any, patient: Any) -> Membership:
    """Who the member is and under which sponsor, the same for eligibility and claims."""
    member = None
    relation = _code(coverage.relationship) if coverage is not None else None
    if coverage is not None:
        member = _identifier(coverage.identifier, type_code="MB")
    if member is None and patient is not None:
        member = _identifier(patient.identifier, type_code="MB")
    if member is None and coverage is not None and relation in (None, "self"):
        member = _text(coverage.subscriberId)
    if member is None and patient is not None:
        member = _text(patient.id)
    group_id = group_name = plan = payer = None
    if coverage is not None:
        for cls in coverage.class_fhir or []:
            kind = _code(cls.type)
            if kind == "group":
                group_id, group_name = _text(cls.value), _text(cls.name)
            elif kind == "plan":
                plan = _text(cls.name) or _text(cls.value)
        payors = coverage.payor or []
        payer = _text(payors[0].display) if payors else None
    person = _text(patient.id) if patient is not None and patient.id else member
    return Membership(member, person, payer, plan, group_id, group_name)


def eligibility_row(resource: Resource, index: dict[str, Resource], source: str) -> Row | str:
    """A Coverage as one eligibility span, or the reason it cannot be one."""
    coverage = resource.model
    if coverage.status == "entered-in-error":
        return "Coverage entered in error: not loaded"
    target = _resolve(coverage.beneficiary, index)
    if target is None or target.kind != "Patient":
        return "Coverage: its beneficiary Patient is not in the file"
    patient = target.model
    who = membership(coverage, patient)
    names = patient.name or []
    name = next((n for n in names if n.use in (None, "official", "usual")), None)
    addresses = patient.address or []
    address = addresses[0] if addresses else None
    period = coverage.period
    relation = _code(coverage.relationship)
    return {
        "person_id": who.person_id,
        "member_id": who.member_id,
        "subscriber_id": _text(coverage.subscriberId) or who.member_id,
        "gender": _text(patient.gender),
        "birth_date": _date(patient.birthDate),
        "enrollment_start_date": _date(period.start) if period is not None else None,
        "enrollment_end_date": _date(period.end) if period is not None else None,  # open
        "payer": who.payer or (_text(coverage.payor[0].reference) if coverage.payor else None),
        "payer_type": "commercial",
        "plan": who.plan or "unknown",
        "subscriber_relation": RELATION.get(relation or "", "other" if relation else None),
        "first_name": " ".join(name.given or []) or None if name is not None else None,
        "last_name": _text(name.family) if name is not None else None,
        "address": " ".join(address.line or []) or None if address is not None else None,
        "city": _text(address.city) if address is not None else None,
        "state": _text(address.state) if address is not None else None,
        "zip_code": _text(address.postalCode) if address is not None else None,
        "data_source": source,
        "group_id": who.group_id,
        "group_name": who.group_name,
        "fhir_entry": str(resource.entry),
    }


def _amounts(adjudications: Any) -> Row:
    row: Row = {}
    for adjudication in adjudications or []:
        column = None
        for _system, code in _codes(adjudication.category):
            column = ADJUDICATION.get(code)
            if column:
                break
        if column and adjudication.amount is not None and adjudication.amount.value is not None:
            row[column] = f"{adjudication.amount.value:.2f}"
    return row


def _info(eob: Any, code: str) -> Any:
    for info in eob.supportingInfo or []:
        if _code(info.category) == code:
            return info
    return None


def claim_rows(
    resource: Resource, index: dict[str, Resource], source: str
) -> list[tuple[str, Row]] | str:
    """An EOB as (table, row) per item, or the reason it cannot load."""
    eob = resource.model
    claim_type = next(
        (
            CLAIM_TYPES.get(c) or ("pharmacy" if c == "pharmacy" else None)
            for _s, c in _codes(eob.type)
        ),
        None,
    )
    if claim_type is None:
        return "ExplanationOfBenefit: type is not professional, institutional, oral or pharmacy"
    patient_ref = _resolve(eob.patient, index)
    if patient_ref is None or patient_ref.kind != "Patient":
        return "ExplanationOfBenefit: its patient is not in the file (send Patient and Coverage)"
    insurance = next((i for i in eob.insurance if i.focal), eob.insurance[0])
    coverage_ref = _resolve(insurance.coverage, index)
    coverage = coverage_ref.model if coverage_ref is not None else None
    who = membership(coverage, patient_ref.model)
    claim_id = _identifier(eob.identifier, type_code="uc") or _text(eob.id)
    if claim_id is None:
        return "ExplanationOfBenefit: no claim identifier (uc) and no id"
    if not eob.item:
        return "ExplanationOfBenefit: no item (claim line)"
    period = eob.billablePeriod
    paid_date = _date(eob.payment.date) if eob.payment is not None else None
    header: Row = {
        "claim_id": claim_id,
        "person_id": who.person_id,
        "member_id": who.member_id,
        "payer": who.payer or _text(eob.insurer.display),
        "plan": who.plan,
        "group_id": who.group_id,
        "paid_date": paid_date,
        "data_source": source,
        "fhir_entry": str(resource.entry),
    }
    rows: list[tuple[str, Row]] = []
    if claim_type == "pharmacy":
        prescriber = next((t for t in eob.careTeam or [] if _code(t.role) == "prescribing"), None)
        supply = _info(eob, "dayssupply")
        refill = _info(eob, "refillnum")
        for item in eob.item:
            row = dict(header)
            row.update(
                {
                    "claim_line_number": str(item.sequence),
                    "ndc_code": _code(item.productOrService, "ndc") or _code(item.productOrService),
                    "quantity": _text(item.quantity.value) if item.quantity else None,
                    "days_supply": _text(supply.valueQuantity.value)
                    if supply is not None and supply.valueQuantity is not None
                    else None,
                    "refills": _text(refill.valueQuantity.value)
                    if refill is not None and refill.valueQuantity is not None
                    else None,
                    "dispensing_date": _date(item.servicedDate)
                    or (_date(period.start) if period is not None else None),
                    "prescribing_provider_npi": _npi(prescriber.provider, index)
                    if prescriber is not None
                    else None,
                    "dispensing_provider_npi": _npi(eob.provider, index),
                }
            )
            row.update(_amounts(item.adjudication))
            rows.append(("pharmacy_claim", row))
        return rows
    header.update(
        {
            "claim_type": claim_type,
            "claim_start_date": _date(period.start) if period is not None else None,
            "claim_end_date": _date(period.end) if period is not None else None,
            "billing_npi": _npi(eob.provider, index),
            "facility_npi": _npi(eob.facility, index),
        }
    )
    rendering = next(
        (t for t in eob.careTeam or [] if _code(t.role) in ("rendering", "performing", "primary")),
        None,
    )
    if rendering is not None:
        header["rendering_npi"] = _npi(rendering.provider, index)
    bill_type = _info(eob, "typeofbill")
    if bill_type is not None:
        header["bill_type_code"] = _code(bill_type.code)
    for code, column in (
        ("admtype", "admit_type_code"),
        ("pointoforigin", "admit_source_code"),
        ("discharge-status", "discharge_disposition_code"),
    ):
        info = _info(eob, code)
        if info is not None:
            header[column] = _code(info.code)
    admission = _info(eob, "admissionperiod")
    if admission is not None and admission.timingPeriod is not None:
        header["admission_date"] = _date(admission.timingPeriod.start)
        header["discharge_date"] = _date(admission.timingPeriod.end)
    for n, diagnosis in enumerate(sorted(eob.diagnosis or [], key=lambda d: d.sequence)[:25], 1):
        dx = _code(diagnosis.diagnosisCodeableConcept)
        header[f"diagnosis_code_{n}"] = dx.replace(".", "") if dx else None
        header[f"diagnosis_poa_{n}"] = _code(diagnosis.onAdmission)
        system = next((s for s, _c in _codes(diagnosis.diagnosisCodeableConcept)), "")
        header["diagnosis_code_type"] = "icd-9-cm" if "icd-9" in system else "icd-10-cm"
    for n, procedure in enumerate(sorted(eob.procedure or [], key=lambda p: p.sequence)[:25], 1):
        px = _code(procedure.procedureCodeableConcept)
        header[f"procedure_code_{n}"] = px.replace(".", "") if px else None
        header[f"procedure_date_{n}"] = _date(procedure.date)
        header["procedure_code_type"] = "icd-10-pcs"
    for item in eob.item:
        row = dict(header)
        modifiers = [c for m in item.modifier or [] for _s, c in _codes(m)]
        served = item.servicedPeriod
        start = _date(item.servicedDate) or (_date(served.start) if served is not None else None)
        end = _date(item.servicedDate) or (_date(served.end) if served is not None else None)
        row.update(
            {
                "claim_line_number": str(item.sequence),
                "claim_line_start_date": start or header.get("claim_start_date"),
                "claim_line_end_date": end or header.get("claim_end_date"),
                "hcpcs_code": _code(item.productOrService),
                "revenue_center_code": _code(item.revenue),
                "place_of_service_code": _code(item.locationCodeableConcept),
                "service_unit_quantity": _text(item.quantity.value) if item.quantity else None,
                **{f"hcpcs_modifier_{i}": m for i, m in enumerate(modifiers[:4], 1)},
            }
        )
        row.update(_amounts(item.adjudication))
        rows.append(("medical_claim", row))
    return rows


# --- writing and loading -------------------------------------------------------------------


def _write(path: Path, columns: tuple[str, ...], rows: list[Row]) -> None:
    schema = pa.schema([pa.field(c, pa.string()) for c in columns])
    table = pa.table({c: pa.array([r.get(c) for r in rows], pa.string()) for c in columns}, schema)
    pq.write_table(table, path, compression="zstd")


@dataclass
class FhirConversion:
    tables: dict[str, Path]
    report: dict[str, Any]


REFERENCED = frozenset({"Patient", "Coverage", "Practitioner", "Organization"})
"""The resources other resources point to (a Coverage's beneficiary, an EOB's patient,
insurance and providers)."""


def reference_index(paths: Sequence[Path]) -> dict[str, Resource]:
    """The resources of `REFERENCED` types in all the files, by `Type/id` and fullUrl: a FHIR
    Bulk Data export ($export) writes one NDJSON file per resource type, so an EOB's patient
    and coverage are in other files of the same load. Invalid ones are left out here (each
    file's own read reports them)."""
    index: dict[str, Resource] = {}
    for path in paths:
        for number, raw in _raw_resources(path):
            if not isinstance(raw, dict) or raw.get("resourceType") not in REFERENCED:
                continue
            kind = str(raw["resourceType"])
            full_url = raw.pop("_fullUrl", None)
            try:
                model = MODELS[kind].model_validate(raw)
            except ValidationError:
                continue
            resource = Resource(number, kind, model)
            if model.id:
                index[f"{kind}/{model.id}"] = resource
            if full_url:
                index[str(full_url)] = resource
    return index


def convert(
    path: Path,
    work_dir: Path,
    *,
    data_source: str | None = None,
    shared: dict[str, Resource] | None = None,
) -> FhirConversion:
    """Read one FHIR file into Parquet files of text under `work_dir`, one per lake table.
    References resolve in the file first, then in `shared` (the other files of the load)."""
    report = FhirReport()
    resources, index = read_resources(path, report)
    if shared:
        index = {**shared, **index}
    source = data_source or "fhir"
    out: dict[str, list[Row]] = {name: [] for name in TABLE_ORDER}
    for resource in resources:
        if resource.kind in ("Patient", "Practitioner", "Organization"):
            report.loaded[resource.kind] += 1  # read for the rows of others
            continue
        if resource.kind == "Coverage":
            span = eligibility_row(resource, index, source)
            if isinstance(span, str):
                report.reject(resource.entry, resource.kind, span)
                continue
            out["eligibility"].append(span)
        else:
            if resource.model.status == "entered-in-error":
                report.voided += 1
                continue
            lines = claim_rows(resource, index, source)
            if isinstance(lines, str):
                report.reject(resource.entry, resource.kind, lines)
                continue
            for table, row in lines:
                out[table].append(row)
        report.loaded[resource.kind] += 1
    work_dir.mkdir(parents=True, exist_ok=True)
    tables: dict[str, Path] = {}
    for name, rows in out.items():
        if rows:
            tables[name] = work_dir / f"{name}.parquet"
            _write(tables[name], TABLE_COLUMNS[name], rows)
    return FhirConversion(tables, report.as_dict({n: len(r) for n, r in out.items() if r}))


def ingest_fhir(
    paths: Sequence[str | os.PathLike[str]],
    *,
    acting_user: User | None,
    create_accounts: bool = False,
    replace: bool = False,
    data_source: str | None = None,
) -> list[BatchResult]:
    """Load FHIR R4 files; see the module docstring."""
    if not paths:
        raise IngestError("no files given")
    files = [Path(p) for p in paths]
    for path in files:
        if not path.is_file():
            raise IngestError(f"{path.name}: no such file")
        if path.stat().st_size == 0:
            raise IngestError(f"{path.name}: the file is empty")
        with path.open("rb") as handle:
            head = handle.read(512).lstrip(b"\xef\xbb\xbf \t\r\n")
        if head.startswith(b"ISA"):
            raise IngestError(
                f"{path.name}: an X12 EDI file, not FHIR: load it with `clientdesk ingest x12 FILE`"
            )
        if not head.startswith((b"{", b"[")):
            raise IngestError(
                f"{path.name}: not FHIR JSON (a Bundle, a JSON array or NDJSON of resources); "
                "CSV and Parquet files load with `clientdesk ingest TABLE FILE`"
            )
    results: list[BatchResult] = []
    with storage.ingest_lock():
        storage.clean_orphans()
        try:
            shared = reference_index(files) if len(files) > 1 else {}
        except (FhirFormatError, UnicodeDecodeError):
            shared = {}  # the file's own read names what is wrong with it
        for path in files:
            results.extend(
                _one_file(
                    path,
                    acting_user=acting_user,
                    create_accounts=create_accounts,
                    replace=replace,
                    data_source=data_source,
                    shared=shared,
                )
            )
    return results


def _one_file(
    path: Path,
    *,
    acting_user: User | None,
    create_accounts: bool,
    replace: bool,
    data_source: str | None,
    shared: dict[str, Resource],
) -> list[BatchResult]:
    work = storage.lake_dir() / "_staging" / f"fhir-{uuid.uuid4().hex}"
    try:
        try:
            converted = convert(path, work, data_source=data_source, shared=shared)
        except (FhirFormatError, UnicodeDecodeError) as error:
            raise IngestError(f"{path.name}: {error}") from None
        report = converted.report
        results = [
            ingest_converted(
                table,
                converted.tables[table],
                Origin(path, "fhir", file_sha256(path), report),
                acting_user=acting_user,
                create_accounts=create_accounts,
                replace=replace,
            )
            for table in TABLE_ORDER
            if table in converted.tables
        ]
        if not results:
            kinds = ", ".join(f"{k} {n}" for k, n in report["resource_types"].items()) or "none"
            results.append(
                BatchResult(
                    table="",
                    source=path.name,
                    status="nothing_to_load",
                    batch_id=0,
                    message=(
                        f"{path.name}: nothing to load into the lake (resources: {kinds}; "
                        f"{report['rejected']} rejected)"
                    ),
                    report=report,
                )
            )
        line = _report_line(report)
        for result in results:
            result.report = report
            if result.table:  # one file feeds several tables: say which
                result.message = result.message.replace(
                    f"{path.name}:", f"{path.name} -> {result.table}:", 1
                )
            result.message += line
        return results
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _report_line(report: dict[str, Any]) -> str:
    reasons = "; ".join(f"{n} {r}" for r, n in list(report["rejected_by_reason"].items())[:3])
    text = f" [FHIR: {report['resources']} resource(s), {report['rejected']} rejected"
    if reasons:
        text += f" ({reasons})"
    if report["entered_in_error"]:
        text += f"; {report['entered_in_error']} entered in error, not loaded"
    return text + "]"


__all__ = ["FhirFormatError", "convert", "ingest_fhir", "membership"]
