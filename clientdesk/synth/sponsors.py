"""Plan sponsors (accounts): who they are, their contracts, guarantees and benefit plans.

Grain: one ``Sponsor`` per employer group (``group_number``). Everything here is decided
before members are generated and is what ``book.json`` carries into the operational DB.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from clientdesk.synth import names
from clientdesk.synth.geography import STATES, State, fictional_phone
from clientdesk.synth.params import SynthParams, add_months, day_number
from clientdesk.synth.random_streams import Stream, stream
from clientdesk.synth.service_levels import METRICS, OperatingLevels

SEGMENTS = ("commercial", "public_sector", "labor_fund")


@dataclass(frozen=True)
class BenefitPlan:
    """A medical + pharmacy benefit design (in-network, individual accumulators)."""

    name: str
    kind: str
    deductible: float
    coinsurance: float
    oop_max: float
    copay_pcp: float
    copay_specialist: float
    copay_ed: float
    copay_urgent: float
    copay_telehealth: float
    rx_generic: float
    rx_brand: float
    rx_nonpreferred: float
    rx_specialty_coinsurance: float
    rx_specialty_max: float


PLANS: tuple[BenefitPlan, ...] = (
    BenefitPlan("PPO 500", "ppo", 500, 0.15, 3500, 25, 45, 200, 50, 10, 10, 35, 60, 0.20, 200),
    BenefitPlan("PPO 1000", "ppo", 1000, 0.15, 4000, 25, 50, 250, 60, 15, 10, 40, 70, 0.20, 250),
    BenefitPlan("PPO 1500", "ppo", 1500, 0.15, 5000, 30, 55, 300, 75, 20, 15, 45, 75, 0.20, 300),
    BenefitPlan("HMO 250", "hmo", 250, 0.10, 3000, 20, 40, 200, 40, 0, 10, 35, 60, 0.20, 200),
    BenefitPlan("HDHP 2800", "hdhp", 2800, 0.20, 6000, 0, 0, 0, 0, 0, 0, 0, 0, 0.20, 0),
    BenefitPlan("Fund Plan A", "ppo", 300, 0.10, 2500, 15, 30, 150, 35, 0, 5, 25, 50, 0.10, 150),
)

PLAN_CHOICES: dict[str, tuple[tuple[int, ...], ...]] = {
    "labor_fund": ((5,), (5, 0)),
    "public_sector": ((0, 3), (1, 3), (1,), (0, 4)),
    "commercial": ((1, 4), (2, 4), (2,), (1,), (3,), (2, 4)),
}


@dataclass(frozen=True)
class Contact:
    """A sponsor-side contact person."""

    name: str
    title: str
    role: str
    email: str
    phone: str
    primary: bool


@dataclass(frozen=True)
class Guarantee:
    """A performance guarantee in a contract (strings as written in ``book.json``)."""

    metric: str
    target: str
    comparator: str
    unit: str
    period: str
    level: str
    at_risk_basis: str  # pct_of_admin_fees (ASO) or pct_of_premium (fully insured)
    at_risk_pct: str


@dataclass(frozen=True)
class Contract:
    """One contract term with its products, fees and guarantees."""

    number: str
    start_date: date
    end_date: date
    products: tuple[str, ...]
    admin_fee_pepm: str | None
    premium_pmpm: str | None
    guarantees: tuple[Guarantee, ...]


@dataclass
class Sponsor:
    """A plan sponsor and the generator's private facts about it."""

    index: int
    group_number: str
    name: str
    segment: str
    funding: str
    tier: str
    state: State
    broker: str | None
    effective_date: date
    renewal_date: date
    parent_group_number: str | None
    special_handling: str
    contacts: tuple[Contact, ...]
    contracts: tuple[Contract, ...]
    member_target: int
    plans: tuple[int, ...]
    levels: OperatingLevels
    male_share: float
    employees: int = 0
    members: int = 0
    domain: str = field(default="")

    @property
    def timezone(self) -> str:
        """IANA time zone of the sponsor's home state."""
        return self.state.timezone

    def guarantees_in_force(self) -> list[tuple[Contract, Guarantee]]:
        """Every (contract, guarantee) pair of the sponsor."""
        return [(c, g) for c in self.contracts for g in c.guarantees]

    def book_entry(self) -> dict[str, object]:
        """The sponsor as written in ``book.json``."""
        return {
            "group_number": self.group_number,
            "name": self.name,
            "segment": self.segment,
            "funding": self.funding,
            "employees": self.employees,
            "members": self.members,
            "state": self.state.code,
            "region": self.state.region,
            "timezone": self.state.timezone,
            "tier": self.tier,
            "broker": self.broker,
            "status": "active",
            "effective_date": self.effective_date.isoformat(),
            "renewal_date": self.renewal_date.isoformat(),
            "parent_group_number": self.parent_group_number,
            "special_handling": self.special_handling,
            "contacts": [
                {
                    "name": c.name,
                    "title": c.title,
                    "role": c.role,
                    "email": c.email,
                    "phone": c.phone,
                    "primary": c.primary,
                }
                for c in self.contacts
            ],
            "contracts": [
                {
                    "number": k.number,
                    "start_date": k.start_date.isoformat(),
                    "end_date": k.end_date.isoformat(),
                    "products": list(k.products),
                    "admin_fee_pepm": k.admin_fee_pepm,
                    "premium_pmpm": k.premium_pmpm,
                    "guarantees": [
                        {
                            "metric": g.metric,
                            "target": g.target,
                            "comparator": g.comparator,
                            "unit": g.unit,
                            "period": g.period,
                            "level": g.level,
                            "at_risk_basis": g.at_risk_basis,
                            "at_risk_pct": g.at_risk_pct,
                        }
                        for g in k.guarantees
                    ],
                }
                for k in self.contracts
            ],
        }


SPECIAL_HANDLING: tuple[str, ...] = (
    "Union trustees approve every member communication before it is mailed.",
    "Escalations go to the VP of People within one business day; copy the broker.",
    "Spanish-language versions required for all member mailings and ID card inserts.",
    "Report claimants over $100,000 to the CFO monthly (stop-loss notification).",
    "No outbound calls to members without written sponsor approval.",
    "Quarterly stewardship meeting on site; the board chair attends in Q4.",
    "Retirees under 65 are billed directly; route premium questions to the fund office.",
)

CONTACT_TITLES: dict[str, tuple[str, ...]] = {
    "benefits_manager": ("Benefits Manager", "Director of Benefits", "Benefits Administrator"),
    "hr_director": ("Director of Human Resources", "VP, People and Culture", "HR Director"),
    "cfo": ("Chief Financial Officer", "Finance Director", "Controller"),
    "union_trustee": ("Union Trustee", "Employer Trustee"),
    "broker": ("Account Executive", "Senior Benefits Consultant"),
    "other": ("Fund Administrator", "Payroll Manager", "Wellness Coordinator"),
}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", text.lower())


def _money(value: float) -> str:
    return f"{value:.2f}"


JUMBO_ACCOUNTS = 2
JUMBO_SHARE = 0.19
"""Books of eight or more accounts have two jumbo accounts holding at least 19 % of the
members each (demo book: about 3,600 planned, 3,100 enrolled at the end, 6 member-services
calls a day), so the book has account-level call series dense enough for the >= 5 / day
detection target."""


def _allocate_members(total: int, count: int, rng: np.random.Generator) -> np.ndarray:
    """Split ``total`` members over ``count`` accounts: log-normal sizes, at least 50 each,
    the two largest lifted to ``JUMBO_SHARE`` (the others shrink in proportion)."""
    raw = rng.lognormal(mean=0.0, sigma=0.95, size=count)
    floor = 50
    spare = total - floor * count
    shares = raw / raw.sum()
    if count >= 8:
        top = np.argsort(-shares, kind="stable")[:JUMBO_ACCOUNTS]
        rest = np.ones(count, dtype=bool)
        rest[top] = False
        shares[top] = np.maximum(shares[top], JUMBO_SHARE)
        shares[rest] *= (1.0 - shares[top].sum()) / shares[rest].sum()
    sizes = floor + np.floor(shares * spare).astype(np.int64)
    remainder = total - int(sizes.sum())
    order = np.argsort(-shares, kind="stable")
    sizes[order[:remainder]] += 1
    return np.asarray(sizes)


def _pick(rng: np.random.Generator, options: tuple[str, ...]) -> str:
    return options[int(rng.integers(len(options)))]


def _person_name(rng: np.random.Generator) -> str:
    female = rng.random() < 0.55
    first = _pick(rng, names.FEMALE_FIRST if female else names.MALE_FIRST)
    return f"{first} {_pick(rng, names.LAST)}"


def _unique_name(rng: np.random.Generator, segment: str, region: str, taken: set[str]) -> str:
    for _ in range(200):
        if segment == "labor_fund":
            form = _pick(rng, names.LABOR_FORMS)
            name = form.format(
                area=_pick(rng, names.LABOR_AREAS[region]), trade=_pick(rng, names.LABOR_TRADES)
            )
        elif segment == "public_sector":
            name = _pick(rng, names.PUBLIC_FORMS).format(place=_pick(rng, names.PUBLIC_PLACES))
        else:
            name = f"{_pick(rng, names.COMMERCIAL_STEMS)} {_pick(rng, names.COMMERCIAL_KINDS)}"
        if name not in taken:
            taken.add(name)
            return name
    name = f"{name} {len(taken)}"
    taken.add(name)
    return name


def _contacts(
    rng: np.random.Generator, segment: str, domain: str, broker: str | None, area: str
) -> tuple[Contact, ...]:
    roles: list[str]
    if segment == "labor_fund":
        roles = ["other", "union_trustee", "union_trustee"]
        if rng.random() < 0.5:
            roles.append("cfo")
    elif segment == "public_sector":
        roles = ["benefits_manager", "hr_director"]
        if rng.random() < 0.6:
            roles.append("cfo")
    else:
        roles = ["benefits_manager", "hr_director"]
        if rng.random() < 0.5:
            roles.append("cfo")
    if broker is not None:
        roles.append("broker")
    contacts: list[Contact] = []
    used_titles: set[str] = set()
    for position, role in enumerate(roles):
        person = _person_name(rng)
        titles = CONTACT_TITLES[role]
        title = _pick(rng, titles)
        if role == "union_trustee":
            title = titles[0] if "Union Trustee" not in used_titles else titles[1]
        used_titles.add(title)
        first, last = person.split(" ", 1)
        host = f"{_slug(broker)}.example" if role == "broker" and broker else domain
        email = f"{_slug(first)}.{_slug(last)}@{host}"
        phone = fictional_phone(area, int(rng.integers(100)))
        contacts.append(Contact(person, title, role, email, phone, position == 0))
    return tuple(contacts)


ADMIN_SHARE_OF_PREMIUM = 0.12
"""The part of a fully insured premium that pays for administration (the retention). Fees at
risk are a share of the administrative fees (service-guarantees-detection.md §1.6: 6 % to
"20 % or more" of them), so a fully insured contract puts the same share of this part of its
premium at risk, not of the whole premium (claims are most of it)."""


def _guarantee_set(
    rng: np.random.Generator, tier: str, funding: str, member_target: int
) -> tuple[Guarantee, ...]:
    """Guarantees for one account: key accounts carry the full client-level set."""
    chosen: list[str]
    if tier == "key":
        chosen = list(METRICS)
        if funding == "fully_insured":
            chosen = [m for m in chosen if m not in ("ivr_containment", "first_contact_resolution")]
    elif funding == "aso":
        chosen = [
            "average_speed_of_answer",
            "abandonment_rate",
            "claims_turnaround",
            "financial_accuracy",
        ]
        if rng.random() < 0.5:
            chosen.append("first_contact_resolution")
        if rng.random() < 0.4:
            chosen.append("auto_adjudication_rate")
    else:
        chosen = ["average_speed_of_answer", "claims_turnaround", "financial_accuracy"]
    client_level = tier == "key" or member_target >= 800
    pool = 12.0 if tier == "key" else 6.0
    weights = rng.dirichlet(np.full(len(chosen), 4.0))
    basis = "pct_of_premium" if funding == "fully_insured" else "pct_of_admin_fees"
    out: list[Guarantee] = []
    for metric_name, weight in zip(chosen, weights, strict=True):
        metric = METRICS[metric_name]
        target = metric.targets[0] if tier == "key" else _pick(rng, metric.targets)
        level = "client"
        if not client_level and metric_name in (
            "average_speed_of_answer",
            "abandonment_rate",
            "claims_turnaround",
        ):
            level = "book_of_business"
        share = max(0.5, round(pool * float(weight) * 2) / 2)
        # % of the admin fees; on a fully insured contract the same % of the premium's admin part.
        pct = (
            f"{share:.1f}"
            if funding != "fully_insured"
            else f"{share * ADMIN_SHARE_OF_PREMIUM:.2f}"
        )
        out.append(
            Guarantee(
                metric=metric_name,
                target=target,
                comparator=metric.comparator,
                unit=metric.unit,
                period=metric.period,
                level=level,
                at_risk_basis=basis,
                at_risk_pct=pct,
            )
        )
    return tuple(out)


def _products(rng: np.random.Generator, funding: str, segment: str) -> tuple[str, ...]:
    products = ["medical", "pharmacy"]
    for product, probability in (("dental", 0.6), ("vision", 0.5), ("behavioral", 0.45)):
        if rng.random() < probability:
            products.append(product)
    if funding == "aso" and (segment != "public_sector" or rng.random() < 0.3):
        products.append("stop_loss")
    return tuple(products)


def _contracts(
    rng: np.random.Generator,
    group_number: str,
    effective: date,
    window_start: date,
    window_end: date,
    funding: str,
    segment: str,
    guarantees: tuple[Guarantee, ...],
) -> tuple[tuple[Contract, ...], date]:
    """Consecutive contract terms from the effective date; those overlapping the window."""
    term_years = int(rng.choice([1, 2, 2, 3]))
    products = _products(rng, funding, segment)
    contracts: list[Contract] = []
    start = effective
    while True:
        end_next = date(start.year + term_years, start.month, 1)
        end = date.fromordinal(end_next.toordinal() - 1)
        if end >= window_start:
            years_from_2025 = start.year - 2025
            trend = 1.065**years_from_2025
            if funding == "aso":
                fee = float(rng.uniform(34.0, 52.0)) * trend
                admin, premium = _money(fee), None
            else:
                rate = float(rng.uniform(590.0, 660.0)) * trend
                admin, premium = None, _money(rate)
            contracts.append(
                Contract(
                    number=f"C-{group_number}-{start.year}",
                    start_date=start,
                    end_date=end,
                    products=products,
                    admin_fee_pepm=admin,
                    premium_pmpm=premium,
                    guarantees=guarantees,
                )
            )
        if end >= window_end:
            return tuple(contracts), end_next
        start = end_next


def plan_sponsors(params: SynthParams) -> list[Sponsor]:
    """Decide every sponsor of the book: identity, size, contracts, guarantees, plans."""
    rng = stream(params.seed, Stream.SPONSORS)
    window = params.window
    window_start, window_end = window.start_date, window.end_date
    count = params.accounts
    sizes = _allocate_members(params.members, count, rng)
    segments = rng.choice(SEGMENTS, size=count, p=[0.6, 0.2, 0.2])
    state_weights = np.array([s.weight for s in STATES])
    state_idx = rng.choice(len(STATES), size=count, p=state_weights / state_weights.sum())
    key_cut = np.quantile(sizes, 0.75)
    children: set[int] = set()
    if count >= 8:
        n_children = max(1, count // 10)
        candidates = [i for i in np.argsort(-sizes, kind="stable") if sizes[i] < key_cut]
        children = {int(i) for i in candidates[: n_children * 2 : 2]}
    new_accounts: set[int] = set()
    if count >= 10:
        pool = [i for i in range(count) if i not in children]
        new_accounts = {int(i) for i in rng.choice(pool, size=max(1, count // 12), replace=False)}

    group_numbers: list[str] = []
    number = 100001
    for _ in range(count):
        group_numbers.append(f"G{number}")
        number += int(rng.integers(1, 38))

    taken: set[str] = set()
    sponsors: list[Sponsor] = []
    parents_by_segment: dict[str, list[int]] = {}
    for i in range(count):
        segment = str(segments[i])
        state = STATES[int(state_idx[i])]
        parent: Sponsor | None = None
        if i in children:
            candidates_same = parents_by_segment.get(segment) or [
                j for j in range(len(sponsors)) if sponsors[j].parent_group_number is None
            ]
            if candidates_same:
                parent = sponsors[candidates_same[int(rng.integers(len(candidates_same)))]]
        if parent is not None:
            segment = parent.segment
            state = parent.state
            if segment == "labor_fund":
                suffix = f"Local {int(rng.integers(100, 1999))}"
            elif segment == "public_sector":
                suffix = _pick(rng, ("Police and Fire", "Public Works", "Retirees Under 65"))
            else:
                suffix = _pick(rng, names.DIVISION_NAMES)
            name = f"{parent.name} - {suffix}"
            taken.add(name)
        else:
            name = _unique_name(rng, segment, state.region, taken)
        if parent is not None:
            funding = parent.funding
        elif segment == "labor_fund":
            funding = "aso" if rng.random() < 0.9 else "fully_insured"
        elif segment == "public_sector":
            funding = "aso" if rng.random() < 0.75 else "fully_insured"
        else:
            funding = (
                "aso" if rng.random() < (0.75 if sizes[i] > 600 else 0.45) else ("fully_insured")
            )
        tier = "key" if sizes[i] >= key_cut and parent is None else "standard"
        renewal_month = int(rng.choice([1, 1, 1, 7, 7, 4, 10]))
        if i in new_accounts:
            months_in = int(rng.integers(3, max(4, window.months - 6)))
            candidate = add_months(window_start, months_in)
            quarter_month = ((candidate.month - 1) // 3) * 3 + 1
            effective = date(candidate.year, quarter_month, 1)
            if effective <= window_start:
                effective = add_months(effective, 3)
        else:
            year = int(rng.integers(2008, window_start.year))
            effective = date(year, renewal_month, 1)
        if parent is not None and i not in new_accounts:
            effective = max(effective, parent.effective_date)
        broker = None if rng.random() < 0.15 else _pick(rng, names.BROKERS)
        if parent is not None:
            broker = parent.broker
        domain = f"{_slug(name.split(' - ')[0])[:24]}.example"
        contacts = _contacts(rng, segment, domain, broker, state.cities[0].area_code)
        guarantees = _guarantee_set(rng, tier, funding, int(sizes[i]))
        contracts, renewal = _contracts(
            rng,
            group_numbers[i],
            effective,
            window_start,
            window_end,
            funding,
            segment,
            guarantees,
        )
        choices = PLAN_CHOICES[segment]
        plans = choices[int(rng.integers(len(choices)))]
        levels = OperatingLevels(
            asa_seconds=float(rng.uniform(12.0, 20.0)),
            abandonment_pct=float(rng.uniform(0.8, 1.6)),
            fcr_pct=float(rng.uniform(88.5, 92.5)),
            turnaround_pct=float(rng.uniform(96.5, 98.5)),
            financial_accuracy_pct=float(rng.uniform(99.5, 99.8)),
            auto_adjudication_pct=float(rng.uniform(88.5, 92.5)),
            ivr_containment_pct=float(rng.uniform(28.0, 34.0)),
            member_satisfaction_pct=float(rng.uniform(89.0, 93.0)),
            denial_rate=float(rng.uniform(0.055, 0.085)),
        )
        special = ""
        if rng.random() < 0.35:
            special = _pick(rng, SPECIAL_HANDLING)
            if "Union" in special and segment != "labor_fund":
                special = SPECIAL_HANDLING[1]
        male_share = {"labor_fund": 0.78, "public_sector": 0.52, "commercial": 0.55}[segment]
        sponsor = Sponsor(
            index=i,
            group_number=group_numbers[i],
            name=name,
            segment=segment,
            funding=funding,
            tier=tier,
            state=state,
            broker=broker,
            effective_date=effective,
            renewal_date=renewal,
            parent_group_number=parent.group_number if parent is not None else None,
            special_handling=special,
            contacts=contacts,
            contracts=contracts,
            member_target=int(sizes[i]),
            plans=plans,
            levels=levels,
            male_share=male_share + float(rng.uniform(-0.05, 0.05)),
            domain=domain,
        )
        sponsors.append(sponsor)
        if parent is None:
            parents_by_segment.setdefault(segment, []).append(i)
    return sponsors


def coverage_start_day(sponsor: Sponsor, first_day: int) -> int:
    """First day of the window on which the sponsor's members can be enrolled."""
    return max(first_day, day_number(sponsor.effective_date))
