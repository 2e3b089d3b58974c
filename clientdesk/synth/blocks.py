"""Blocks of members: the unit of chunked, parallel generation.

A block is a contiguous, household-aligned range of population rows (about
``BLOCK_MEMBERS`` members). Every claim-side table is generated block by block from its own
random sub-stream, so the output does not depend on worker count or processing order.
``BlockMembers`` holds the member attributes the claim generators need (grain: one row per
member of the block).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from clientdesk.synth.conditions import CONDITION_INDEX, N_CONDITIONS
from clientdesk.synth.diagnoses import DxDictionary
from clientdesk.synth.geography import STATE_INDEX
from clientdesk.synth.population import Population
from clientdesk.synth.procedures import STATE_COST_INDEX
from clientdesk.synth.providers import ProviderDirectory
from clientdesk.synth.sponsors import Sponsor

BLOCK_MEMBERS = 40_000


@dataclass(frozen=True)
class Block:
    """Population rows ``lo`` (inclusive) to ``hi`` (exclusive), numbered ``index``."""

    index: int
    lo: int
    hi: int


def plan_blocks(population: Population, size: int = BLOCK_MEMBERS) -> list[Block]:
    """Cut the population into household-aligned blocks of about ``size`` members."""
    n = population.size
    blocks: list[Block] = []
    lo = 0
    household = population.household
    while lo < n:
        hi = min(n, lo + size)
        while 0 < hi < n and household[hi] == household[hi - 1]:
            hi += 1
        blocks.append(Block(len(blocks), lo, hi))
        lo = hi
    return blocks


def _key(affinity: np.ndarray, salt: int) -> np.ndarray:
    mixed = affinity.astype(np.uint64) * np.uint64(2654435761) + np.uint64(salt * 40503)
    return ((mixed >> np.uint64(7)) % np.uint64(2**31)).astype(np.int64)


@dataclass
class BlockMembers:
    """Members of one block with everything the claim generators read."""

    rows: np.ndarray
    account: np.ndarray
    state: np.ndarray
    cost_index: np.ndarray
    age: np.ndarray
    female: np.ndarray
    conditions: np.ndarray
    n_chronic: np.ndarray
    frailty: np.ndarray
    esrd: np.ndarray
    plan: np.ndarray
    affinity: np.ndarray
    s1: np.ndarray
    e1: np.ndarray
    s2: np.ndarray
    e2: np.ndarray
    len1: np.ndarray
    enrolled: np.ndarray
    condition_dx: np.ndarray
    chronic_dx: np.ndarray
    pcp: np.ndarray
    hospital: np.ndarray

    @property
    def n(self) -> int:
        """Number of members in the block."""
        return len(self.rows)

    def key(self, salt: int) -> np.ndarray:
        """A stable household-level integer for choosing providers (salt per role)."""
        return _key(self.affinity, salt)

    def person_key(self, salt: int) -> np.ndarray:
        """A stable member-level integer for choosing providers."""
        return _key(self.affinity + self.rows * 7919, salt)

    def years(self) -> np.ndarray:
        """Enrolled member-years in the window per member."""
        return self.enrolled / 365.25

    def has(self, condition: str) -> np.ndarray:
        """Whether each member has a condition."""
        return np.asarray(self.conditions[:, CONDITION_INDEX[condition]])


def block_members(
    block: Block,
    population: Population,
    sponsors: list[Sponsor],
    directory: ProviderDirectory,
    dx: DxDictionary,
) -> BlockMembers:
    """Gather the block's members and derive provider choices and diagnosis codes."""
    sl = slice(block.lo, block.hi)
    rows = np.arange(block.lo, block.hi, dtype=np.int64)
    account = population.account[sl]
    sponsor_state = np.array([STATE_INDEX[s.state.code] for s in sponsors], dtype=np.int64)
    sponsor_cost = np.array([STATE_COST_INDEX[s.state.code] for s in sponsors])
    state = sponsor_state[account]
    conditions = population.conditions[sl]
    female = population.female[sl]
    choice = population.dx_choice[sl]
    n = len(rows)
    condition_dx = np.full((n, N_CONDITIONS), -1, dtype=np.int32)
    cancer = CONDITION_INDEX["cancer"]
    for ci in range(N_CONDITIONS):
        has = choice[:, ci] >= 0
        if ci == cancer:
            fem = has & female
            male = has & ~female
            condition_dx[fem, ci] = dx.condition_codes[ci][choice[fem, ci]]
            condition_dx[male, ci] = dx.cancer_male_codes[choice[male, ci]]
        else:
            condition_dx[has, ci] = dx.condition_codes[ci][choice[has, ci]]
    esrd = population.esrd[sl]
    ckd = CONDITION_INDEX["ckd"]
    condition_dx[esrd, ckd] = dx.index("N18.6")
    # first three chronic diagnoses in condition order (secondary dx on claims)
    present = condition_dx >= 0
    order = np.argsort(~present, axis=1, kind="stable")[:, :3]
    chronic_dx = np.take_along_axis(condition_dx, order, axis=1)
    s1, e1 = population.span1_start[sl], population.span1_end[sl]
    s2, e2 = population.span2_start[sl], population.span2_end[sl]
    len1 = (e1 - s1 + 1).astype(np.int64)
    enrolled = len1 + np.maximum(0, e2 - s2 + 1)
    age = population.age[sl].astype(np.int64)
    affinity = population.affinity[sl]
    mb = BlockMembers(
        rows=rows,
        account=account,
        state=state,
        cost_index=sponsor_cost[account],
        age=age,
        female=female,
        conditions=conditions,
        n_chronic=conditions.sum(axis=1),
        frailty=population.frailty[sl].astype(np.float64),
        esrd=esrd,
        plan=population.plan[sl],
        affinity=affinity,
        s1=s1,
        e1=e1,
        s2=s2,
        e2=e2,
        len1=len1,
        enrolled=enrolled,
        condition_dx=condition_dx,
        chronic_dx=chronic_dx,
        pcp=np.zeros(n, dtype=np.int64),
        hospital=np.zeros(n, dtype=np.int64),
    )
    adult_pcp = directory.pick_clinician("primary_care", state, mb.key(1))
    peds = directory.pick_clinician("pediatrics", state, mb.key(2))
    mb.pcp = np.where((age < 18) & (mb.key(3) % 10 < 7), peds, adult_pcp)
    mb.hospital = directory.pick_org("hospital", state, mb.key(4))
    return mb
