"""The series families the detector watches: what each counts, against which denominator, which
dimension names its cause, and which performance guarantees a rise puts at risk."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Family:
    """One kind of daily series.

    `dims`: the columns that key a series inside an account; `cause_family` + `cause_dims`:
    what alerts must share to merge into one issue; `feed` + `truth`: how the series reads as
    the synthetic book's ground-truth `series` (feed + column equalities)."""

    name: str
    label: str
    noun: str
    feed: str
    dims: tuple[str, ...]
    exposure: str
    cause_family: str
    cause_dims: tuple[str, ...]
    truth: tuple[tuple[str, object], ...] = ()
    guarantees: tuple[str, ...] = ()
    book_level: bool = True
    is_rate: bool = False

    def truth_dimension(self, dims: dict[str, str]) -> dict[str, object]:
        """The series as ground-truth column equalities (e.g. abandons add abandoned=True)."""
        out: dict[str, object] = {k: v for k, v in dims.items() if k != "theme"}
        out.update(dict(self.truth))
        return out


FAMILIES: tuple[Family, ...] = (
    Family(
        "inquiries",
        "Inquiries",
        "inquiries",
        "inquiry_import",
        ("category",),
        "members",
        "inquiries",
        ("category",),
        guarantees=("member_satisfaction", "sponsor_satisfaction"),
    ),
    Family(
        "inquiry_themes",
        "Inquiry themes",
        "inquiries",
        "inquiry_import",
        ("theme",),
        "members",
        "inquiry_themes",
        ("theme",),
        guarantees=("member_satisfaction",),
    ),
    Family(
        "denials",
        "Denials",
        "denied claims",
        "claim_processing",
        ("carc",),
        "claims processed",
        "denials",
        ("carc",),
        guarantees=("payment_accuracy", "financial_accuracy", "member_satisfaction"),
        is_rate=True,
    ),
    Family(
        "denial_details",
        "Denials by provider and procedure",
        "denied claims",
        "claim_processing",
        ("carc", "billing_npi", "hcpcs_code"),
        "claims processed for the provider and procedure",
        "denials",
        ("carc",),
        guarantees=("payment_accuracy", "financial_accuracy", "member_satisfaction"),
        book_level=False,
        is_rate=True,
    ),
    Family(
        "calls",
        "Call volume",
        "calls",
        "call_record",
        ("queue",),
        "members",
        "calls",
        ("queue",),
        guarantees=("average_speed_of_answer", "service_level", "abandonment_rate"),
    ),
    Family(
        "call_abandons",
        "Abandoned calls",
        "abandoned calls",
        "call_record",
        ("queue",),
        "calls offered",
        "call_abandons",
        ("queue",),
        truth=(("abandoned", True),),
        guarantees=("abandonment_rate", "service_level"),
        is_rate=True,
    ),
    Family(
        "ivr_opt_outs",
        "IVR opt-outs",
        "IVR opt-outs",
        "ivr_session",
        (),
        "IVR sessions",
        "ivr_opt_outs",
        (),
        truth=(("opted_out", True),),
        guarantees=("ivr_containment",),
        is_rate=True,
    ),
    Family(
        "ivr_abandons",
        "IVR abandonment",
        "IVR hang-ups",
        "ivr_session",
        (),
        "IVR sessions",
        "ivr_abandons",
        (),
        truth=(("outcome", "abandoned"),),
        guarantees=("ivr_containment",),
        is_rate=True,
    ),
    Family(
        "claim_pends",
        "Pended claims",
        "pended claims",
        "claim_processing",
        ("pend_reason",),
        "claims received",
        "claim_pends",
        ("pend_reason",),
        guarantees=("claims_turnaround", "auto_adjudication_rate"),
        is_rate=True,
    ),
    Family(
        "audit_overpayments",
        "Audit overpayments",
        "overpaid claims found by audit",
        "claim_processing",
        (),
        "claims processed",
        "audit_overpayments",
        (),
        truth=(("audit_finding", "overpayment"),),
        guarantees=("financial_accuracy", "payment_accuracy"),
        is_rate=True,
    ),
    Family(
        "survey_detractors",
        "Survey detractors",
        "detractors (NPS 0-6 or CSAT 1-2)",
        "survey_response",
        (),
        "survey answers",
        "survey_detractors",
        (),
        guarantees=("sponsor_satisfaction", "member_satisfaction"),
        is_rate=True,
    ),
)

BY_NAME: dict[str, Family] = {f.name: f for f in FAMILIES}
FAMILY_NAMES: tuple[str, ...] = tuple(f.name for f in FAMILIES)

DIM_LABELS = {
    "category": "category",
    "theme": "theme",
    "carc": "CARC",
    "billing_npi": "billing NPI",
    "hcpcs_code": "procedure",
    "queue": "queue",
    "pend_reason": "pend reason",
}


def family(name: str) -> Family:
    return BY_NAME[name]


def describe_dims(dims: dict[str, str]) -> str:
    """`CARC 197, billing NPI 1234567893, procedure 72148` (plain words for a series key)."""
    return ", ".join(f"{DIM_LABELS.get(k, k)} {v.replace('_', ' ')}" for k, v in dims.items())


def cause_key(family_name: str, dims: dict[str, str]) -> tuple[str, tuple[tuple[str, str], ...]]:
    """What alerts must share to be one issue: the cause family and its dimension values."""
    fam = BY_NAME[family_name]
    return fam.cause_family, tuple((d, dims[d]) for d in fam.cause_dims if d in dims)
