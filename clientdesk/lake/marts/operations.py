"""The daily marts of the operational feeds: calls, IVR, claim processing, surveys, eligibility.

Every function is an Ibis table -> table function, so the same code runs on DuckDB and
Spark. Steps and grains:

1. `calls_daily`, `ivr_daily`, `surveys_daily`: one row per account_id x day x dim (the
   phone line for calls, the survey for surveys, empty otherwise), summing the feed's
   components. A record's day is its account-local date (`clientdesk.lake.local_time`: the
   record is joined to its account's zone row and its UTC epoch seconds are shifted by the
   standard or daylight offset). Claims are dated by `finalized_date` and eligibility files by
   `file_date`, which are already dates (`claims_daily`, `eligibility_files_daily`).
2. `with_book_of_business`: adds the whole book as account_id `BOOK` (the sum of every account).
3. `auto_adjudication_daily` and `pended_claims_weekly`: the auto-adjudication monitor's rows.

`auto_adjudicated` is true, false or null (not stated: an 835 remittance has no element for
it). A claim with no flag is left out of the auto-adjudication rate, numerator and
denominator, and counted on its own (`unflagged`), so a result can say how many it left out.

Guarantees add the daily rows up per period (`guarantees.evaluation`), issue detection reads
them as series; metrics with a parameter (N seconds, N days) get one column per value in use,
listed by a `ComponentParameters` (the guarantees' `ComponentSpec` is one).

`day` is an integer: days since 1970-01-01 (`lib.periods.epoch_day`). Sums are filtered
aggregates (`sum(x) FILTER (WHERE ...)` on DuckDB), which cost one pass over the records.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

from clientdesk.lake.local_time import epoch_seconds, local_days, with_local_day
from clientdesk.lib.survey_answers import SATISFIED_CSAT as SATISFIED_CSAT

BOOK = 0
"""account_id of the book-of-business rows and series: the sum over every account in scope."""
# A survey answer is satisfied when its CSAT is at least SATISFIED_CSAT (4 of 5): the one
# rule lives in lib.survey_answers, for the apps that count answers outside the lake too.
# Dollars are summed per day as decimals, exactly, and only then made floats: a float sum
# depends on the order the engine's threads add rows in, and a result must not change when
# its inputs did not. Squares of cents need 4 decimals.
MONEY = dt.Decimal(18, 2)
SQUARES = dt.Decimal(38, 4)


class ComponentParameters(Protocol):
    """The parameter values the marts provide one column each for."""

    @property
    def short_abandon_seconds(self) -> frozenset[int]: ...
    @property
    def service_level_seconds(self) -> frozenset[int]: ...
    @property
    def turnaround_days(self) -> frozenset[int]: ...
    @property
    def load_business_days(self) -> frozenset[int]: ...


def satisfied(csat: ir.NumericValue) -> ir.BooleanValue:
    """Whether a survey answer's CSAT counts as satisfied (null when there is no CSAT)."""
    return csat >= SATISFIED_CSAT


def exact_sum(total: ir.NumericScalar) -> ir.FloatingScalar:
    """A decimal sum as a float (0 when there was nothing to add)."""
    return total.cast("float64").fill_null(0.0)


def calls_daily(
    calls: ir.Table, zones: ir.Table, spec: ComponentParameters, first_day: int, last_day: int
) -> ir.Table:
    """Call components. Grain: account_id x day x dim (dim = the phone line).

    Columns: offered, answered, wait_sum and wait_sumsq (of answered calls), fcr (answered and
    resolved on first contact), abandoned, short_<s> (abandoned in under s seconds) and
    within_<n> (answered within n seconds)."""
    t = local_days(calls, calls.offered_at, zones, first_day, last_day)
    t = t.mutate(
        dim=t.line.fill_null(""),
        _answered=t.answered.fill_null(False),
        _abandoned=t.abandoned.fill_null(False),
        _wait=t.wait_seconds.cast("float64"),
    )
    metrics: dict[str, ir.Scalar] = {
        "offered": t.count().cast("int64"),
        "answered": t.count(where=t._answered).cast("int64"),
        "wait_sum": t._wait.sum(where=t._answered).fill_null(0.0),
        "wait_sumsq": (t._wait * t._wait).sum(where=t._answered).fill_null(0.0),
        "fcr": t.count(where=t._answered & t.resolved_first_contact.fill_null(False)).cast("int64"),
        "abandoned": t.count(where=t._abandoned).cast("int64"),
    }
    for s in sorted(spec.short_abandon_seconds):
        metrics[f"short_{s}"] = t.count(where=t._abandoned & (t.wait_seconds < s)).cast("int64")
    for n in sorted(spec.service_level_seconds):
        metrics[f"within_{n}"] = t.count(where=t._answered & (t.wait_seconds <= n)).cast("int64")
    return t.group_by(["account_id", "day", "dim"]).aggregate(**metrics)


def ivr_daily(ivr: ir.Table, zones: ir.Table, first_day: int, last_day: int) -> ir.Table:
    """IVR components. Grain: account_id x day x dim (dim is empty).

    Columns: sessions, contained, opted_out, ivr_abandoned, transferred."""
    t = local_days(ivr, ivr.started_at, zones, first_day, last_day)
    t = t.mutate(dim=ibis.literal(""))
    return t.group_by(["account_id", "day", "dim"]).aggregate(
        sessions=t.count().cast("int64"),
        contained=t.count(where=t.outcome == "contained").cast("int64"),
        opted_out=t.count(where=t.opted_out.fill_null(False)).cast("int64"),
        ivr_abandoned=t.count(where=t.outcome == "abandoned").cast("int64"),
        transferred=t.count(where=t.outcome == "transferred").cast("int64"),
    )


def surveys_daily(surveys: ir.Table, zones: ir.Table, first_day: int, last_day: int) -> ir.Table:
    """Survey components by the day answered. Grain: account_id x day x dim (the survey).

    Columns: answered, csat_n (answers with a csat), satisfied (`satisfied`: csat 4-5), csat_sum,
    csat_sumsq."""
    answered = surveys.filter(surveys.answered_at.notnull())
    t = local_days(answered, answered.answered_at, zones, first_day, last_day)
    t = t.mutate(dim=t.survey.fill_null(""), _csat=t.csat.cast("float64"))
    return t.group_by(["account_id", "day", "dim"]).aggregate(
        answered=t.count().cast("int64"),
        csat_n=t.count(where=t.csat.notnull()).cast("int64"),
        satisfied=t.count(where=satisfied(t.csat)).cast("int64"),
        csat_sum=t._csat.sum().fill_null(0.0),
        csat_sumsq=(t._csat * t._csat).sum().fill_null(0.0),
    )


def claims_daily(
    processing: ir.Table, spec: ComponentParameters, first_day: int, last_day: int
) -> ir.Table:
    """Claim components by finalized_date. Grain: account_id x day x dim (dim is empty).

    Columns: originals (original claims finalized: claim_frequency 1), auto (of which
    auto-adjudicated), unflagged (of which with no auto-adjudication flag: left out of the
    rate, whose denominator is originals - unflagged), tat_<d> (of which finalized within d
    calendar days of receipt), audited (claims in the audit sample), audited_ok (with no
    payment error), paid_sum and err_sum (audited dollars paid and absolute dollars in
    error), paid_sq, err_sq and paid_err (their squares and cross products, for the
    interval); the dollar sums are added exactly (decimals), then given as floats."""
    day = processing.finalized_date.epoch_days().cast("int64")
    p = processing.mutate(day=day).filter(
        [processing.finalized_date.notnull(), day >= first_day, day <= last_day]
    )
    p = p.mutate(
        dim=ibis.literal(""),
        _original=p.claim_frequency.fill_null("1") == "1",
        _audited=p.audited.fill_null(False),
        _lag=p.finalized_date.delta(p.received_date, unit="day"),
        _paid=p.audit_paid_amount.cast(MONEY).fill_null(0),
        _error=p.audit_error_amount.cast(MONEY).fill_null(0).abs(),
    )

    def audited_only(value: ir.NumericValue) -> ir.NumericValue:
        # CASE computes the (int128) decimal products only on the few audited rows.
        return ibis.ifelse(p._audited, value, ibis.null(SQUARES))

    metrics: dict[str, ir.Scalar] = {
        "originals": p.count(where=p._original).cast("int64"),
        "auto": p.count(where=p._original & p.auto_adjudicated).cast("int64"),
        "unflagged": p.count(where=p._original & p.auto_adjudicated.isnull()).cast("int64"),
    }
    for d in sorted(spec.turnaround_days):
        metrics[f"tat_{d}"] = p.count(where=p._original & (p._lag <= d)).cast("int64")
    audited = p._audited
    metrics |= {
        "audited": p.count(where=audited).cast("int64"),
        "audited_ok": p.count(where=audited & (p._error == 0)).cast("int64"),
        "paid_sum": exact_sum(p._paid.sum(where=audited)),
        "err_sum": exact_sum(p._error.sum(where=audited)),
        "paid_sq": exact_sum(audited_only((p._paid * p._paid).cast(SQUARES)).sum()),
        "err_sq": exact_sum(audited_only((p._error * p._error).cast(SQUARES)).sum()),
        "paid_err": exact_sum(audited_only((p._paid * p._error).cast(SQUARES)).sum()),
    }
    return p.group_by(["account_id", "day", "dim"]).aggregate(**metrics)


def eligibility_files_daily(
    eligibility: ir.Table,
    zones: ir.Table,
    business_days: ir.Table,
    spec: ComponentParameters,
    first_day: int,
    last_day: int,
) -> ir.Table:
    """Eligibility files by file_date. Grain: account_id x day x dim (dim is empty).

    A file is a distinct (file_name, file_date) of an account; it was loaded on the local
    date of its first ingest_datetime. `business_days` has day and index (business days
    counted up to and including the day). Columns: files, timely_<b> (loaded within b
    business days of the file date)."""
    e = eligibility.filter([eligibility.file_date.notnull(), eligibility.ingest_datetime.notnull()])
    files = e.group_by(["account_id", "file_name", "file_date"]).aggregate(
        loaded=epoch_seconds(e.ingest_datetime).min()
    )
    files = files.mutate(received=files.file_date.epoch_days().cast("int64"))
    files = files.filter([files.received >= first_day, files.received <= last_day])
    placed = with_local_day(files, "loaded", zones)
    received = business_days.rename(received_key="day", received_index="index")
    loaded = business_days.rename(loaded_key="day", loaded_index="index")
    dated = placed.join(received, placed.received == received.received_key).join(
        loaded, placed.day == loaded.loaded_key
    )
    dated = dated.mutate(
        day=dated.received,
        dim=ibis.literal(""),
        delay=dated.loaded_index - dated.received_index,
    )
    metrics: dict[str, ir.Scalar] = {"files": dated.count().cast("int64")}
    for b in sorted(spec.load_business_days):
        metrics[f"timely_{b}"] = dated.count(where=dated.delay <= b).cast("int64")
    return dated.group_by(["account_id", "day", "dim"]).aggregate(**metrics)


def with_book_of_business(daily: ir.Table, columns: Sequence[str]) -> ir.Table:
    """The daily rows plus the whole book as account_id 0. Grain: account_id x day x dim."""
    book = daily.group_by(["day", "dim"]).aggregate(**{name: daily[name].sum() for name in columns})
    book = book.mutate(account_id=ibis.literal(BOOK, type="int64"))
    ordered = ["account_id", "day", "dim", *columns]
    return daily.select(*ordered).union(book.select(*ordered))


def week_of(day: ir.IntegerValue) -> ir.IntegerValue:
    """The epoch day of the Monday of `day`'s week (1970-01-01 was a Thursday)."""
    return (day - (day + 3) % 7).cast("int64")


def auto_adjudication_daily(processing: ir.Table, first_day: int, last_day: int) -> ir.Table:
    """Original claims finalized with an auto-adjudication flag, and of which auto-adjudicated.
    Grain: account_id x day x claim_type.

    Columns: originals (flagged true or false; a claim with no flag is not counted), auto,
    unflagged (original claims finalized with no flag)."""
    day = processing.finalized_date.epoch_days().cast("int64")
    p = processing.mutate(day=day, claim_type=processing.claim_type.fill_null("")).filter(
        [
            processing.finalized_date.notnull(),
            processing.claim_frequency.fill_null("1") == "1",
            day >= first_day,
            day <= last_day,
        ]
    )
    return p.group_by(["account_id", "day", "claim_type"]).aggregate(
        originals=p.count(where=p.auto_adjudicated.notnull()).cast("int64"),
        auto=p.count(where=p.auto_adjudicated).cast("int64"),
        unflagged=p.count(where=p.auto_adjudicated.isnull()).cast("int64"),
    )


def pended_claims_weekly(processing: ir.Table, first_day: int, last_day: int) -> ir.Table:
    """Original claims a person touched (flagged not auto-adjudicated; a claim with no flag is
    not counted), by pend reason. Grain: account_id x week x pend_reason (week = epoch day of
    its Monday). Columns: pended."""
    day = processing.finalized_date.epoch_days().cast("int64")
    p = processing.filter(
        [
            processing.finalized_date.notnull(),
            processing.claim_frequency.fill_null("1") == "1",
            ~processing.auto_adjudicated,  # null (not stated) filters out, as unknown
            day >= first_day,
            day <= last_day,
        ]
    )
    p = p.mutate(
        week=week_of(p.finalized_date.epoch_days()), pend_reason=p.pend_reason.fill_null("unknown")
    )
    return p.group_by(["account_id", "week", "pend_reason"]).aggregate(
        pended=p.count().cast("int64")
    )
