"""Procedure, revenue, DRG and place-of-service code tables with commercial allowed prices.

Prices are average commercial allowed amounts per unit in 2025 dollars (our estimates, in
the range of 150-250 % of Medicare fee schedules that commercial plans pay); the generator
scales them by state cost index and a calibration factor so that totals land on
``claims-analytics.md`` §4 targets. CPT codes are AMA codes in their usual ranges, HCPCS
Level II codes are CMS codes; MS-DRG numbers are CMS MS-DRG v42/v43 groups. ICD-10-PCS codes
for inpatient procedures are common codes chosen by hand (no PCS code list is installed, so
they are not machine-checked the way ICD-10-CM codes are).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# HCPCS / CPT -> allowed per unit --------------------------------------------------------------
PRICES: dict[str, float] = {
    # office / outpatient E/M
    "99202": 110,
    "99203": 165,
    "99204": 250,
    "99205": 320,
    "99211": 35,
    "99212": 78,
    "99213": 118,
    "99214": 170,
    "99215": 235,
    # preventive
    "99381": 230,
    "99382": 240,
    "99383": 240,
    "99384": 250,
    "99385": 245,
    "99386": 260,
    "99387": 280,
    "99391": 205,
    "99392": 215,
    "99393": 215,
    "99394": 225,
    "99395": 220,
    "99396": 235,
    "99397": 250,
    # emergency department professional
    "99281": 70,
    "99282": 120,
    "99283": 195,
    "99284": 330,
    "99285": 480,
    # hospital inpatient / observation professional
    "99221": 180,
    "99222": 250,
    "99223": 330,
    "99231": 85,
    "99232": 125,
    "99233": 180,
    "99238": 125,
    "99239": 180,
    "99460": 250,
    "99462": 120,
    "99468": 1200,
    "99469": 520,
    "99253": 260,
    # vaccines and administration
    "90471": 30,
    "90472": 20,
    "90460": 35,
    "90461": 20,
    "90686": 28,
    "90715": 52,
    "90651": 290,
    "90700": 40,
    "90707": 95,
    "90713": 45,
    "90744": 30,
    "90670": 260,
    "90680": 105,
    "90716": 170,
    # in-office procedures and tests
    "36415": 9,
    "93000": 35,
    "93005": 22,
    "93010": 15,
    "81002": 6,
    "87880": 30,
    "96372": 30,
    "J1030": 12,
    "J3301": 8,
    "20610": 125,
    "17110": 115,
    "12001": 230,
    "29515": 120,
    "J1885": 6,
    "J2405": 4,
    "J1100": 3,
    "J7030": 15,
    "J0696": 14,
    # laboratory
    "80053": 26,
    "80048": 21,
    "85025": 18,
    "80061": 32,
    "83036": 24,
    "84443": 36,
    "84439": 22,
    "81001": 9,
    "82306": 58,
    "84153": 46,
    "87086": 21,
    "82043": 15,
    "80069": 24,
    "87491": 85,
    "87591": 85,
    "87635": 98,
    "88305": 115,
    "80081": 120,
    "84702": 38,
    "82950": 18,
    "86900": 9,
    "86901": 9,
    "81420": 780,
    "82947": 9,
    "83540": 20,
    "84480": 38,
    # imaging
    "71046": 78,
    "73562": 72,
    "72100": 80,
    "73030": 68,
    "73610": 66,
    "76700": 260,
    "76856": 250,
    "76536": 210,
    "93306": 560,
    "93880": 380,
    "77067": 225,
    "77063": 85,
    "77080": 120,
    "72148": 880,
    "73721": 820,
    "70553": 1350,
    "74177": 1050,
    "71250": 620,
    "70450": 470,
    "71275": 780,
    "78815": 2900,
    "78452": 1250,
    "76801": 240,
    "76805": 285,
    "76815": 150,
    "76817": 190,
    # surgery / procedures (professional)
    "45378": 560,
    "45380": 660,
    "45385": 720,
    "43239": 520,
    "29881": 1250,
    "47562": 1450,
    "49505": 1150,
    "66984": 950,
    "64483": 460,
    "58558": 900,
    "42820": 820,
    "69436": 620,
    "52000": 360,
    "64721": 780,
    "19083": 650,
    # surgery tied to inpatient DRGs
    "27447": 2900,
    "22612": 4600,
    "44970": 1350,
    "59400": 3300,
    "59510": 3900,
    "59409": 1900,
    "92928": 1650,
    "43775": 2600,
    "47600": 1900,
    "50360": 4200,
    # anesthesia (per unit)
    "00811": 90,
    "00812": 90,
    "00731": 90,
    "01400": 90,
    "00790": 90,
    "00830": 90,
    "00142": 90,
    "01967": 90,
    "01961": 90,
    "01402": 90,
    "00630": 90,
    "00797": 90,
    "00840": 90,
    "00870": 90,
    "00320": 90,
    "00860": 90,
    "00170": 90,
    "00868": 90,
    "00796": 90,
    "00952": 90,
    "00120": 90,
    "01810": 90,
    # behavioral health
    "90791": 210,
    "90832": 85,
    "90834": 125,
    "90837": 165,
    "90853": 60,
    # physical medicine / chiropractic
    "97161": 115,
    "97162": 118,
    "97110": 46,
    "97140": 42,
    "97530": 50,
    "97112": 48,
    "98940": 48,
    "98941": 60,
    # infusion and injectable drugs (per unit)
    "96413": 260,
    "96415": 60,
    "96417": 120,
    "96365": 180,
    "96366": 45,
    "J9271": 58,
    "J9355": 120,
    "J9035": 78,
    "J9045": 2.5,
    "J9267": 1.2,
    "J1745": 85,
    "J2350": 120,
    "J3380": 24,
    "J9312": 95,
    "J1950": 160,
    # dialysis and nephrology
    "90960": 520,
    "J0887": 20,
    # DME and ambulance
    "E0601": 95,
    "A7030": 160,
    "A7035": 45,
    "A7037": 35,
    "E0114": 60,
    "A4253": 55,
    "A0427": 850,
    "A0429": 620,
    "A0425": 14,
}

HCPCS_CODES: tuple[str, ...] = tuple(PRICES)
HCPCS_INDEX: dict[str, int] = {c: i for i, c in enumerate(HCPCS_CODES)}
HCPCS_PRICE = np.array([PRICES[c] for c in HCPCS_CODES], dtype=np.float64)


def hc(code: str) -> int:
    """Index of a HCPCS/CPT code in ``HCPCS_CODES``."""
    return HCPCS_INDEX[code]


MODIFIERS: tuple[str, ...] = ("25", "26", "95", "TC", "59", "RT", "LT", "QK")
MOD_INDEX: dict[str, int] = {m: i for i, m in enumerate(MODIFIERS)}

REVENUE_CODES: tuple[str, ...] = (
    "0110",
    "0112",
    "0120",
    "0171",
    "0172",
    "0174",
    "0200",
    "0250",
    "0258",
    "0260",
    "0270",
    "0272",
    "0278",
    "0300",
    "0301",
    "0305",
    "0320",
    "0324",
    "0335",
    "0341",
    "0350",
    "0351",
    "0352",
    "0360",
    "0370",
    "0401",
    "0402",
    "0404",
    "0450",
    "0483",
    "0610",
    "0611",
    "0612",
    "0614",
    "0636",
    "0710",
    "0720",
    "0722",
    "0730",
    "0821",
    "0420",
)
REV_INDEX: dict[str, int] = {r: i for i, r in enumerate(REVENUE_CODES)}


def rv(code: str) -> int:
    """Index of a revenue code in ``REVENUE_CODES``."""
    return REV_INDEX[code]


PLACES_OF_SERVICE: tuple[str, ...] = (
    "11",
    "02",
    "10",
    "20",
    "21",
    "22",
    "23",
    "24",
    "41",
    "81",
    "12",
    "19",
)
POS_INDEX: dict[str, int] = {p: i for i, p in enumerate(PLACES_OF_SERVICE)}

BILL_TYPES: tuple[str, ...] = ("111", "131", "831", "721")
BILL_INDEX: dict[str, int] = {b: i for i, b in enumerate(BILL_TYPES)}

DISPOSITIONS: tuple[str, ...] = ("01", "06", "03", "02", "07", "20", "62")
DISPOSITION_WEIGHTS = np.array([0.86, 0.06, 0.02, 0.015, 0.012, 0.003, 0.03])
ADMIT_TYPES: tuple[str, ...] = ("1", "2", "3", "4")
ADMIT_SOURCES: tuple[str, ...] = ("1", "2", "4", "5")

PCS_CODES: tuple[str, ...] = (
    "10E0XZZ",
    "10D00Z1",
    "0DTJ4ZZ",
    "0FT44ZZ",
    "0SRC0J9",
    "0SRD0J9",
    "0SG0070",
    "027034Z",
    "0DB64Z3",
    "0TY00Z0",
    "0FY00Z0",
    "5A1D70Z",
)
PCS_INDEX: dict[str, int] = {p: i for i, p in enumerate(PCS_CODES)}


@dataclass(frozen=True)
class InpatientScenario:
    """An inpatient stay type: MS-DRG, diagnoses, length of stay, price and procedures.

    ``base`` is the facility allowed amount for a stay of ``los`` days (commercial, 2025).
    ``cpt`` is the attending surgeon's CPT (empty for medical stays), ``anesthesia`` the
    anesthesia CPT, ``pcs`` the ICD-10-PCS procedure, ``icu`` the chance of ICU days,
    ``via_ed`` the chance the admission came through the emergency department.
    """

    key: str
    drg: str
    dx: tuple[tuple[str, float], ...]
    los: float
    base: float
    cpt: str = ""
    anesthesia: str = ""
    pcs: str = ""
    icu: float = 0.05
    via_ed: float = 0.6
    consult: str = ""


INPATIENT: tuple[InpatientScenario, ...] = (
    InpatientScenario(
        "sepsis_mcc", "871", (("A41.9", 0.8), ("A41.51", 0.2)), 6.5, 48000, icu=0.35, via_ed=0.9
    ),
    InpatientScenario("sepsis", "872", (("A41.9", 0.8), ("A41.51", 0.2)), 4.2, 21000, via_ed=0.9),
    InpatientScenario(
        "pneumonia_cc", "194", (("J18.9", 0.8), ("J15.9", 0.2)), 3.8, 16500, via_ed=0.85
    ),
    InpatientScenario("pneumonia", "195", (("J18.9", 1.0),), 2.9, 11500, via_ed=0.85),
    InpatientScenario("copd", "191", (("J44.1", 1.0),), 3.6, 15000, via_ed=0.85),
    InpatientScenario("asthma", "203", (("J45.901", 0.7), ("J45.41", 0.3)), 2.4, 9500, via_ed=0.9),
    InpatientScenario(
        "heart_failure",
        "292",
        (("I50.23", 0.5), ("I50.33", 0.5)),
        4.3,
        17500,
        via_ed=0.85,
        consult="cardiology",
    ),
    InpatientScenario(
        "ami",
        "281",
        (("I21.4", 0.7), ("I21.19", 0.3)),
        3.4,
        24000,
        icu=0.3,
        via_ed=0.95,
        consult="cardiology",
    ),
    InpatientScenario(
        "pci",
        "247",
        (("I25.110", 0.6), ("I20.0", 0.4)),
        2.3,
        39000,
        "92928",
        "",
        "027034Z",
        0.1,
        0.5,
        "cardiology",
    ),
    InpatientScenario(
        "cellulitis", "603", (("L03.115", 0.5), ("L03.116", 0.5)), 3.2, 10500, via_ed=0.8
    ),
    InpatientScenario(
        "pyelonephritis", "690", (("N10", 0.6), ("N39.0", 0.4)), 3.0, 10000, via_ed=0.85
    ),
    InpatientScenario(
        "gi_bleed",
        "378",
        (("K92.2", 0.6), ("K92.1", 0.4)),
        3.4,
        15500,
        via_ed=0.85,
        consult="gastro",
    ),
    InpatientScenario(
        "appendectomy",
        "343",
        (("K35.80", 0.7), ("K35.890", 0.3)),
        1.8,
        17500,
        "44970",
        "00840",
        "0DTJ4ZZ",
        0.01,
        0.9,
    ),
    InpatientScenario(
        "cholecystectomy",
        "419",
        (("K80.00", 0.6), ("K81.0", 0.4)),
        2.4,
        21000,
        "47562",
        "00790",
        "0FT44ZZ",
        0.02,
        0.7,
    ),
    InpatientScenario(
        "knee_replacement",
        "470",
        (("M17.11", 0.5), ("M17.12", 0.5)),
        2.0,
        33000,
        "27447",
        "01402",
        "0SRC0J9",
        0.01,
        0.0,
    ),
    InpatientScenario(
        "spinal_fusion",
        "460",
        (("M48.061", 0.6), ("M51.16", 0.4)),
        3.1,
        62000,
        "22612",
        "00630",
        "0SG0070",
        0.05,
        0.0,
    ),
    InpatientScenario(
        "bariatric", "621", (("E66.01", 1.0),), 1.6, 27000, "43775", "00797", "0DB64Z3", 0.01, 0.0
    ),
    InpatientScenario(
        "psychosis", "885", (("F32.2", 0.5), ("F33.2", 0.5)), 7.2, 14500, icu=0.0, via_ed=0.7
    ),
    InpatientScenario(
        "alcohol", "897", (("F10.239", 0.6), ("F10.230", 0.4)), 3.9, 10500, icu=0.05, via_ed=0.85
    ),
    InpatientScenario(
        "dka", "638", (("E11.10", 0.6), ("E10.10", 0.4)), 3.0, 14000, icu=0.3, via_ed=0.95
    ),
    InpatientScenario(
        "stroke",
        "066",
        (("I63.9", 0.6), ("I63.50", 0.4)),
        3.6,
        19000,
        icu=0.2,
        via_ed=0.95,
        consult="neurology",
    ),
    InpatientScenario("syncope", "312", (("R55", 1.0),), 2.3, 10000, via_ed=0.9),
    InpatientScenario(
        "kidney_stone", "694", (("N20.0", 0.7), ("N20.1", 0.3)), 1.9, 9500, via_ed=0.9
    ),
    InpatientScenario(
        "dehydration", "641", (("E86.0", 0.6), ("E87.1", 0.4)), 2.6, 9000, via_ed=0.9
    ),
    InpatientScenario("pediatric_bronchiolitis", "203", (("J21.9", 1.0),), 2.2, 9000, via_ed=0.8),
    InpatientScenario(
        "chemotherapy",
        "847",
        (("Z51.11", 1.0),),
        4.6,
        23000,
        icu=0.05,
        via_ed=0.3,
        consult="oncology",
    ),
    InpatientScenario(
        "bowel_obstruction",
        "390",
        (("K56.609", 1.0),),
        4.1,
        15000,
        via_ed=0.9,
        consult="general_surgery",
    ),
    InpatientScenario("pancreatitis", "439", (("K85.90", 1.0),), 3.9, 14500, via_ed=0.9),
    InpatientScenario(
        "kidney_transplant",
        "652",
        (("N18.6", 1.0),),
        5.5,
        165000,
        "50360",
        "00868",
        "0TY00Z0",
        0.5,
        0.0,
        "nephrology",
    ),
    InpatientScenario(
        "liver_transplant",
        "005",
        (("K74.60", 1.0),),
        14.0,
        520000,
        "47600",
        "00796",
        "0FY00Z0",
        0.9,
        0.0,
        "gastro",
    ),
)
INPATIENT_INDEX: dict[str, int] = {s.key: i for i, s in enumerate(INPATIENT)}


@dataclass(frozen=True)
class DeliveryScenario:
    """A delivery stay: MS-DRG, cesarean or not, weight among deliveries, LOS and price."""

    drg: str
    cesarean: bool
    weight: float
    los: float
    base: float


DELIVERIES: tuple[DeliveryScenario, ...] = (
    DeliveryScenario("807", False, 0.47, 2.0, 12500),
    DeliveryScenario("806", False, 0.14, 2.3, 14500),
    DeliveryScenario("805", False, 0.02, 3.2, 21000),
    DeliveryScenario("768", False, 0.02, 2.4, 16000),
    DeliveryScenario("798", False, 0.02, 2.2, 15500),
    DeliveryScenario("788", True, 0.21, 3.0, 18500),
    DeliveryScenario("787", True, 0.07, 3.4, 21500),
    DeliveryScenario("786", True, 0.02, 4.5, 29000),
    DeliveryScenario("785", True, 0.02, 3.0, 20500),
    DeliveryScenario("784", True, 0.01, 3.5, 23000),
)


@dataclass(frozen=True)
class NewbornScenario:
    """A newborn stay (MS-DRG 789-795): weight, LOS, price, NICU or not."""

    drg: str
    weight: float
    los: float
    base: float
    nicu: bool
    dx: tuple[tuple[str, float], ...]


NEWBORNS: tuple[NewbornScenario, ...] = (
    NewbornScenario("795", 0.86, 2.0, 3400, False, (("Z38.00", 1.0),)),
    NewbornScenario("794", 0.07, 3.2, 9500, False, (("P59.9", 0.7), ("P92.5", 0.3))),
    NewbornScenario("793", 0.035, 6.0, 32000, True, (("P22.1", 0.6), ("P70.4", 0.4))),
    NewbornScenario("792", 0.02, 9.0, 45000, True, (("P07.38", 1.0),)),
    NewbornScenario("791", 0.01, 18.0, 110000, True, (("P07.35", 0.6), ("P22.1", 0.4))),
    NewbornScenario("790", 0.005, 45.0, 260000, True, (("P07.16", 0.5), ("P07.25", 0.5))),
)

STATE_COST_INDEX: dict[str, float] = {
    "OH": 0.93,
    "PA": 1.00,
    "NY": 1.15,
    "NJ": 1.10,
    "MA": 1.18,
    "MI": 0.95,
    "IL": 1.02,
    "IN": 0.95,
    "WI": 1.06,
    "MN": 1.05,
    "MO": 0.92,
    "WV": 0.92,
    "KY": 0.90,
    "TX": 0.98,
    "GA": 0.96,
    "FL": 0.99,
    "NC": 0.98,
    "TN": 0.90,
    "CO": 1.04,
    "AZ": 0.95,
    "WA": 1.10,
    "OR": 1.06,
    "CA": 1.16,
}
"""Relative commercial price level by state (our estimate; 1.00 = book average)."""
