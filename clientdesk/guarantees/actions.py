"""Every write of the guarantees app: one transaction, audit rows for every change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from clientdesk.accounts.actions import do_log_activity
from clientdesk.accounts.models import Account, ActivityKind, Contract
from clientdesk.audit.models import AuditEvent
from clientdesk.audit.recording import AuditEntry, record_audit, record_audits, snapshot
from clientdesk.audit.updating import apply_changes, check_version_of, update_audited
from clientdesk.guarantees.evaluation import (
    ResultValues,
    base_values,
    finish_results,
    plan_results,
)
from clientdesk.guarantees.forecasting import ForecastValues
from clientdesk.guarantees.library import template
from clientdesk.guarantees.models import (
    AlertStatus,
    Guarantee,
    GuaranteeAlert,
    GuaranteeForecast,
    GuaranteeResult,
    GuaranteeTerms,
    PeriodKind,
    ResultKind,
    ResultSource,
    ResultStatus,
)
from clientdesk.guarantees.penalties import penalty, reported
from clientdesk.guarantees.statistics import Measure, estimate
from clientdesk.lib import formatting
from clientdesk.lib.periods import Span, add_years

GUARANTEE_FIELDS = [
    "metric",
    "label",
    "comparator",
    "target",
    "decimals",
    "threshold",
    "short_abandon_seconds",
    "line",
    "level",
    "period",
    "measure_from",
    "measure_to",
    "settlement",
    "at_risk_basis",
    "at_risk_value",
    "schedule",
    "tiers",
    "per_point_amount",
    "template",
    "notes",
]
TERMS_FIELDS = [
    "pool_pct_of_fees",
    "max_share_pct",
    "report_lag_days",
    "reconciliation_lag_days",
    "payment_lag_days",
]
RESULT_FIELDS = [
    "period_start",
    "period_end",
    "contract_year",
    "settles",
    "status",
    "source",
    "actual",
    "numerator",
    "denominator",
    "sample_size",
    "ci_low",
    "ci_high",
    "within_noise",
    "met",
    "amount_at_risk",
    "penalty_pct",
    "penalty",
    "owed",
    "report_due",
    "reconciliation_due",
    "payment_due",
    "inputs_hash",
]
DECIMAL_PLACES = {
    "actual": 6,
    "numerator": 4,
    "denominator": 4,
    "ci_low": 6,
    "ci_high": 6,
    "amount_at_risk": 2,
    "penalty_pct": 2,
    "penalty": 2,
    "owed": 2,
}


# --- guarantees and terms -------------------------------------------------------------------


@transaction.atomic
def do_create_guarantee(
    contract: Contract, data: dict[str, Any], *, acting_user: User | None
) -> Guarantee:
    guarantee = Guarantee(contract=contract)
    apply_changes(
        guarantee, {k: v for k, v in data.items() if k in GUARANTEE_FIELDS}, GUARANTEE_FIELDS
    )
    guarantee.full_clean()
    guarantee.save()
    record_audit(
        actor=acting_user,
        action="guarantee.create",
        obj=guarantee,
        account=contract.account,
        after=snapshot(guarantee),
    )
    return guarantee


@transaction.atomic
def do_update_guarantee(
    guarantee: Guarantee,
    changes: dict[str, Any],
    *,
    acting_user: User | None,
    expected_version: int | None = None,
) -> Guarantee:
    """Change the guarantee; StaleEdit when `expected_version` is not the stored one."""
    guarantee = (
        Guarantee.objects.select_for_update()
        .select_related("contract__account")
        .get(pk=guarantee.pk)
    )
    update_audited(
        guarantee,
        changes,
        allowed=GUARANTEE_FIELDS,
        action="guarantee.update",
        acting_user=acting_user,
        account=guarantee.contract.account,
        versioned=True,
        expected_version=expected_version,
    )
    return guarantee


@transaction.atomic
def do_delete_guarantee(guarantee: Guarantee, *, acting_user: User | None) -> None:
    account = guarantee.contract.account
    record_audit(
        actor=acting_user,
        action="guarantee.delete",
        obj=guarantee,
        account=account,
        before=snapshot(guarantee),
        detail={"results_deleted": guarantee.results.count()},
    )
    guarantee.delete()


def one_time_span(contract: Contract) -> tuple[dt.date, dt.date]:
    """A one-time guarantee's default span: the contract's first month."""
    start = contract.start_date
    following = dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return start, min(contract.end_date, following - dt.timedelta(days=1))


@transaction.atomic
def do_create_guarantees_from_templates(
    contract: Contract, codes: Iterable[str], *, acting_user: User | None
) -> list[Guarantee]:
    """One guarantee per picked template, with the template's target, terms and sources."""
    created = []
    for code in codes:
        data = template(code).guarantee_data(contract)
        if data["period"] == PeriodKind.ONE_TIME:
            data["measure_from"], data["measure_to"] = one_time_span(contract)
        created.append(do_create_guarantee(contract, data, acting_user=acting_user))
    return created


@transaction.atomic
def do_save_terms(
    contract: Contract,
    data: dict[str, Any],
    *,
    acting_user: User | None,
    expected_version: int | None = None,
) -> GuaranteeTerms:
    """Create or change a contract's terms; given `expected_version` (the one the page showed),
    terms saved by someone else since raise StaleEdit and nothing changes."""
    fields = {k: v for k, v in data.items() if k in TERMS_FIELDS}
    terms = GuaranteeTerms.objects.select_for_update().filter(contract=contract).first()
    if terms is not None:
        update_audited(
            terms,
            fields,
            allowed=TERMS_FIELDS,
            action="guarantee_terms.update",
            acting_user=acting_user,
            account=contract.account,
            versioned=True,
            expected_version=expected_version,
        )
        return terms
    terms = GuaranteeTerms(contract=contract)
    apply_changes(terms, fields, TERMS_FIELDS)
    terms.full_clean()
    terms.save()
    record_audit(
        actor=acting_user,
        action="guarantee_terms.create",
        obj=terms,
        account=contract.account,
        after=snapshot(terms),
    )
    return terms


# --- results --------------------------------------------------------------------------------


@dataclass
class StoreSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    new_misses: int = 0


def _same(name: str, a: Any, b: Any) -> bool:
    if name in DECIMAL_PLACES:
        if a is None or b is None:
            return a is None and b is None
        places = DECIMAL_PLACES[name]
        return round(float(a), places) == round(float(b), places)
    return bool(a == b)


def _result_fields(values: ResultValues) -> dict[str, Any]:
    data = {name: getattr(values, name) for name in RESULT_FIELDS}
    for name, places in DECIMAL_PLACES.items():
        if data[name] is not None:
            data[name] = Decimal(data[name]).quantize(Decimal(1).scaleb(-places))
    return data


def _is_reportable_miss(values: ResultValues | GuaranteeResult) -> bool:
    """A miss that owes money: a final settling period, or an annual-aggregate settlement."""
    if values.met is not False or not values.settles:
        return False
    if values.kind == ResultKind.PERIOD:
        return values.status in (ResultStatus.FINAL, ResultStatus.ATTESTED)
    return values.guarantee.settlement == "annual_aggregate" and values.status == ResultStatus.FINAL


def _log_misses(rows: Sequence[GuaranteeResult], *, acting_user: User | None) -> None:
    """One timeline event per account and period with every guarantee newly missed in it."""
    groups: dict[tuple[int, str], list[GuaranteeResult]] = {}
    for row in rows:
        groups.setdefault((row.guarantee.contract.account_id, row.period_label), []).append(row)
    for (_, period), missed in groups.items():
        names = ", ".join(r.guarantee.display_name for r in missed)
        lines = [
            f"{r.guarantee.display_name}: {r.actual_display} against "
            f"{r.guarantee.comparator_symbol} {r.guarantee.target_display}; "
            f"penalty {formatting.money(r.penalty)}."
            for r in missed
        ]
        do_log_activity(
            missed[0].guarantee.contract.account,
            kind=ActivityKind.GUARANTEE,
            subject=(
                f"Guarantee missed, {period}: {names}"
                if len(missed) == 1
                else f"{len(missed)} guarantees missed, {period}: {names}"
            )[:200],
            body="\n".join(lines),
            acting_user=acting_user,
            source_type="guarantees.GuaranteeResult",
            source_id=str(missed[0].pk),
        )


@transaction.atomic
def do_store_results(
    results: Sequence[ResultValues], *, acting_user: User | None, now: dt.datetime | None = None
) -> StoreSummary:
    """Upsert computed results. A new result and every changed one get an audit row with
    before/after, and a changed one its version + 1 (a page that showed the result before is
    then stale); a newly reportable miss adds an event to the account's timeline. An attested
    period's evidence is part of it: the same figures attested again on other evidence are a
    change, not a no-op."""
    now = now or timezone.now()
    summary = StoreSummary()
    guarantee_ids = {r.guarantee.pk for r in results}
    # Otherwise two evaluations at once (the clock and a person's "evaluate now"), or one
    # beside an attestation's settlement, both find a period missing and both insert it (20 at
    # once on PostgreSQL: 10 IntegrityErrors on one_result_per_period).
    _lock_guarantees(Q(pk__in=guarantee_ids))
    existing = {
        (row.guarantee_id, row.kind, row.period_label): row
        for row in GuaranteeResult.objects.filter(guarantee_id__in=guarantee_ids)
    }
    to_create: list[GuaranteeResult] = []
    to_update: list[GuaranteeResult] = []
    changes: list[tuple[GuaranteeResult, dict[str, Any] | None]] = []
    misses: list[GuaranteeResult] = []
    for values in results:
        fields = _result_fields(values)
        row = existing.get((values.guarantee.pk, values.kind, values.period_label))
        if row is None:
            row = GuaranteeResult(
                guarantee=values.guarantee,
                kind=values.kind,
                period_label=values.period_label,
                evidence=values.evidence,
                computed_at=now,
                **fields,
            )
            to_create.append(row)
            summary.created += 1
            if _is_reportable_miss(values):
                misses.append(row)
            continue
        row.guarantee = values.guarantee
        if all(_same(k, getattr(row, k), v) for k, v in fields.items()) and not (
            _is_attested_period(values) and row.evidence != values.evidence
        ):
            summary.unchanged += 1
            continue
        before = snapshot(row, _audited_fields(row))
        was_miss = _is_reportable_miss(row)
        for name, value in fields.items():
            setattr(row, name, value)
        row.evidence = values.evidence
        row.computed_at = now
        row.version += 1
        to_update.append(row)
        changes.append((row, before))
        summary.updated += 1
        if _is_reportable_miss(values) and not was_miss:
            misses.append(row)
    GuaranteeResult.objects.bulk_create(to_create, batch_size=500)
    GuaranteeResult.objects.bulk_update(
        to_update, [*RESULT_FIELDS, "evidence", "computed_at", "version"], batch_size=500
    )
    changes.extend((row, None) for row in to_create)
    _audit_results(changes, acting_user=acting_user)
    _log_misses(misses, acting_user=acting_user)
    summary.new_misses = len(misses)
    return summary


def _lock_guarantees(which: Q) -> list[int]:
    """Locks these guarantees' rows until the transaction ends, in id order, and answers
    their ids: writes of results of the same guarantees are made one at a time. Every writer
    takes its locks in id order, and one that will store results of other guarantees later in
    its transaction (an attestation settles its whole contract) takes those up front, so two
    writers never wait on each other crosswise. SQLite takes writers one at a time already."""
    return list(
        Guarantee.objects.select_for_update()
        .filter(which)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _audit_results(
    changes: Sequence[tuple[GuaranteeResult, dict[str, Any] | None]], *, acting_user: User | None
) -> None:
    """One audit row per created or changed result, with before and after, appended in bulk
    (a first evaluation of a book creates tens of thousands of results)."""
    entries = [_result_entry(row, before) for row, before in changes]
    record_audits(entries, actor=acting_user)


def _is_attested_period(values: ResultValues | GuaranteeResult) -> bool:
    return values.kind == ResultKind.PERIOD and values.source == ResultSource.ATTESTED


def _audited_fields(row: GuaranteeResult) -> list[str]:
    """The figures; an attested period's evidence too (what it rests on, who attested it):
    kept out of the lake's results, whose evidence is the batch list of every evaluation."""
    return [*RESULT_FIELDS, "evidence"] if _is_attested_period(row) else RESULT_FIELDS


def _result_entry(row: GuaranteeResult, before: dict[str, Any] | None) -> AuditEntry:
    return AuditEntry(
        action="guarantee_result.update" if before else "guarantee_result.create",
        obj=row,
        object_label=_label(row),
        account=row.guarantee.contract.account,
        before=before,
        after=snapshot(row, _audited_fields(row)),
    )


def _label(row: GuaranteeResult) -> str:
    g = row.guarantee
    return f"{g.contract.account.group_number} {g.metric} {row.period_label}"[:255]


def values_from_row(row: GuaranteeResult) -> ResultValues:
    return ResultValues(
        guarantee=row.guarantee,
        kind=row.kind,
        period_label=row.period_label,
        evidence=dict(row.evidence),
        **{name: getattr(row, name) for name in RESULT_FIELDS},
    )


@dataclass(frozen=True)
class Attestation:
    period_label: str
    numerator: Decimal | None  # proportions: what was met
    denominator: Decimal | None  # proportions: what was due
    value: Decimal | None  # scores: the mean score
    sample_size: int
    evidence: str
    reference: str


def _attested_measure(guarantee: Guarantee, data: Attestation) -> Measure:
    definition = guarantee.definition
    if definition.unit == "percent":
        if data.numerator is None or not data.denominator:
            raise ValueError("give what was met and what was due")
        if data.numerator > data.denominator:
            raise ValueError("what was met cannot exceed what was due")
        return Measure(
            definition.kind, float(data.numerator), float(data.denominator), int(data.denominator)
        )
    if data.value is None or data.sample_size < 1:
        raise ValueError("give the score and how many responses it comes from")
    n = data.sample_size
    return Measure(definition.kind, float(data.value) * n, n, n)


def attested_actual(guarantee: Guarantee, data: Attestation) -> Decimal | None:
    """The figure an attestation gives, as it would be stored (None: it gives none)."""
    try:
        est = estimate(_attested_measure(guarantee, data))
    except ValueError:
        return None
    return None if est.value is None else Decimal(repr(est.value))


def _period_result(guarantee: Guarantee, period_label: str) -> GuaranteeResult | None:
    """The stored result of one of the guarantee's periods (None: nothing recorded yet)."""
    return GuaranteeResult.objects.filter(
        guarantee=guarantee, kind=ResultKind.PERIOD, period_label=period_label
    ).first()


def _check_attested_version(
    guarantee: Guarantee, period_label: str, expected_version: int | None
) -> None:
    """One attestation of a guarantee at a time (its row locked), and, given the version of
    the period's result the page showed (0: none), StaleEdit when it moved on since. Two
    first attestations at once: the second waits for the first, then finds its result (no
    failure on one_result_per_period), and is refused when it said it saw none."""
    # The whole contract's guarantees: the attestation then settles the contract year, which
    # stores every one of their settlement rows (`refresh_settlements`).
    if guarantee.pk not in _lock_guarantees(Q(contract_id=guarantee.contract_id)):
        raise ValueError("this guarantee was removed")
    check_version_of(
        _period_result(guarantee, period_label),
        expected_version,
        lambda: GuaranteeResult(
            guarantee=guarantee, kind=ResultKind.PERIOD, period_label=period_label, version=0
        ),
        what=f"the {period_label} result of {guarantee.display_name}",
    )


@transaction.atomic
def do_attest_result(
    guarantee: Guarantee,
    data: Attestation,
    *,
    acting_user: User,
    today: dt.date,
    expected_version: int | None = None,
) -> GuaranteeResult:
    """Record a result whose data is not in the lake, with its evidence; the contract year's
    settlement is recomputed from the stored results. Given `expected_version` (the version
    of the period's result the page or the client read; 0: none was recorded), a result
    recorded or rewritten since raises StaleEdit and nothing changes; None: not checked (the
    CLI, a client that read nothing)."""
    if guarantee.definition.from_lake:
        raise ValueError("this guarantee is measured from the lake, not attested")
    far = add_years(today, 50)
    plan = plan_results([guarantee], today=far, include_attested_periods=True)
    period = next(
        (p for p in plan if p.kind == ResultKind.PERIOD and p.label == data.period_label), None
    )
    if period is None:
        raise ValueError(f"{data.period_label} is not a period of this guarantee")
    measure = _attested_measure(guarantee, data)
    est = estimate(measure)
    if est.value is None:
        raise ValueError("nothing was due: there is no result to record")
    shown = reported(est.value, guarantee.decimals)
    values = base_values(period, today=today)
    outcome = penalty(shown, guarantee.penalty_terms(), values.amount_at_risk)
    values.source = ResultSource.ATTESTED
    values.status = ResultStatus.ATTESTED
    values.actual = Decimal(repr(est.value))
    values.numerator = Decimal(repr(measure.numerator))
    values.denominator = Decimal(repr(measure.denominator))
    values.sample_size = measure.n
    if guarantee.definition.unit == "percent":
        values.ci_low = None if est.ci_low is None else Decimal(repr(est.ci_low))
        values.ci_high = None if est.ci_high is None else Decimal(repr(est.ci_high))
        values.within_noise = est.within_noise(float(guarantee.target))
    # A score is attested without its spread: its interval is not known, so none is shown.
    values.met = outcome.met
    values.penalty_pct = outcome.pct if values.settles else Decimal(0)
    values.penalty = outcome.amount if values.settles else Decimal("0.00")
    values.evidence = {
        "attested_by": acting_user.get_username(),
        "attested_on": today.isoformat(),
        "evidence": data.evidence,
        "reference": data.reference,
        "why_attested": guarantee.definition.why_attested,
    }
    values.inputs_hash = ""
    _check_attested_version(guarantee, data.period_label, expected_version)
    do_store_results([values], acting_user=acting_user)
    row = GuaranteeResult.objects.get(
        guarantee=guarantee, kind=ResultKind.PERIOD, period_label=data.period_label
    )
    if row.attested_by_id != acting_user.pk:
        row.attested_by = acting_user
        row.save(update_fields=["attested_by"])
    refresh_settlements(guarantee.contract, row.contract_year, acting_user=acting_user, today=today)
    return row


@transaction.atomic
def refresh_settlements(
    contract: Contract, contract_year: str, *, acting_user: User | None, today: dt.date
) -> StoreSummary:
    """Recompute a contract year's settlement rows from stored results (attested guarantees
    and the caps), without reading the lake."""
    from clientdesk.guarantees.evaluation import _apply_caps, _settle_per_period

    _lock_guarantees(Q(contract=contract))  # read and stored by one writer at a time
    stored = list(
        GuaranteeResult.objects.filter(
            guarantee__contract=contract, contract_year=contract_year
        ).select_related("guarantee__contract__account", "guarantee__contract__guarantee_terms")
    )
    settlements = [values_from_row(r) for r in stored if r.kind == ResultKind.SETTLEMENT]
    have = {v.guarantee.pk for v in settlements}
    first, last = (dt.date.fromisoformat(x) for x in contract_year.split("/"))
    for g in {r.guarantee for r in stored if not r.guarantee.definition.from_lake}:
        if g.pk in have:
            continue
        plan = [
            p
            for p in plan_results(
                [g], today=add_years(today, 50), window=Span(contract_year, first, last)
            )
            if p.kind == ResultKind.SETTLEMENT and p.label == contract_year
        ]
        settlements.extend(finish_results(plan, {}, today=today))
    for row in settlements:
        if not row.guarantee.definition.from_lake:
            periods = [
                r
                for r in stored
                if r.guarantee_id == row.guarantee.pk and r.kind == ResultKind.PERIOD
            ]
            _settle_per_period(row, periods)
            row.status = ResultStatus.ATTESTED
    _apply_caps(settlements)
    return do_store_results(settlements, acting_user=acting_user)


# --- forecasts and alerts -------------------------------------------------------------------


@dataclass
class ForecastSummary:
    stored: int = 0  # forecasts kept (new, changed or unchanged)
    changed: int = 0  # of which new or changed
    alerts_opened: int = 0
    alerts_updated: int = 0  # still open (their latest chance and penalty kept)
    alerts_closed: int = 0


def _forecast_changed(row: GuaranteeForecast, fields: dict[str, Any]) -> bool:
    return any(getattr(row, name) != value for name, value in fields.items())


@transaction.atomic
def do_store_forecasts(
    forecasts: Sequence[ForecastValues],
    *,
    threshold: Decimal,
    acting_user: User | None,
    now: dt.datetime | None = None,
) -> ForecastSummary:
    """Keep each forecast; open an alert when the chance of a miss reaches `threshold`, keep
    one open alert per guarantee and span, close it when the risk falls away or the span
    ends. Alerts opening and closing are audited and added to the account's timeline; new
    or changed forecasts get one audit row per account. Storing the same forecasts again
    changes nothing and writes nothing."""
    now = now or timezone.now()
    summary = ForecastSummary()
    current: dict[int, set[str]] = {}
    changed_accounts: dict[int, list[ForecastValues]] = {}
    existing = {
        (row.guarantee_id, row.period_label, row.as_of): row
        for row in GuaranteeForecast.objects.select_for_update().filter(
            guarantee_id__in={f.guarantee.pk for f in forecasts},
            as_of__in={f.as_of for f in forecasts},
        )
    }
    for f in forecasts:
        fields = f.model_fields()
        row = existing.get((f.guarantee.pk, f.period_label, f.as_of))
        if row is None or _forecast_changed(row, fields):
            GuaranteeForecast.objects.update_or_create(
                guarantee=f.guarantee,
                period_label=f.period_label,
                as_of=f.as_of,
                defaults={**fields, "computed_at": now},
            )
            summary.changed += 1
            changed_accounts.setdefault(f.guarantee.contract.account_id, []).append(f)
        summary.stored += 1
        current.setdefault(f.guarantee.pk, set()).add(f.period_label)
        open_alert = (
            GuaranteeAlert.objects.select_for_update()
            .filter(guarantee=f.guarantee, period_label=f.period_label, status=AlertStatus.OPEN)
            .first()
        )
        p_miss = f.p_miss
        at_risk = p_miss is not None and p_miss >= threshold
        if p_miss is not None and at_risk and open_alert is None:
            alert = GuaranteeAlert.objects.create(
                guarantee=f.guarantee,
                period_label=f.period_label,
                threshold=threshold,
                p_miss_opened=p_miss,
                p_miss_latest=p_miss,
                expected_penalty=f.expected_penalty,
                opened_as_of=f.as_of,
                latest_as_of=f.as_of,
                opened_at=now,
            )
            _alert_event(alert, opened=True, acting_user=acting_user)
            summary.alerts_opened += 1
        elif p_miss is not None and at_risk and open_alert is not None:
            latest = {
                "p_miss_latest": p_miss,
                "expected_penalty": f.expected_penalty,
                "latest_as_of": f.as_of,
            }
            if any(getattr(open_alert, k) != v for k, v in latest.items()):
                apply_changes(open_alert, latest, list(latest))
                open_alert.save(update_fields=list(latest))
            summary.alerts_updated += 1
        elif open_alert is not None:
            p = "unknown" if f.p_miss is None else formatting.share(f.p_miss)
            _close(open_alert, f"the chance of a miss fell to {p}", now, acting_user)
            summary.alerts_closed += 1
    stale = GuaranteeAlert.objects.select_for_update().filter(
        guarantee_id__in=list(current), status=AlertStatus.OPEN
    )
    for alert in stale:
        if alert.period_label not in current[alert.guarantee_id]:
            _close(alert, "the period ended", now, acting_user)
            summary.alerts_closed += 1
    for rows in changed_accounts.values():
        account = rows[0].guarantee.contract.account
        record_audit(
            actor=acting_user,
            action="guarantee_forecast.store",
            object_type="guarantees.forecast",
            object_id=str(account.pk),
            object_label=account.group_number,
            account=account,
            detail={
                "forecasts": len(rows),
                "as_of": rows[0].as_of.isoformat(),
                "threshold": str(threshold),
            },
        )
    return summary


def _close(alert: GuaranteeAlert, reason: str, now: dt.datetime, acting_user: User | None) -> None:
    before = snapshot(alert)
    alert.status = AlertStatus.CLOSED
    alert.closed_at = now
    alert.closed_reason = reason[:200]
    alert.save(update_fields=["status", "closed_at", "closed_reason"])
    _alert_event(alert, opened=False, acting_user=acting_user, before=before)


def _alert_event(
    alert: GuaranteeAlert,
    *,
    opened: bool,
    acting_user: User | None,
    before: dict[str, Any] | None = None,
) -> None:
    g = alert.guarantee
    account = g.contract.account
    record_audit(
        actor=acting_user,
        action="guarantee_alert.open" if opened else "guarantee_alert.close",
        obj=alert,
        account=account,
        before=before,
        after=snapshot(alert),
    )
    if opened:
        subject = f"At risk: {g.display_name}, {alert.period_label}"
        body = (
            f"{formatting.share(alert.p_miss_opened)} chance of ending the period missed "
            f"(as of {formatting.date(alert.opened_as_of)}); expected penalty "
            f"{formatting.money(alert.expected_penalty, 0)}."
        )
    else:
        subject = f"Risk cleared: {g.display_name}, {alert.period_label}"
        body = f"Closed: {alert.closed_reason}."
    do_log_activity(
        account,
        kind=ActivityKind.GUARANTEE,
        subject=subject[:200],
        body=body,
        acting_user=acting_user,
        source_type="guarantees.GuaranteeAlert",
        source_id=str(alert.pk),
    )


# --- exports --------------------------------------------------------------------------------


def do_record_export(
    user: AbstractBaseUser | AnonymousUser,
    *,
    account: Account | None,
    what: str,
    fmt: str,
    rows: int,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """An export of guarantee data leaves the building: say who took what."""
    return record_audit(
        actor=user,
        action=f"guarantees.export.{what}",
        object_type="guarantees.export",
        object_id=str(account.pk) if account else "portfolio",
        object_label=account.group_number if account else "portfolio",
        account=account,
        detail={"format": fmt, "rows": rows, **(detail or {})},
        kind=AuditEvent.Kind.EXPORT,
    )
