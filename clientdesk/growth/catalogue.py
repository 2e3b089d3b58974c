"""The seeded product catalogue and the default suggestion rules (a data migration loads
them; managers change them afterwards on the rules page).

List prices are orders of magnitude from domain/account-management.md: ASO admin fees ~$30-50
PEPM, EAP ~$12-40 per employee-year, point solutions a few dollars PEPM. The three care
programs' thresholds are their break-even: a program pays when members with the condition
per employee x engagement x savings per engaged member-month reach its fee PEPM, so the
break-even count per 1,000 employees is 1,000 x fee / (engagement x savings).
"""

from __future__ import annotations

from decimal import Decimal

# code, name, family, basis, list price, accounts.Product code, description
CATALOGUE: tuple[tuple[str, str, str, str, str, str, str], ...] = (
    ("medical", "Medical (ASO administration)", "medical", "pepm", "38.50", "medical", ""),
    ("pharmacy", "Pharmacy benefit", "pharmacy", "pepm", "4.00", "pharmacy", ""),
    ("dental", "Dental", "dental", "pepm", "3.50", "dental", ""),
    ("vision", "Vision", "vision", "pepm", "1.25", "vision", ""),
    ("behavioral", "Behavioral health", "behavioral", "pmpm", "2.50", "behavioral", ""),
    ("stop_loss", "Stop-loss", "stop_loss", "pepm", "65.00", "stop_loss", ""),
    (
        "disease_management",
        "Disease management (diabetes)",
        "care",
        "pepm",
        "3.00",
        "",
        "Coaching and monitoring for members with diabetes.",
    ),
    (
        "care_management",
        "Care management (heart and lung)",
        "care",
        "pepm",
        "2.50",
        "",
        "Nurse care managers for heart failure, coronary disease and COPD.",
    ),
    ("eap", "Employee assistance program", "eap", "pepm", "1.75", "", "Counselling sessions."),
    (
        "specialty_pharmacy",
        "Specialty pharmacy management",
        "pharmacy",
        "pepm",
        "2.00",
        "",
        "Site-of-care and specialty drug utilization management.",
    ),
    ("nurse_line", "24/7 nurse line", "care", "pepm", "0.85", "", "Triage before the ED."),
    ("wellness", "Wellness and health coaching", "wellness", "pepm", "2.75", "", ""),
    ("msk_virtual", "Virtual MSK therapy", "point_solution", "pepm", "2.00", "", ""),
)


def breakeven_per_1000_employees(fee_pepm: str, engagement: str, savings_pmpm: str) -> Decimal:
    value = Decimal(1000) * Decimal(fee_pepm) / (Decimal(engagement) * Decimal(savings_pmpm))
    return value.quantize(Decimal("0.01"))


# name, measure, comparison, threshold, product code, rationale
DEFAULT_RULES: tuple[tuple[str, str, str, Decimal, str, str], ...] = (
    (
        "Diabetes above break-even, no disease management",
        "diabetes_per_1000",
        "gt",
        breakeven_per_1000_employees("3.00", "0.35", "75"),
        "disease_management",
        "Fee $3.00 PEPM; 35% of members with diabetes engage; $75 saved per engaged member-month.",
    ),
    (
        "Heart and lung conditions above break-even, no care management",
        "cardio_per_1000",
        "gt",
        breakeven_per_1000_employees("2.50", "0.30", "110"),
        "care_management",
        "Fee $2.50 PEPM; 30% engage; $110 saved per engaged member-month.",
    ),
    (
        "Depression and anxiety above break-even, no EAP",
        "behavioral_per_1000",
        "gt",
        breakeven_per_1000_employees("1.75", "0.10", "60"),
        "eap",
        "Fee $1.75 PEPM; 10% use counselling; $60 saved per engaged member-month.",
    ),
    (
        "High specialty-drug share, no specialty pharmacy program",
        "specialty_rx_share",
        "gt",
        Decimal("50.00"),
        "specialty_pharmacy",
        "Specialty drugs are about half of pharmacy spend nationally; above it, "
        "site-of-care and utilization management pay.",
    ),
    (
        "High ED use, no nurse line",
        "ed_visits_per_1000",
        "gt",
        Decimal("200.00"),
        "nurse_line",
        "Commercial ED use runs about 150–200 visits per 1,000 a year.",
    ),
)
