"""Vectorised claim and claim-line sets, and the slot mechanism that fills claims with lines.

A ``ClaimSet`` holds parallel arrays at two grains: claims (one row per claim) and lines (one
row per claim line, ``line_claim`` pointing at its claim). Event generators build sets; the
block pipeline concatenates them, orders them and turns them into ``medical_claim`` rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from clientdesk.synth.procedures import HCPCS_INDEX, MOD_INDEX, REV_INDEX

N_DX = 8
"""Diagnosis columns the generator fills (the rest of Tuva's 25 stay null)."""

# claim kinds (service families); values are stored in claim_processing.service_family
KINDS: tuple[str, ...] = (
    "office_visit",
    "preventive_visit",
    "telehealth_visit",
    "urgent_care",
    "laboratory",
    "imaging",
    "advanced_imaging",
    "ed_facility",
    "ed_professional",
    "ambulance",
    "outpatient_surgery_facility",
    "outpatient_surgery_professional",
    "anesthesia",
    "pathology",
    "inpatient_facility",
    "inpatient_professional",
    "delivery_facility",
    "delivery_professional",
    "newborn_facility",
    "newborn_professional",
    "prenatal",
    "behavioral_health",
    "physical_medicine",
    "infusion",
    "dialysis",
    "dme",
    "radiology_professional",
)
KIND: dict[str, int] = {k: i for i, k in enumerate(KINDS)}

# cost-sharing classes
CS_DEDUCTIBLE, CS_PCP, CS_SPECIALIST, CS_ED, CS_URGENT, CS_TELEHEALTH, CS_PREVENTIVE = range(7)

PROFESSIONAL, INSTITUTIONAL = 0, 1


@dataclass
class ClaimSet:
    """Claims and their lines (see module docstring for the grain of each array)."""

    member: np.ndarray
    kind: np.ndarray
    claim_type: np.ndarray
    start: np.ndarray
    end: np.ndarray
    billing: np.ndarray
    rendering: np.ndarray
    facility: np.ndarray
    admit: np.ndarray
    discharge: np.ndarray
    bill_type: np.ndarray
    drg: np.ndarray
    disposition: np.ndarray
    admit_type: np.ndarray
    admit_source: np.ndarray
    out_of_network: np.ndarray
    dx: np.ndarray
    px: np.ndarray
    cost_class: np.ndarray
    line_claim: np.ndarray
    line_hcpcs: np.ndarray
    line_mod: np.ndarray
    line_rev: np.ndarray
    line_pos: np.ndarray
    line_units: np.ndarray
    line_allowed: np.ndarray
    line_start: np.ndarray
    line_end: np.ndarray
    extras: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def n_claims(self) -> int:
        """Number of claims."""
        return len(self.member)

    @property
    def n_lines(self) -> int:
        """Number of lines."""
        return len(self.line_claim)


def new_claims(
    member: np.ndarray,
    kind: str,
    claim_type: int,
    start: np.ndarray,
    billing: np.ndarray,
    *,
    end: np.ndarray | None = None,
    rendering: np.ndarray | None = None,
    facility: np.ndarray | None = None,
    dx1: np.ndarray | None = None,
    cost_class: int = CS_DEDUCTIBLE,
) -> ClaimSet:
    """Claims with no lines yet; optional fields default to 'absent' (-1)."""
    n = len(member)
    minus = np.full(n, -1, dtype=np.int32)
    dx = np.full((n, N_DX), -1, dtype=np.int32)
    if dx1 is not None:
        dx[:, 0] = dx1
    empty_i = np.zeros(0, dtype=np.int32)
    return ClaimSet(
        member=member.astype(np.int64),
        kind=np.full(n, KIND[kind], dtype=np.int8),
        claim_type=np.full(n, claim_type, dtype=np.int8),
        start=start.astype(np.int32),
        end=(end if end is not None else start).astype(np.int32),
        billing=billing.astype(np.int64),
        rendering=(rendering if rendering is not None else minus).astype(np.int64),
        facility=(facility if facility is not None else minus).astype(np.int64),
        admit=minus.copy(),
        discharge=minus.copy(),
        bill_type=minus.astype(np.int8),
        drg=minus.astype(np.int16),
        disposition=minus.astype(np.int8),
        admit_type=minus.astype(np.int8),
        admit_source=minus.astype(np.int8),
        out_of_network=np.zeros(n, dtype=bool),
        dx=dx,
        px=minus.astype(np.int16),
        cost_class=np.full(n, cost_class, dtype=np.int8),
        line_claim=np.zeros(0, dtype=np.int64),
        line_hcpcs=empty_i.copy(),
        line_mod=np.zeros(0, dtype=np.int8),
        line_rev=np.zeros(0, dtype=np.int16),
        line_pos=np.zeros(0, dtype=np.int8),
        line_units=empty_i.copy(),
        line_allowed=np.zeros(0, dtype=np.float64),
        line_start=empty_i.copy(),
        line_end=empty_i.copy(),
    )


@dataclass(frozen=True)
class Slot:
    """A possible line on a claim: probability, code choices, revenue code, units, modifier.

    ``share`` is the line's weight when a facility claim's allowed amount is spread over its
    lines; professional lines are priced from their code instead.
    """

    p: float
    codes: tuple[str, ...] = ()
    weights: tuple[float, ...] = ()
    rev: str = ""
    units: tuple[int, int] = (1, 1)
    mod: str = ""
    share: float = 1.0


@dataclass
class SlotLines:
    """Lines produced from slots (grain: one row per line), before pricing."""

    claim: np.ndarray
    hcpcs: np.ndarray
    rev: np.ndarray
    mod: np.ndarray
    units: np.ndarray
    share: np.ndarray
    slot: np.ndarray


def expand_slots(
    n_claims: int,
    slots: list[tuple[Slot, np.ndarray | None]],
    rng: np.random.Generator,
) -> SlotLines:
    """Draw each slot for every claim; ``mask`` (or None) restricts which claims may get it.

    Lines come out ordered by claim, then slot order, so line numbers follow the slot list.
    """
    claims: list[np.ndarray] = []
    hcpcs: list[np.ndarray] = []
    revs: list[np.ndarray] = []
    mods: list[np.ndarray] = []
    units: list[np.ndarray] = []
    shares: list[np.ndarray] = []
    order: list[np.ndarray] = []
    for k, (slot, mask) in enumerate(slots):
        take = rng.random(n_claims) < slot.p if slot.p < 1.0 else np.ones(n_claims, bool)
        if mask is not None:
            take &= mask
        idx = np.nonzero(take)[0]
        m = len(idx)
        if m == 0:
            continue
        if slot.codes:
            code_idx = np.array([HCPCS_INDEX[c] for c in slot.codes], dtype=np.int32)
            if len(slot.codes) == 1:
                chosen = np.full(m, code_idx[0], dtype=np.int32)
            else:
                w = np.array(slot.weights or [1.0] * len(slot.codes), dtype=np.float64)
                chosen = code_idx[rng.choice(len(slot.codes), size=m, p=w / w.sum())]
        else:
            chosen = np.full(m, -1, dtype=np.int32)
        lo, hi = slot.units
        u = np.full(m, lo, dtype=np.int32) if lo == hi else rng.integers(lo, hi + 1, m)
        claims.append(idx)
        hcpcs.append(chosen)
        revs.append(np.full(m, REV_INDEX[slot.rev] if slot.rev else -1, dtype=np.int16))
        mods.append(np.full(m, MOD_INDEX[slot.mod] if slot.mod else -1, dtype=np.int8))
        units.append(u.astype(np.int32))
        shares.append(np.full(m, slot.share))
        order.append(np.full(m, k, dtype=np.int32))
    if not claims:
        z = np.zeros(0, dtype=np.int64)
        return SlotLines(
            z,
            z.astype(np.int32),
            z.astype(np.int16),
            z.astype(np.int8),
            z.astype(np.int32),
            z.astype(np.float64),
            z.astype(np.int32),
        )
    c = np.concatenate(claims)
    s = np.concatenate(order)
    perm = np.lexsort((s, c))
    return SlotLines(
        claim=c[perm].astype(np.int64),
        hcpcs=np.concatenate(hcpcs)[perm],
        rev=np.concatenate(revs)[perm],
        mod=np.concatenate(mods)[perm],
        units=np.concatenate(units)[perm],
        share=np.concatenate(shares)[perm],
        slot=s[perm],
    )


def attach_lines(
    claims: ClaimSet,
    lines: SlotLines,
    allowed: np.ndarray,
    pos: int | np.ndarray = -1,
    line_start: np.ndarray | None = None,
) -> ClaimSet:
    """Put priced lines on claims (line dates default to the claim's dates)."""
    claims.line_claim = lines.claim
    claims.line_hcpcs = lines.hcpcs
    claims.line_mod = lines.mod
    claims.line_rev = lines.rev
    claims.line_units = lines.units
    claims.line_allowed = allowed.astype(np.float64)
    n = len(lines.claim)
    if isinstance(pos, np.ndarray):
        claims.line_pos = pos.astype(np.int8)
    else:
        claims.line_pos = np.full(n, pos, dtype=np.int8)
    if line_start is None:
        claims.line_start = claims.start[lines.claim]
        claims.line_end = claims.end[lines.claim]
    else:
        claims.line_start = line_start.astype(np.int32)
        claims.line_end = line_start.astype(np.int32)
    return claims


def allocate(total: np.ndarray, lines: SlotLines) -> np.ndarray:
    """Spread each claim's ``total`` over its lines in proportion to the slot shares."""
    weights = lines.share
    per_claim = np.bincount(lines.claim, weights=weights, minlength=len(total))
    return np.asarray(total[lines.claim] * weights) / np.where(
        per_claim[lines.claim] > 0, per_claim[lines.claim], 1.0
    )


def concat(sets: list[ClaimSet]) -> ClaimSet:
    """One set from many (line claim pointers are re-based)."""
    sets = [s for s in sets if s.n_claims]
    offsets = np.cumsum([0] + [s.n_claims for s in sets])

    def cat(name: str) -> np.ndarray:
        return np.concatenate([getattr(s, name) for s in sets])

    fields: dict[str, Any] = {
        name: cat(name)
        for name in (
            "member",
            "kind",
            "claim_type",
            "start",
            "end",
            "billing",
            "rendering",
            "facility",
            "admit",
            "discharge",
            "bill_type",
            "drg",
            "disposition",
            "admit_type",
            "admit_source",
            "out_of_network",
            "dx",
            "px",
            "cost_class",
            "line_hcpcs",
            "line_mod",
            "line_rev",
            "line_pos",
            "line_units",
            "line_allowed",
            "line_start",
            "line_end",
        )
    }
    fields["line_claim"] = np.concatenate([s.line_claim + offsets[i] for i, s in enumerate(sets)])
    return ClaimSet(**fields)


def take_claims(cs: ClaimSet, order: np.ndarray) -> ClaimSet:
    """Reorder (or subset) claims; lines follow their claims and keep their order."""
    n = cs.n_claims
    new_pos = np.full(n, -1, dtype=np.int64)
    new_pos[order] = np.arange(len(order))
    keep = new_pos[cs.line_claim] >= 0
    lc = new_pos[cs.line_claim[keep]]
    line_idx = np.nonzero(keep)[0]
    perm = np.lexsort((line_idx, lc))
    sel = line_idx[perm]
    claim_fields = (
        "member",
        "kind",
        "claim_type",
        "start",
        "end",
        "billing",
        "rendering",
        "facility",
        "admit",
        "discharge",
        "bill_type",
        "drg",
        "disposition",
        "admit_type",
        "admit_source",
        "out_of_network",
        "dx",
        "px",
        "cost_class",
    )
    kwargs: dict[str, Any] = {name: getattr(cs, name)[order] for name in claim_fields}
    line_fields = (
        "line_hcpcs",
        "line_mod",
        "line_rev",
        "line_pos",
        "line_units",
        "line_allowed",
        "line_start",
        "line_end",
    )
    kwargs.update({name: getattr(cs, name)[sel] for name in line_fields})
    return ClaimSet(**kwargs, line_claim=lc[perm])
