"""Financials API: the stored P&L, IBNR estimates and the portfolio; the renewal projection;
the assumptions (an account's terms, each segment's admin expense), read and changed.

Account-scoped like the pages: the IBNR estimate (claims completed) needs the account; the
P&L, the renewal and the portfolio need a margin role (Manager, Executive, Admin). Terms are
changed by Managers and Admins, segment expense by Admins, through the pages' audited actions:
a PATCH may send the `version` it read and is refused with 409 (the stored version and values)
when someone saved since, as the pages do."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

from django.forms.models import model_to_dict
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from clientdesk.accounts.access import Need, access_account_by_id
from clientdesk.audit.conflicts import saved_or_409
from clientdesk.financials import actions, analysis, exports, queries
from clientdesk.financials.access import require_edit_expense, require_edit_terms, require_margin
from clientdesk.financials.forms import SegmentExpenseForm, TermsForm
from clientdesk.financials.models import AccountTerms, PnlMonth, SegmentExpense
from clientdesk.financials.renewal import scenarios
from clientdesk.lib.api_errors import field_error, form_errors
from clientdesk.lib.api_types import InputSchema, Omittable, RecordId, StaleEditOut, decimal_in

router = Router(tags=["financials"])


@router.get("/accounts/{account_id}/ibnr")
def account_ibnr(request: HttpRequest, account_id: RecordId) -> dict[str, Any]:
    """The account's latest IBNR estimate: method, factors, each incurred month, its 90 %
    range (`estimate.range`, chain_ladder.stated_range) and each month's standard error."""
    account = access_account_by_id(request.user, account_id)
    estimate = queries.latest_estimate(account)
    if estimate is None:
        return {"account_id": account.pk, "estimate": None}
    return {
        "account_id": account.pk,
        "as_of": estimate.as_of.isoformat(),
        "computed_at": estimate.computed_at.isoformat(),
        "estimate": estimate.detail,
    }


@router.get("/accounts/{account_id}/pnl")
def account_pnl(request: HttpRequest, account_id: RecordId) -> dict[str, Any]:
    """One row per account-month, in the actuary's columns (exports.PNL_COLUMNS)."""
    account = access_account_by_id(request.user, account_id)
    require_margin(request.user)
    rows = list(
        PnlMonth.objects.filter(account=account).select_related("account").order_by("month")
    )
    return {
        "account_id": account.pk,
        "columns": exports.PNL_COLUMNS,
        "rows": [[_plain(v) for v in r] for r in exports.pnl_records(rows)],
    }


def _bounded(low: float, high: float, said: str) -> Any:
    return Field(None, ge=low, le=high, allow_inf_nan=False, description=said)


class RenewalQuery(Schema):
    """The renewal form's overrides, within the form's bounds."""

    pooling_point: float | None = _bounded(1, 100_000_000, "Specific pooling point, dollars.")
    utilization_trend: float | None = _bounded(-20, 50, "Utilization trend, % a year.")
    unit_cost_trend: float | None = _bounded(-20, 50, "Unit cost trend, % a year.")
    plan_factor: float | None = _bounded(0.5, 1.5, "Plan-design factor.")
    manual_pmpm: float | None = _bounded(0, 100_000, "Manual rate PMPM.")
    target_margin_pct: float | None = _bounded(0, 30, "Target margin %.")


@router.get(
    "/accounts/{account_id}/renewal",
    response={200: dict[str, Any], 404: dict[str, Any], 422: dict[str, Any]},
)
def account_renewal(
    request: HttpRequest, account_id: RecordId, query: Query[RenewalQuery]
) -> Status[dict[str, Any]]:
    """The renewal projection, every step, base and scenarios; 404 while the account has no
    stored P&L to project from (nothing in the query could change that)."""
    account = access_account_by_id(request.user, account_id)
    require_margin(request.user)
    overrides = {k: v for k, v in query.dict().items() if v is not None}
    try:
        experience, base, charges = analysis.renewal_inputs(request.user, account, **overrides)
        projections = scenarios(experience, base, charges)
    except analysis.NoExperience as error:
        return Status(404, {"detail": str(error)})
    except ValueError as error:
        raise field_error(None, error, where="query") from None
    return Status(200, {"account_id": account.pk, "scenarios": [p.as_dict() for p in projections]})


@router.get("/portfolio")
def portfolio(request: HttpRequest) -> dict[str, Any]:
    """Every visible account's last 12 months: revenue, costs, margin, why it loses money."""
    require_margin(request.user)
    return {
        "accounts": [
            {
                "account_id": r.account.pk,
                "group_number": r.account.group_number,
                "funding": r.account.funding,
                "segment": r.account.segment,
                "member_months": r.totals.member_months,
                "revenue": str(r.totals.revenue),
                "costs": str(r.totals.costs),
                "margin": str(r.totals.margin),
                "margin_pct": r.totals.margin_pct,
                "loss_ratio_pct": r.totals.loss_ratio,
                "why_losing": r.why,
            }
            for r in queries.portfolio(request.user)
        ]
    }


class TermsOut(Schema):
    account_id: int
    version: int | None  # None: never saved (the defaults)
    stop_loss_premium_pepm: Decimal
    stop_loss_deductible: Decimal
    vendor_pepm: Decimal
    premium_tax_pct: Decimal
    quality_improvement_pct: Decimal
    budget_pmpm: Decimal | None
    budget_members: int | None
    average_deductible: Decimal
    small_group: bool


# The columns' bounds, said in the schema (a decimal in any text was schema-valid, then
# refused): money 0 to 999,999,999,999.99; a percentage 0 to 50; the budget 10 digits.
if TYPE_CHECKING:  # mypy reads them as the Decimals they are
    Money = Decimal
    Percent50 = Decimal
    Budget = Decimal
else:
    Money = decimal_in(max_digits=14, places=2, minimum=0)
    Percent50 = decimal_in(
        max_digits=5,
        places=2,
        minimum=0,
        maximum=50,
        pattern=r"^(50(\.0{1,2})?|[1-4]?[0-9](\.[0-9]{1,2})?)$",
    )
    Budget = decimal_in(max_digits=10, places=2)
Version = Annotated[int, Field(ge=1, le=2**31, description="The version you read (409 if stale).")]
Members = Annotated[int, Field(ge=0, le=2_147_483_647)]


class TermsPatch(InputSchema):
    """Only the fields sent change; `version`: the one read (409 when someone saved since). A
    field the terms require may be left out but not sent as null (422 naming it); the budget
    (`budget_pmpm`, `budget_members`) alone may be cleared with null. (Omittable hides
    the None that only marks "not sent".)"""

    version: Omittable[Version] = None
    stop_loss_premium_pepm: Omittable[Money] = None
    stop_loss_deductible: Omittable[Money] = None
    vendor_pepm: Omittable[Money] = None
    premium_tax_pct: Omittable[Percent50] = None
    quality_improvement_pct: Omittable[Percent50] = None
    budget_pmpm: Budget | None = None
    budget_members: Members | None = None
    average_deductible: Omittable[Money] = None
    small_group: Omittable[bool] = None


def _terms_out(terms: AccountTerms) -> dict[str, Any]:
    return {
        "account_id": terms.account_id,
        "version": terms.version if terms.pk else None,
        **{f: getattr(terms, f) for f in TermsForm.Meta.fields},
    }


@router.get("/accounts/{account_id}/terms", response=TermsOut)
def account_terms(request: HttpRequest, account_id: RecordId) -> dict[str, Any]:
    """The account's financial terms (the P&L's assumptions; defaults until saved)."""
    account = access_account_by_id(request.user, account_id)
    require_margin(request.user)
    return _terms_out(queries.terms_of(account))


@router.patch("/accounts/{account_id}/terms", response={200: TermsOut, 409: StaleEditOut})
def update_account_terms(request: HttpRequest, account_id: RecordId, payload: TermsPatch) -> Any:
    """Change the account's terms (Managers, Admins), audited; the next P&L run uses them."""
    account = access_account_by_id(request.user, account_id, need=Need.MANAGE)
    require_edit_terms(request.user)
    current = queries.terms_of(account)
    changes = payload.dict(exclude_unset=True)
    expected = changes.pop("version", None)
    data = model_to_dict(current, fields=TermsForm.Meta.fields)
    data.update(changes)  # a null empties the field: refused (422) where it is required
    form = TermsForm(data={k: "" if v is None else v for k, v in data.items()}, instance=current)
    if not form.is_valid():
        raise form_errors(form)
    saved = saved_or_409(
        lambda: actions.do_update_terms(
            account,
            {k: form.cleaned_data[k] for k in form.fields},
            acting_user=request.user,
            expected_version=expected if current.pk else None,
        )
    )
    return saved if isinstance(saved, Status) else _terms_out(saved)


class ExpenseOut(Schema):
    segment: str
    version: int | None  # None: never saved (the default)
    admin_pmpm: Decimal
    admin_pepm: Decimal


class ExpensePatch(InputSchema):
    """Only the fields sent change (neither may be sent as null: 422 naming it)."""

    version: Omittable[Version] = None
    admin_pmpm: Omittable[Money] = None
    admin_pepm: Omittable[Money] = None


def _expense_out(segment: str, row: SegmentExpense | None) -> dict[str, Any]:
    from clientdesk.financials.runs import segment_expense

    pmpm, pepm = segment_expense(segment)
    return {
        "segment": segment,
        "version": row.version if row else None,
        "admin_pmpm": pmpm,
        "admin_pepm": pepm,
    }


def _segments() -> list[str]:
    return [value for value, _ in SegmentExpense._meta.get_field("segment").choices or []]


@router.get("/segment-expense", response=list[ExpenseOut])
def segment_expenses(request: HttpRequest) -> list[dict[str, Any]]:
    """Administrative expense allocated per segment (PMPM and PEPM), every segment."""
    require_margin(request.user)
    rows = {r.segment: r for r in SegmentExpense.objects.all()}
    return [_expense_out(s, rows.get(s)) for s in _segments()]


@router.patch("/segment-expense/{segment}", response={200: ExpenseOut, 409: StaleEditOut})
def update_segment_expense(request: HttpRequest, segment: str, payload: ExpensePatch) -> Any:
    """Change a segment's admin expense (Admins), audited; the next P&L run uses it."""
    require_edit_expense(request.user)
    if segment not in _segments():
        raise HttpError(404, f"segment {segment!r}: use one of {', '.join(_segments())}.")
    row = SegmentExpense.objects.filter(segment=segment).first()
    current = _expense_out(segment, row)
    changes = payload.dict(exclude_unset=True)
    expected = changes.pop("version", None)
    data = {
        "segment": segment,
        "admin_pmpm": current["admin_pmpm"],
        "admin_pepm": current["admin_pepm"],
        **{k: "" if v is None else v for k, v in changes.items()},
    }
    form = SegmentExpenseForm(data=data, instance=row)
    if not form.is_valid():
        raise form_errors(form)
    saved = saved_or_409(
        lambda: actions.do_update_segment_expense(
            segment,
            {k: form.cleaned_data[k] for k in ("admin_pmpm", "admin_pepm")},
            acting_user=request.user,
            expected_version=expected if row else None,
        )
    )
    return saved if isinstance(saved, Status) else _expense_out(segment, saved)


def _plain(value: Any) -> Any:
    return str(value) if hasattr(value, "as_tuple") else value
