"""Providers: NPIs with valid check digits, organisations and the clinicians who bill through
them, per state the book operates in.

Grain: one row per NPI (``ProviderDirectory`` arrays). NPIs are ten digits whose last digit is
the Luhn check digit computed over the prefix ``80840`` plus the first nine digits (CMS NPI
standard); they are random, so they are not meant to resolve in NPPES. TINs are random nine-
digit strings.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from clientdesk.synth import names
from clientdesk.synth.geography import STATES
from clientdesk.synth.random_streams import Stream, stream

NPI_PREFIX_SUM = 24
"""Luhn contribution of the constant prefix 80840 (digits 8,0,8,4,0 doubled per Luhn)."""


def npi_check_digit(base9: np.ndarray) -> np.ndarray:
    """Check digit for nine-digit NPI bases (vectorised Luhn with the 80840 prefix)."""
    digits = np.stack([(base9 // 10**k) % 10 for k in range(8, -1, -1)], axis=1)
    total = np.full(len(base9), NPI_PREFIX_SUM, dtype=np.int64)
    for pos in range(9):
        d = digits[:, pos]
        if pos % 2 == 0:  # positions 1, 3, 5, 7, 9 from the left are doubled
            d = d * 2
            d = d // 10 + d % 10
        total += d
    return (10 - total % 10) % 10


def is_valid_npi(npi: str) -> bool:
    """Whether a ten-character string is an NPI with a correct Luhn check digit."""
    if len(npi) != 10 or not npi.isdigit() or npi[0] not in "12":
        return False
    digits = [int(c) for c in "80840" + npi]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 1:
            d *= 2
            d = d // 10 + d % 10
        total += d
    return total % 10 == 0


# Roles ---------------------------------------------------------------------------------------
# (role, entity type 1 individual / 2 organisation, specialty, NUCC taxonomy, per state count)


@dataclass(frozen=True)
class Role:
    """A kind of provider and how many organisations of it each state has."""

    key: str
    specialty: str
    taxonomy: str
    org_taxonomy: str
    per_state: int
    clinicians: tuple[int, int]
    credential: str
    name_form: str


ROLES: tuple[Role, ...] = (
    Role(
        "hospital",
        "general acute care hospital",
        "",
        "282N00000X",
        5,
        (0, 0),
        "",
        "{saint} {stem} Medical Center",
    ),
    Role(
        "ed",
        "emergency medicine",
        "207P00000X",
        "193400000X",
        5,
        (6, 10),
        "MD",
        "{stem} Emergency Physicians",
    ),
    Role(
        "hospitalist",
        "hospitalist",
        "208M00000X",
        "193400000X",
        5,
        (5, 8),
        "MD",
        "{stem} Hospitalist Group",
    ),
    Role(
        "anesthesia",
        "anesthesiology",
        "207L00000X",
        "193400000X",
        2,
        (6, 10),
        "MD",
        "{stem} Anesthesia Associates",
    ),
    Role(
        "radiology",
        "diagnostic radiology",
        "2085R0202X",
        "193400000X",
        2,
        (5, 8),
        "MD",
        "{stem} Radiology",
    ),
    Role(
        "pathology",
        "pathology",
        "207ZP0102X",
        "193400000X",
        1,
        (3, 5),
        "MD",
        "{stem} Pathology Associates",
    ),
    Role(
        "asc",
        "ambulatory surgical center",
        "",
        "261QA1903X",
        3,
        (0, 0),
        "",
        "{stem} Surgery Center",
    ),
    Role("imaging", "radiology clinic", "", "261QR0200X", 3, (0, 0), "", "{stem} Imaging"),
    Role(
        "urgent_care",
        "urgent care",
        "207Q00000X",
        "261QU0200X",
        2,
        (4, 6),
        "DO",
        "{stem} Urgent Care",
    ),
    Role(
        "primary_care",
        "family medicine",
        "207Q00000X",
        "193200000X",
        12,
        (3, 8),
        "MD",
        "{stem} Family Medicine",
    ),
    Role(
        "pediatrics", "pediatrics", "208000000X", "193200000X", 4, (3, 7), "MD", "{stem} Pediatrics"
    ),
    Role(
        "ob_gyn",
        "obstetrics and gynecology",
        "207V00000X",
        "193200000X",
        3,
        (3, 7),
        "MD",
        "{stem} Women's Health",
    ),
    Role(
        "cardiology",
        "cardiovascular disease",
        "207RC0000X",
        "193200000X",
        2,
        (3, 6),
        "MD",
        "{stem} Heart and Vascular",
    ),
    Role(
        "orthopedics",
        "orthopaedic surgery",
        "207X00000X",
        "193200000X",
        2,
        (3, 6),
        "MD",
        "{stem} Orthopaedic Associates",
    ),
    Role(
        "gastro",
        "gastroenterology",
        "207RG0100X",
        "193200000X",
        2,
        (2, 5),
        "MD",
        "{stem} Digestive Health",
    ),
    Role(
        "oncology",
        "hematology and oncology",
        "207RH0003X",
        "193200000X",
        2,
        (2, 5),
        "MD",
        "{stem} Cancer Specialists",
    ),
    Role(
        "behavioral",
        "psychology",
        "103T00000X",
        "193200000X",
        4,
        (3, 8),
        "PhD",
        "{stem} Behavioral Health",
    ),
    Role(
        "physical_therapy",
        "physical therapy",
        "225100000X",
        "193200000X",
        3,
        (3, 6),
        "PT",
        "{stem} Physical Therapy",
    ),
    Role(
        "chiropractic",
        "chiropractic",
        "111N00000X",
        "193200000X",
        2,
        (1, 3),
        "DC",
        "{stem} Chiropractic",
    ),
    Role(
        "dermatology",
        "dermatology",
        "207N00000X",
        "193200000X",
        1,
        (2, 4),
        "MD",
        "{stem} Dermatology",
    ),
    Role(
        "endocrinology",
        "endocrinology",
        "207RE0101X",
        "193200000X",
        1,
        (2, 3),
        "MD",
        "{stem} Endocrinology",
    ),
    Role(
        "pulmonology",
        "pulmonary disease",
        "207RP1001X",
        "193200000X",
        1,
        (2, 3),
        "MD",
        "{stem} Lung and Sleep",
    ),
    Role(
        "nephrology",
        "nephrology",
        "207RN0300X",
        "193200000X",
        1,
        (2, 3),
        "MD",
        "{stem} Kidney Care",
    ),
    Role("neurology", "neurology", "2084N0400X", "193200000X", 1, (2, 3), "MD", "{stem} Neurology"),
    Role(
        "rheumatology",
        "rheumatology",
        "207RR0500X",
        "193200000X",
        1,
        (1, 3),
        "MD",
        "{stem} Arthritis and Rheumatology",
    ),
    Role(
        "general_surgery",
        "general surgery",
        "208600000X",
        "193200000X",
        1,
        (2, 4),
        "MD",
        "{stem} Surgical Associates",
    ),
    Role(
        "ophthalmology",
        "ophthalmology",
        "207W00000X",
        "193200000X",
        1,
        (2, 4),
        "MD",
        "{stem} Eye Physicians",
    ),
    Role(
        "ent",
        "otolaryngology",
        "207Y00000X",
        "193200000X",
        1,
        (2, 3),
        "MD",
        "{stem} Ear, Nose and Throat",
    ),
    Role("urology", "urology", "208800000X", "193200000X", 1, (2, 3), "MD", "{stem} Urology"),
    Role(
        "dialysis",
        "end-stage renal disease treatment",
        "",
        "261QE0700X",
        2,
        (0, 0),
        "",
        "{stem} Dialysis",
    ),
    Role("ambulance", "ambulance", "", "341600000X", 1, (0, 0), "", "{stem} Ambulance"),
    Role(
        "retail_pharmacy",
        "community/retail pharmacy",
        "",
        "3336C0003X",
        20,
        (0, 0),
        "",
        "{stem} Pharmacy",
    ),
)

NATIONAL: tuple[tuple[str, str, str, str], ...] = (
    ("lab", "Meridian Diagnostics Laboratories", "clinical medical laboratory", "291U00000X"),
    ("lab", "Crestview Clinical Labs", "clinical medical laboratory", "291U00000X"),
    ("mail_pharmacy", "Keystone Mail Pharmacy", "mail order pharmacy", "3336M0002X"),
    ("specialty_pharmacy", "Keystone Specialty Pharmacy", "specialty pharmacy", "3336S0011X"),
    ("dme", "Northstar Medical Equipment", "durable medical equipment", "332B00000X"),
    ("telehealth", "CareNow Virtual Medicine", "telehealth group", "193200000X"),
)

ROLE_INDEX: dict[str, int] = {r.key: i for i, r in enumerate(ROLES)}


@dataclass
class ProviderDirectory:
    """Every provider as parallel arrays (grain: one row per NPI).

    ``org[i]`` is the billing organisation row of clinician ``i`` (itself for organisations).
    ``org_pools[role]`` has shape (states, width): organisation rows of that role per state,
    ``-1``-padded; ``clinician_pools[role]`` likewise for clinicians.
    """

    npi: list[str]
    tin: list[str]
    name: list[str]
    entity_type: np.ndarray
    specialty: list[str]
    taxonomy: list[str]
    state: np.ndarray
    city: list[str]
    zip_code: list[str]
    org: np.ndarray
    org_pools: dict[str, np.ndarray]
    org_counts: dict[str, np.ndarray]
    clinician_pools: dict[str, np.ndarray]
    clinician_counts: dict[str, np.ndarray]
    national: dict[str, np.ndarray]

    def pick_org(self, role: str, state: np.ndarray, key: np.ndarray) -> np.ndarray:
        """Organisation row of ``role`` in each member's state, chosen by ``key``."""
        counts = self.org_counts[role][state]
        return np.asarray(self.org_pools[role][state, key % np.maximum(counts, 1)])

    def pick_clinician(self, role: str, state: np.ndarray, key: np.ndarray) -> np.ndarray:
        """Clinician row of ``role`` in each member's state, chosen by ``key``."""
        counts = self.clinician_counts[role][state]
        return np.asarray(self.clinician_pools[role][state, key % np.maximum(counts, 1)])


class _NpiSource:
    """Unique random NPIs drawn in batches (vectorised check digits)."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.taken: set[int] = set()
        self.buffer: list[str] = []

    def next(self) -> str:
        if not self.buffer:
            base = self.rng.integers(100_000_000, 299_999_999, size=4096)
            check = npi_check_digit(base)
            for b, c in zip(base.tolist(), check.tolist(), strict=True):
                if b not in self.taken:
                    self.taken.add(b)
                    self.buffer.append(f"{b}{c}")
            self.buffer.reverse()
        return self.buffer.pop()


def build_directory(state_codes: list[str], seed: int) -> ProviderDirectory:
    """Providers for the given states (indices into ``geography.STATES``) plus national ones."""
    rng = stream(seed, Stream.PROVIDERS)
    source = _NpiSource(stream(seed, Stream.PROVIDERS, 1))
    npi: list[str] = []
    tin: list[str] = []
    name: list[str] = []
    entity: list[int] = []
    specialty: list[str] = []
    taxonomy: list[str] = []
    state_of: list[int] = []
    city: list[str] = []
    zips: list[str] = []
    org_of: list[int] = []
    n_states = len(STATES)
    org_lists: dict[str, list[list[int]]] = {r.key: [[] for _ in STATES] for r in ROLES}
    clin_lists: dict[str, list[list[int]]] = {r.key: [[] for _ in STATES] for r in ROLES}
    used_names: set[str] = set()

    def add(
        label: str, ent: int, spec: str, tax: str, st: int, ct: str, zp: str, org: int, tx: str
    ) -> int:
        row = len(npi)
        npi.append(source.next())
        tin.append(tx)
        name.append(label)
        entity.append(ent)
        specialty.append(spec)
        taxonomy.append(tax)
        state_of.append(st)
        city.append(ct)
        zips.append(zp)
        org_of.append(org if org >= 0 else row)
        return row

    hospital_forms = (
        "{saint} {stem} Medical Center",
        "{stem} Regional Medical Center",
        "{stem} Community Hospital",
        "{saint} Hospital of {stem}",
    )

    def org_name(role: Role) -> str:
        for _ in range(50):
            form = role.name_form
            if role.key == "hospital":
                form = hospital_forms[int(rng.integers(len(hospital_forms)))]
            label = form.format(
                saint=names.SAINTS[int(rng.integers(len(names.SAINTS)))],
                stem=names.COMMERCIAL_STEMS[int(rng.integers(len(names.COMMERCIAL_STEMS)))],
            )
            if label not in used_names:
                used_names.add(label)
                return label
        return f"{label} {len(used_names)}"

    def person(credential: str) -> str:
        female = rng.random() < 0.5
        pool = names.FEMALE_FIRST if female else names.MALE_FIRST
        first = pool[int(rng.integers(len(pool)))]
        last = names.LAST[int(rng.integers(len(names.LAST)))]
        return f"{first} {last}, {credential}"

    codes = sorted(set(state_codes), key=lambda c: [s.code for s in STATES].index(c))
    for code in codes:
        st = [s.code for s in STATES].index(code)
        state = STATES[st]
        for role in ROLES:
            for _ in range(role.per_state):
                c = state.cities[int(rng.integers(len(state.cities)))]
                zp = f"{c.zip3}{int(rng.integers(0, 100)):02d}"
                tx = f"{int(rng.integers(10, 99))}{int(rng.integers(0, 10**7)):07d}"
                org = add(
                    org_name(role), 2, role.specialty, role.org_taxonomy, st, c.name, zp, -1, tx
                )
                org_lists[role.key][st].append(org)
                lo, hi = role.clinicians
                for _ in range(int(rng.integers(lo, hi + 1)) if hi else 0):
                    credential = role.credential
                    spec, tax = role.specialty, role.taxonomy
                    if role.key == "primary_care" and rng.random() < 0.3:
                        spec, tax, credential = "internal medicine", "207R00000X", "MD"
                    elif role.key in ("primary_care", "urgent_care") and rng.random() < 0.25:
                        spec, tax, credential = "nurse practitioner", "363L00000X", "NP"
                    elif role.key == "behavioral":
                        kind = rng.random()
                        if kind < 0.25:
                            spec, tax, credential = "psychiatry", "2084P0800X", "MD"
                        elif kind < 0.65:
                            spec, tax, credential = "clinical social worker", "1041C0700X", "LCSW"
                    clin = add(person(credential), 1, spec, tax, st, c.name, zp, org, tx)
                    clin_lists[role.key][st].append(clin)
    national: dict[str, list[int]] = {}
    for key, label, spec, tax in NATIONAL:
        tx = f"{int(rng.integers(10, 99))}{int(rng.integers(0, 10**7)):07d}"
        org = add(label, 2, spec, tax, -1, "", "", -1, tx)
        national.setdefault(key, []).append(org)
        if key == "telehealth":
            for _ in range(12):
                clin = add(person("MD"), 1, "family medicine", "207Q00000X", -1, "", "", org, tx)
                national.setdefault("telehealth_clinician", []).append(clin)

    def padded(
        lists: dict[str, list[list[int]]],
    ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        pools: dict[str, np.ndarray] = {}
        counts: dict[str, np.ndarray] = {}
        for key, per_state in lists.items():
            width = max(1, max(len(x) for x in per_state))
            table = np.full((n_states, width), -1, dtype=np.int64)
            cnt = np.zeros(n_states, dtype=np.int64)
            for s, rows in enumerate(per_state):
                table[s, : len(rows)] = rows
                cnt[s] = len(rows)
            pools[key], counts[key] = table, cnt
        return pools, counts

    org_pools, org_counts = padded(org_lists)
    clin_pools, clin_counts = padded(clin_lists)
    return ProviderDirectory(
        npi=npi,
        tin=tin,
        name=name,
        entity_type=np.array(entity, dtype=np.int8),
        specialty=specialty,
        taxonomy=taxonomy,
        state=np.array(state_of, dtype=np.int16),
        city=city,
        zip_code=zips,
        org=np.array(org_of, dtype=np.int64),
        org_pools=org_pools,
        org_counts=org_counts,
        clinician_pools=clin_pools,
        clinician_counts=clin_counts,
        national={k: np.array(v, dtype=np.int64) for k, v in national.items()},
    )
