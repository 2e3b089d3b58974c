"""Every route of the financials app, for the access matrix (web/tests/access.py)."""

from __future__ import annotations

from clientdesk.testing import Cast
from clientdesk.web.tests.access import (
    BOOK,
    MANAGE,
    OK,
    READ,
    ApiRoute,
    Expect,
    Route,
    acme,
    acme_tab,
    no_args,
)

# Margin, revenue, renewal and plan pricing: Manager, Executive, Admin (of the accounts they
# see; oscar and sam see no Acme: 404).
MARGIN: Expect = {
    "ada": OK,
    "mia": OK,
    "alice": 403,
    "bob": 403,
    "eve": OK,
    "oscar": 404,
    "sam": 404,
}
# The renewal workbook of an account without a P&L run: nothing to download (404) for the
# margin roles; the others are refused first.
NO_RUN_EXPORT: Expect = {**MARGIN, "ada": 404, "mia": 404, "eve": 404}
ADMIN_ONLY: Expect = {
    "ada": OK,
    "mia": 403,
    "alice": 403,
    "bob": 403,
    "eve": 403,
    "oscar": 403,
    "sam": 403,
}
API_MARGIN: Expect = dict(MARGIN)
# The renewal of an account without a P&L run, by API: not there yet (404) for the margin
# roles, as the workbook's download; the others are refused first.
API_NO_RUN: Expect = dict(NO_RUN_EXPORT)


def acme_fmt(c: Cast) -> dict[str, object]:
    return {"account_id": c.acme.pk, "fmt": "csv"}


def csv_fmt(c: Cast) -> dict[str, object]:
    return {"fmt": "csv"}


OPTIONS_POST = {
    "option-TOTAL_FORMS": "2",
    "option-INITIAL_FORMS": "0",
    "option-MIN_NUM_FORMS": "2",
    "option-MAX_NUM_FORMS": "5",
    "option-0-name": "Current",
    "option-0-deductible": "1000",
    "option-0-coinsurance_pct": "20",
    "option-0-oop_max": "4000",
    "option-1-name": "HDHP",
    "option-1-deductible": "3300",
    "option-1-coinsurance_pct": "20",
    "option-1-oop_max": "6600",
}

ROUTES = [
    Route("accounts:tab", "get", acme_tab("financials"), READ),
    Route("financials:ibnr", "get", acme, READ),
    Route("financials:renewal", "get", acme, MARGIN),
    Route("financials:renewal_export", "get", acme, NO_RUN_EXPORT),
    Route("financials:options", "get", acme, MARGIN),
    Route("financials:options", "post", acme, MARGIN, data=OPTIONS_POST),
    Route("financials:terms", "get", acme, MANAGE),
    Route("financials:terms", "post", acme, MANAGE, data={"premium_tax_pct": "2.5"}),
    Route("financials:account_export", "get", acme_fmt, MARGIN),
    Route("financials:portfolio", "get", no_args, BOOK),
    Route("financials:portfolio_export", "get", csv_fmt, BOOK),
    Route("financials:expense", "get", no_args, ADMIN_ONLY),
    Route("financials:expense", "post", no_args, ADMIN_ONLY, data={"segment": "commercial"}),
]

WRONG_METHODS = [
    ("financials:ibnr", "post", acme),
    ("financials:renewal", "post", acme),
    ("financials:portfolio", "post", no_args),
]


def commercial(c: Cast) -> dict[str, int]:
    return {"segment": "commercial"}  # type: ignore[dict-item]  # a path str, not an id


API_ROUTES = [
    ApiRoute("/financials/accounts/{account_id}/ibnr", "get", acme, READ),
    ApiRoute("/financials/accounts/{account_id}/terms", "get", acme, API_MARGIN),
    ApiRoute(
        "/financials/accounts/{account_id}/terms", "patch", acme, MANAGE, {"vendor_pepm": "2"}
    ),
    ApiRoute("/financials/segment-expense", "get", no_args, BOOK),
    ApiRoute(
        "/financials/segment-expense/{segment}",
        "patch",
        commercial,
        ADMIN_ONLY,
        {"admin_pepm": "27"},
    ),
    ApiRoute("/financials/accounts/{account_id}/pnl", "get", acme, API_MARGIN),
    ApiRoute("/financials/accounts/{account_id}/renewal", "get", acme, API_NO_RUN),
    ApiRoute("/financials/portfolio", "get", no_args, BOOK),
]
