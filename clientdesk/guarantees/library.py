"""The template library: typical guarantees with typical targets, terms and their sources.

Picking templates on a contract creates its guarantees in one step; each can then be edited
to the contract's exact wording. Targets, periods and penalty structures come from
`shared/domain/service-guarantees-detection.md` §1.2, §1.3, §1.6 (source keys as there).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from clientdesk.accounts.models import Contract

SOURCES: dict[str, tuple[str, str]] = {
    "S4": (
        "Capitol Group, suggested vendor objectives",
        "https://capitol-group.com/cap-identifymarket.html",
    ),
    "S6": (
        "Cigna-City of Miami Beach Performance Guarantee Agreement (2016)",
        "https://docmgmt.miamibeachfl.gov/WebLink/DocView.aspx?dbid=0&id=156156&repo=CityClerk",
    ),
    "S7": (
        "Anthem ASA template, City of Nashua, PG exhibit (2012)",
        "https://www.nashuacity.com/index.php/node/22802",
    ),
    "S9": (
        "County RFP PG clause (allocation, reporting, reconciliation)",
        "https://lawinsider.com/clause/performance-guarantees/_5",
    ),
    "S10": ("Financial accuracy clauses", "https://lawinsider.com/clause/financial-accuracy"),
    "S11": (
        "Recordkeeper financial PGs (1 % of quarterly fees per PG)",
        "https://lawinsider.com/clause/financial-performance-guarantees/_1",
    ),
    "S12": (
        "Claims processing time clause (95 % in 30 days)",
        "https://lawinsider.com/clause/claims-processing-time/_1",
    ),
    "S14": (
        "State (NJ DOBI) CRM service level agreement",
        "https://info.5y1.org/customer-relations-management-system_1_ac23fb.html",
    ),
    "S16": (
        "BenefitsLink thread on DHMO/indemnity PGs",
        "https://benefitslink.com/boards/topic/12313-advice-regarding-new-contracting-for-dhmos-as-a-part-of-a-state-benefi/",
    ),
    "S17": (
        "PerformRx on CMS Part D call-centre standards (2025)",
        "https://www.performrx.com/news-and-insights/blog/20250915",
    ),
    "S22": (
        "Finantrix, auto-adjudication at the edge (vendor claim)",
        "https://www.finantrix.com/in-focus/from-claims-to-care/auto-adjudication-at-the-edge",
    ),
    "S27": (
        "Claims adjudication and accuracy (LFP-05)",
        "https://syamadusumilli.pages.dev/lfp/series-05/claims-adjudication-and-accuracy-summary/",
    ),
    "S28": ("OpsDog, IVR/VRU containment", "https://opsdog.com/products/ivrvru-containment-rate"),
}

ANTHEM_ASA_TIERS = [
    {"at": "31", "pct": "25"},
    {"at": "34", "pct": "50"},
    {"at": "37", "pct": "75"},
    {"at": "40", "pct": "100"},
]
ANTHEM_ABANDONMENT_TIERS = [
    {"at": "3.01", "pct": "25"},
    {"at": "3.41", "pct": "50"},
    {"at": "3.71", "pct": "75"},
    {"at": "4.00", "pct": "100"},
]


CONTRACT_FEES = "pct_of_fees"
"""A template's basis "% of the contract's fees": admin fees (ASO) or premium (fully insured)."""


def fees_basis(contract: Contract) -> str:
    """The % basis of a contract's fees: admin fees when it has an admin fee PEPM (ASO),
    premium when it has only a premium PMPM (fully insured)."""
    if contract.admin_fee_pepm is None and contract.premium_pmpm is not None:
        return "pct_of_premium"
    return "pct_of_admin_fees"


@dataclass(frozen=True)
class Template:
    code: str
    title: str
    metric: str
    comparator: str
    target: str
    period: str
    at_risk_basis: str
    at_risk_value: str
    sources: tuple[str, ...]
    note: str
    schedule: str = "all_or_nothing"
    tiers: list[dict[str, str]] = field(default_factory=list)
    per_point_amount: str | None = None
    decimals: int = 2
    threshold: int | None = None
    level: str = "client"
    settlement: str = "per_period"

    def guarantee_data(self, contract: Contract | None = None) -> dict[str, Any]:
        """The fields of a Guarantee made from this template. A template's "% of fees" becomes
        the contract's own: % of admin fees on an ASO contract, % of premium on a fully
        insured one (stated on the guarantee, which the contract's wording may then change)."""
        basis = self.at_risk_basis
        if basis == CONTRACT_FEES:
            basis = fees_basis(contract) if contract is not None else "pct_of_admin_fees"
        return {
            "metric": self.metric,
            "label": self.title,
            "comparator": self.comparator,
            "target": Decimal(self.target),
            "decimals": self.decimals,
            "threshold": self.threshold,
            "short_abandon_seconds": 5,
            "line": "member",
            "level": self.level,
            "period": self.period,
            "settlement": self.settlement,
            "at_risk_basis": basis,
            "at_risk_value": Decimal(self.at_risk_value),
            "schedule": self.schedule,
            "tiers": list(self.tiers),
            "per_point_amount": (
                Decimal(self.per_point_amount) if self.per_point_amount is not None else None
            ),
            "template": self.code,
            "notes": f"{self.note} Sources: {', '.join(self.sources)}.",
        }


TEMPLATES: dict[str, Template] = {
    t.code: t
    for t in (
        Template(
            "asa_national",
            "ASA ≤ 30 s (national, tiered)",
            "average_speed_of_answer",
            "<=",
            "30",
            "quarterly",
            "fixed",
            "5000",
            ("S7",),
            "Anthem national accounts: 30 s; 25/50/75/100 % of the amount at 31/34/37/40 s; "
            "$20,000 a year = $5,000 a quarter.",
            schedule="tiers",
            tiers=ANTHEM_ASA_TIERS,
            decimals=0,
        ),
        Template(
            "asa_local",
            "ASA ≤ 45 s (local)",
            "average_speed_of_answer",
            "<=",
            "45",
            "quarterly",
            "pct_of_fees",
            "1.0",
            ("S7", "S11"),
            "Anthem local accounts: 45 s; 1 % of the period's fees (recordkeeper practice).",
            decimals=0,
        ),
        Template(
            "service_level_80_30",
            "80 % of calls answered within 30 s",
            "service_level",
            ">=",
            "80",
            "quarterly",
            "pct_of_fees",
            "1.0",
            ("S17", "S11"),
            "CMS Part D call-centre standard; abandons under 5 s excluded.",
            threshold=30,
        ),
        Template(
            "abandonment_national",
            "Abandonment ≤ 3 % (national, tiered)",
            "abandonment_rate",
            "<=",
            "3.00",
            "quarterly",
            "fixed",
            "5000",
            ("S7",),
            "Anthem national: abandons under 5 s excluded; 25/50/75/100 % at "
            "3.01/3.41/3.71/4.00 %.",
            schedule="tiers",
            tiers=ANTHEM_ABANDONMENT_TIERS,
        ),
        Template(
            "abandonment_local",
            "Abandonment ≤ 5 %",
            "abandonment_rate",
            "<=",
            "5.00",
            "quarterly",
            "pct_of_fees",
            "1.0",
            ("S7", "S17"),
            "Anthem local accounts and CMS Part D: 5 %.",
        ),
        Template(
            "fcr_75_monthly",
            "First-contact resolution ≥ 75 % (monthly)",
            "first_contact_resolution",
            ">=",
            "75",
            "monthly",
            "fixed",
            "5000",
            ("S14",),
            "State SLA: $5,000 for each month below 75 %.",
        ),
        Template(
            "claims_tat_90_10",
            "90 % of claims processed within 10 calendar days",
            "claims_turnaround",
            ">=",
            "90",
            "quarterly",
            "pct_of_fees",
            "1.5",
            ("S4",),
            "Consultant objective; original claims, by finalization date.",
            threshold=10,
        ),
        Template(
            "claims_tat_95_30",
            "95 % of claims processed within 30 days",
            "claims_turnaround",
            ">=",
            "95",
            "quarterly",
            "pct_of_fees",
            "1.0",
            ("S12",),
            "Contract clause: 95 % in 30 days.",
            threshold=30,
        ),
        Template(
            "financial_accuracy_99",
            "Financial accuracy ≥ 99 % ($5,000 per point)",
            "financial_accuracy",
            ">=",
            "99",
            "quarterly",
            "pct_of_fees",
            "2.0",
            ("S4", "S10"),
            "$5,000 per percentage point below 99 %, up to 2 % of the quarter's fees.",
            schedule="per_point",
            per_point_amount="5000",
        ),
        Template(
            "payment_accuracy_99",
            "Payment accuracy ≥ 99 %",
            "payment_accuracy",
            ">=",
            "99",
            "quarterly",
            "pct_of_fees",
            "1.0",
            ("S4",),
            "Claims paid the right amount, of the audit sample.",
        ),
        Template(
            "procedural_accuracy_97",
            "Procedural accuracy ≥ 97 %",
            "procedural_accuracy",
            ">=",
            "97",
            "quarterly",
            "pct_of_fees",
            "1.0",
            ("S4", "S27"),
            "Coding and processing accuracy from the QA audit (attested).",
        ),
        Template(
            "auto_adjudication_85",
            "Auto-adjudication ≥ 85 %",
            "auto_adjudication_rate",
            ">=",
            "85",
            "quarterly",
            "pct_of_fees",
            "1.0",
            ("S22",),
            "Typical 70-85 %, best in class 90-95 % (vendor claims).",
        ),
        Template(
            "ivr_containment_20",
            "IVR containment ≥ 20 %",
            "ivr_containment",
            ">=",
            "20",
            "quarterly",
            "pct_of_fees",
            "0.5",
            ("S28",),
            "No public health-plan benchmark; 20 % is our assumption, agree it per contract.",
        ),
        Template(
            "eligibility_5_days",
            "Eligibility loaded within 5 business days",
            "eligibility_load_timeliness",
            ">=",
            "100",
            "quarterly",
            "pct_of_fees",
            "1.0",
            ("S4",),
            "Every eligibility file loaded within 5 work days of receipt.",
            threshold=5,
        ),
        Template(
            "id_cards_98",
            "98 % of ID cards mailed by the commitment date",
            "id_card_timeliness",
            ">=",
            "98",
            "one_time",
            "fixed",
            "7500",
            ("S6",),
            "Implementation guarantee, account level, $7,500 (attested).",
        ),
        Template(
            "reporting_on_time",
            "Standard reports delivered on time",
            "reporting_timeliness",
            ">=",
            "100",
            "quarterly",
            "fixed",
            "2500",
            ("S4", "S9"),
            "Standard reports within one week of request (attested).",
        ),
        Template(
            "member_satisfaction_85",
            "Member satisfaction ≥ 85 % satisfied",
            "member_satisfaction",
            ">=",
            "85",
            "annual",
            "pct_of_fees",
            "1.0",
            ("S16", "S9"),
            "Annual; 95 % appears in a dental example, 85 % is a common middle ground.",
        ),
        Template(
            "sponsor_satisfaction_3",
            "Sponsor satisfaction score ≥ 3 (of 5)",
            "sponsor_satisfaction",
            ">=",
            "3",
            "annual",
            "fixed",
            "7500",
            ("S6", "S9"),
            "Score of no less than 3 on the stated statement; measured annually.",
        ),
        Template(
            "implementation_readiness",
            "Claim and call readiness by the commitment date",
            "implementation_readiness",
            ">=",
            "100",
            "one_time",
            "fixed",
            "7500",
            ("S6",),
            "Benefit profile and eligibility loaded, service centre ready (attested).",
        ),
        Template(
            "implementation_id_cards_10",
            "Implementation: ID cards mailed ≥ 10 business days before the effective date",
            "implementation_id_cards",
            ">=",
            "100",
            "one_time",
            "fixed",
            "7500",
            ("S6",),
            "Measured from the implementation plan's ID-card task (done, its actual finish);"
            " 10 business days is the lead the plan templates give (a TPA states 10-15 for a"
            " new group, account-management.md); measure over the implementation's dates.",
            threshold=10,
        ),
        Template(
            "implementation_milestones",
            "Implementation: claim and call readiness milestones met by their committed dates",
            "implementation_milestones",
            ">=",
            "100",
            "one_time",
            "fixed",
            "7500",
            ("S6",),
            "Claim readiness (eligibility loaded, test claims) and call readiness (service"
            " training), ID cards and go-live, each done by the date in the approved plan's"
            " baseline; measured from the implementation plan.",
        ),
        Template(
            "implementation_eligibility_2_days",
            "Implementation: eligibility loaded within 2 business days of receipt",
            "eligibility_load_timeliness",
            ">=",
            "100",
            "one_time",
            "fixed",
            "7500",
            ("S6", "S4"),
            "Every eligibility file of the implementation loaded within 2 work days of receipt"
            " (from the lake's eligibility feed); measure from the first test file to 90 days"
            " after go-live.",
            threshold=2,
        ),
        Template(
            "implementation_claims_tat_90_days",
            "Implementation: 90 % of claims processed within 10 days in the first 90 days",
            "claims_turnaround",
            ">=",
            "90",
            "one_time",
            "fixed",
            "7500",
            ("S4", "S6"),
            "Claims paid on time after go-live: measure from the effective date to 90 days"
            " after it (from the lake's claim processing feed).",
            threshold=10,
        ),
        Template(
            "implementation_satisfaction_3",
            "Implementation satisfaction ≥ 3",
            "implementation_satisfaction",
            ">=",
            "3",
            "one_time",
            "fixed",
            "7500",
            ("S6",),
            "Mean CSAT (1-5) of the implementation survey's answers no less than 3, counted"
            " from the survey sent at go-live + N days; measure over the 90 days after go-live.",
        ),
    )
}


def template(code: str) -> Template:
    try:
        return TEMPLATES[code]
    except KeyError:
        raise ValueError(f"unknown guarantee template {code!r}") from None
