"""Reads of growth, in the caller's scope: whitespace, pipeline and forecast, suggestions,
leads and their SLA, win rates, vendor contracts with their savings."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from clientdesk.accounts.access import AnyUser, accounts_visible_to
from clientdesk.accounts.models import Account
from clientdesk.growth.access import (
    leads_visible_to,
    opportunities_visible_to,
    rfps_visible_to,
    vendor_contracts_visible_to,
)
from clientdesk.growth.models import (
    OPEN_STAGES,
    Holding,
    HoldingStatus,
    Lead,
    LeadSource,
    LeadStatus,
    Opportunity,
    Product,
    RfpStatus,
    SavingsCheck,
    Stage,
    Suggestion,
    SuggestionStatus,
    VendorContract,
)
from clientdesk.growth.pipeline import Deal, Forecast, forecast, win_rate
from clientdesk.growth.savings import Savings, fee_savings
from clientdesk.lib.business_calendar import BusinessCalendar, business_duration

# --- whitespace -----------------------------------------------------------------------------


class Cell:
    HELD = "held"
    PIPELINE = "pipeline"
    DECLINED = "declined"
    NOT_OFFERED = "not_offered"


CELL_LABELS = {
    Cell.HELD: "Held",
    Cell.PIPELINE: "In pipeline",
    Cell.DECLINED: "Declined",
    Cell.NOT_OFFERED: "Not offered",
}


def _current_contract_codes(accounts: list[Account], today: dt.date) -> dict[int, set[str]]:
    codes: dict[int, set[str]] = defaultdict(set)
    from clientdesk.accounts.models import Contract

    contracts = Contract.objects.filter(
        account__in=accounts, start_date__lte=today, end_date__gte=today
    )
    for contract in contracts:
        codes[contract.account_id].update(contract.products)
    return codes


def holding_versions(account: Account, products: Sequence[Product]) -> list[tuple[int, int]]:
    """(product id, the version of the account's holding of it; 0: none recorded) for each
    product: what the holding form posts back, so a change made since is refused."""
    stored = dict(Holding.objects.filter(account=account).values_list("product_id", "version"))
    return [(p.pk, stored.get(p.pk, 0)) for p in products]


def whitespace(
    accounts: list[Account], today: dt.date
) -> tuple[list[Product], dict[int, dict[int, str]]]:
    """The matrix: products (columns) and, per account id, per product id, its cell. Held
    comes from a holding or from the current contract's products; pipeline from an open
    opportunity; declined from a holding declined or a lost opportunity."""
    products = list(Product.objects.filter(active=True))
    ids = [a.pk for a in accounts]
    cells: dict[int, dict[int, str]] = {
        a.pk: dict.fromkeys((p.pk for p in products), Cell.NOT_OFFERED) for a in accounts
    }
    for opp in Opportunity.objects.filter(account_id__in=ids).values(
        "account_id", "product_id", "stage"
    ):
        row = cells[opp["account_id"]]
        if opp["product_id"] not in row:
            continue
        if opp["stage"] in OPEN_STAGES:
            row[opp["product_id"]] = Cell.PIPELINE
        elif opp["stage"] == Stage.LOST and row[opp["product_id"]] == Cell.NOT_OFFERED:
            row[opp["product_id"]] = Cell.DECLINED
    for h in Holding.objects.filter(account_id__in=ids).values(
        "account_id", "product_id", "status"
    ):
        row = cells[h["account_id"]]
        if h["product_id"] not in row:
            continue
        if h["status"] == HoldingStatus.HELD:
            row[h["product_id"]] = Cell.HELD
        elif row[h["product_id"]] != Cell.PIPELINE:
            row[h["product_id"]] = Cell.DECLINED
    by_code = {p.contract_code: p.pk for p in products if p.contract_code}
    for account_id, codes in _current_contract_codes(accounts, today).items():
        for code in codes:
            if code in by_code:
                cells[account_id][by_code[code]] = Cell.HELD
    return products, cells


@dataclass(frozen=True)
class PortfolioColumn:
    product: Product
    held: int
    pipeline: int
    declined: int
    not_offered: int
    penetration: Decimal  # held ÷ accounts, percent


def portfolio_whitespace(user: AnyUser, today: dt.date) -> tuple[list[PortfolioColumn], int]:
    """The whitespace over every account the reader sees: per product, how many accounts
    hold it, have it in the pipeline, declined it, were never offered it."""
    accounts = list(accounts_visible_to(user))
    products, cells = whitespace(accounts, today)
    columns = []
    for product in products:
        counts = {Cell.HELD: 0, Cell.PIPELINE: 0, Cell.DECLINED: 0, Cell.NOT_OFFERED: 0}
        for row in cells.values():
            counts[row[product.pk]] += 1
        penetration = (
            (Decimal(counts[Cell.HELD]) * 100 / len(accounts)).quantize(Decimal("0.1"))
            if accounts
            else Decimal("0")
        )
        columns.append(
            PortfolioColumn(
                product,
                counts[Cell.HELD],
                counts[Cell.PIPELINE],
                counts[Cell.DECLINED],
                counts[Cell.NOT_OFFERED],
                penetration,
            )
        )
    return columns, len(accounts)


def taken_products(account_ids: list[int], *, pipeline: bool = True) -> dict[int, set[int]]:
    """Per account, the products a suggestion must not offer: held or declined, and (unless
    `pipeline` is False, as when scoring against a book's truth) in an open opportunity."""
    taken: dict[int, set[int]] = defaultdict(set)
    for h in Holding.objects.filter(account_id__in=account_ids).values("account_id", "product_id"):
        taken[h["account_id"]].add(h["product_id"])
    if not pipeline:
        return taken
    opps = Opportunity.objects.filter(account_id__in=account_ids, stage__in=OPEN_STAGES)
    for o in opps.values("account_id", "product_id"):
        taken[o["account_id"]].add(o["product_id"])
    return taken


# --- pipeline -------------------------------------------------------------------------------


def pipeline(
    user: AnyUser, *, product_id: int | None = None
) -> tuple[QuerySet[Opportunity], Forecast]:
    opportunities = opportunities_visible_to(user).select_related("account", "product", "owner")
    if product_id:
        opportunities = opportunities.filter(product_id=product_id)
    deals = [
        Deal(o.product.name, o.stage, o.annual_value, o.probability, o.expected_close)
        for o in opportunities
    ]
    return opportunities, forecast(deals)


def account_opportunities(account: Account) -> QuerySet[Opportunity]:
    return Opportunity.objects.filter(account=account).select_related("product", "owner")


def open_suggestions(account: Account) -> QuerySet[Suggestion]:
    return Suggestion.objects.filter(account=account, status=SuggestionStatus.OPEN).select_related(
        "rule", "rule__product"
    )


# --- leads ----------------------------------------------------------------------------------

LEAD_CALENDAR = BusinessCalendar()  # Monday to Friday 08:00-18:00 New York, US holidays
LEAD_SLA_DAYS = 2
LEAD_FIRST_CONTACT_SLA = LEAD_SLA_DAYS * LEAD_CALENDAR.hours_per_day  # 20 business hours


@dataclass(frozen=True)
class LeadClock:
    elapsed: dt.timedelta
    breached: bool
    done: bool

    @property
    def hours(self) -> Decimal:
        """Business hours elapsed, to a tenth."""
        return (Decimal(self.elapsed.total_seconds()) / 3600).quantize(Decimal("0.1"))


def lead_clock(lead: Lead, now: dt.datetime) -> LeadClock:
    """Business time from passing the lead to its first contact (or to now), against the
    first-contact SLA (two business days of the house calendar: 20 business hours)."""
    end = lead.first_contact_at or now
    elapsed = business_duration(lead.passed_at, end, LEAD_CALENDAR)
    return LeadClock(elapsed, elapsed > LEAD_FIRST_CONTACT_SLA, lead.first_contact_at is not None)


@dataclass(frozen=True)
class ConversionRow:
    key: str
    passed: int
    converted: int
    rejected: int
    rate: Decimal | None
    within_sla: int
    contacted: int


def _conversion(rows: dict[str, list[Lead]], now: dt.datetime) -> list[ConversionRow]:
    out = []
    for key in sorted(rows):
        leads = rows[key]
        converted = sum(1 for lead in leads if lead.status == LeadStatus.CONVERTED)
        rejected = sum(1 for lead in leads if lead.status == LeadStatus.REJECTED)
        contacted = [lead for lead in leads if lead.first_contact_at is not None]
        within = sum(1 for lead in contacted if not lead_clock(lead, now).breached)
        out.append(
            ConversionRow(
                key,
                len(leads),
                converted,
                rejected,
                (Decimal(converted) * 100 / len(leads)).quantize(Decimal("0.1")) if leads else None,
                within,
                len(contacted),
            )
        )
    return out


def lead_conversion(
    user: AnyUser, now: dt.datetime
) -> tuple[list[ConversionRow], list[ConversionRow]]:
    """Conversion by source and by the associate who passed the lead."""
    leads = list(leads_visible_to(user).select_related("passed_by"))
    labels = dict(LeadSource.choices)
    by_source: dict[str, list[Lead]] = defaultdict(list)
    by_associate: dict[str, list[Lead]] = defaultdict(list)
    for lead in leads:
        by_source[labels.get(lead.source, lead.source)].append(lead)
        by_associate[lead.passed_by.get_full_name() or lead.passed_by.username].append(lead)
    return _conversion(by_source, now), _conversion(by_associate, now)


# --- RFPs -----------------------------------------------------------------------------------


def rfp_win_rate(user: AnyUser) -> tuple[int, int, int, Decimal | None]:
    rfps = rfps_visible_to(user)
    won = rfps.filter(status=RfpStatus.WON).count()
    lost = rfps.filter(status=RfpStatus.LOST).count()
    withdrawn = rfps.filter(status=RfpStatus.WITHDRAWN).count()
    return won, lost, withdrawn, win_rate(won, lost)


# --- vendor contracts -----------------------------------------------------------------------


def contract_savings(contract: VendorContract) -> Savings:
    return fee_savings(
        contract.fee_basis,
        contract.reference_fee,
        contract.negotiated_fee,
        contract.volume,
        contract.start_date,
        contract.end_date,
        reference_is_prior=contract.reference_is_prior,
    )


def account_vendor_contracts(account: Account) -> list[tuple[VendorContract, Savings]]:
    contracts = VendorContract.objects.filter(account=account).select_related("vendor")
    return [(c, contract_savings(c)) for c in contracts]


def latest_savings_checks(contracts: list[VendorContract]) -> dict[int, SavingsCheck]:
    """The newest savings check of each contract (measured on its claims), by contract id."""
    latest: dict[int, SavingsCheck] = {}
    found = SavingsCheck.objects.filter(contract__in=contracts).order_by("-measured_at", "-id")
    for check in found:
        latest.setdefault(check.contract_id, check)
    return latest


# --- the portfolio report's growth section ---------------------------------------------------


@dataclass(frozen=True)
class VendorSavingsRow:
    contract: VendorContract
    savings: Savings


@dataclass(frozen=True)
class PortfolioGrowth:
    """Growth over the reader's accounts for one period: the open pipeline (all of it, by
    product), what closed in the period, leads passed in it, RFPs due in it, open
    suggestions, and vendor contracts running in it with their negotiated savings."""

    pipeline: Forecast
    won: int
    won_value: Decimal
    lost: int
    win_rate: Decimal | None
    leads_passed: int
    leads_converted: int
    leads_contacted: int
    leads_in_time: int
    rfps_won: int
    rfps_lost: int
    rfps_withdrawn: int
    open_suggestions: int
    vendor_contracts: list[VendorSavingsRow]

    @property
    def vendor_savings(self) -> Decimal:
        return sum((r.savings.total for r in self.vendor_contracts), Decimal("0.00"))

    @property
    def vendor_savings_annual(self) -> Decimal:
        return sum((r.savings.annual for r in self.vendor_contracts), Decimal("0.00"))


def portfolio_growth(
    user: AnyUser, start: dt.date, last_day: dt.date, now: dt.datetime
) -> PortfolioGrowth:
    """Grain: one reader, one period [start, last_day] (local dates of closing and passing)."""
    opportunities = list(opportunities_visible_to(user).select_related("product"))
    open_deals = [
        Deal(o.product.name, o.stage, o.annual_value, o.probability, o.expected_close)
        for o in opportunities
        if o.is_open
    ]
    closed = [
        o
        for o in opportunities
        if o.closed_at is not None
        and start <= o.closed_at.astimezone(LEAD_CALENDAR.zone).date() <= last_day
    ]
    won = [o for o in closed if o.stage == Stage.WON]
    lost = sum(1 for o in closed if o.stage == Stage.LOST)
    leads = [
        lead
        for lead in leads_visible_to(user)
        if start <= lead.passed_at.astimezone(LEAD_CALENDAR.zone).date() <= last_day
    ]
    contacted = [lead for lead in leads if lead.first_contact_at is not None]
    rfps = rfps_visible_to(user).filter(final_due__gte=start, final_due__lte=last_day)
    outcomes = {s: rfps.filter(status=s).count() for s in RfpStatus.values}
    contracts = (
        vendor_contracts_visible_to(user)
        .filter(start_date__lte=last_day, end_date__gte=start)
        .select_related("vendor", "account")
        .order_by("account__name", "end_date", "id")
    )
    return PortfolioGrowth(
        pipeline=forecast(open_deals),
        won=len(won),
        won_value=sum((o.annual_value for o in won), Decimal("0.00")),
        lost=lost,
        win_rate=win_rate(len(won), lost),
        leads_passed=len(leads),
        leads_converted=sum(1 for lead in leads if lead.status == LeadStatus.CONVERTED),
        leads_contacted=len(contacted),
        leads_in_time=sum(1 for lead in contacted if not lead_clock(lead, now).breached),
        rfps_won=outcomes[RfpStatus.WON],
        rfps_lost=outcomes[RfpStatus.LOST],
        rfps_withdrawn=outcomes[RfpStatus.WITHDRAWN],
        open_suggestions=Suggestion.objects.filter(
            account__in=accounts_visible_to(user), status=SuggestionStatus.OPEN
        ).count(),
        vendor_contracts=[VendorSavingsRow(c, contract_savings(c)) for c in contracts],
    )
