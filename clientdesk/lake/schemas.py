"""The lake's tables: every column with its type, whether it is required, and its check.

The claims tables (`eligibility`, `medical_claim`, `pharmacy_claim`) are the Tuva Project's
input layer: same column names, types and meanings, so an extract prepared for Tuva loads as
is. The operational feeds (`call_record`, `ivr_session`, `claim_processing`,
`inquiry_import`, `survey_response`) are our own. `docs/lake.md` is generated from these
objects (`python -m clientdesk.lake.docs`) and a test fails when the two disagree.

Checks are written as DuckDB SQL over the text of a value (already trimmed, never empty), so a
whole file is validated in one vectorized query; see `clientdesk.lake.validation`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import ClassVar

import pyarrow as pa

# The columns every lake table carries besides its own, added at load time.
LAKE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("account_id", "Operational-DB id of the plan sponsor (Account) the row belongs to."),
    ("batch_id", "Id of the ingestion batch (IngestBatch) that loaded the row."),
)

EARLIEST_DATE = "1900-01-01"
LATEST_DATE = "2099-12-31"
OPEN_END_DATE = "9999-12-31"  # eligibility spans with no end are often sent as 9999-12-31


class Kind(StrEnum):
    """A column's type family; each maps to one Arrow type and one DuckDB type."""

    STRING = "string"
    DATE = "date"
    TIMESTAMP = "timestamp"
    INTEGER = "integer"
    FLAG = "flag"
    BOOLEAN = "boolean"
    AMOUNT = "amount"
    QUANTITY = "quantity"


ARROW_TYPES: dict[Kind, pa.DataType] = {
    Kind.STRING: pa.string(),
    Kind.DATE: pa.date32(),
    Kind.TIMESTAMP: pa.timestamp("us", tz="UTC"),
    Kind.INTEGER: pa.int32(),
    Kind.FLAG: pa.int32(),
    Kind.BOOLEAN: pa.bool_(),
    Kind.AMOUNT: pa.decimal128(18, 2),
    Kind.QUANTITY: pa.float64(),
}

DUCKDB_TYPES: dict[Kind, str] = {
    Kind.STRING: "VARCHAR",
    Kind.DATE: "DATE",
    Kind.TIMESTAMP: "TIMESTAMPTZ",
    Kind.INTEGER: "INTEGER",
    Kind.FLAG: "INTEGER",
    Kind.BOOLEAN: "BOOLEAN",
    Kind.AMOUNT: "DECIMAL(18,2)",
    Kind.QUANTITY: "DOUBLE",
}

KIND_LABELS: dict[Kind, str] = {
    Kind.STRING: "string",
    Kind.DATE: "date (YYYY-MM-DD)",
    Kind.TIMESTAMP: "timestamp (ISO 8601; UTC unless an offset is given)",
    Kind.INTEGER: "integer",
    Kind.FLAG: "flag (0 or 1)",
    Kind.BOOLEAN: "boolean (true/false, 1/0)",
    Kind.AMOUNT: "decimal(18,2) amount",
    Kind.QUANTITY: "number",
}


def sql_literal(text: str) -> str:
    """A single-quoted SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


ColumnText = Callable[[str], str]
"""Gives the SQL expression for another column's text (NULL when the file lacks it)."""


@dataclass(frozen=True)
class Rule(ABC):
    """A check on one non-empty value: `sql(v, col, helper)` is a SQL predicate, true when
    the value is valid.

    `v` is the value's text, or its typed value when `on_typed_value` is true. A rule that
    needs a derived value several times says so in `precompute(v)`; the query computes it
    once and passes its name as `helper`."""

    label: str  # what the rule expects, in docs and reject reasons, e.g. "NPI (Luhn, 80840)"
    on_typed_value: ClassVar[bool] = False

    def expects(self) -> str:
        """What a valid value looks like, for docs and reject reasons."""
        return self.label

    def precompute(self, v: str) -> str | None:
        return None

    @abstractmethod
    def sql(self, v: str, col: ColumnText, helper: str) -> str: ...


@dataclass(frozen=True)
class Pattern(Rule):
    """The whole value matches a regular expression (RE2 syntax)."""

    regex: str = ""

    def sql(self, v: str, col: ColumnText, helper: str) -> str:
        return f"regexp_full_match({v}, {sql_literal(self.regex)})"


@dataclass(frozen=True)
class OneOf(Rule):
    """The value is one of a fixed list (case-sensitive, as Tuva's accepted values)."""

    values: tuple[str, ...] = ()

    def expects(self) -> str:
        return f"{self.label}: one of {', '.join(self.values)}"

    def sql(self, v: str, col: ColumnText, helper: str) -> str:
        return f"{v} IN ({', '.join(sql_literal(x) for x in self.values)})"


@dataclass(frozen=True)
class Npi(Rule):
    """A National Provider Identifier: 10 digits whose last is the Luhn check digit computed
    over the prefix 80840 and the first nine digits (CMS NPI check-digit standard)."""

    def precompute(self, v: str) -> str:
        return f"CASE WHEN regexp_full_match({v}, '[0-9]{{10}}') THEN CAST({v} AS BIGINT) END"

    def sql(self, v: str, col: ColumnText, helper: str) -> str:
        # With the 80840 prefix the doubled/undoubled digits of the prefix add a constant 24.
        digit = [f"(({helper} // {10 ** (9 - i)}) % 10)" for i in range(10)]  # [0] = leftmost
        doubled = " + ".join(f"(2 * {d} - 9 * ({d} // 5))" for d in digit[0:9:2])
        plain = " + ".join(digit[1:9:2])
        return f"({helper} IS NOT NULL AND (24 + {doubled} + {plain} + {digit[9]}) % 10 = 0)"


@dataclass(frozen=True)
class Between(Rule):
    """A number within [low, high], checked on the typed value."""

    low: float | None = None
    high: float | None = None
    on_typed_value: ClassVar[bool] = True

    def sql(self, v: str, col: ColumnText, helper: str) -> str:
        parts = []
        if self.low is not None:
            parts.append(f"{v} >= {self.low}")
        if self.high is not None:
            parts.append(f"{v} <= {self.high}")
        return " AND ".join(parts) or "TRUE"


@dataclass(frozen=True)
class ByCodeType(Rule):
    """A code whose shape depends on a code-type column (e.g. ICD-10-CM unless
    diagnosis_code_type says icd-9-cm)."""

    type_column: str = ""
    default: Rule = field(default_factory=lambda: Pattern("any", regex=".*"))
    alternatives: tuple[tuple[str, Rule], ...] = ()

    def sql(self, v: str, col: ColumnText, helper: str) -> str:
        kind = col(self.type_column)
        cases = " ".join(
            f"WHEN {kind} = {sql_literal(value)} THEN {rule.sql(v, col, helper)}"
            for value, rule in self.alternatives
        )
        return f"(CASE {cases} ELSE {self.default.sql(v, col, helper)} END)"


ICD10CM = Pattern(
    "ICD-10-CM code shape (letter, digit, 1-5 more letters/digits; dot optional)",
    regex=r"[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?",
)
ICD9CM = Pattern("ICD-9-CM code shape", regex=r"([0-9]{3}|V[0-9]{2}|E[0-9]{3})(\.?[0-9]{1,2})?")
ICD10PCS = Pattern("ICD-10-PCS code shape (7 characters, no I or O)", regex=r"[0-9A-HJ-NP-Z]{7}")
ICD9PCS = Pattern("ICD-9 procedure code shape", regex=r"[0-9]{2}\.?[0-9]{1,2}")
NPI = Npi("NPI (10 digits, Luhn check digit with prefix 80840)")
NDC = Pattern("NDC in 11-digit 5-4-2 form, no dashes", regex=r"[0-9]{11}")
TIN = Pattern("TIN (9 digits)", regex=r"[0-9]{9}")
HCPCS = Pattern(
    "CPT/HCPCS code (5 characters: 4 digits + digit/F/T/U, or a letter + 4 digits)",
    regex=r"[0-9]{4}[0-9A-Z]|[A-Z][0-9]{4}",
)
MODIFIER = Pattern("HCPCS modifier (2 letters/digits)", regex=r"[0-9A-Z]{2}")
POA = OneOf("present-on-admission indicator", values=("Y", "N", "U", "W", "1"))
CARC = Pattern(
    "CARC (X12 claim adjustment reason code: 1-3 digits, or a letter and 1-2 digits)",
    regex=r"[1-9][0-9]{0,2}|[A-Z][0-9]{1,2}",
)
CARC_LIST = Pattern(
    "GROUP-CARC list separated by ';' (group CO, PR, OA, PI or CR)",
    regex=r"(CO|PR|OA|PI|CR)-([1-9][0-9]{0,2}|[A-Z][0-9]{1,2})(;(CO|PR|OA|PI|CR)-([1-9][0-9]{0,2}|[A-Z][0-9]{1,2}))*",
)
US_STATE = Pattern("US state or territory (2 capital letters)", regex=r"[A-Z]{2}")
ZIP = Pattern("ZIP code (5 or 9 digits)", regex=r"[0-9]{5}(-?[0-9]{4})?")
DIAGNOSIS_CODE = ByCodeType(
    "ICD-10-CM code shape (ICD-9-CM when diagnosis_code_type is icd-9-cm)",
    type_column="diagnosis_code_type",
    default=ICD10CM,
    alternatives=(("icd-9-cm", ICD9CM),),
)
PROCEDURE_CODE = ByCodeType(
    "ICD-10-PCS code shape (ICD-9 when procedure_code_type is icd-9-pcs)",
    type_column="procedure_code_type",
    default=ICD10PCS,
    alternatives=(("icd-9-pcs", ICD9PCS),),
)
GROUP_NUMBER = Pattern(
    "sponsor group number (3-20 letters, digits or dashes; case does not matter)",
    regex=r"(?i)[A-Z0-9][A-Z0-9-]{2,19}",
)


@dataclass(frozen=True)
class Normalizer:
    """Rewrites a value whose meaning is certain into its standard form (Tuva's conventions),
    as SQL over the value's text `v` and the raw text of other columns (`col(name)`); the
    load keeps the row and counts a warning when the value changes."""

    label: str  # what is done, e.g. "state name written as its USPS code"
    sql: Callable[[str, ColumnText], str]
    inputs: tuple[str, ...] = ()  # other columns it reads; it applies when the column is absent


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    description: str
    required: bool = False
    rule: Rule | None = None
    extension: bool = False  # ours, not in the Tuva input layer (claims tables only)
    open_end: bool = False  # a date that may be 9999-12-31 ("no end yet")
    # Tuva severity: a value failing `rule` on a column marked `warn` is nulled and the row
    # loads with a warning (a non-standard value); otherwise the row is rejected.
    warn: bool = False
    normalize: Normalizer | None = None

    @property
    def arrow_type(self) -> pa.DataType:
        return ARROW_TYPES[self.kind]

    @property
    def duckdb_type(self) -> str:
        return DUCKDB_TYPES[self.kind]


@dataclass(frozen=True)
class RowCheck:
    """A check across columns of one row, as a SQL predicate over typed columns named `t.<col>`.

    It is only evaluated when every column it names has a valid value; `sql` is true when
    the row passes."""

    columns: tuple[str, ...]
    sql: str
    reason: str


class AccountSource(StrEnum):
    """How a row finds its plan sponsor (Account)."""

    GROUP_ID = "group_id"  # the row's own group_id column (required)
    GROUP_ID_OR_ELIGIBILITY = "group_id_or_eligibility"  # group_id if sent, else eligibility


@dataclass(frozen=True)
class TableSchema:
    name: str
    title: str
    description: str
    grain: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    origin: str  # "Tuva input layer" or "clientdesk operational feed"
    account_source: AccountSource = AccountSource.GROUP_ID
    row_checks: tuple[RowCheck, ...] = ()
    service_date: tuple[str, ...] = ()  # first non-null is the date used to find eligibility
    lake_notes: tuple[str, ...] = ()

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"{self.name} has no column {name}")

    def accepted_values(self, name: str) -> tuple[str, ...]:
        """The fixed list of values a column accepts (its `OneOf` rule): the one definition
        that readers of the table (e.g. the inquiry import) check against."""
        rule = self.column(name).rule
        if not isinstance(rule, OneOf):
            raise KeyError(f"{self.name}.{name} has no fixed list of values")
        return rule.values

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def arrow_schema(self) -> pa.Schema:
        """The Parquet schema of the loaded table: the columns, then account_id and batch_id."""
        fields = [pa.field(c.name, c.arrow_type, nullable=not c.required) for c in self.columns]
        fields += [
            pa.field("account_id", pa.int64(), nullable=False),
            pa.field("batch_id", pa.int64(), nullable=False),
        ]
        return pa.schema(fields)


def _c(
    name: str,
    kind: Kind,
    description: str,
    *,
    required: bool = False,
    rule: Rule | None = None,
    extension: bool = False,
    open_end: bool = False,
) -> Column:
    return Column(name, kind, description, required, rule, extension, open_end)


def _s(
    name: str,
    description: str,
    *,
    required: bool = False,
    rule: Rule | None = None,
    extension: bool = False,
    normalize: Normalizer | None = None,
) -> Column:
    return Column(name, Kind.STRING, description, required, rule, extension, normalize=normalize)


def _d(name: str, description: str, *, required: bool = False, open_end: bool = False) -> Column:
    return Column(name, Kind.DATE, description, required, open_end=open_end)


def _amount(name: str, description: str) -> Column:
    return Column(name, Kind.AMOUNT, description)


FLAG01 = Between("0 or 1", low=0, high=1)

# --- Tuva input layer -----------------------------------------------------------------------

_FILE_COLUMNS = (
    _s("data_source", "Name of the source system or payer feed the row came from.", required=True),
    _s("file_name", "Name of the source file; filled with the loaded file's name when empty."),
    _d("file_date", "Date of the source file (its extract or delivery date)."),
    _c(
        "ingest_datetime",
        Kind.TIMESTAMP,
        "When the row was ingested; filled with the batch start time when empty.",
    ),
)

_DIAGNOSES = tuple(
    _s(
        f"diagnosis_code_{i}",
        f"{'Primary' if i == 1 else 'Secondary'} diagnosis code ({i} of 25), "
        "ICD-10-CM unless diagnosis_code_type says icd-9-cm.",
        rule=DIAGNOSIS_CODE,
    )
    for i in range(1, 26)
)
_POAS = tuple(
    _s(f"diagnosis_poa_{i}", f"Present-on-admission indicator for diagnosis_code_{i}.", rule=POA)
    for i in range(1, 26)
)
_PROCEDURES = tuple(
    _s(
        f"procedure_code_{i}",
        f"ICD procedure code {i} of 25 (institutional claims), ICD-10-PCS unless "
        "procedure_code_type says icd-9-pcs.",
        rule=PROCEDURE_CODE,
    )
    for i in range(1, 26)
)
_PROCEDURE_DATES = tuple(
    _d(f"procedure_date_{i}", f"Date procedure_code_{i} was performed.") for i in range(1, 26)
)

MEDICAL_CLAIM = TableSchema(
    name="medical_claim",
    title="Medical claims (Tuva input layer)",
    description=(
        "Professional and institutional claim lines as billed by providers and adjudicated by "
        "the plan: services, diagnoses, procedures, providers and amounts."
    ),
    grain="One row per claim line as sent in one file (a claim line version).",
    key=("claim_id", "claim_line_number", "data_source"),
    origin="Tuva input layer",
    account_source=AccountSource.GROUP_ID_OR_ELIGIBILITY,
    service_date=("claim_start_date", "claim_line_start_date", "claim_end_date"),
    columns=(
        _s("claim_id", "Unique identifier of the claim.", required=True),
        _c(
            "claim_line_number",
            Kind.INTEGER,
            "Line number within the claim (1, 2, ...).",
            required=True,
            rule=Between("1 or more", low=1),
        ),
        _s(
            "claim_type",
            "Type of claim.",
            required=True,
            rule=OneOf(
                "claim type", values=("professional", "institutional", "dental", "undetermined")
            ),
        ),
        _s("person_id", "Stable identifier of the person across plans and sources.", required=True),
        _s(
            "member_id",
            "Plan-specific member identifier; identical across the lines of one claim.",
            required=True,
        ),
        _s("payer", "Name of the payer (health plan) that adjudicated the claim.", required=True),
        _s("plan", "Name of the plan (product) within the payer."),
        _d("claim_start_date", "First date of service on the claim."),
        _d("claim_end_date", "Last date of service on the claim."),
        _d("claim_line_start_date", "First date of service on the line."),
        _d("claim_line_end_date", "Last date of service on the line."),
        _d("admission_date", "Admission date (institutional inpatient claims)."),
        _d("discharge_date", "Discharge date (institutional inpatient claims)."),
        _s(
            "admit_source_code",
            "UB-04 point-of-origin (admission source) code.",
            rule=Pattern("admit source code (1 letter or digit)", regex=r"[0-9A-Z]"),
        ),
        _s(
            "admit_type_code",
            "UB-04 priority (type) of admission code.",
            rule=Pattern("admit type code (1 digit)", regex=r"[1-9]"),
        ),
        _s(
            "discharge_disposition_code",
            "UB-04 patient discharge status code.",
            rule=Pattern("discharge disposition code (2 digits)", regex=r"[0-9]{2}"),
        ),
        _s(
            "place_of_service_code",
            "CMS place-of-service code (professional claims).",
            rule=Pattern("place-of-service code (2 digits)", regex=r"[0-9]{2}"),
        ),
        _s(
            "bill_type_code",
            "UB-04 type of bill (institutional claims).",
            rule=Pattern(
                "bill type (3 characters, optional leading 0)", regex=r"0?[0-9]{2}[0-9A-Z]"
            ),
        ),
        _s(
            "drg_code_type",
            "Which DRG system drg_code belongs to.",
            rule=OneOf("DRG type", values=("ms-drg", "apr-drg")),
        ),
        _s(
            "drg_code",
            "Diagnosis-related group of the inpatient stay.",
            rule=Pattern("DRG (3 digits)", regex=r"[0-9]{3}"),
        ),
        _s(
            "revenue_center_code",
            "UB-04 revenue code of the line (institutional claims).",
            rule=Pattern("revenue code (4 digits)", regex=r"[0-9]{4}"),
        ),
        _c("service_unit_quantity", Kind.QUANTITY, "Units of service on the line."),
        _s("hcpcs_code", "CPT or HCPCS level II code of the line.", rule=HCPCS),
        *(
            _s(f"hcpcs_modifier_{i}", f"HCPCS modifier {i} of 5.", rule=MODIFIER)
            for i in range(1, 6)
        ),
        _s("rendering_npi", "NPI of the rendering provider.", rule=NPI),
        _s("rendering_tin", "Tax identification number of the rendering provider.", rule=TIN),
        _s("billing_npi", "NPI of the billing provider.", rule=NPI),
        _s("billing_tin", "Tax identification number of the billing provider.", rule=TIN),
        _s("facility_npi", "NPI of the facility (institutional claims).", rule=NPI),
        _d("paid_date", "Date the claim line was paid (or adjudicated)."),
        _amount("paid_amount", "Amount the plan paid; negative on a reversal."),
        _amount("allowed_amount", "Allowed amount (plan paid + member cost share)."),
        _amount("charge_amount", "Amount the provider billed."),
        _amount("coinsurance_amount", "Member coinsurance."),
        _amount("copayment_amount", "Member copayment."),
        _amount("deductible_amount", "Member deductible."),
        _amount("total_cost_amount", "Total cost of the line (as the source defines it)."),
        _s(
            "diagnosis_code_type",
            "Code system of diagnosis_code_1..25.",
            rule=OneOf("diagnosis code type", values=("icd-10-cm", "icd-9-cm")),
        ),
        *_DIAGNOSES,
        *_POAS,
        _s(
            "procedure_code_type",
            "Code system of procedure_code_1..25.",
            rule=OneOf("procedure code type", values=("icd-10-pcs", "icd-9-pcs")),
        ),
        *_PROCEDURES,
        *_PROCEDURE_DATES,
        _c("in_network_flag", Kind.FLAG, "1 when the provider is in network.", rule=FLAG01),
        *_FILE_COLUMNS,
        _s(
            "group_id",
            "Sponsor group number of the member's plan sponsor. Not in Tuva's medical_claim: "
            "when absent or empty the sponsor is found from the member's eligibility.",
            rule=GROUP_NUMBER,
            extension=True,
        ),
    ),
    row_checks=(
        RowCheck(
            ("claim_start_date", "claim_end_date"),
            "t.claim_end_date >= t.claim_start_date",
            "claim_end_date is before claim_start_date",
        ),
        RowCheck(
            ("claim_line_start_date", "claim_line_end_date"),
            "t.claim_line_end_date >= t.claim_line_start_date",
            "claim_line_end_date is before claim_line_start_date",
        ),
        RowCheck(
            ("admission_date", "discharge_date"),
            "t.discharge_date >= t.admission_date",
            "discharge_date is before admission_date",
        ),
    ),
    lake_notes=(
        "A claim line sent again in a later file is kept as another version; "
        "see Final action below.",
    ),
)

PHARMACY_CLAIM = TableSchema(
    name="pharmacy_claim",
    title="Pharmacy claims (Tuva input layer)",
    description="Retail, mail and specialty prescription fills billed by pharmacies.",
    grain="One row per pharmacy claim line as sent in one file (a claim line version).",
    key=("claim_id", "claim_line_number", "data_source"),
    origin="Tuva input layer",
    account_source=AccountSource.GROUP_ID_OR_ELIGIBILITY,
    service_date=("dispensing_date", "paid_date"),
    columns=(
        _s("claim_id", "Unique identifier of the pharmacy claim.", required=True),
        _c(
            "claim_line_number",
            Kind.INTEGER,
            "Line number within the claim.",
            required=True,
            rule=Between("1 or more", low=1),
        ),
        _s("person_id", "Stable identifier of the person across plans and sources.", required=True),
        _s("member_id", "Plan-specific member identifier.", required=True),
        _s("payer", "Name of the payer (health plan).", required=True),
        _s("plan", "Name of the plan within the payer."),
        _s("prescribing_provider_npi", "NPI of the prescriber.", rule=NPI),
        _s("dispensing_provider_npi", "NPI of the dispensing pharmacy.", rule=NPI),
        _d("dispensing_date", "Date the prescription was filled."),
        _s("ndc_code", "National Drug Code of the product dispensed.", rule=NDC),
        _c("quantity", Kind.QUANTITY, "Quantity dispensed (metric units)."),
        _c(
            "days_supply",
            Kind.INTEGER,
            "Days the fill lasts.",
            rule=Between("0 to 365", low=0, high=365),
        ),
        _c(
            "refills",
            Kind.INTEGER,
            "Refill number or refills authorized.",
            rule=Between("0-99", 0, 99),
        ),
        _d("paid_date", "Date the claim was paid."),
        _amount("paid_amount", "Amount the plan paid; negative on a reversal."),
        _amount("allowed_amount", "Allowed amount."),
        _amount("charge_amount", "Amount the pharmacy billed."),
        _amount("coinsurance_amount", "Member coinsurance."),
        _amount("copayment_amount", "Member copayment."),
        _amount("deductible_amount", "Member deductible."),
        _c("in_network_flag", Kind.FLAG, "1 when the pharmacy is in network.", rule=FLAG01),
        *_FILE_COLUMNS,
        _s(
            "group_id",
            "Sponsor group number. Not in Tuva's pharmacy_claim: when absent or empty the "
            "sponsor is found from the member's eligibility.",
            rule=GROUP_NUMBER,
            extension=True,
        ),
    ),
    lake_notes=("Re-sent claim lines are versions, as for medical_claim.",),
)

ELIGIBILITY = TableSchema(
    name="eligibility",
    title="Eligibility (Tuva input layer)",
    description="Enrollment spans and demographics of plan members.",
    grain="One row per member enrollment span.",
    key=(
        "person_id",
        "member_id",
        "payer",
        "plan",
        "enrollment_start_date",
        "enrollment_end_date",
        "data_source",
    ),
    origin="Tuva input layer",
    columns=(
        _s("person_id", "Stable identifier of the person across plans and sources.", required=True),
        _s("member_id", "Plan-specific member identifier.", required=True),
        _s("subscriber_id", "Member id of the subscriber (employee) of the household."),
        _s(
            "gender",
            "Gender of the member.",
            rule=OneOf("gender", values=("male", "female", "unknown")),
        ),
        _s(
            "race",
            "Race of the member.",
            rule=OneOf(
                "race",
                values=(
                    "american indian or alaska native",
                    "asian",
                    "black or african american",
                    "native hawaiian or other pacific islander",
                    "white",
                    "other race",
                    "unknown",
                ),
            ),
        ),
        _d("birth_date", "Date of birth."),
        _d("death_date", "Date of death."),
        _c("death_flag", Kind.FLAG, "1 when the member has died.", rule=FLAG01),
        _d("enrollment_start_date", "First day of the enrollment span.", required=True),
        _d(
            "enrollment_end_date",
            "Last day of the enrollment span; empty or 9999-12-31 while it runs.",
            open_end=True,
        ),
        _s("payer", "Name of the payer (health plan).", required=True),
        _s(
            "payer_type",
            "Type of payer.",
            rule=OneOf("payer type", values=("commercial", "medicare", "medicaid", "aca")),
        ),
        _s("plan", "Name of the plan (product) within the payer."),
        _s(
            "original_reason_entitlement_code",
            "Medicare original reason for entitlement (0-3).",
            rule=Pattern("OREC (0-3)", regex=r"[0-3]"),
        ),
        _s(
            "dual_status_code",
            "Medicare-Medicaid dual status code.",
            rule=Pattern("dual status (2 digits)", regex=r"[0-9]{2}"),
        ),
        _s(
            "medicare_status_code",
            "Medicare status code.",
            rule=Pattern("Medicare status (2 digits)", regex=r"[0-9]{2}"),
        ),
        _s("enrollment_status", "Enrollment status as the source states it."),
        _c("hospice_flag", Kind.FLAG, "1 when in hospice.", rule=FLAG01),
        _c("institutional_snp_flag", Kind.FLAG, "1 when in an institutional SNP.", rule=FLAG01),
        _c(
            "long_term_institutional_flag",
            Kind.FLAG,
            "1 when in long-term institutional care.",
            rule=FLAG01,
        ),
        _s(
            "group_id",
            "Sponsor group number: which plan sponsor (Account) the member is covered through.",
            required=True,
            rule=GROUP_NUMBER,
        ),
        _s("group_name", "Name of the plan sponsor (used to name accounts it creates)."),
        _s("name_suffix", "Name suffix."),
        _s("first_name", "First name."),
        _s("middle_name", "Middle name."),
        _s("last_name", "Last name."),
        _s(
            "social_security_number",
            "Social security number.",
            rule=Pattern("SSN (9 digits, dashes optional)", regex=r"[0-9]{3}-?[0-9]{2}-?[0-9]{4}"),
        ),
        _s("subscriber_relation", "Relation to the subscriber (self, spouse, child, ...)."),
        _s("address", "Street address."),
        _s("city", "City."),
        _s("state", "State (USPS code).", rule=US_STATE),
        _s("zip_code", "ZIP code.", rule=ZIP),
        _s("phone", "Phone number."),
        _s("email", "E-mail address."),
        _s("ethnicity", "Ethnicity."),
        *_FILE_COLUMNS,
    ),
    row_checks=(
        RowCheck(
            ("enrollment_start_date", "enrollment_end_date"),
            "t.enrollment_end_date >= t.enrollment_start_date",
            "enrollment_end_date is before enrollment_start_date",
        ),
        RowCheck(
            ("birth_date", "death_date"),
            "t.death_date >= t.birth_date",
            "death_date is before birth_date",
        ),
    ),
)

# --- Operational feeds ----------------------------------------------------------------------
# Column names follow what the synthetic generator writes (clientdesk/synth/schemas.py).

_SPONSOR = _s(
    "group_id",
    "Sponsor group number of the plan sponsor the record belongs to.",
    required=True,
    rule=GROUP_NUMBER,
)


def _flag(name: str, description: str, *, required: bool = False) -> Column:
    return Column(name, Kind.BOOLEAN, description, required)


def _ts(name: str, description: str, *, required: bool = False) -> Column:
    return Column(name, Kind.TIMESTAMP, description, required)


def _int(name: str, description: str, rule: Rule, *, required: bool = False) -> Column:
    return Column(name, Kind.INTEGER, description, required, rule)


SECONDS = Between("0 to 86400", low=0, high=86400)

CALL_RECORD = TableSchema(
    name="call_record",
    title="Call records",
    description=(
        "Calls offered to the service center's agent queues, as the ACD reports them; the "
        "source of average speed of answer, abandonment, service level and first-contact "
        "resolution."
    ),
    grain="One row per call offered to an agent queue.",
    key=("call_id",),
    origin="clientdesk operational feed",
    columns=(
        _s("call_id", "Identifier of the call in the ACD.", required=True),
        _SPONSOR,
        _s("queue", "Agent queue the call was offered to (e.g. member_services, pharmacy)."),
        _s(
            "line",
            "Which phone line: the member line or the sponsor (benefits staff) line.",
            rule=OneOf("line", values=("member", "sponsor")),
        ),
        _ts("offered_at", "When the call entered the agent queue.", required=True),
        _flag("answered", "True when an agent answered.", required=True),
        _flag("abandoned", "True when the caller hung up before an answer.", required=True),
        _int(
            "wait_seconds",
            "Seconds from offered to answered or abandoned (speed of answer).",
            SECONDS,
            required=True,
        ),
        _int("handle_seconds", "Talk + hold + after-call work seconds (answered calls).", SECONDS),
        _flag("resolved_first_contact", "True when resolved on this call with no follow-up."),
        _s("ivr_session_id", "The IVR session that transferred the call, if any."),
        _s("reason", "Call reason as the agent coded it."),
        _s(
            "agent_id",
            "The ACD login of the agent who answered (empty when nobody did); the team app "
            "matches it to a person's agent id for schedule adherence.",
        ),
    ),
    row_checks=(
        RowCheck(
            ("answered", "abandoned"),
            "NOT (t.answered AND t.abandoned)",
            "a call cannot be both answered and abandoned",
        ),
    ),
)

IVR_SESSION = TableSchema(
    name="ivr_session",
    title="IVR sessions",
    description=(
        "Calls handled by the interactive voice response system and how each left it; the "
        "source of IVR containment and opt-out (zero-out) rates."
    ),
    grain="One row per IVR session (one inbound call's time in the IVR).",
    key=("session_id",),
    origin="clientdesk operational feed",
    columns=(
        _s("session_id", "Identifier of the IVR session.", required=True),
        _SPONSOR,
        _ts("started_at", "When the call reached the IVR.", required=True),
        _s("entry_point", "Where the caller entered (number dialled or first menu)."),
        _s("menu_path", "Menu path the caller took."),
        _s(
            "outcome",
            "How the session ended: contained (finished in the IVR), transferred (routed to "
            "an agent), abandoned (hung up before finishing).",
            required=True,
            rule=OneOf("IVR outcome", values=("contained", "transferred", "abandoned")),
        ),
        _flag("opted_out", "True when the caller asked for an agent (zero-out)."),
        _int("seconds", "Seconds spent in the IVR.", SECONDS),
    ),
)

CLAIM_PROCESSING = TableSchema(
    name="claim_processing",
    title="Claim processing",
    description=(
        "Adjudication record of every claim from the claim system: receipt, finalization and "
        "payment dates, whether a person touched it, the outcome and its adjustment reasons, "
        "the adjustment chain (original, reversal, replacement) and post-payment audit "
        "results; the source of auto-adjudication, turnaround, denial and accuracy metrics."
    ),
    grain=(
        "One row per claim as adjudicated; a reversal or replacement is its own claim_id "
        "pointing at original_claim_id. The claims in process on the extract date are in it "
        "too: pended (status pended, no finalized or paid date, no allowed or paid amount) or "
        "adjudicated and waiting for the check run (no paid date)."
    ),
    key=("claim_id",),
    origin="clientdesk operational feed",
    columns=(
        _s("claim_id", "Claim identifier (as in medical_claim).", required=True),
        _s("original_claim_id", "The claim this one reverses or replaces (itself if original)."),
        _s(
            "claim_frequency",
            "X12 claim frequency code (CLM05-3): 1 original, 7 replacement, 8 void.",
            rule=OneOf("claim frequency code", values=("1", "7", "8")),
        ),
        _s(
            "adjustment_type",
            "Tuva ADR record type.",
            rule=OneOf("adjustment type", values=("original", "reversal", "replacement")),
        ),
        _SPONSOR,
        _s("member_id", "Member id on the claim."),
        _s(
            "claim_type",
            "Kind of claim.",
            required=True,
            rule=OneOf("claim type", values=("professional", "institutional", "pharmacy")),
        ),
        _s("service_family", "Service family of the claim (e.g. office_visit, imaging)."),
        _d(
            "claim_start_date",
            "First date of service: the incurred month of a claim received and not yet paid "
            "(it has no medical_claim line yet).",
        ),
        _d("received_date", "Date the claim was received.", required=True),
        _d("finalized_date", "Date adjudication finished; empty while pending."),
        _d("paid_date", "Date the payment was issued."),
        _flag(
            "auto_adjudicated",
            "True when finalized with no human touch (first pass); empty when the source does "
            "not say (an 835 remittance has no element for it): such claims are left out of "
            "the auto-adjudication rate, numerator and denominator, and counted as unflagged.",
        ),
        _s("pend_reason", "Why the claim pended, when it did."),
        _s(
            "status",
            "Outcome of adjudication.",
            required=True,
            rule=OneOf("claim status", values=("paid", "denied", "pended")),
        ),
        _s("carc", "Main claim adjustment reason code of a denial.", rule=CARC),
        _s(
            "carc_codes",
            "Every claim-level adjustment as GROUP-CARC, separated by ';' (e.g. CO-45;PR-2).",
            rule=CARC_LIST,
        ),
        _s("billing_npi", "NPI of the billing provider.", rule=NPI),
        _s("hcpcs_code", "Principal CPT/HCPCS code.", rule=HCPCS),
        _amount("charge_amount", "Amount billed; negative on a reversal."),
        _amount("allowed_amount", "Allowed amount; negative on a reversal."),
        _amount("paid_amount", "Amount paid; negative on a reversal."),
        _flag("audited", "True when the claim was in the payment-accuracy audit sample."),
        _amount("audit_paid_amount", "What the audit says should have been paid."),
        _amount("audit_error_amount", "Dollars paid in error found by the audit (0 when right)."),
        _s(
            "audit_finding",
            "Audit result.",
            rule=OneOf("audit finding", values=("none", "overpayment", "underpayment")),
        ),
    ),
    row_checks=(
        RowCheck(
            ("received_date", "finalized_date"),
            "t.finalized_date >= t.received_date",
            "finalized_date is before received_date",
        ),
    ),
)

INQUIRY_IMPORT = TableSchema(
    name="inquiry_import",
    title="Imported inquiries",
    description=(
        "Member and sponsor inquiries from other systems (phone CRM, e-mail, portal), kept for "
        "history and detection; inquiries worked in clientdesk live in the operational DB."
    ),
    grain="One row per inquiry in the source system.",
    key=("external_id",),
    origin="clientdesk operational feed",
    columns=(
        _s("external_id", "Identifier of the inquiry in the source system.", required=True),
        _SPONSOR,
        _ts("opened_at", "When the inquiry was received.", required=True),
        _s(
            "channel",
            "How it came in.",
            required=True,
            rule=OneOf("channel", values=("phone", "email", "portal", "onsite")),
        ),
        _s(
            "requester_type",
            "Who asked.",
            required=True,
            rule=OneOf("requester type", values=("member", "sponsor", "broker")),
        ),
        _s(
            "category",
            "Inquiry category.",
            required=True,
            rule=OneOf(
                "inquiry category",
                values=(
                    "claims",
                    "eligibility_enrollment",
                    "id_cards",
                    "benefits",
                    "pharmacy",
                    "provider_network",
                    "billing_fees",
                    "reports",
                    "other",
                ),
            ),
        ),
        _s("subcategory", "Finer category, one of the category's (checked by the import)."),
        _s(
            "priority",
            "Priority.",
            rule=OneOf("priority", values=("low", "normal", "high", "urgent")),
        ),
        _s("member_id", "Member the inquiry is about, if any."),
        _s("claim_id", "Claim the inquiry is about, if any."),
        _s("description", "What was asked, in the requester's or the agent's words."),
        _s(
            "status",
            "Status in the source system.",
            required=True,
            rule=OneOf(
                "inquiry status",
                values=(
                    "new",
                    "open",
                    "in_progress",
                    "waiting_on_sponsor",
                    "waiting_on_service_ops",
                    "resolved",
                    "closed",
                ),
            ),
        ),
        _ts("resolved_at", "When it was resolved; empty while open."),
        _ts(
            "first_responded_at",
            "When the requester first got an answer (optional); empty when nobody has answered "
            "yet or the source system did not record it. Imported inquiries without it are "
            "left out of first-response attainment, never counted as late.",
        ),
        _s(
            "owner",
            "Who worked it in the source system (optional): a login or an e-mail address, "
            "matched to a clientdesk user by username or e-mail; shown as imported otherwise.",
        ),
    ),
    row_checks=(
        RowCheck(
            ("opened_at", "resolved_at"),
            "t.resolved_at >= t.opened_at",
            "resolved_at is before opened_at",
        ),
        RowCheck(
            ("opened_at", "first_responded_at"),
            "t.first_responded_at >= t.opened_at",
            "first_responded_at is before opened_at",
        ),
    ),
)

SURVEY_RESPONSE = TableSchema(
    name="survey_response",
    title="Survey responses",
    description=(
        "Sponsor and member satisfaction surveys: every invitation sent, with its answer "
        "(NPS, CSAT, verbatim) when one came back. An invitation nobody answered has no "
        "answered_at and no scores; it is kept, since response rates need it."
    ),
    grain="One row per survey sent (answered or not).",
    key=("response_id",),
    origin="clientdesk operational feed",
    columns=(
        _s("response_id", "Identifier of the survey sent (and of its answer).", required=True),
        _SPONSOR,
        _s(
            "survey",
            "Which survey: member (after a call) or sponsor (relationship survey).",
            required=True,
            rule=OneOf("survey", values=("member", "sponsor")),
        ),
        _ts("sent_at", "When the invitation was sent."),
        _ts("answered_at", "When the answer came back; empty when nobody answered."),
        _int("nps_score", "Likelihood to recommend, 0-10.", Between("0 to 10", low=0, high=10)),
        _int("csat", "Satisfaction, 1-5.", Between("1 to 5", low=1, high=5)),
        _s("verbatim", "Free-text comment."),
        _s("contact_email", "E-mail of the respondent."),
    ),
    row_checks=(
        RowCheck(
            ("sent_at", "answered_at"),
            "t.answered_at >= t.sent_at",
            "answered_at is before sent_at",
        ),
    ),
)

# --- Tuva severity: what loads with a warning ---------------------------------------------

_STATE_NAMES = {
    "ALABAMA": "AL", "ALASKA": "AK", "ARIZONA": "AZ", "ARKANSAS": "AR", "CALIFORNIA": "CA",
    "COLORADO": "CO", "CONNECTICUT": "CT", "DELAWARE": "DE", "DISTRICT OF COLUMBIA": "DC",
    "FLORIDA": "FL", "GEORGIA": "GA", "HAWAII": "HI", "IDAHO": "ID", "ILLINOIS": "IL",
    "INDIANA": "IN", "IOWA": "IA", "KANSAS": "KS", "KENTUCKY": "KY", "LOUISIANA": "LA",
    "MAINE": "ME", "MARYLAND": "MD", "MASSACHUSETTS": "MA", "MICHIGAN": "MI",
    "MINNESOTA": "MN", "MISSISSIPPI": "MS", "MISSOURI": "MO", "MONTANA": "MT",
    "NEBRASKA": "NE", "NEVADA": "NV", "NEW HAMPSHIRE": "NH", "NEW JERSEY": "NJ",
    "NEW MEXICO": "NM", "NEW YORK": "NY", "NORTH CAROLINA": "NC", "NORTH DAKOTA": "ND",
    "OHIO": "OH", "OKLAHOMA": "OK", "OREGON": "OR", "PENNSYLVANIA": "PA",
    "RHODE ISLAND": "RI", "SOUTH CAROLINA": "SC", "SOUTH DAKOTA": "SD", "TENNESSEE": "TN",
    "TEXAS": "TX", "UTAH": "UT", "VERMONT": "VT", "VIRGINIA": "VA", "WASHINGTON": "WA",
    "WEST VIRGINIA": "WV", "WISCONSIN": "WI", "WYOMING": "WY", "PUERTO RICO": "PR",
    "GUAM": "GU", "VIRGIN ISLANDS": "VI", "AMERICAN SAMOA": "AS",
    "NORTHERN MARIANA ISLANDS": "MP",
}  # fmt: skip
STATE_CODES = frozenset(_STATE_NAMES.values())


def _state_sql(v: str, col: ColumnText) -> str:
    key = f"upper(trim({v}))"
    names = " ".join(
        f"WHEN {sql_literal(n)} THEN {sql_literal(c)}" for n, c in _STATE_NAMES.items()
    )
    codes = ", ".join(sql_literal(c) for c in sorted(STATE_CODES))
    return f"(CASE WHEN {key} IN ({codes}) THEN {key} ELSE (CASE {key} {names} ELSE {v} END) END)"


def _dx_type_sql(v: str, col: ColumnText) -> str:
    code = f"upper(replace(trim({col('diagnosis_code_1')}), '.', ''))"
    icd10 = f"regexp_full_match({code}, '[A-Z][0-9][0-9A-Z][0-9A-Z]{{0,4}}')"
    icd9_only = f"regexp_full_match({code}, '[0-9]{{3}}[0-9]{{0,2}}')"
    given = f"lower(trim({v}))"
    return (
        f"(CASE WHEN {icd9_only} THEN 'icd-9-cm' "
        f"WHEN {icd10} AND NOT regexp_full_match({code}, '(V[0-9]{{2}}|E8[0-9]{{2}})[0-9]{{0,2}}') "
        f"THEN 'icd-10-cm' ELSE coalesce({given}, CASE WHEN {icd10} THEN 'icd-10-cm' END) END)"
    )


STATE_NORMALIZER = Normalizer("state written as its USPS code", _state_sql)
DX_TYPE_NORMALIZER = Normalizer(
    "diagnosis_code_type taken from the shape of diagnosis_code_1",
    _dx_type_sql,
    inputs=("diagnosis_code_1",),
)
GENDER_NORMALIZER = Normalizer(
    "gender written as male, female or unknown",
    lambda v, col: (
        f"(CASE upper(trim({v})) WHEN 'M' THEN 'male' WHEN 'MALE' THEN 'male' WHEN 'F' "
        f"THEN 'female' WHEN 'FEMALE' THEN 'female' WHEN 'U' THEN 'unknown' WHEN 'UNKNOWN' "
        f"THEN 'unknown' ELSE {v} END)"
    ),
)
UPPER_NORMALIZER = Normalizer("code trimmed and upper-cased", lambda v, col: f"upper(trim({v}))")
POA_NORMALIZER = Normalizer(
    "present-on-admission upper-cased, dot removed",
    lambda v, col: f"upper(replace(trim({v}), '.', ''))",
)
LOWER_NORMALIZER = Normalizer("value trimmed and lower-cased", lambda v, col: f"lower(trim({v}))")


def _lpad(width: int) -> Normalizer:
    return Normalizer(
        f"code left-padded with zeros to {width} digits",
        lambda v, col: (
            f"(CASE WHEN regexp_full_match(trim({v}), '[0-9]{{1,{width - 1}}}') "
            f"THEN lpad(trim({v}), {width}, '0') ELSE {v} END)"
        ),
    )


_NORMALIZERS: dict[str, Normalizer] = {
    "state": STATE_NORMALIZER,
    "gender": GENDER_NORMALIZER,
    "diagnosis_code_type": DX_TYPE_NORMALIZER,
    "procedure_code_type": LOWER_NORMALIZER,
    "drg_code_type": LOWER_NORMALIZER,
    "claim_type": LOWER_NORMALIZER,
    "payer_type": LOWER_NORMALIZER,
    "place_of_service_code": _lpad(2),
    "revenue_center_code": _lpad(4),
    "discharge_disposition_code": _lpad(2),
    **{f"diagnosis_code_{i}": UPPER_NORMALIZER for i in range(1, 26)},
    **{f"diagnosis_poa_{i}": POA_NORMALIZER for i in range(1, 26)},
    **{f"procedure_code_{i}": UPPER_NORMALIZER for i in range(1, 26)},
    "hcpcs_code": UPPER_NORMALIZER,
    **{f"hcpcs_modifier_{i}": UPPER_NORMALIZER for i in range(1, 6)},
}


def _tuva_severity(schema: TableSchema) -> TableSchema:
    """Tuva's input layer keeps rows with non-standard values (its tests warn): a value
    failing its check on an optional column is nulled with a warning, values whose meaning
    is certain are normalised first. Required columns, types, keys and the sponsor still
    reject the row (they break the grain or make the row unusable)."""
    columns = tuple(
        replace(
            c,
            warn=(not c.required and c.rule is not None and c.name != "group_id"),
            normalize=_NORMALIZERS.get(c.name),
        )
        for c in schema.columns
    )
    return replace(schema, columns=columns)


ELIGIBILITY = _tuva_severity(ELIGIBILITY)
MEDICAL_CLAIM = _tuva_severity(MEDICAL_CLAIM)
PHARMACY_CLAIM = _tuva_severity(PHARMACY_CLAIM)

TABLES: dict[str, TableSchema] = {
    t.name: t
    for t in (
        ELIGIBILITY,
        MEDICAL_CLAIM,
        PHARMACY_CLAIM,
        CALL_RECORD,
        IVR_SESSION,
        CLAIM_PROCESSING,
        INQUIRY_IMPORT,
        SURVEY_RESPONSE,
    )
}
TABLE_NAMES: tuple[str, ...] = tuple(TABLES)


def get_table(name: str) -> TableSchema:
    """The schema of a lake table, or a KeyError naming the tables there are."""
    try:
        return TABLES[name]
    except KeyError:
        raise KeyError(f"no lake table {name!r}; tables are: {', '.join(TABLE_NAMES)}") from None
