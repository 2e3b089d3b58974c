"""Hand-written FHIR R4 resources for the tests (CARIN Blue Button shapes, made-up people)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from clientdesk.lake.tests.lakefiles import NPI_A, NPI_B

CARIN = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBAdjudication"
ADJ = "http://terminology.hl7.org/CodeSystem/adjudication"
CLAIM_TYPE = "http://terminology.hl7.org/CodeSystem/claim-type"
NPI = "http://hl7.org/fhir/sid/us-npi"


def patient(pid: str, member: str, family: str, given: str, birth: str, sex: str) -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "id": pid,
        "identifier": [
            {"type": {"coding": [{"code": "MB"}]}, "system": "urn:keystone:member", "value": member}
        ],
        "name": [{"family": family, "given": [given]}],
        "gender": sex,
        "birthDate": birth,
        "address": [
            {"line": ["1 Main St"], "city": "Columbus", "state": "Ohio", "postalCode": "43004"}
        ],
    }


def coverage(
    cid: str, pid: str, member: str, relation: str, start: str, end: str | None
) -> dict[str, Any]:
    period = {"start": start} | ({"end": end} if end else {})
    return {
        "resourceType": "Coverage",
        "id": cid,
        "status": "active",
        "identifier": [{"type": {"coding": [{"code": "MB"}]}, "value": member}],
        "subscriberId": "S100",
        "beneficiary": {"reference": f"Patient/{pid}"},
        "relationship": {"coding": [{"code": relation}]},
        "period": period,
        "payor": [{"display": "Keystone"}],
        "class": [
            {"type": {"coding": [{"code": "group"}]}, "value": "G100003", "name": "Acme Corp"},
            {"type": {"coding": [{"code": "plan"}]}, "value": "PPO-1", "name": "PPO"},
        ],
    }


def adjudication(**amounts: float) -> list[dict[str, Any]]:
    return [
        {
            "category": {
                "coding": [
                    {
                        "system": ADJ
                        if code in ("submitted", "eligible", "copay", "deductible", "benefit")
                        else CARIN,
                        "code": code,
                    }
                ]
            },
            "amount": {"value": value, "currency": "USD"},
        }
        for code, value in amounts.items()
    ]


def eob(
    eid: str, pid: str, cid: str, kind: str, items: list[dict[str, Any]], **extra: Any
) -> dict[str, Any]:
    return {
        "resourceType": "ExplanationOfBenefit",
        "id": eid,
        "identifier": [{"type": {"coding": [{"code": "uc"}]}, "value": f"CLM-{eid}"}],
        "status": "active",
        "type": {"coding": [{"system": CLAIM_TYPE, "code": kind}]},
        "use": "claim",
        "patient": {"reference": f"Patient/{pid}"},
        "created": "2026-02-01",
        "insurer": {"display": "Keystone"},
        "provider": {"identifier": {"system": NPI, "value": NPI_A}},
        "outcome": "complete",
        "insurance": [{"focal": True, "coverage": {"reference": f"Coverage/{cid}"}}],
        "payment": {"date": "2026-02-01"},
        "item": items,
        **extra,
    }


def professional_item(seq: int, code: str, day: str, **amounts: float) -> dict[str, Any]:
    return {
        "sequence": seq,
        "productOrService": {
            "coding": [{"system": "http://www.ama-assn.org/go/cpt", "code": code}]
        },
        "modifier": [{"coding": [{"code": "25"}]}] if seq == 1 else [],
        "servicedDate": day,
        "locationCodeableConcept": {"coding": [{"code": "11"}]},
        "quantity": {"value": 1},
        "adjudication": adjudication(**amounts),
    }


def bundle_resources() -> list[dict[str, Any]]:
    """A household (subscriber and spouse), a professional claim of two lines, an
    institutional claim, a pharmacy fill and a voided claim."""
    return [
        patient("p1", "M200", "Rivera", "Ana", "1980-03-04", "female"),
        patient("p2", "M201", "Rivera", "Luis", "1979-07-01", "male"),
        {
            "resourceType": "Practitioner",
            "id": "dr1",
            "identifier": [{"system": NPI, "value": NPI_B}],
        },
        coverage("c1", "p1", "M200", "self", "2026-01-01", None),
        coverage("c2", "p2", "M201", "spouse", "2026-01-01", "2026-06-30"),
        eob(
            "e1",
            "p1",
            "c1",
            "professional",
            [
                professional_item(
                    1, "99213", "2026-01-10", submitted=150, eligible=100, benefit=80, copay=20
                ),
                professional_item(2, "87070", "2026-01-10", submitted=40, eligible=30, benefit=30),
            ],
            billablePeriod={"start": "2026-01-10", "end": "2026-01-10"},
            careTeam=[
                {
                    "sequence": 1,
                    "provider": {"reference": "Practitioner/dr1"},
                    "role": {"coding": [{"code": "rendering"}]},
                }
            ],
            diagnosis=[
                {
                    "sequence": 1,
                    "diagnosisCodeableConcept": {
                        "coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "E11.9"}]
                    },
                }
            ],
        ),
        eob(
            "e2",
            "p2",
            "c2",
            "institutional",
            [
                {
                    "sequence": 1,
                    "revenue": {"coding": [{"code": "0450"}]},
                    "productOrService": {"coding": [{"code": "99284"}]},
                    "servicedDate": "2026-02-03",
                    "quantity": {"value": 1},
                    "adjudication": adjudication(
                        submitted=1200, eligible=900, benefit=700, deductible=200
                    ),
                }
            ],
            billablePeriod={"start": "2026-02-03", "end": "2026-02-03"},
            supportingInfo=[
                {
                    "sequence": 1,
                    "category": {"coding": [{"code": "typeofbill"}]},
                    "code": {"coding": [{"code": "0131"}]},
                }
            ],
            diagnosis=[
                {
                    "sequence": 1,
                    "diagnosisCodeableConcept": {
                        "coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "R07.9"}]
                    },
                    "onAdmission": {"coding": [{"code": "Y"}]},
                }
            ],
        ),
        eob(
            "e3",
            "p1",
            "c1",
            "pharmacy",
            [
                {
                    "sequence": 1,
                    "productOrService": {
                        "coding": [{"system": "http://hl7.org/fhir/sid/ndc", "code": "00093505601"}]
                    },
                    "servicedDate": "2026-01-15",
                    "quantity": {"value": 30},
                    "adjudication": adjudication(submitted=25, eligible=15, benefit=5, copay=10),
                }
            ],
            supportingInfo=[
                {
                    "sequence": 1,
                    "category": {"coding": [{"code": "dayssupply"}]},
                    "valueQuantity": {"value": 30},
                }
            ],
            careTeam=[
                {
                    "sequence": 1,
                    "provider": {"reference": "Practitioner/dr1"},
                    "role": {"coding": [{"code": "prescribing"}]},
                }
            ],
        ),
        eob(
            "e4",
            "p1",
            "c1",
            "professional",
            [professional_item(1, "99214", "2026-01-20", benefit=50)],
        )
        | {"status": "entered-in-error"},
    ]


def write_bundle(path: Path, resources: list[dict[str, Any]]) -> Path:
    entries = [
        {"fullUrl": f"urn:uuid:{r['resourceType'].lower()}-{r.get('id', n)}", "resource": r}
        for n, r in enumerate(resources)
    ]
    path.write_text(json.dumps({"resourceType": "Bundle", "type": "collection", "entry": entries}))
    return path


def write_ndjson(path: Path, resources: list[dict[str, Any]]) -> Path:
    path.write_text("\n".join(json.dumps(r) for r in resources) + "\n")
    return path
