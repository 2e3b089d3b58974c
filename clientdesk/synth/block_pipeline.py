"""One block of members end to end: eligibility, medical claims with their processing events,
pharmacy fills and claims inquiries, each written as one Parquet part.

Grain of the parts: ``eligibility`` one row per enrollment span; ``medical_claim`` one row
per claim line (originals, reversals, replacements); ``claim_processing`` one row per
medical ``claim_id``; ``pharmacy_claim`` one row per fill; ``inquiry_import`` one row per
inquiry.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from clientdesk.synth import arrow_io as ax
from clientdesk.synth.blocks import Block, BlockMembers, block_members
from clientdesk.synth.book_context import (
    DATA_SOURCE,
    PAYER,
    BookContext,
    person_numbers,
    subscriber_numbers,
)
from clientdesk.synth.claim_sets import KINDS, ClaimSet, take_claims
from clientdesk.synth.cost_sharing import apply_cost_sharing
from clientdesk.synth.drugs import catalogue
from clientdesk.synth.incident_model import CLAIM_SIDE
from clientdesk.synth.inquiries import (
    CHANNELS,
    PRIORITIES,
    REQUESTERS,
    STATUSES,
    InquiryRows,
    inquiry_work,
    service_team,
)
from clientdesk.synth.inquiries import claim_inquiries as make_claim_inquiries
from clientdesk.synth.medical import DRG_CODES, Context, medical_events
from clientdesk.synth.names import FEMALE_FIRST, LAST, MALE_FIRST, STREET_SUFFIXES, STREETS
from clientdesk.synth.narratives import CATEGORIES
from clientdesk.synth.pharmacy import Fills, fills_for_block
from clientdesk.synth.population import RELATIONS
from clientdesk.synth.procedures import (
    ADMIT_SOURCES,
    ADMIT_TYPES,
    BILL_TYPES,
    DISPOSITIONS,
    HCPCS_CODES,
    MODIFIERS,
    PCS_CODES,
    PLACES_OF_SERVICE,
    REVENUE_CODES,
)
from clientdesk.synth.processing import (
    AUDIT_FINDINGS,
    CARC_CODES,
    CARC_GROUP,
    PEND_REASONS,
    REPLACEMENT_SHARE,
    VOID_SHARE,
    Lifecycle,
    adjudicate,
    audit,
)
from clientdesk.synth.quotas import year_of
from clientdesk.synth.random_streams import Stream, stream
from clientdesk.synth.schemas import (
    CLAIM_PROCESSING,
    ELIGIBILITY,
    INQUIRY_IMPORT,
    MEDICAL_CLAIM,
    PHARMACY_CLAIM,
)
from clientdesk.synth.series import count_series
from clientdesk.synth.sponsors import PLANS

MICROS_DAY = 86_400_000_000


@dataclass
class PartResult:
    """What a worker wrote: rows per table and daily counts of incident series."""

    rows: dict[str, int] = field(default_factory=dict)
    series: dict[int, np.ndarray] = field(default_factory=dict)
    expected: dict[int, float] = field(default_factory=dict)

    def add_series(self, incident: int, counts: np.ndarray) -> None:
        """Accumulate daily counts for an incident's series."""
        if incident in self.series:
            self.series[incident] = self.series[incident] + counts
        else:
            self.series[incident] = counts.copy()


def _member_ids(ctx: BookContext, rows: np.ndarray) -> tuple[pa.Array, pa.Array, pa.Array]:
    pop = ctx.population
    sub = ax.numbered("W", subscriber_numbers(pop.household[rows]), 9)
    member = pc.binary_join_element_wise(
        sub,
        pc.utf8_lpad(
            pc.cast(pa.array(pop.member_no[rows].astype(np.int64)), pa.string()),
            width=2,
            padding="0",
        ),
        "",
    )
    person = ax.numbered("P", person_numbers(rows), 9)
    return person, sub, member


def _day_counts(days: np.ndarray, ctx: BookContext) -> np.ndarray:
    idx = days - ctx.window.first_day
    idx = idx[(idx >= 0) & (idx < ctx.window.days)]
    return np.bincount(idx, minlength=ctx.window.days).astype(np.int64)


def run_block(ctx: BookContext, block: Block) -> PartResult:
    """Generate and write every claim-side table of one block."""
    result = PartResult()
    window = ctx.window
    mb = block_members(block, ctx.population, ctx.sponsors, ctx.directory, ctx.dx)
    person, subscriber, member = _member_ids(ctx, mb.rows)
    result.rows["eligibility"] = ax.write_part(
        ctx.out_dir, "eligibility", block.index, _eligibility(ctx, mb, person, subscriber, member)
    )
    med_rng = stream(ctx.seed, Stream.MEDICAL, block.index)
    mctx = Context(mb, ctx.directory, ctx.dx, med_rng, window.first_day, window.last_day)
    cs = medical_events(mctx, ctx.population, block.lo, block.hi, window.month_starts)
    incidents = ctx.incidents_for(mb.account, CLAIM_SIDE)
    levels = [s.levels for s in ctx.sponsors]
    proc_rng = stream(ctx.seed, Stream.PROCESSING, block.index)
    life = adjudicate(cs, mb, levels, incidents, window.extract_day, proc_rng)
    # claims paid by the extract date, in member / service-date order (claim ids follow it)
    keep = np.nonzero(life.included)[0]
    order = keep[np.lexsort((cs.billing[keep], cs.kind[keep], cs.start[keep], cs.member[keep]))]
    # claims in process on the extract date (received, not yet paid): after the paid ones
    waiting = np.nonzero(~life.included & (life.received <= window.extract_day))[0]
    waiting = waiting[
        np.lexsort((cs.billing[waiting], cs.kind[waiting], cs.start[waiting], cs.member[waiting]))
    ]
    every = np.concatenate([order, waiting])
    cs_every = take_claims(cs, every)
    life_every = Lifecycle(**{k: getattr(life, k)[every] for k in life.__dataclass_fields__})
    cs = take_claims(cs, order)
    life = Lifecycle(**{k: getattr(life, k)[order] for k in life.__dataclass_fields__})
    # prices follow each sponsor's hidden cost trend (after adjudication: no draw moves)
    for claims in (cs, cs_every):
        line_account = mb.account[claims.member[claims.line_claim]]
        claims.line_allowed = claims.line_allowed * ctx.price_index(line_account, claims.line_start)
    medical, processing, claim_info = _medical_tables(
        ctx, block, mb, cs, life, member, person, proc_rng
    )
    in_process = _in_process_table(
        ctx,
        block,
        mb,
        cs_every,
        life_every,
        order.size,
        member,
        stream(ctx.seed, Stream.IN_PROCESS, block.index),
    )
    result.rows["medical_claim"] = ax.write_part(ctx.out_dir, "medical_claim", block.index, medical)
    result.rows["claim_processing"] = ax.write_part(
        ctx.out_dir,
        "claim_processing",
        block.index,
        pa.concat_tables([processing, in_process]),
    )
    rx_rng = stream(ctx.seed, Stream.PHARMACY, block.index)
    fills = fills_for_block(
        mb,
        ctx.directory,
        ctx.dx,
        mctx.rx,
        rx_rng,
        window.first_day,
        window.last_day,
        price_index=ctx.price_index,
    )
    result.rows["pharmacy_claim"] = ax.write_part(
        ctx.out_dir,
        "pharmacy_claim",
        block.index,
        _pharmacy_table(ctx, block, mb, fills, member, person),
    )
    inq_rng = stream(ctx.seed, Stream.CLAIM_INQUIRIES, block.index)
    rows = make_claim_inquiries(
        account=claim_info["account"],
        member_row=mb.rows[cs.member],
        claim_ref=claim_info["claim_id"],
        finalized=life.finalized,
        received=life.received,
        denied=life.denied,
        carc=claim_info["carc"],
        service=claim_info["service"],
        provider=claim_info["provider"],
        incident_claim=life.incident,
        forced_delay=(life.pend_reason == PEND_REASONS.index("pricing")) & (life.incident >= 0),
        sponsors=ctx.sponsors,
        window=window,
        extract_micros=(window.last_day + 1) * MICROS_DAY,
        rng=inq_rng,
    )
    inquiries = inquiry_table(ctx, rows, f"CS{block.index:04d}")
    result.rows["inquiry_import"] = ax.write_part(
        ctx.out_dir, "inquiry_import", block.index, inquiries
    )
    tables = {"claim_processing": processing, "inquiry_import": inquiries}
    record_series(ctx, mb.account, tables, result)
    return result


def _eligibility(
    ctx: BookContext, mb: BlockMembers, person: pa.Array, subscriber: pa.Array, member: pa.Array
) -> pa.Table:
    pop = ctx.population
    rows = mb.rows
    two = mb.e2 >= mb.s2
    idx = np.concatenate([np.arange(mb.n), np.nonzero(two)[0]])
    idx.sort(kind="stable")
    second = np.r_[False, idx[1:] == idx[:-1]]
    start = np.where(second, mb.s2[idx], mb.s1[idx])
    end = np.where(second, mb.e2[idx], mb.e1[idx])
    n = idx.size
    g = pop.account[rows][idx]
    r = rows[idx]
    take = pa.array(idx)
    female = pop.female[r]
    first_names = np.where(female, pop.first_name[r], pop.first_name[r] + len(FEMALE_FIRST))
    first_pool = pa.array([*FEMALE_FIRST, *MALE_FIRST])
    sponsors = ctx.sponsors
    state_code = np.array([s.state.code for s in sponsors])
    city_names = [[c.name for c in s.state.cities] for s in sponsors]
    zip3 = [[c.zip3 for c in s.state.cities] for s in sponsors]
    area = [[c.area_code for c in s.state.cities] for s in sponsors]
    city_idx = pop.city[r].astype(np.int64)
    city = [city_names[a][c] for a, c in zip(g.tolist(), city_idx.tolist(), strict=True)]
    zips = [
        f"{zip3[a][c]}{z:02d}"
        for a, c, z in zip(g.tolist(), city_idx.tolist(), pop.zip_suffix[r].tolist(), strict=True)
    ]
    phones = [
        f"({area[a][c]}) 555-01{p:02d}"
        for a, c, p in zip(g.tolist(), city_idx.tolist(), pop.phone_line[r].tolist(), strict=True)
    ]
    street = pc.binary_join_element_wise(
        pc.cast(pa.array(pop.street_no[r].astype(np.int64)), pa.string()),
        ax.plain(ax.codes(STREETS, pop.street[r])),
        ax.plain(ax.codes(STREET_SUFFIXES, pop.street_suffix[r])),
        " ",
    )
    first_arr = ax.codes(first_pool, first_names)
    last_arr = ax.codes(LAST, pop.last_name[r])
    email = pc.binary_join_element_wise(
        pc.utf8_lower(ax.plain(first_arr)),
        ".",
        pc.utf8_lower(pc.replace_substring(ax.plain(last_arr), "'", "")),
        pc.cast(pa.array((r % 97).astype(np.int64)), pa.string()),
        "@example.com",
        "",
    )
    file_day = ctx.window.extract_day
    data = {
        "person_id": person.take(take),
        "member_id": member.take(take),
        "subscriber_id": subscriber.take(take),
        "gender": ax.codes(["male", "female"], female.astype(np.int64)),
        "birth_date": ax.dates(pop.birth_day[r]),
        "death_flag": pa.array(np.zeros(n, dtype=np.int32)),
        "enrollment_start_date": ax.dates(start),
        "enrollment_end_date": ax.dates(end),
        "payer": ax.constant(PAYER, n),
        "payer_type": ax.constant("commercial", n),
        "plan": ax.codes([p.name for p in PLANS], pop.plan[r].astype(np.int64)),
        "hospice_flag": pa.array(np.zeros(n, dtype=np.int32)),
        "institutional_snp_flag": pa.array(np.zeros(n, dtype=np.int32)),
        "long_term_institutional_flag": pa.array(np.zeros(n, dtype=np.int32)),
        "group_id": ax.codes([s.group_number for s in sponsors], g),
        "group_name": ax.codes([s.name for s in sponsors], g),
        "first_name": first_arr,
        "middle_name": ax.codes(list("ABCDEFGHJKLMNPRSTW"), pop.middle_initial[r]),
        "last_name": last_arr,
        "subscriber_relation": ax.codes(RELATIONS, pop.relation[r].astype(np.int64)),
        "address": street,
        "city": pa.array(city, type=pa.string()),
        "state": ax.codes(list(state_code), g),
        "zip_code": pa.array(zips, type=pa.string()),
        "phone": pa.array(phones, type=pa.string()),
        "email": pc.if_else(pa.array(pop.has_email[r]), email, pa.nulls(n, pa.string())),
        "data_source": ax.constant(DATA_SOURCE, n),
        "file_name": ax.constant("eligibility", n),
        "file_date": ax.dates(np.full(n, file_day)),
        "ingest_datetime": ax.timestamps(np.full(n, ctx.ingest_micros())),
    }
    return ax.table(ELIGIBILITY, data, n)


def _first_line_mask(line_claim: np.ndarray) -> np.ndarray:
    return (
        np.r_[True, line_claim[1:] != line_claim[:-1]]
        if line_claim.size
        else np.zeros(0, dtype=bool)
    )


def _medical_tables(
    ctx: BookContext,
    block: Block,
    mb: BlockMembers,
    cs: ClaimSet,
    life: Lifecycle,
    member: pa.Array,
    person: pa.Array,
    rng: np.random.Generator,
) -> tuple[pa.Table, pa.Table, dict[str, Any]]:
    n_claims, n_lines = cs.n_claims, cs.n_lines
    lc = cs.line_claim
    denied_line = life.denied[lc]
    allowed_c = np.where(denied_line, 0, np.rint(cs.line_allowed * 100)).astype(np.int64)
    ratio = np.where(
        cs.out_of_network, rng.uniform(0.3, 0.5, n_claims), rng.uniform(0.45, 0.75, n_claims)
    )
    charge_c = np.rint(cs.line_allowed * 100 / ratio[lc]).astype(np.int64)
    charge_c = np.maximum(charge_c, allowed_c + 1)
    year = year_of(cs.start)[lc]
    start_date = ctx.window.start_date
    remaining = np.where(year == start_date.year, (13 - start_date.month) / 12.0, 1.0)
    share = apply_cost_sharing(
        member=cs.member[lc],
        plan=mb.plan[cs.member][lc],
        year=year,
        order_day=life.finalized[lc],
        claim=lc,
        first_line=_first_line_mask(lc),
        cost_class=cs.cost_class[lc],
        out_of_network=cs.out_of_network[lc],
        allowed_cents=allowed_c,
        household=ctx.population.household[mb.rows[cs.member[lc]]],
        year_remaining=remaining,
    )
    claim_paid = np.bincount(lc, weights=share.paid, minlength=n_claims).astype(np.int64)
    claim_allowed = np.bincount(lc, weights=allowed_c, minlength=n_claims).astype(np.int64)
    claim_charge = np.bincount(lc, weights=charge_c, minlength=n_claims).astype(np.int64)
    claim_ded = np.bincount(lc, weights=share.deductible, minlength=n_claims)
    claim_coins = np.bincount(lc, weights=share.coinsurance, minlength=n_claims)
    claim_copay = np.bincount(lc, weights=share.copayment, minlength=n_claims)
    audit_rng = stream(ctx.seed, Stream.QUOTAS, block.index)
    levels = [s.levels for s in ctx.sponsors]
    aud = audit(life, claim_paid, levels, audit_rng)

    # adjustment chains: exact reversal then lower replacement, or reversal alone (void)
    u = rng.random(n_claims)
    can = ~life.denied & (claim_paid > 0)
    adj_day = life.paid_date + rng.integers(14, 121, n_claims)
    can &= adj_day <= ctx.window.extract_day
    replaced = can & (u < REPLACEMENT_SHARE)
    voided = can & (u >= REPLACEMENT_SHARE) & (u < REPLACEMENT_SHARE + VOID_SHARE)
    factor = rng.uniform(0.8, 0.97, n_claims)

    base_ids = ax.numbered(f"MC{block.index:04d}", np.arange(n_claims), 7)
    rev_claims = np.nonzero(replaced | voided)[0]
    rep_claims = np.nonzero(replaced)[0]
    rev_ids = pc.binary_join_element_wise(base_ids.take(pa.array(rev_claims)), "R", "")
    rep_ids = pc.binary_join_element_wise(base_ids.take(pa.array(rep_claims)), "A", "")

    line_no = (np.arange(n_lines) - np.searchsorted(lc, lc)).astype(np.int32) + 1
    rev_lines = np.nonzero(np.isin(lc, rev_claims))[0]
    rep_lines = np.nonzero(np.isin(lc, rep_claims))[0]
    all_lines = np.concatenate([np.arange(n_lines), rev_lines, rep_lines])
    kind_of_row = np.concatenate(
        [
            np.zeros(n_lines, np.int8),
            np.ones(rev_lines.size, np.int8),
            np.full(rep_lines.size, 2, np.int8),
        ]
    )
    claim_of_row = lc[all_lines]
    sign = np.where(kind_of_row == 1, -1, 1)
    scale = np.where(kind_of_row == 2, factor[claim_of_row], 1.0)

    def amount(values: np.ndarray) -> np.ndarray:
        return np.asarray(np.rint(values[all_lines] * scale) * sign, dtype=np.int64)

    a_allowed = amount(allowed_c)
    a_ded = amount(share.deductible)
    a_coins = amount(share.coinsurance)
    a_copay = (share.copayment[all_lines] * sign).astype(np.int64)
    # a replacement keeps every component non-negative and within its lower allowed amount
    rep = kind_of_row == 2
    a_copay = np.where(rep, np.minimum(a_copay, a_allowed), a_copay)
    a_ded = np.where(rep, np.minimum(a_ded, a_allowed - a_copay), a_ded)
    a_coins = np.where(rep, np.minimum(a_coins, a_allowed - a_copay - a_ded), a_coins)
    a_paid = a_allowed - a_ded - a_coins - a_copay
    a_charge = (charge_c[all_lines] * sign).astype(np.int64)
    rev_pos = np.full(n_claims, -1, dtype=np.int64)
    rev_pos[rev_claims] = np.arange(rev_claims.size)
    rep_pos = np.full(n_claims, -1, dtype=np.int64)
    rep_pos[rep_claims] = np.arange(rep_claims.size)
    ids = pa.concat_arrays(
        [
            base_ids.take(pa.array(lc)),
            rev_ids.take(pa.array(rev_pos[lc[rev_lines]])),
            rep_ids.take(pa.array(rep_pos[lc[rep_lines]])),
        ]
    )
    paid_date = np.where(kind_of_row == 0, life.paid_date[claim_of_row], adj_day[claim_of_row])
    n = all_lines.size
    member_row = cs.member[claim_of_row]
    take_member = pa.array(member_row)
    inst = cs.claim_type[claim_of_row] == 1
    inpatient = cs.bill_type[claim_of_row] == BILL_TYPES.index("111")
    npi, tin = ctx.npi, ctx.tin
    rendering = cs.rendering[claim_of_row]
    billing = cs.billing[claim_of_row]
    facility = cs.facility[claim_of_row]
    org = ctx.directory.org
    dx_codes = pa.array(list(ctx.dx.codes), type=pa.string())
    dx = cs.dx[claim_of_row]
    allowed_array = ax.money(a_allowed)
    data: dict[str, pa.Array] = {
        "claim_id": ids,
        "claim_line_number": pa.array(line_no[all_lines]),
        "claim_type": ax.codes(
            ["professional", "institutional"], cs.claim_type[claim_of_row].astype(np.int64)
        ),
        "person_id": person.take(take_member),
        "member_id": member.take(take_member),
        "payer": ax.constant(PAYER, n),
        "plan": ax.codes([p.name for p in PLANS], mb.plan[member_row].astype(np.int64)),
        "claim_start_date": ax.dates(cs.start[claim_of_row]),
        "claim_end_date": ax.dates(cs.end[claim_of_row]),
        "claim_line_start_date": ax.dates(cs.line_start[all_lines]),
        "claim_line_end_date": ax.dates(cs.line_end[all_lines]),
        "admission_date": ax.dates(cs.admit[claim_of_row], valid=cs.admit[claim_of_row] >= 0),
        "discharge_date": ax.dates(
            cs.discharge[claim_of_row], valid=cs.discharge[claim_of_row] >= 0
        ),
        "admit_source_code": ax.codes(ADMIT_SOURCES, cs.admit_source[claim_of_row]),
        "admit_type_code": ax.codes(ADMIT_TYPES, cs.admit_type[claim_of_row]),
        "discharge_disposition_code": ax.codes(DISPOSITIONS, cs.disposition[claim_of_row]),
        "place_of_service_code": ax.codes(
            PLACES_OF_SERVICE, np.where(inst, -1, cs.line_pos[all_lines])
        ),
        "bill_type_code": ax.codes(BILL_TYPES, cs.bill_type[claim_of_row]),
        "drg_code_type": ax.codes(["ms-drg"], np.where(cs.drg[claim_of_row] >= 0, 0, -1)),
        "drg_code": ax.codes(DRG_CODES, cs.drg[claim_of_row]),
        "revenue_center_code": ax.codes(REVENUE_CODES, cs.line_rev[all_lines]),
        "service_unit_quantity": pa.array(cs.line_units[all_lines].astype(np.int32)),
        "hcpcs_code": ax.codes(HCPCS_CODES, cs.line_hcpcs[all_lines]),
        "hcpcs_modifier_1": ax.codes(MODIFIERS, cs.line_mod[all_lines]),
        "rendering_npi": ax.codes(npi, rendering),
        "rendering_tin": ax.codes(tin, np.where(rendering >= 0, org[np.maximum(rendering, 0)], -1)),
        "billing_npi": ax.codes(npi, billing),
        "billing_tin": ax.codes(tin, billing),
        "facility_npi": ax.codes(npi, facility),
        "paid_date": ax.dates(paid_date),
        "paid_amount": ax.money(a_paid),
        "allowed_amount": allowed_array,
        "charge_amount": ax.money(a_charge),
        "coinsurance_amount": ax.money(a_coins),
        "copayment_amount": ax.money(a_copay),
        "deductible_amount": ax.money(a_ded),
        "total_cost_amount": allowed_array,
        "diagnosis_code_type": ax.constant("icd-10-cm", n),
        "procedure_code_type": ax.codes(["icd-10-pcs"], np.where(cs.px[claim_of_row] >= 0, 0, -1)),
        "procedure_code_1": ax.codes(PCS_CODES, cs.px[claim_of_row]),
        "procedure_date_1": ax.dates(cs.admit[claim_of_row], valid=cs.px[claim_of_row] >= 0),
        "in_network_flag": pa.array((~cs.out_of_network[claim_of_row]).astype(np.int32)),
        "data_source": ax.constant(DATA_SOURCE, n),
        "file_name": ax.constant("medical_claim", n),
        "file_date": ax.dates(np.full(n, ctx.window.extract_day)),
        "ingest_datetime": ax.timestamps(np.full(n, ctx.ingest_micros())),
    }
    for k in range(dx.shape[1]):
        data[f"diagnosis_code_{k + 1}"] = ax.codes(dx_codes, dx[:, k])
        data[f"diagnosis_poa_{k + 1}"] = ax.codes(
            ["Y"], np.where(inpatient & (dx[:, k] >= 0), 0, -1)
        )
    medical = ax.table(MEDICAL_CLAIM, data, n)

    # claim_processing: one row per claim_id (originals, reversals, replacements)
    kinds = np.concatenate(
        [
            np.zeros(n_claims, np.int8),
            np.ones(rev_claims.size, np.int8),
            np.full(rep_claims.size, 2, np.int8),
        ]
    )
    cl = np.concatenate([np.arange(n_claims), rev_claims, rep_claims])
    m = cl.size
    is_orig = kinds == 0
    freq = np.where(is_orig, 0, np.where(voided[cl], 2, 1))
    csign = np.where(kinds == 1, -1, 1)
    # a replacement's totals are its lines' (each line scaled, then capped by its cost share)
    rep_allowed = np.bincount(claim_of_row[rep], weights=a_allowed[rep], minlength=n_claims)
    rep_paid = np.bincount(claim_of_row[rep], weights=a_paid[rep], minlength=n_claims)
    c_allowed = np.where(kinds == 2, rep_allowed[cl], claim_allowed[cl] * csign).astype(np.int64)
    c_paid = np.where(kinds == 2, rep_paid[cl], claim_paid[cl] * csign).astype(np.int64)
    c_charge = (claim_charge[cl] * csign).astype(np.int64)
    received = np.where(is_orig, life.received[cl], adj_day[cl] - 4)
    finalized = np.where(is_orig, life.finalized[cl], adj_day[cl] - 1)
    paid_d = np.where(is_orig, life.paid_date[cl], adj_day[cl])
    carc_idx = np.where(is_orig, life.carc[cl], -1)
    carc_text = _carc_codes(
        life, cl, is_orig, kinds, claim_ded, claim_coins, claim_copay, claim_allowed, claim_charge
    )
    claim_ids = pa.concat_arrays([base_ids, rev_ids, rep_ids])
    originals = base_ids.take(pa.array(cl))
    account = life.account[cl]
    principal = life.principal[cl]
    audited = np.where(is_orig, aud.audited[cl], False)
    processing_data: dict[str, pa.Array] = {
        "claim_id": claim_ids,
        "original_claim_id": originals,
        "claim_frequency": ax.codes(["1", "7", "8"], freq),
        "adjustment_type": ax.codes(
            ["original", "reversal", "replacement"], kinds.astype(np.int64)
        ),
        "group_id": ax.codes([s.group_number for s in ctx.sponsors], account),
        "member_id": member.take(pa.array(cs.member[cl])),
        "claim_type": ax.codes(
            ["professional", "institutional"], cs.claim_type[cl].astype(np.int64)
        ),
        "service_family": ax.codes(KINDS, cs.kind[cl].astype(np.int64)),
        "claim_start_date": ax.dates(cs.start[cl]),
        "received_date": ax.dates(received),
        "finalized_date": ax.dates(finalized),
        "paid_date": ax.dates(paid_d),
        "auto_adjudicated": ax.bools(np.where(is_orig, life.auto[cl], False)),
        "pend_reason": ax.codes(
            PEND_REASONS, np.where(is_orig, life.pend_reason[cl], PEND_REASONS.index("adjustment"))
        ),
        "status": ax.codes(["paid", "denied"], np.where(is_orig & life.denied[cl], 1, 0)),
        "carc": ax.codes(CARC_CODES, carc_idx),
        "carc_codes": carc_text,
        "billing_npi": ax.codes(npi, cs.billing[cl]),
        "hcpcs_code": ax.codes(HCPCS_CODES, principal),
        "charge_amount": ax.money(c_charge),
        "allowed_amount": ax.money(c_allowed),
        "paid_amount": ax.money(c_paid),
        "audited": ax.bools(audited),
        "audit_paid_amount": ax.money(np.where(audited, aud.paid_cents[cl], 0), valid=audited),
        "audit_error_amount": ax.money(np.where(audited, aud.error_cents[cl], 0), valid=audited),
        "audit_finding": ax.codes(AUDIT_FINDINGS, np.where(audited, aud.finding[cl], -1)),
    }
    processing = ax.table(CLAIM_PROCESSING, processing_data, m)
    services = _service_labels(cs)
    provider_names = ctx.directory.name
    info: dict[str, Any] = {
        "account": life.account,
        "claim_id": np.array(base_ids.to_pylist(), dtype=object),
        "carc": [CARC_CODES[c] if c >= 0 else None for c in life.carc.tolist()],
        "service": services,
        "provider": [provider_names[b] for b in cs.billing.tolist()],
        "billing": cs.billing,
        "principal": principal,
        "denied": life.denied,
        "carc_idx": life.carc,
        "pend_reason": life.pend_reason,
        "received": life.received,
        "finalized": life.finalized,
        "audit_finding": aud.finding,
        "audited": aud.audited,
    }
    return medical, processing, info


def _in_process_table(
    ctx: BookContext,
    block: Block,
    mb: BlockMembers,
    cs: ClaimSet,
    life: Lifecycle,
    n_paid: int,
    member: pa.Array,
    rng: np.random.Generator,
) -> pa.Table:
    """The claims in process on the extract date: received by then and not yet paid, as a
    claims system lists them. Claims ``n_paid:`` of ``cs``/``life`` (the paid claims come
    first: the cost-sharing accumulators run over both in processing order, so a waiting
    claim meets the deductible its member has met; the paid claims' own rows are the
    unchanged ``_medical_tables`` ones). A claim adjudicated and waiting for the check run is
    ``paid`` or ``denied`` with its finalized date and amounts and no paid date; a claim not
    yet adjudicated is ``pended``: no finalized or paid date, no allowed or paid amount, its
    billed charge known. Their claim ids continue the block's sequence after the paid ones;
    their own random stream (billed-to-allowed ratio) leaves every other draw unchanged.
    No medical_claim line: those hold paid claims."""
    lc = cs.line_claim
    waiting = np.arange(n_paid, cs.n_claims)
    denied_line = life.denied[lc]
    allowed_c = np.where(denied_line, 0, np.rint(cs.line_allowed * 100)).astype(np.int64)
    year = year_of(cs.start)[lc]
    start_date = ctx.window.start_date
    share = apply_cost_sharing(
        member=cs.member[lc],
        plan=mb.plan[cs.member][lc],
        year=year,
        order_day=life.finalized[lc],
        claim=lc,
        first_line=_first_line_mask(lc),
        cost_class=cs.cost_class[lc],
        out_of_network=cs.out_of_network[lc],
        allowed_cents=allowed_c,
        household=ctx.population.household[mb.rows[cs.member[lc]]],
        year_remaining=np.where(year == start_date.year, (13 - start_date.month) / 12.0, 1.0),
    )
    n = cs.n_claims
    k = waiting.size
    low = rng.uniform(0.3, 0.5, k)
    high = rng.uniform(0.45, 0.75, k)
    ratio = np.ones(n)
    ratio[waiting] = np.where(cs.out_of_network[waiting], low, high)
    charge_c = np.maximum(
        np.rint(cs.line_allowed * 100 / ratio[lc]).astype(np.int64), allowed_c + 1
    )
    claim_paid = np.bincount(lc, weights=share.paid, minlength=n).astype(np.int64)
    claim_allowed = np.bincount(lc, weights=allowed_c, minlength=n).astype(np.int64)
    claim_charge = np.bincount(lc, weights=charge_c, minlength=n).astype(np.int64)
    claim_ded = np.bincount(lc, weights=share.deductible, minlength=n)
    claim_coins = np.bincount(lc, weights=share.coinsurance, minlength=n)
    claim_copay = np.bincount(lc, weights=share.copayment, minlength=n)
    finalized = life.finalized[waiting] <= ctx.window.extract_day
    carc_text = _carc_codes(
        life,
        waiting,
        finalized,
        np.zeros(k, np.int8),
        claim_ded,
        claim_coins,
        claim_copay,
        claim_allowed,
        claim_charge,
    )
    ids = ax.numbered(f"MC{block.index:04d}", waiting, 7)
    account = life.account[waiting]
    status = np.where(finalized, np.where(life.denied[waiting], 1, 0), 2)
    data: dict[str, pa.Array] = {
        "claim_id": ids,
        "original_claim_id": ids,
        "claim_frequency": ax.codes(["1"], np.zeros(k, np.int64)),
        "adjustment_type": ax.codes(["original"], np.zeros(k, np.int64)),
        "group_id": ax.codes([s.group_number for s in ctx.sponsors], account),
        "member_id": member.take(pa.array(cs.member[waiting])),
        "claim_type": ax.codes(
            ["professional", "institutional"], cs.claim_type[waiting].astype(np.int64)
        ),
        "service_family": ax.codes(KINDS, cs.kind[waiting].astype(np.int64)),
        "claim_start_date": ax.dates(cs.start[waiting]),
        "received_date": ax.dates(life.received[waiting]),
        "finalized_date": ax.dates(life.finalized[waiting], valid=finalized),
        "paid_date": ax.dates(np.zeros(k, np.int32), valid=np.zeros(k, dtype=bool)),
        "auto_adjudicated": ax.bools(life.auto[waiting] & finalized),
        "pend_reason": ax.codes(PEND_REASONS, life.pend_reason[waiting]),
        "status": ax.codes(["paid", "denied", "pended"], status),
        "carc": ax.codes(CARC_CODES, np.where(finalized, life.carc[waiting], -1)),
        "carc_codes": pa.DictionaryArray.from_arrays(
            pa.array(carc_text.indices.to_numpy(zero_copy_only=False), mask=~finalized),
            carc_text.dictionary,
        ),
        "billing_npi": ax.codes(ctx.npi, cs.billing[waiting]),
        "hcpcs_code": ax.codes(HCPCS_CODES, life.principal[waiting]),
        "charge_amount": ax.money(claim_charge[waiting]),
        "allowed_amount": ax.money(claim_allowed[waiting], valid=finalized),
        "paid_amount": ax.money(claim_paid[waiting], valid=finalized),
        "audited": ax.bools(np.zeros(k, dtype=bool)),
        "audit_paid_amount": ax.money(np.zeros(k, np.int64), valid=np.zeros(k, dtype=bool)),
        "audit_error_amount": ax.money(np.zeros(k, np.int64), valid=np.zeros(k, dtype=bool)),
        "audit_finding": ax.codes(AUDIT_FINDINGS, np.full(k, -1)),
    }
    return ax.table(CLAIM_PROCESSING, data, k)


SERVICE_LABEL = {
    "office_visit": "office visit",
    "preventive_visit": "preventive visit",
    "telehealth_visit": "telehealth visit",
    "urgent_care": "urgent care visit",
    "laboratory": "lab work",
    "imaging": "imaging study",
    "advanced_imaging": "MRI or CT",
    "ed_facility": "emergency room visit",
    "ed_professional": "emergency physician bill",
    "ambulance": "ambulance transport",
    "outpatient_surgery_facility": "outpatient surgery",
    "outpatient_surgery_professional": "surgeon's bill",
    "anesthesia": "anesthesia bill",
    "pathology": "pathology bill",
    "inpatient_facility": "hospital stay",
    "inpatient_professional": "hospital physician bill",
    "delivery_facility": "delivery stay",
    "delivery_professional": "obstetrician's bill",
    "newborn_facility": "newborn stay",
    "newborn_professional": "pediatrician's hospital bill",
    "prenatal": "prenatal test",
    "behavioral_health": "therapy session",
    "physical_medicine": "physical therapy",
    "infusion": "infusion",
    "dialysis": "dialysis",
    "dme": "medical equipment",
    "radiology_professional": "radiology reading",
}


def _service_labels(cs: ClaimSet) -> list[str]:
    labels = [SERVICE_LABEL[k] for k in KINDS]
    return [labels[k] for k in cs.kind.tolist()]


PAID_PATTERNS: tuple[str, ...] = tuple(
    ";".join(
        part
        for bit, part in zip((8, 4, 2, 1), ("CO-45", "PR-1", "PR-2", "PR-3"), strict=True)
        if pattern & bit
    )
    for pattern in range(16)
)
CARC_TEXT: tuple[str, ...] = (
    *(f"{g}-{c}" for g, c in zip(CARC_GROUP, CARC_CODES, strict=True)),
    *PAID_PATTERNS,
    "CO-129",
)


def _carc_codes(
    life: Lifecycle,
    cl: np.ndarray,
    is_orig: np.ndarray,
    kinds: np.ndarray,
    ded: np.ndarray,
    coins: np.ndarray,
    copay: np.ndarray,
    allowed: np.ndarray,
    charge: np.ndarray,
) -> pa.Array:
    """Claim-level CAS adjustments as ``GROUP-CARC`` joined by ';' (denials: the reason)."""
    n_carc = len(CARC_CODES)
    pattern = (
        (charge[cl] > allowed[cl]) * 8
        + (ded[cl] > 0) * 4
        + (coins[cl] > 0) * 2
        + (copay[cl] > 0) * 1
    )
    idx = np.where(life.denied[cl], life.carc[cl], n_carc + pattern)
    idx = np.where(idx == n_carc, -1, idx)
    idx = np.where(is_orig, idx, np.where(kinds == 1, len(CARC_TEXT) - 1, n_carc + 8))
    return ax.codes(CARC_TEXT, idx)


def record_series(
    ctx: BookContext, accounts: np.ndarray, tables: dict[str, pa.Table], result: PartResult
) -> None:
    """Add this worker's daily counts of every incident series found in ``tables``."""
    present = set(np.unique(accounts).tolist())
    for inc in ctx.incidents:
        if inc.account not in present:
            continue
        group = ctx.sponsors[inc.account].group_number
        for s, spec in enumerate(inc.all_series()):
            tbl = tables.get(str(spec["feed"]))
            if tbl is None:
                continue
            dimension = spec["dimension"]
            if not isinstance(dimension, dict):
                raise TypeError(f"incident {inc.id}: dimension must be a mapping")
            counts = count_series(
                tbl,
                group,
                dimension,
                str(spec["date_column"]),
                ctx.window.first_day,
                ctx.window.days,
            )
            result.add_series(int(inc.params["index"]) * 10 + s, counts)


def _pharmacy_table(
    ctx: BookContext,
    block: Block,
    mb: BlockMembers,
    fills: Fills,
    member: pa.Array,
    person: pa.Array,
) -> pa.Table:
    n = len(fills.member)
    codes, _ = catalogue()
    take = pa.array(fills.member)
    data = {
        "claim_id": ax.numbered(f"RX{block.index:04d}", np.arange(n), 7),
        "claim_line_number": pa.array(np.ones(n, dtype=np.int32)),
        "person_id": person.take(take),
        "member_id": member.take(take),
        "payer": ax.constant(PAYER, n),
        "plan": ax.codes([p.name for p in PLANS], mb.plan[fills.member].astype(np.int64)),
        "prescribing_provider_npi": ax.codes(ctx.npi, fills.prescriber),
        "dispensing_provider_npi": ax.codes(ctx.npi, fills.pharmacy),
        "dispensing_date": ax.dates(fills.day),
        "ndc_code": ax.codes(codes, fills.ndc),
        "quantity": pa.array(fills.quantity.astype(np.float64)),
        "days_supply": pa.array(fills.days_supply.astype(np.int32)),
        "refills": pa.array(fills.refills.astype(np.int32)),
        "paid_date": ax.dates(fills.day),
        "paid_amount": ax.money(fills.paid_cents),
        "allowed_amount": ax.money(fills.allowed_cents),
        "charge_amount": ax.money(fills.charge_cents),
        "coinsurance_amount": ax.money(fills.coinsurance_cents),
        "copayment_amount": ax.money(fills.copay_cents),
        "deductible_amount": ax.money(np.zeros(n, dtype=np.int64)),
        "in_network_flag": pa.array(np.ones(n, dtype=np.int32)),
        "data_source": ax.constant(DATA_SOURCE, n),
        "file_name": ax.constant("pharmacy_claim", n),
        "file_date": ax.dates(np.full(n, ctx.window.extract_day)),
        "ingest_datetime": ax.timestamps(np.full(n, ctx.ingest_micros())),
    }
    return ax.table(PHARMACY_CLAIM, data, n)


def inquiry_table(ctx: BookContext, rows: InquiryRows, id_prefix: str) -> pa.Table:
    """``inquiry_import`` rows (external ids ``{id_prefix}NNNNNN``)."""
    n = len(rows.account)
    pop = ctx.population
    has_member = rows.member_row >= 0
    safe = np.maximum(rows.member_row, 0)
    sub = ax.numbered("W", subscriber_numbers(pop.household[safe]), 9)
    member = pc.binary_join_element_wise(
        sub,
        pc.utf8_lpad(
            pc.cast(pa.array(pop.member_no[safe].astype(np.int64)), pa.string()),
            width=2,
            padding="0",
        ),
        "",
    )
    member = pc.if_else(pa.array(has_member), member, pa.nulls(n, pa.string()))
    # Its own stream per part (keyed by the id prefix): the other columns draw as before.
    work_rng = stream(ctx.seed, Stream.INQUIRY_WORK, zlib.crc32(id_prefix.encode()))
    extract = (ctx.window.last_day + 1) * MICROS_DAY
    responded, owners = inquiry_work(rows, service_team(ctx.seed), extract, work_rng)
    data = {
        "external_id": ax.numbered(id_prefix, np.arange(n), 6),
        "group_id": ax.codes([s.group_number for s in ctx.sponsors], rows.account),
        "opened_at": ax.timestamps(rows.opened),
        "channel": ax.codes(CHANNELS, rows.channel.astype(np.int64)),
        "requester_type": ax.codes(REQUESTERS, rows.requester.astype(np.int64)),
        "category": ax.codes(CATEGORIES, rows.category.astype(np.int64)),
        "subcategory": pa.array(rows.subcategory, type=pa.string()),
        "priority": ax.codes(PRIORITIES, rows.priority.astype(np.int64)),
        "member_id": member,
        "claim_id": pa.array(rows.claim_ref, type=pa.string()),
        "description": pa.array(rows.description, type=pa.string()),
        "status": ax.codes(STATUSES, rows.status.astype(np.int64)),
        "resolved_at": ax.timestamps(np.maximum(rows.resolved, 0), valid=rows.resolved >= 0),
        "first_responded_at": ax.timestamps(np.maximum(responded, 0), valid=responded >= 0),
        "owner": pa.array(owners, type=pa.string()),
    }
    return ax.table(INQUIRY_IMPORT, data, n)
