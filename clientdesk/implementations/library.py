"""The seeded template library: realistic health-plan implementations with their lead times.

Each template is a small sheet in the import format (``plan_files.py``): ID, name, duration in
business days, predecessors in MS Project notation, owner team, kind, and the source of the
lead time where one is stated. Sources are those collected in ``shared/domain/
account-management.md`` §4.2; a duration without a source is our own estimate, and the
"suggested model" offsets there are marked unverified as an industry template.
"""

from __future__ import annotations

from dataclasses import dataclass

from clientdesk.implementations.models import TemplateKind

ENROLLING = "experts123.com: enrollment deadlines 21-30 days before effective; checklist"
EDI = "benefitexpress.info: EDI feed change 30 days, new feed 60 days before effective"
PBM = "lawinsider.com plan-design-document: PBM plan changes >=30 days ahead, 5 business days"
ELIG = "lawinsider.com enrollment-file: PBM needs the file >=25 days before; 834 in 2 days"
CARDS = "zenefits.com; providencepartners.org: ID cards 10-15 business days after processing"
OE = "MGB health plan timeline; Zenefits: OE 7-21 business days, elect >=45 days ahead"
PGS = "Cigna - City of Miami Beach 2016: ID card, claim, call readiness guarantees"
MODEL = "domain/account-management 4.2 suggested model (E-45 build, E-40 test file), unverified"

Row = tuple[str, str, int, str, str, str, str]  # id, name, days, preds, team, kind, source


@dataclass(frozen=True)
class TemplateSeed:
    code: str
    name: str
    kind: TemplateKind
    description: str
    rows: tuple[Row, ...]

    @property
    def source(self) -> str:
        return "; ".join(sorted({row[6] for row in self.rows if row[6]}))


_NEW_ACCOUNT: tuple[Row, ...] = (
    ("1", "Kickoff meeting with the sponsor", 1, "", "client_management", "task", ENROLLING),
    (
        "2",
        "Plan design documents and questionnaire received",
        5,
        "1",
        "client_management",
        "task",
        ENROLLING,
    ),
    ("3", "Plan design sign-off", 0, "2", "client_management", "plan_design", OE),
    ("4", "Eligibility file specification agreed (834 layout)", 5, "1", "eligibility", "task", EDI),
    ("5", "Benefit build (plan configuration)", 10, "3", "benefit_configuration", "task", MODEL),
    ("6", "Eligibility test file, round 1", 3, "4FS+5", "eligibility", "eligibility_test", MODEL),
    ("7", "Eligibility test file, round 2", 3, "6FS+2", "eligibility", "eligibility_test", ""),
    ("8", "Network set-up and provider directory", 10, "3", "network", "task", ""),
    ("9", "Pharmacy (PBM) plan build", 5, "3", "pharmacy", "task", PBM),
    (
        "10",
        "Benefit test claims adjudicated as expected",
        5,
        "5;8;9",
        "benefit_configuration",
        "test_claims",
        PGS,
    ),
    ("11", "Open enrollment materials (SBC, booklets)", 10, "3", "communications", "task", OE),
    ("12", "Open enrollment meetings", 10, "11", "communications", "task", ENROLLING),
    ("13", "Production eligibility load", 2, "7;12", "eligibility", "eligibility_load", ELIG),
    ("14", "ID cards produced and mailed", 10, "13", "fulfillment", "id_cards", CARDS),
    ("15", "Customer-service training", 3, "5", "member_services", "training", PGS),
    ("16", "Special-handling instructions loaded", 2, "15", "service_operations", "task", ""),
    ("17", "Billing set-up", 3, "3", "billing", "task", ""),
    ("18", "Readiness review", 1, "10;13;14;16;17", "client_management", "task", PGS),
    ("19", "Go-live (effective date)", 0, "18FS+3;14FS+10", "client_management", "go_live", PGS),
    ("20", "Post-go-live review", 1, "19FS+20", "client_management", "review", ""),
)


def _replace(rows: tuple[Row, ...], ref: str, name: str, source: str = "") -> tuple[Row, ...]:
    return tuple(
        (r[0], name, r[2], r[3], r[4], r[5], source or r[6]) if r[0] == ref else r for r in rows
    )


TEMPLATES: tuple[TemplateSeed, ...] = (
    TemplateSeed(
        "new-self-funded",
        "New self-funded (ASO) account",
        TemplateKind.NEW_SELF_FUNDED,
        "A new ASO sponsor: plan build, eligibility feed and test rounds, network and PBM, "
        "open enrollment, ID cards ten business days before the effective date, service "
        "readiness, go-live and a review a month after.",
        _replace(_NEW_ACCOUNT, "17", "Claims funding account and admin-fee billing set-up"),
    ),
    TemplateSeed(
        "new-fully-insured",
        "New fully insured account",
        TemplateKind.NEW_FULLY_INSURED,
        "A new fully insured group: as the ASO plan, with premium list billing instead of a "
        "claims funding account.",
        _replace(_NEW_ACCOUNT, "17", "Premium list-bill set-up"),
    ),
    TemplateSeed(
        "renewal-plan-changes",
        "Renewal with plan changes",
        TemplateKind.RENEWAL_PLAN_CHANGE,
        "A renewing sponsor changes its plans: rebuild, PBM change, a changed eligibility "
        "feed tested once, open enrollment and new ID cards for the changed plans.",
        (
            ("1", "Renewal plan changes confirmed", 0, "", "client_management", "plan_design", OE),
            ("2", "Benefit build changes", 5, "1", "benefit_configuration", "task", ""),
            ("3", "PBM plan change", 5, "1", "pharmacy", "task", PBM),
            (
                "4",
                "Changed eligibility file tested",
                3,
                "1FS+5",
                "eligibility",
                "eligibility_test",
                EDI,
            ),
            (
                "5",
                "Test claims on the changed plans",
                3,
                "2;3",
                "benefit_configuration",
                "test_claims",
                "",
            ),
            (
                "6",
                "SBC and open enrollment materials updated",
                5,
                "1",
                "communications",
                "task",
                OE,
            ),
            ("7", "Open enrollment", 10, "6", "communications", "task", OE),
            ("8", "Production eligibility load", 2, "4;7", "eligibility", "eligibility_load", ELIG),
            ("9", "ID cards for changed plans mailed", 10, "8", "fulfillment", "id_cards", CARDS),
            (
                "10",
                "Customer-service briefing on the changes",
                1,
                "2",
                "member_services",
                "training",
                "",
            ),
            ("11", "Readiness review", 1, "5;8;10", "client_management", "task", PGS),
            ("12", "Renewal effective", 0, "11FS+2;9FS+5", "client_management", "go_live", ""),
            ("13", "Post-renewal review", 1, "12FS+20", "client_management", "review", ""),
        ),
    ),
    TemplateSeed(
        "pharmacy-carve-in",
        "New product: pharmacy carve-in",
        TemplateKind.NEW_PRODUCT,
        "Moving a sponsor's pharmacy benefit in: PBM plan build, an eligibility feed to the "
        "PBM at least 25 days before the effective date, pharmacy ID cards, service training.",
        (
            ("1", "Kickoff with the sponsor and the PBM", 1, "", "client_management", "task", ""),
            (
                "2",
                "Pharmacy plan design sign-off",
                0,
                "1FS+5",
                "client_management",
                "plan_design",
                PBM,
            ),
            ("3", "PBM plan build", 5, "2", "pharmacy", "task", PBM),
            ("4", "Eligibility feed to the PBM specified", 5, "1", "eligibility", "task", EDI),
            ("5", "PBM eligibility test file", 3, "4", "eligibility", "eligibility_test", EDI),
            ("6", "Pharmacy test claims", 3, "3;5", "pharmacy", "test_claims", ""),
            (
                "7",
                "Member communications on the pharmacy change",
                10,
                "2",
                "communications",
                "task",
                "",
            ),
            (
                "8",
                "Production PBM eligibility load",
                2,
                "5;7",
                "eligibility",
                "eligibility_load",
                ELIG,
            ),
            ("9", "Pharmacy ID cards mailed", 10, "8", "fulfillment", "id_cards", CARDS),
            ("10", "Customer-service pharmacy training", 2, "3", "member_services", "training", ""),
            ("11", "Readiness review", 1, "6;9;10", "client_management", "task", PGS),
            ("12", "Pharmacy go-live", 0, "11;9FS+10", "client_management", "go_live", PGS),
            ("13", "Post-go-live review", 1, "12FS+20", "client_management", "review", ""),
        ),
    ),
)
