"""What financials reads from the lake, as Ibis table -> table functions (DuckDB or Spark).

Claims count in the month they were incurred: medical lines on
`coalesce(claim_start_date, claim_end_date)`, pharmacy fills on
`coalesce(dispensing_date, paid_date)` (Tuva's financial PMPM dates, as utilization). A lag
triangle counts each line's paid_amount in the month of its paid_date: every loaded line
version is a payment, except a line sent again under the same key (claim_id,
claim_line_number, data_source), whose last version stands (lake.staging's versions). A
reversal claim carries negative dollars, so the triangle is net cash. A payment dated before
its service counts at lag 0.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import ibis
import ibis.expr.types as ir

from clientdesk.lake.gateway import DerivedTable, Lake
from clientdesk.lake.staging import claim_line_versions

OPEN_END = dt.date(9999, 12, 31)


def _month(day: ir.DateValue) -> ir.IntegerValue:
    return (day.year() * 12 + day.month() - 1).cast("int64")


def _last_versions(claims: ir.Table) -> ir.Table:
    versions = claim_line_versions(claims)
    return versions.filter(versions.version_number == versions.versions)


def stg_received(processing: ir.Table) -> ir.Table:
    """When each claim was received. Grain: one row per (account_id, claim_id). Columns:
    received_date (the earliest, should a claim be listed twice)."""
    return processing.group_by(["account_id", "claim_id"]).aggregate(
        received_date=processing.received_date.min()
    )


def stg_payments(
    medical: ir.Table,
    pharmacy: ir.Table,
    as_of: dt.date | None,
    *,
    versions: bool = True,
    processing: ir.Table | None = None,
) -> ir.Table:
    """Every payment of medical and pharmacy lines paid by `as_of` and incurred by then.
    `versions=False` reads the rows as they are (a book whose lines are each sent once:
    the same result without ordering every line's versions).

    Grain: one row per claim line (last version). Columns: account_id, person_id, claim_id,
    kind ('medical' / 'pharmacy'), category (office: place of service 11, 02 or 10;
    emergency: place of service 23 or an ED revenue code; other medical; pharmacy),
    service_date, incurred_month, paid_month (month indexes: year*12 + month - 1), paid_day,
    paid, allowed, reported_month (the month the line's claim was received, from
    `processing` = claim_processing; a fill, or a claim the feed does not list: its paid
    month). `as_of` None: every payment (the derived table `fin_payments`)."""
    parts = []
    for kind, table, first, second in (
        (
            "medical",
            _last_versions(medical) if versions else medical,
            "claim_start_date",
            "claim_end_date",
        ),
        (
            "pharmacy",
            _last_versions(pharmacy) if versions else pharmacy,
            "dispensing_date",
            "paid_date",
        ),
    ):
        if kind == "medical" and processing is not None:
            dates = stg_received(processing)
            table = table.left_join(
                dates,
                [table.account_id == dates.account_id, table.claim_id == dates.claim_id],
            ).select(table, received_date=dates.received_date)
        service = ibis.coalesce(table[first], table[second])
        if kind == "medical":
            pos = table.place_of_service_code.fill_null("")
            revenue = table.revenue_center_code.fill_null("")
            category = ibis.cases(
                (pos.isin(["11", "02", "10"]), "office"),
                (
                    (pos == "23") | revenue.isin(["0450", "0451", "0452", "0459", "0981"]),
                    "emergency",
                ),
                else_="other medical",
            )
        else:
            category = ibis.literal("pharmacy")
        paid_day = ibis.coalesce(table.paid_date, service)
        received = paid_day
        if kind == "medical" and processing is not None:
            received = ibis.least(ibis.coalesce(table.received_date, paid_day), paid_day)
        part = table.select(
            account_id=table.account_id,
            person_id=table.person_id,
            claim_id=table.claim_id,
            kind=ibis.literal(kind),
            category=category,
            service_date=service,
            incurred_month=_month(service),
            paid_month=ibis.greatest(_month(paid_day), _month(service)),
            paid_day=paid_day,
            reported_month=ibis.greatest(_month(received), _month(service)),
            paid=table.paid_amount.cast("float64").fill_null(0.0),
            allowed=table.allowed_amount.cast("float64").fill_null(0.0),
        )
        kept = part.service_date.notnull()
        if as_of is not None:
            kept &= part.paid_day <= as_of
        parts.append(part.filter(kept))
    return parts[0].union(parts[1])


def mart_lag_cells(payments: ir.Table) -> ir.Table:
    """Grain: one row per (account_id, incurred_month, paid_month). Columns: paid."""
    return payments.group_by(["account_id", "incurred_month", "paid_month"]).aggregate(
        paid=payments.paid.sum()
    )


def mart_reported_cells(payments: ir.Table) -> ir.Table:
    """Grain: one row per (account_id, incurred_month, reported_month). Columns: paid (the
    cash paid to date, by the month its claim was received)."""
    return payments.group_by(["account_id", "incurred_month", "reported_month"]).aggregate(
        paid=payments.paid.sum()
    )


RATIO_DAYS = 91
"""A pended claim is valued at its billed charge x the paid-to-charge ratio of its service
family's claims adjudicated in these many days before the as-of date (denials in)."""


def mart_in_process(
    processing: ir.Table, as_of: dt.date, first_month: int, ratio_days: int = RATIO_DAYS
) -> ir.Table:
    """The claims in process on `as_of` (received by then, not paid by then) of the incurred
    months from `first_month`, valued claim by claim: adjudicated ones (finalized by `as_of`)
    at their paid amount, pended ones at billed charge x their service family's paid-to-charge
    ratio of the claims adjudicated in the `ratio_days` before (a pended reversal at its
    amount), as backtest.estimate_with_inventory does.

    Grain: one row per (account_id, incurred_month, reported_month). Columns: value, claims,
    adjudicated (their known amounts), pended (their valued amounts)."""
    t = processing
    last = as_of.year * 12 + as_of.month - 1
    start = ibis.literal(as_of - dt.timedelta(days=ratio_days))
    recent = t.filter(
        t.finalized_date.notnull(),
        t.finalized_date <= as_of,
        t.finalized_date > start,
        t.adjustment_type.fill_null("original") != "reversal",
    )
    ratios = recent.group_by("service_family").aggregate(
        paid=recent.paid_amount.cast("float64").fill_null(0.0).sum(),
        charge=recent.charge_amount.cast("float64").fill_null(0.0).sum(),
    )
    ratios = ratios.select(
        family=ratios.service_family,
        ratio=ibis.cases((ratios.charge > 0, ratios.paid / ratios.charge), else_=0.0),
    )
    open_ = t.filter(
        t.received_date <= as_of,
        t.paid_date.isnull() | (t.paid_date > as_of),
        t.claim_start_date.notnull(),
    )
    open_ = open_.mutate(incurred_month=_month(open_.claim_start_date))
    open_ = open_.filter((open_.incurred_month >= first_month) & (open_.incurred_month <= last))
    joined = open_.left_join(ratios, open_.service_family == ratios.family)
    adjudicated = joined.finalized_date.notnull() & (joined.finalized_date <= as_of)
    reversal = joined.adjustment_type.fill_null("original") == "reversal"
    amount = joined.paid_amount.cast("float64").fill_null(0.0)
    priced = joined.charge_amount.cast("float64").fill_null(0.0) * joined.ratio.fill_null(0.0)
    rows = joined.select(
        account_id=joined.account_id,
        incurred_month=joined.incurred_month,
        reported_month=ibis.greatest(_month(joined.received_date), joined.incurred_month),
        adjudicated=ibis.cases((adjudicated, amount), else_=0.0),
        # a pended reversal takes back what its original paid: its amount is known
        pended=ibis.cases((adjudicated, 0.0), (reversal, amount), else_=priced),
    )
    return rows.group_by(["account_id", "incurred_month", "reported_month"]).aggregate(
        value=(rows.adjudicated + rows.pended).sum(),
        claims=rows.count(),
        adjudicated=rows.adjudicated.sum(),
        pended=rows.pended.sum(),
    )


def mart_exposure_months(eligibility: ir.Table, first: dt.date, as_of: dt.date) -> ir.Table:
    """Member and subscriber months from eligibility spans: a span counts every calendar
    month it overlaps (Tuva's member months), open spans (empty or 9999-12-31) run to
    `as_of`; a person counts once a month however many spans cover it.

    Grain: one row per (account_id, month) from `first`'s month to `as_of`'s. Columns:
    member_months, subscriber_months (persons whose subscriber_relation is 'self')."""
    first_index = first.year * 12 + first.month - 1
    last_index = as_of.year * 12 + as_of.month - 1
    calendar = ibis.memtable({"month": list(range(first_index, last_index + 1))})
    end = eligibility.enrollment_end_date
    spans = eligibility.select(
        account_id=eligibility.account_id,
        person_id=eligibility.person_id,
        subscriber=(eligibility.subscriber_relation.lower() == "self").fill_null(False),
        start_month=_month(eligibility.enrollment_start_date),
        end_month=_month(
            ibis.cases(
                (end.isnull() | (end >= ibis.literal(OPEN_END)), ibis.literal(as_of)), else_=end
            )
        ),
    )
    joined = spans.join(
        calendar, (spans.start_month <= calendar.month) & (spans.end_month >= calendar.month)
    )
    people = joined.group_by(["account_id", "month", "person_id"]).aggregate(
        subscriber=joined.subscriber.max()
    )
    return people.group_by(["account_id", "month"]).aggregate(
        member_months=people.count(), subscriber_months=people.subscriber.cast("int64").sum()
    )


def mart_member_year_excess(
    payments: ir.Table, first_month: int, last_month: int, threshold: float
) -> ir.Table:
    """Claims above a per-person threshold over the incurred months first..last (paid to
    date): what a pooling point or a stop-loss specific deductible cuts off.

    Grain: one row per account_id. Columns: claimants_over (persons above the threshold),
    excess (sum over them of their paid - threshold). No person leaves the lake."""
    window = payments.filter(
        (payments.incurred_month >= first_month) & (payments.incurred_month <= last_month)
    )
    people = window.group_by(["account_id", "person_id"]).aggregate(paid=window.paid.sum())
    over = people.filter(people.paid > threshold)
    return over.group_by("account_id").aggregate(
        claimants_over=over.count(), excess=(over.paid - threshold).sum()
    )


def mart_pooling_excess(
    payments: ir.Table, first_month: int, last_month: int, points: tuple[float, ...]
) -> ir.Table:
    """`mart_member_year_excess` at several points in one pass.

    Grain: one row per account_id. Columns: excess_<i>, claimants_<i> for each points[i]."""
    window = payments.filter(
        (payments.incurred_month >= first_month) & (payments.incurred_month <= last_month)
    )
    people = window.group_by(["account_id", "person_id"]).aggregate(paid=window.paid.sum())
    figures: dict[str, ir.Value] = {}
    for i, point in enumerate(points):
        over = people.paid > point
        figures[f"excess_{i}"] = ibis.greatest(people.paid - point, 0.0).sum()
        figures[f"claimants_{i}"] = over.cast("int64").sum()
    return people.group_by("account_id").aggregate(**figures)


def mart_claim_counts(payments: ir.Table, first_month: int, last_month: int) -> ir.Table:
    """Grain: one row per account_id. Columns: claims (distinct claim ids incurred in the
    months, medical and pharmacy), paid, paid_sq (sum of squared claim paid: the severity's
    coefficient of variation for the credibility standard)."""
    window = payments.filter(
        (payments.incurred_month >= first_month) & (payments.incurred_month <= last_month)
    )
    claims = window.group_by(["account_id", "claim_id"]).aggregate(paid=window.paid.sum())
    return claims.group_by("account_id").aggregate(
        claims=claims.count(), paid=claims.paid.sum(), paid_sq=(claims.paid * claims.paid).sum()
    )


def mart_stop_loss_months(
    payments: ir.Table, policy_start_month: ir.Table, deductible: float
) -> ir.Table:
    """Stop-loss specific claims by incurred month: each person's paid within a policy year
    (12 months from the account's policy start month, `policy_start_month` a table of
    account_id, start_month 0-11), cumulated month by month; the month's stop-loss claim is
    the growth of max(0, cumulative - deductible).

    Grain: one row per (account_id, incurred_month). Columns: stop_loss_claims."""
    joined = payments.join(policy_start_month, "account_id")
    shifted = joined.incurred_month - joined.start_month
    by_month = joined.mutate(policy_year=(shifted - shifted % 12) // 12)
    monthly = by_month.group_by(
        ["account_id", "person_id", "policy_year", "incurred_month"]
    ).aggregate(paid=by_month.paid.sum())
    window = ibis.cumulative_window(
        group_by=[monthly.account_id, monthly.person_id, monthly.policy_year],
        order_by=monthly.incurred_month,
    )
    cumulative = monthly.mutate(total=monthly.paid.sum().over(window))
    excess = cumulative.mutate(
        over=ibis.greatest(cumulative.total - deductible, 0.0),
        before=ibis.greatest(cumulative.total - cumulative.paid - deductible, 0.0),
    )
    hits = excess.filter(excess.over > 0)
    return hits.group_by(["account_id", "incurred_month"]).aggregate(
        stop_loss_claims=(hits.over - hits.before).sum()
    )


def stg_member_claims(payments: ir.Table, first_month: int, last_month: int) -> ir.Table:
    """The claims of the incurred months, for re-adjudication under plan options.

    Grain: one row per (person_id, claim_id). Columns: person_id, claim_id, category,
    service_date, allowed. Member data: read only by the plan-options pricing in the reader's scope,
    audited, never shown or logged by person."""
    window = payments.filter(
        (payments.incurred_month >= first_month) & (payments.incurred_month <= last_month)
    )
    return window.group_by(["person_id", "claim_id", "category"]).aggregate(
        service_date=window.service_date.min(), allowed=window.allowed.sum()
    )


def stg_fill_ndcs(pharmacy: ir.Table, first: dt.date, last: dt.date) -> ir.Table:
    """The drug of each pharmacy fill served `first`..`last` (for the plan options' pharmacy
    tiers). Grain: one row per (claim_id, ndc_code). No member columns."""
    served = ibis.coalesce(pharmacy.dispensing_date, pharmacy.paid_date)
    window = pharmacy.filter((served >= first) & (served <= last))
    return window.select(claim_id=window.claim_id, ndc_code=window.ndc_code).distinct()


def stg_coverage_tiers(eligibility: ir.Table, on: dt.date) -> ir.Table:
    """Each subscriber enrolled on `on`, with whether a spouse and a child were enrolled with
    them that day (the plan options' coverage tiers). Grain: one row per (account_id,
    subscriber_id). Columns: spouse, children (booleans). No other member columns leave."""
    end = eligibility.enrollment_end_date
    active = eligibility.filter(
        (eligibility.enrollment_start_date <= on)
        & (end.isnull() | (end >= on))
        & eligibility.subscriber_id.notnull()
    )
    relation = active.subscriber_relation.lower().fill_null("")
    households = active.group_by(["account_id", "subscriber_id"]).aggregate(
        has_self=(relation == "self").max(),
        spouse=(relation == "spouse").max(),
        children=(relation == "child").max(),
    )
    return households.filter(households.has_self).select(
        "account_id", "subscriber_id", "spouse", "children"
    )


def fin_payments_build(lake: Lake) -> ir.Table:
    """The derived table `fin_payments`: every payment (stg_payments with no as-of date)."""
    return stg_payments(
        lake.medical_claim, lake.pharmacy_claim, None, processing=lake.claim_processing
    )


def fin_exposure_build(horizon: dt.date) -> Callable[[Lake], ir.Table]:
    """The derived table `fin_exposure`: member and subscriber months for the 120 months up
    to `horizon` (open spans run to it), exact for every month up to any as-of date on or
    before the horizon."""

    def build(lake: Lake) -> ir.Table:
        index = horizon.year * 12 + horizon.month - 1 - 119
        first = dt.date(index // 12, index % 12 + 1, 1)
        return mart_exposure_months(lake.eligibility, first, horizon)

    return build


FIN_PAYMENTS = DerivedTable(
    "fin_payments",
    sources=("medical_claim", "pharmacy_claim", "claim_processing"),
    build=fin_payments_build,
    revision=2,
    sort_by=("account_id", "incurred_month"),
)


def fin_exposure(horizon: dt.date) -> DerivedTable:
    return DerivedTable(
        "fin_exposure",
        sources=("eligibility",),
        build=fin_exposure_build(horizon),
        revision=1,
        sort_by=("account_id", "month"),
    )


def horizon_of(today: dt.date) -> dt.date:
    """The end of `today`'s month: how far the derived exposure runs open spans."""
    following = dt.date(today.year + today.month // 12, today.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def payments(lake: Lake, as_of: dt.date, first_month: int) -> ir.Table:
    """The payments of the incurred months from `first_month`, paid by `as_of`, read from
    the derived `fin_payments` (built once per load)."""
    table = lake.derived(FIN_PAYMENTS)
    last = as_of.year * 12 + as_of.month - 1
    return table.filter(
        (table.paid_day <= as_of)
        & (table.incurred_month >= first_month)
        & (table.incurred_month <= last)
    )


def exposure(lake: Lake, first: dt.date, as_of: dt.date, today: dt.date) -> ir.Table:
    """Member and subscriber months from `first`'s month to `as_of`'s: the derived table
    when `as_of` is within its horizon, else computed directly."""
    horizon = horizon_of(today)
    first_index = first.year * 12 + first.month - 1
    last_index = as_of.year * 12 + as_of.month - 1
    if as_of > horizon or first_index < horizon.year * 12 + horizon.month - 1 - 119:
        return mart_exposure_months(lake.eligibility, first, as_of)
    table = lake.derived(fin_exposure(horizon), key=horizon.isoformat())
    return table.filter((table.month >= first_index) & (table.month <= last_index))


def prepare_for_today(lake: Lake) -> list[str]:
    """Build the derived tables after a load (`clientdesk ingest --prepare`)."""
    from django.utils import timezone

    horizon = horizon_of(timezone.localdate())
    built = []
    for spec, key in ((FIN_PAYMENTS, ""), (fin_exposure(horizon), horizon.isoformat())):
        if lake.materialize(spec, key=key).built:
            built.append(spec.name)
    return built
