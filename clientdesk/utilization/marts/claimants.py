"""Member-level spend: high-cost claimants and how concentrated spending is."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

ZERO = ibis.literal(0).cast("decimal(18, 2)")


def int_member_spend(medical: ir.Table, pharmacy: ir.Table, member_months: ir.Table) -> ir.Table:
    """Every member enrolled in a period with their spend (0 when none).

    Grain: one row per (account_id, period, person_id). Columns: medical_paid,
    pharmacy_paid, paid, allowed, member_months."""
    med = medical.group_by(["account_id", "period", "person_id"]).aggregate(
        medical_paid=medical.paid.sum(), medical_allowed=medical.allowed.sum()
    )
    rx = pharmacy.group_by(["account_id", "period", "person_id"]).aggregate(
        pharmacy_paid=pharmacy.paid.sum(), pharmacy_allowed=pharmacy.allowed.sum()
    )
    members = member_months.group_by(["account_id", "period", "person_id"]).aggregate(
        member_months=member_months.count()
    )
    keys = ["account_id", "period", "person_id"]
    joined = members.left_join(med, keys).left_join(rx, keys)
    medical_paid = joined.medical_paid.fill_null(ZERO)
    pharmacy_paid = joined.pharmacy_paid.fill_null(ZERO)
    return joined.select(
        *keys,
        "member_months",
        medical_paid=medical_paid,
        pharmacy_paid=pharmacy_paid,
        paid=medical_paid + pharmacy_paid,
        allowed=joined.medical_allowed.fill_null(ZERO) + joined.pharmacy_allowed.fill_null(ZERO),
    )


def mart_spend_concentration(member_spend: ir.Table) -> ir.Table:
    """Share of allowed spend in the costliest 1 % and 5 % of members.

    The top 1 % is the ceil(1 % x members) members with the highest allowed amounts (ties
    broken by person_id), all enrolled members counting, including those with no claims.

    Grain: one row per (account_id, period). Columns: members, allowed, top1_members,
    top1_allowed, top5_members, top5_allowed."""
    window = ibis.window(
        group_by=[member_spend.account_id, member_spend.period],
        order_by=[ibis.desc(member_spend.allowed), member_spend.person_id],
    )
    whole = ibis.window(group_by=[member_spend.account_id, member_spend.period])
    ranked = member_spend.mutate(
        rank=(ibis.row_number().over(window) + 1).cast("int64"),
        members=member_spend.count().over(whole),
    )
    top1 = (ranked.members * 0.01).ceil().cast("int64")
    top5 = (ranked.members * 0.05).ceil().cast("int64")
    in1, in5 = ranked.rank <= top1, ranked.rank <= top5
    return ranked.group_by(["account_id", "period"]).aggregate(
        members=ranked.count(),
        allowed=ranked.allowed.sum(),
        top1_members=in1.cast("int64").sum(),
        top1_allowed=ibis.cases((in1, ranked.allowed), else_=ZERO).sum(),
        top5_members=in5.cast("int64").sum(),
        top5_allowed=ibis.cases((in5, ranked.allowed), else_=ZERO).sum(),
    )


def mart_book_spend_concentration(member_spend: ir.Table) -> ir.Table:
    """The same shares over the whole book (every account in the table): members of all
    accounts ranked together, so the book's top 1 % is ceil(1 % x all members) — not the sum
    of each account's top 1 %. A member is an account's enrolled person, as in the account
    marts (a person covered by two sponsors counts in each).

    Grain: one row per period. Columns: members, allowed, top1_members, top1_allowed,
    top5_members, top5_allowed."""
    window = ibis.window(
        group_by=[member_spend.period],
        order_by=[
            ibis.desc(member_spend.allowed),
            member_spend.account_id,
            member_spend.person_id,
        ],
    )
    whole = ibis.window(group_by=[member_spend.period])
    ranked = member_spend.mutate(
        rank=(ibis.row_number().over(window) + 1).cast("int64"),
        members=member_spend.count().over(whole),
    )
    top1 = (ranked.members * 0.01).ceil().cast("int64")
    top5 = (ranked.members * 0.05).ceil().cast("int64")
    in1, in5 = ranked.rank <= top1, ranked.rank <= top5
    return ranked.group_by("period").aggregate(
        members=ranked.count(),
        allowed=ranked.allowed.sum(),
        top1_members=in1.cast("int64").sum(),
        top1_allowed=ibis.cases((in1, ranked.allowed), else_=ZERO).sum(),
        top5_members=in5.cast("int64").sum(),
        top5_allowed=ibis.cases((in5, ranked.allowed), else_=ZERO).sum(),
    )


def mart_high_cost_claimants(member_spend: ir.Table, threshold: float) -> ir.Table:
    """Members whose plan-paid spend in the period reaches `threshold`.

    Grain: one row per (account_id, period, person_id). Columns: medical_paid,
    pharmacy_paid, paid, allowed, member_months. person_id stays inside the engine's answer;
    the report replaces it with a pseudonym (see clientdesk/utilization/pseudonyms.py)."""
    return member_spend.filter(member_spend.paid >= threshold)
