"""Service categories: the Tuva Project's three-level grouper, as rules over claim fields.

Every final-action medical line gets exactly one leaf (service_category_1 / _2 / _3). As in
Tuva (`claims_preprocessing/service_category`):

- An institutional claim is **inpatient** when any line has a bill type starting with one of
  Tuva's inpatient prefixes (11, 12, 21, 82, 15-18, 22, 25-28, 31, 41, 42, 45-48, 61, 62,
  65-68) or carries a DRG; every other institutional claim is **outpatient**. Inpatient and
  outpatient institutional categories are decided for the whole claim (header level);
  outpatient lab, radiology, therapy, pharmacy and ambulance revenue codes are decided per
  line (line level).
- Professional lines are grouped line by line, mostly by place of service: 23 or HCPCS
  99281-99285 / G0380-G0384 is the emergency department, 11 is office-based, 02 and 10 are
  telehealth, 21 is acute inpatient, 81 (or a lab CPT) is lab, and so on.
- When several categories fit a line, the one with the lowest **priority** (Tuva's seed
  `service_category__service_categories`, times 10) wins; a line no rule fits is `other`.
- **Emergency department** (institutional): revenue 0450-0459 or 0981, or the ED HCPCS. An
  inpatient claim with those revenue codes stays inpatient and is flagged `ed_flag`
  (admitted through the ED). Revenue 0456 (urgent care) is urgent care, which ranks first.
- **Acute inpatient**: inpatient with a DRG. Maternity by MS-DRG (768, 796-798, 805-807
  vaginal; 783-788 cesarean; 795 newborn; 789-794 or revenue 0173/0174 NICU); psychiatric
  (876, 880-887), substance use (894-897) and rehabilitation (945-946) by DRG; skilled
  nursing and hospice by bill type. Inpatient claims without a DRG are "acute inpatient -
  other".

Where Tuva looks codes up in terminology we do not ship, the rules say so in the leaf table:
medical vs surgical stays use the claim's ICD-10-PCS procedure or an operating-room revenue
code (036x) instead of the MS-DRG's M/P flag; outpatient surgery, lab, radiology modality
(CT/MRI/PET/general) and therapy use CPT/HCPCS ranges and revenue codes instead of CCS
categories and Tuva's modality table. `docs/utilization.md` lists every rule.
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import pandas as pd


@dataclass(frozen=True)
class Leaf:
    key: str
    category_1: str
    category_2: str
    category_3: str
    priority: int


LEAVES: tuple[Leaf, ...] = (
    Leaf("dme", "ancillary", "durable medical equipment", "durable medical equipment", 0),
    Leaf("ambulance", "ancillary", "ambulance", "ambulance", 10),
    Leaf("urgent_care", "outpatient", "urgent care", "urgent care", 20),
    Leaf("ld_vaginal", "inpatient", "labor and delivery", "vaginal delivery", 50),
    Leaf("ld_cesarean", "inpatient", "labor and delivery", "cesarean delivery", 60),
    Leaf("ld_newborn", "inpatient", "labor and delivery", "newborn", 70),
    Leaf("ld_nicu", "inpatient", "labor and delivery", "newborn nicu", 80),
    Leaf("ld_other", "inpatient", "labor and delivery", "other", 90),
    Leaf(
        "ip_substance_use", "inpatient", "inpatient substance use", "inpatient substance use", 100
    ),
    Leaf("ed", "outpatient", "emergency department", "emergency department", 130),
    Leaf("snf", "inpatient", "skilled nursing", "skilled nursing", 140),
    Leaf("ip_hospice", "inpatient", "inpatient hospice", "inpatient hospice", 150),
    Leaf("op_surgery", "outpatient", "outpatient surgery", "outpatient surgery", 155),
    Leaf("asc", "outpatient", "ambulatory surgery center", "ambulatory surgery center", 160),
    Leaf("home_health", "outpatient", "home health", "home health", 170),
    Leaf("op_hospice", "outpatient", "outpatient hospice", "outpatient hospice", 180),
    Leaf("ip_psych", "inpatient", "inpatient psychiatric", "inpatient psychiatric", 190),
    Leaf("ip_rehab", "inpatient", "inpatient rehabilitation", "inpatient rehabilitation", 200),
    Leaf("lab", "ancillary", "lab", "lab", 210),
    Leaf("op_psych", "outpatient", "outpatient psychiatric", "outpatient psychiatric", 230),
    Leaf("dialysis", "outpatient", "dialysis", "dialysis", 250),
    Leaf("office_other", "office-based", "office-based other", "office-based other", 270),
    Leaf("office_visit", "office-based", "office-based visit", "office-based visit", 280),
    Leaf("telehealth", "office-based", "telehealth visit", "telehealth visit", 285),
    Leaf("observation", "outpatient", "observation", "observation", 290),
    Leaf("office_surgery", "office-based", "office-based surgery", "office-based surgery", 300),
    Leaf("op_pt", "outpatient", "outpatient pt/ot/st", "outpatient pt/ot/st", 310),
    Leaf("office_pt", "office-based", "office-based pt/ot/st", "office-based pt/ot/st", 320),
    Leaf("op_rad_general", "outpatient", "outpatient radiology", "general", 330),
    Leaf("op_rad_ct", "outpatient", "outpatient radiology", "ct", 340),
    Leaf("op_rad_mri", "outpatient", "outpatient radiology", "mri", 350),
    Leaf("op_rad_pet", "outpatient", "outpatient radiology", "pet", 360),
    Leaf("office_rad_general", "office-based", "office-based radiology", "general", 370),
    Leaf("office_rad_ct", "office-based", "office-based radiology", "ct", 380),
    Leaf("office_rad_mri", "office-based", "office-based radiology", "mri", 390),
    Leaf("office_rad_pet", "office-based", "office-based radiology", "pet", 400),
    Leaf("acute_medical", "inpatient", "acute inpatient", "medical", 410),
    Leaf("acute_surgical", "inpatient", "acute inpatient", "surgical", 420),
    Leaf("office_pharmacy", "office-based", "office-based pharmacy", "office-based pharmacy", 425),
    Leaf("op_pharmacy", "outpatient", "outpatient pharmacy", "outpatient pharmacy", 430),
    Leaf(
        "op_hospital",
        "outpatient",
        "outpatient hospital or clinic",
        "outpatient hospital or clinic",
        990,
    ),
    Leaf("other", "other", "other", "other", 9990),
    Leaf("acute_other", "inpatient", "acute inpatient", "acute inpatient - other", 99990),
)
# Tuva names its categories in lower case (kept so in the data: they join with Tuva's marts);
# pages, exports and reports write them in title case, acronyms in capitals.
_ACRONYMS = {"ct", "mri", "pet", "nicu", "pt", "ot", "st", "dme", "ed", "asc", "snf"}
_SMALL_WORDS = {"and", "of", "or", "the", "in"}


def category_title(name: str) -> str:
    """ "office-based pt/ot/st" -> "Office-Based PT/OT/ST"; "newborn nicu" -> "Newborn NICU"."""

    def word(part: str) -> str:
        return part.upper() if part in _ACRONYMS else part[:1].upper() + part[1:]

    def token_title(index: int, token: str) -> str:
        if index and token in _SMALL_WORDS:
            return token
        return "/".join("-".join(word(p) for p in piece.split("-")) for piece in token.split("/"))

    return " ".join(token_title(i, t) for i, t in enumerate(name.split(" ")))


LEAF_BY_KEY = {leaf.key: leaf for leaf in LEAVES}
ACUTE_STAY_LEAVES = (
    "acute_medical",
    "acute_surgical",
    "acute_other",
    "ld_vaginal",
    "ld_cesarean",
    "ld_newborn",
    "ld_nicu",
    "ld_other",
)
MATERNITY_LEAVES = ("ld_vaginal", "ld_cesarean", "ld_newborn", "ld_nicu", "ld_other")
ADVANCED_IMAGING_LEAVES = (
    "op_rad_ct",
    "op_rad_mri",
    "op_rad_pet",
    "office_rad_ct",
    "office_rad_mri",
    "office_rad_pet",
)

INPATIENT_BILL_PREFIXES = (
    "11",
    "12",
    "21",
    "82",
    "15",
    "16",
    "17",
    "18",
    "22",
    "25",
    "26",
    "27",
    "28",
    "31",
    "41",
    "42",
    "45",
    "46",
    "47",
    "48",
    "61",
    "62",
    "65",
    "66",
    "67",
    "68",
)
SNF_BILL_PREFIXES = ("18", "21", "22", "25", "26", "27", "28")
ED_HCPCS = (
    "99281",
    "99282",
    "99283",
    "99284",
    "99285",
    "G0380",
    "G0381",
    "G0382",
    "G0383",
    "G0384",
)
URGENT_CARE_HCPCS = ("S9083", "S9088")
OBSERVATION_HCPCS = (
    "99217",
    "99218",
    "99219",
    "99220",
    "99224",
    "99225",
    "99226",
    "G0378",
    "G0379",
)
VAGINAL_DELIVERY_CPT = ("59400", "59409", "59410", "59610", "59612", "59614")
CESAREAN_DELIVERY_CPT = ("59510", "59514", "59515", "59618", "59620", "59622")
OFFICE_VISIT_EXTRA = ("G0402", "G0438", "G0439")
OUTPATIENT_POS = ("15", "17", "19", "22", "49", "50", "60", "71", "72")


def _between(value: ir.StringValue, low: str, high: str) -> ir.BooleanValue:
    """`low <= value <= high` for codes of the same width (string order = code order)."""
    return (value >= low) & (value <= high)


def _drg_in(drg: ir.StringValue, *ranges: tuple[str, str]) -> ir.BooleanValue:
    return ibis.or_(*[_between(drg, low, high) for low, high in ranges])


def _cpt(hcpcs: ir.StringValue) -> ir.BooleanValue:
    """A five-digit CPT code (not a HCPCS level II, category II or III code)."""
    first, last = hcpcs.substr(0, 1), hcpcs.substr(4, 1)
    return (hcpcs.length() == 5) & _between(first, "0", "9") & _between(last, "0", "9")


def _modality(code_is: dict[str, ir.BooleanValue], prefix: str) -> ir.StringValue:
    return ibis.cases(
        (code_is["pet"], f"{prefix}_pet"),
        (code_is["mri"], f"{prefix}_mri"),
        (code_is["ct"], f"{prefix}_ct"),
        else_=f"{prefix}_general",
    )


def _imaging_cpt(h: ir.StringValue) -> dict[str, ir.BooleanValue]:
    """CT / MRI / PET by CPT range (Tuva uses its modality table; these are the AMA ranges)."""
    return {
        "ct": ibis.or_(
            _between(h, "70450", "70498"),
            _between(h, "71250", "71275"),
            _between(h, "72125", "72133"),
            _between(h, "72191", "72194"),
            _between(h, "73200", "73206"),
            _between(h, "73700", "73706"),
            _between(h, "74150", "74178"),
            _between(h, "74261", "74263"),
            _between(h, "75571", "75574"),
        ),
        "mri": ibis.or_(
            h == "70336",
            _between(h, "70540", "70559"),
            _between(h, "71550", "71555"),
            _between(h, "72141", "72159"),
            _between(h, "72195", "72198"),
            _between(h, "73218", "73225"),
            _between(h, "73718", "73725"),
            _between(h, "74181", "74185"),
            _between(h, "75557", "75565"),
            _between(h, "77046", "77049"),
        ),
        "pet": ibis.or_(
            h == "78459",
            _between(h, "78491", "78492"),
            _between(h, "78608", "78609"),
            _between(h, "78811", "78816"),
        ),
    }


def _professional_leaf(t: ir.Table) -> ir.StringValue:
    """The leaf of a professional line; rules in priority order (first match wins)."""
    pos, h = t.code_pos, t.code_hcpcs
    cpt = _cpt(h)
    imaging = cpt & _between(h, "70010", "79999")
    surgery = cpt & _between(h, "10004", "69990")
    lab = (cpt & _between(h, "80047", "89398")) | (h == "36415")
    therapy = cpt & _between(h, "97010", "97799")
    visit = (cpt & _between(h, "99202", "99499")) | h.isin(OFFICE_VISIT_EXTRA)
    outpatient_pos = pos.isin(OUTPATIENT_POS) | (pos == "")
    modality = _imaging_cpt(h)
    return ibis.cases(
        ((h.length() == 5) & h.substr(0, 1).isin(("E", "K", "L")), "dme"),
        (pos.isin(("41", "42")) | (h.substr(0, 2) == "A0"), "ambulance"),
        ((pos == "20") | h.isin(URGENT_CARE_HCPCS), "urgent_care"),
        ((pos == "21") & h.isin(VAGINAL_DELIVERY_CPT), "ld_vaginal"),
        ((pos == "21") & h.isin(CESAREAN_DELIVERY_CPT), "ld_cesarean"),
        ((pos == "23") | h.isin(ED_HCPCS), "ed"),
        (pos.isin(("31", "32")), "snf"),
        (pos == "34", "ip_hospice"),
        (outpatient_pos & surgery, "op_surgery"),
        (pos == "24", "asc"),
        (pos == "12", "home_health"),
        (pos == "51", "ip_psych"),
        (pos == "61", "ip_rehab"),
        ((pos == "81") | lab, "lab"),
        (pos.isin(("52", "53")), "op_psych"),
        ((pos == "65") | (cpt & _between(h, "90935", "90999")), "dialysis"),
        ((pos == "11") & visit, "office_visit"),
        (pos.isin(("02", "10")), "telehealth"),
        (h.isin(OBSERVATION_HCPCS), "observation"),
        ((pos == "11") & surgery, "office_surgery"),
        (outpatient_pos & therapy, "op_pt"),
        ((pos == "11") & therapy, "office_pt"),
        (outpatient_pos & imaging, _modality(modality, "op_rad")),
        ((pos == "11") & imaging, _modality(modality, "office_rad")),
        ((pos == "11") & (h.substr(0, 1) == "J"), "office_pharmacy"),
        (pos == "11", "office_other"),
        (pos == "21", "acute_other"),
        (outpatient_pos, "op_hospital"),
        else_="other",
    )


def _revenue_flags(t: ir.Table) -> dict[str, ir.BooleanValue]:
    rev, h = t.revenue_center_code.fill_null(""), t.hcpcs_code.fill_null("")
    return {
        "ed": _between(rev, "0450", "0459") & (rev != "0456") | (rev == "0981") | h.isin(ED_HCPCS),
        "urgent_care": (rev == "0456") | h.isin(URGENT_CARE_HCPCS),
        "observation": _between(rev, "0760", "0769") | h.isin(OBSERVATION_HCPCS),
        "psych": (rev == "0513") | _between(rev, "0900", "0919"),
        "dialysis": _between(rev, "0820", "0859"),
        "nicu": rev.isin(("0173", "0174")),
        "operating_room": _between(rev, "0360", "0369") | (rev == "0490"),
        "surgery_cpt": _cpt(h) & _between(h, "10004", "69990"),
        "procedure": t.procedure_code_1.notnull(),
    }


def int_institutional_claims(lines: ir.Table) -> ir.Table:
    """Claim-level facts of institutional claims, for the header-level categories.

    Grain: one row per institutional claim, unique on (claim_id, data_source). Columns:
    claim_id, data_source, bill_prefix, inpatient (bool), drg_code, and any_* flags (any line
    with an ED, urgent-care, observation, psychiatric, dialysis, NICU or operating-room
    revenue code, a surgical CPT, or an ICD-10-PCS procedure)."""
    inst = lines.filter(lines.claim_type == "institutional")
    flags = _revenue_flags(inst)
    bill = inst.bill_type_code.fill_null("")
    prefix = ibis.cases((bill.length() == 4, bill.substr(1, 2)), else_=bill.substr(0, 2))
    claims = inst.group_by(["claim_id", "data_source"]).aggregate(
        bill_prefix=prefix.max(),
        inpatient_bill=prefix.isin(INPATIENT_BILL_PREFIXES).any(),
        drg_code=inst.drg_code.max(),
        **{f"any_{name}": flag.any() for name, flag in flags.items()},
    )
    return claims.mutate(
        inpatient=claims.inpatient_bill.fill_null(False) | claims.drg_code.notnull()
    ).drop("inpatient_bill")


def _inpatient_leaf(c: ir.Table) -> ir.StringValue:
    drg, prefix = c.drg_code.fill_null(""), c.bill_prefix.fill_null("")
    surgical = c.any_procedure | c.any_operating_room
    return ibis.cases(
        (_drg_in(drg, ("768", "768"), ("796", "798"), ("805", "807")), "ld_vaginal"),
        (_drg_in(drg, ("783", "788")), "ld_cesarean"),
        (drg == "795", "ld_newborn"),
        (_drg_in(drg, ("789", "794")) | c.any_nicu, "ld_nicu"),
        (
            _drg_in(
                drg, ("769", "770"), ("776", "776"), ("779", "782"), ("817", "819"), ("831", "833")
            ),
            "ld_other",
        ),
        (_drg_in(drg, ("894", "897")), "ip_substance_use"),
        (prefix.isin(SNF_BILL_PREFIXES), "snf"),
        (prefix == "82", "ip_hospice"),
        (_drg_in(drg, ("876", "876"), ("880", "887")), "ip_psych"),
        (_drg_in(drg, ("945", "946")), "ip_rehab"),
        ((drg != "") & surgical, "acute_surgical"),
        (drg != "", "acute_medical"),
        else_="acute_other",
    )


def _outpatient_header_leaf(c: ir.Table) -> ir.StringValue:
    prefix = c.bill_prefix.fill_null("")
    return ibis.cases(
        (c.any_urgent_care, "urgent_care"),
        (c.any_ed, "ed"),
        ((prefix != "83") & (c.any_surgery_cpt | c.any_operating_room), "op_surgery"),
        (prefix == "83", "asc"),
        (prefix.isin(("32", "33", "34")), "home_health"),
        (prefix == "81", "op_hospice"),
        (c.any_psych, "op_psych"),
        ((prefix == "72") | c.any_dialysis, "dialysis"),
        (c.any_observation, "observation"),
        else_="op_hospital",
    )


def _outpatient_line_leaf(t: ir.Table) -> ir.StringValue:
    rev = t.code_revenue
    modality = {
        "pet": _between(rev, "0340", "0349") | (rev == "0404"),
        "mri": _between(rev, "0610", "0619"),
        "ct": _between(rev, "0350", "0359"),
    }
    imaging = ibis.or_(
        _between(rev, "0320", "0329"), _between(rev, "0400", "0409"), *modality.values()
    )
    return ibis.cases(
        (_between(rev, "0540", "0549"), "ambulance"),
        (_between(rev, "0300", "0319"), "lab"),
        (_between(rev, "0420", "0449"), "op_pt"),
        (imaging, _modality(modality, "op_rad")),
        (_between(rev, "0250", "0259") | _between(rev, "0630", "0639"), "op_pharmacy"),
        else_=ibis.null("string"),
    )


def _priority(leaf: ir.StringValue) -> ir.IntegerValue:
    return leaf.substitute({x.key: x.priority for x in LEAVES}, else_=99999).cast("int64")


CODE_KEY = ("code_claim_type", "code_pos", "code_hcpcs", "code_revenue")


def _code_key(lines: ir.Table) -> ir.Table:
    return lines.mutate(
        code_claim_type=lines.claim_type.fill_null(""),
        code_pos=lines.place_of_service_code.fill_null(""),
        code_hcpcs=lines.hcpcs_code.fill_null(""),
        code_revenue=lines.revenue_center_code.fill_null(""),
    )


def int_line_code_leaves(lines: ir.Table) -> ir.Table:
    """The line-level category of every distinct combination of the codes that decide it.

    Evaluating the rules once per combination (a few thousand) instead of once per line
    keeps the grouper fast on tens of millions of lines; the result is joined back.

    Grain: one row per CODE_KEY (claim type, place of service, HCPCS, revenue code; empty codes
    as ''). Columns: those, line_leaf (null when no line-level rule applies), line_priority."""
    codes = _code_key(lines).select(*CODE_KEY).distinct()
    leaves = codes.mutate(
        line_leaf=ibis.cases(
            (codes.code_claim_type == "professional", _professional_leaf(codes)),
            (codes.code_claim_type == "institutional", _outpatient_line_leaf(codes)),
            else_=ibis.null("string"),
        )
    )
    return leaves.mutate(line_priority=_priority(leaves.line_leaf))


def int_service_category_lines(lines: ir.Table) -> ir.Table:
    """Each staged line with its service category leaf.

    Grain: one row per claim line, unique on (claim_id, claim_line_number, data_source).
    Columns: the staged columns plus service_leaf (a key of LEAVES; `with_service_categories`
    adds its three levels) and ed_flag (an inpatient claim with ED revenue: admitted through
    the emergency department)."""
    claims = int_institutional_claims(lines)
    header = claims.select(
        "claim_id",
        "data_source",
        claim_inpatient=claims.inpatient,
        claim_ed=claims.any_ed,
        header_leaf=ibis.cases(
            (claims.inpatient, _inpatient_leaf(claims)), else_=_outpatient_header_leaf(claims)
        ),
    )
    header = header.mutate(header_priority=_priority(header.header_leaf))
    coded = _code_key(lines).left_join(int_line_code_leaves(lines), list(CODE_KEY))
    coded = coded.select(*lines.columns, "line_leaf", "line_priority")
    joined = coded.left_join(header, ["claim_id", "data_source"])
    institutional = ibis.cases(
        (
            ~joined.claim_inpatient
            & joined.line_leaf.notnull()
            & (joined.line_priority < joined.header_priority),
            joined.line_leaf,
        ),
        else_=joined.header_leaf,
    )
    leaf = ibis.cases(
        (joined.claim_type == "professional", joined.line_leaf),
        (joined.claim_type == "institutional", institutional),
        else_="other",
    )
    return joined.select(
        *lines.columns,
        service_leaf=leaf,
        ed_flag=(joined.claim_inpatient & joined.claim_ed).fill_null(False),
    )


def leaf_table() -> ir.Table:
    """Grain: one row per leaf. Columns: service_leaf, service_category_1/2/3, priority."""
    frame = pd.DataFrame(
        [(x.key, x.category_1, x.category_2, x.category_3, x.priority) for x in LEAVES],
        columns=[
            "service_leaf",
            "service_category_1",
            "service_category_2",
            "service_category_3",
            "priority",
        ],
    )
    return ibis.memtable(frame)


def with_service_categories(table: ir.Table) -> ir.Table:
    """`table` (with a service_leaf column) with the leaf's three category levels."""
    leaves = leaf_table().drop("priority")
    return table.join(leaves, "service_leaf")
