"""Daily series for detection, built through the lake gateway: Ibis marts (one per feed and
step), then one numpy panel.

Mart functions take lake tables and return Ibis tables; each docstring states its grain.
`build_panel` runs them on a `Lake` and lays the results out as `detection.Panel` arrays, one
row per series (account x family x dimension values, plus the book-level sum of each)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from clientdesk.insights.detection import Panel
from clientdesk.insights.families import BY_NAME, FAMILY_NAMES
from clientdesk.lake.gateway import Lake
from clientdesk.lake.local_time import local_days as local_days_of
from clientdesk.lake.local_time import zone_rows
from clientdesk.lake.marts.operations import BOOK
from clientdesk.lake.marts.survey_answers import survey_answers
from clientdesk.lib.periods import epoch_day
from clientdesk.lib.survey_answers import DETRACTOR_CSAT_MAX, DETRACTOR_NPS_MAX

MIN_LEAF_DENIALS = 3
"""Denial details (account x CARC x billing NPI x procedure) are watched once they have had
this many denials; rarer combinations stay inside their account x CARC series."""


def _day(column: ir.Value) -> ir.DateValue:
    return column.cast("date") if column.type().is_date() else column.date()


def _in_range(table: ir.Table, day: ir.DateValue, first: dt.date, last: dt.date) -> ir.Table:
    return table.filter(day.notnull(), day >= first, day <= last)


def local_days(
    table: ir.Table, column: str, zones: ir.Table, first: dt.date, last: dt.date
) -> ir.Table:
    """Records whose account-local date (the guarantees' zone table and rule: an evening call
    in Seattle is on Seattle's day, not on the next UTC day) is in first..last, with `day` in
    epoch days. Grain: the table's."""
    return local_days_of(table, table[column], zones, epoch_day(first), epoch_day(last))


def issues_daily_inquiries(
    inquiries: ir.Table, zones: ir.Table, first: dt.date, last: dt.date
) -> ir.Table:
    """Inquiries opened per account, category and account-local day (epoch days).

    Grain: one row per (account_id, category, day). Columns: account_id, category, day,
    events."""
    t = local_days(inquiries, "opened_at", zones, first, last)
    return t.group_by(["account_id", "category", "day"]).agg(events=ibis._.count())


def issues_inquiry_notes(
    inquiries: ir.Table, zones: ir.Table, first: dt.date, last: dt.date
) -> ir.Table:
    """Inquiry intake notes for text themes.

    Grain: one row per inquiry (external_id), in external_id order: the themes are fitted on
    the rows in the order they come, and an engine's own order varies from run to run.
    Columns: external_id, account_id, day (account-local, epoch days), category, description."""
    t = local_days(inquiries, "opened_at", zones, first, last)
    return t.select("external_id", "account_id", "day", "category", "description").order_by(
        "external_id"
    )


def _originals(processing: ir.Table) -> ir.Table:
    return processing.filter(processing.adjustment_type == "original")


def issues_daily_claims_processed(processing: ir.Table, first: dt.date, last: dt.date) -> ir.Table:
    """Original claims finalized (the denominator of denial and audit rates).

    Grain: one row per (account_id, day). Columns: account_id, day, claims."""
    t = _originals(processing)
    t = t.mutate(day=t.finalized_date)
    t = _in_range(t, t.day, first, last)
    return t.group_by(["account_id", "day"]).agg(claims=ibis._.count())


def issues_daily_claims_received(processing: ir.Table, first: dt.date, last: dt.date) -> ir.Table:
    """Original claims received (the denominator of pend rates).

    Grain: one row per (account_id, day). Columns: account_id, day, claims."""
    t = _originals(processing)
    t = t.mutate(day=t.received_date)
    t = _in_range(t, t.day, first, last)
    return t.group_by(["account_id", "day"]).agg(claims=ibis._.count())


def issues_daily_denials(processing: ir.Table, first: dt.date, last: dt.date) -> ir.Table:
    """Original claims denied, by main CARC and finalization day.

    Grain: one row per (account_id, carc, day). Columns: account_id, carc, day, events."""
    t = _originals(processing)
    t = t.filter(t.status == "denied", t.carc.notnull()).mutate(day=t.finalized_date)
    t = _in_range(t, t.day, first, last)
    return t.group_by(["account_id", "carc", "day"]).agg(events=ibis._.count())


def issues_denial_leaves(processing: ir.Table, first: dt.date, last: dt.date) -> ir.Table:
    """Account x CARC x billing NPI x procedure combinations with at least
    MIN_LEAF_DENIALS denials in the range.

    Grain: one row per (account_id, carc, billing_npi, hcpcs_code). Columns: those, denials."""
    t = _originals(processing)
    t = t.filter(
        t.status == "denied", t.carc.notnull(), t.billing_npi.notnull(), t.hcpcs_code.notnull()
    ).mutate(day=t.finalized_date)
    t = _in_range(t, t.day, first, last)
    leaves = t.group_by(["account_id", "carc", "billing_npi", "hcpcs_code"]).agg(
        denials=ibis._.count()
    )
    return leaves.filter(leaves.denials >= MIN_LEAF_DENIALS)


def issues_daily_denial_details(
    processing: ir.Table, leaves: ir.Table, first: dt.date, last: dt.date
) -> ir.Table:
    """Denials of the watched leaves per day.

    Grain: one row per (account_id, carc, billing_npi, hcpcs_code, day). Columns: those,
    events."""
    t = _originals(processing)
    t = t.filter(t.status == "denied").mutate(day=t.finalized_date)
    t = _in_range(t, t.day, first, last)
    keys = ["account_id", "carc", "billing_npi", "hcpcs_code"]
    t = t.semi_join(leaves.select(*keys), keys)
    return t.group_by([*keys, "day"]).agg(events=ibis._.count())


def issues_daily_procedure_claims(
    processing: ir.Table, leaves: ir.Table, first: dt.date, last: dt.date
) -> ir.Table:
    """Original claims finalized per account, billing NPI and procedure, for the watched
    leaves (the denominator of their denial rates).

    Grain: one row per (account_id, billing_npi, hcpcs_code, day). Columns: those, claims."""
    t = _originals(processing).mutate(day=processing.finalized_date)
    t = _in_range(t, t.day, first, last)
    keys = ["account_id", "billing_npi", "hcpcs_code"]
    t = t.semi_join(leaves.select(*keys).distinct(), keys)
    return t.group_by([*keys, "day"]).agg(claims=ibis._.count())


def issues_daily_calls(calls: ir.Table, zones: ir.Table, first: dt.date, last: dt.date) -> ir.Table:
    """Calls offered and abandoned per account, queue and account-local day (epoch days).

    Grain: one row per (account_id, queue, day). Columns: account_id, queue, day, offered,
    abandoned."""
    t = local_days(calls, "offered_at", zones, first, last)
    return t.group_by(["account_id", "queue", "day"]).agg(
        offered=ibis._.count(), abandoned=ibis._.abandoned.cast("int64").sum()
    )


def issues_daily_ivr(
    sessions: ir.Table, zones: ir.Table, first: dt.date, last: dt.date
) -> ir.Table:
    """IVR sessions, opt-outs and hang-ups per account and account-local day (epoch days).

    Grain: one row per (account_id, day). Columns: account_id, day, sessions, opted_out,
    abandoned."""
    t = local_days(sessions, "started_at", zones, first, last)
    return t.group_by(["account_id", "day"]).agg(
        sessions=ibis._.count(),
        opted_out=ibis._.opted_out.cast("int64").sum(),
        abandoned=(ibis._.outcome == "abandoned").cast("int64").sum(),
    )


def issues_daily_claim_pends(processing: ir.Table, first: dt.date, last: dt.date) -> ir.Table:
    """Original claims that pended, by pend reason and day received.

    Grain: one row per (account_id, pend_reason, day). Columns: account_id, pend_reason, day,
    events."""
    t = _originals(processing)
    t = t.filter(t.pend_reason.notnull()).mutate(day=t.received_date)
    t = _in_range(t, t.day, first, last)
    return t.group_by(["account_id", "pend_reason", "day"]).agg(events=ibis._.count())


def issues_daily_audit_overpayments(
    processing: ir.Table, first: dt.date, last: dt.date
) -> ir.Table:
    """Audited claims found overpaid, by finalization day.

    Grain: one row per (account_id, day). Columns: account_id, day, events."""
    t = _originals(processing)
    t = t.filter(t.audit_finding == "overpayment").mutate(day=t.finalized_date)
    t = _in_range(t, t.day, first, last)
    return t.group_by(["account_id", "day"]).agg(events=ibis._.count())


def issues_daily_survey_answers(
    answers: ir.Table, zones: ir.Table, first: dt.date, last: dt.date
) -> ir.Table:
    """Survey answers with a score and the detractors among them (NPS 0-6 or CSAT 1-2, the
    rule of `lib.survey_answers`) per account and account-local day answered, from every
    source (`lake.marts.survey_answers`: the feed and the answers the apps collected).

    Grain: one row per (account_id, day). Columns: account_id, day, answers, detractors."""
    t = answers.filter(answers.answered_at.notnull())
    t = t.filter(t.nps_score.notnull() | t.csat.notnull())
    t = local_days(t, "answered_at", zones, first, last)
    detractor = (t.nps_score <= DETRACTOR_NPS_MAX).fill_null(False) | (
        t.csat <= DETRACTOR_CSAT_MAX
    ).fill_null(False)
    return t.group_by(["account_id", "day"]).agg(
        answers=ibis._.count(), detractors=detractor.cast("int64").sum()
    )


def issues_enrollment_changes(eligibility: ir.Table) -> ir.Table:
    """Members joining (span starts) and leaving (the day after span ends) per account.

    Grain: one row per (account_id, day, change) with change in {+1, -1}. Columns: account_id,
    day, change, members."""
    starts = eligibility.group_by(
        [eligibility.account_id, eligibility.enrollment_start_date.name("day")]
    ).agg(members=ibis._.count())
    ends = eligibility.filter(eligibility.enrollment_end_date.notnull())
    ends = ends.group_by(
        [ends.account_id, (ends.enrollment_end_date + ibis.interval(days=1)).name("day")]
    ).agg(members=ibis._.count())
    return starts.mutate(change=ibis.literal(1)).union(ends.mutate(change=ibis.literal(-1)))


# --- the panel ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeriesKey:
    """One series: family, account (BOOK = 0 for the book level) and dimension values."""

    family: str
    account_id: int
    dims: tuple[tuple[str, str], ...]

    @property
    def dims_dict(self) -> dict[str, str]:
        return dict(self.dims)


@dataclass
class SeriesPanel:
    """A detection panel with the key of every row."""

    panel: Panel
    keys: list[SeriesKey]
    accounts: list[int]
    members: np.ndarray
    themes: dict[str, str] = field(default_factory=dict)
    zones: dict[int, str] = field(default_factory=dict)
    """Each account's IANA time zone: the panel's calls, sessions and inquiries are on its
    local days, and so are the records an issue's impact counts."""
    _children: dict[tuple[int, str], list[int]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def children_index(self) -> dict[tuple[int, str], list[int]]:
        """Rows that can explain an issue, by (issue scope, cause family): for the book level
        (BOOK) every account's series of the cause family; for an account its series of the
        cause family that are not the family itself (denial leaves under denials)."""
        if self._children is not None:
            return self._children
        index: dict[tuple[int, str], list[int]] = {}
        for i, k in enumerate(self.keys):
            cause_family = BY_NAME[k.family].cause_family
            if k.account_id == BOOK:
                continue
            index.setdefault((BOOK, cause_family), []).append(i)
            if k.family != cause_family:
                index.setdefault((k.account_id, cause_family), []).append(i)
        self._children = index
        return index

    def rows(self, **match: object) -> list[int]:
        return [
            i for i, k in enumerate(self.keys) if all(getattr(k, a) == v for a, v in match.items())
        ]


class PanelBuilder:
    """Accumulates (key, day) counts and exposures, then lays them out as arrays."""

    def __init__(self, first: dt.date, last: dt.date, accounts: list[int]) -> None:
        self.first = first
        self.n_days = (last - first).days + 1
        self.accounts = accounts
        self.counts: dict[SeriesKey, np.ndarray] = {}
        self.exposure: dict[SeriesKey, np.ndarray] = {}

    def day_index(self, days: pd.Series) -> np.ndarray:
        """Panel day of each value: dates, or epoch days (the account-local marts')."""
        if pd.api.types.is_integer_dtype(days):
            return np.asarray(days.to_numpy(dtype=np.int64) - epoch_day(self.first))
        values = pd.to_datetime(days).dt.date
        return np.array([(d - self.first).days for d in values], dtype=np.int64)

    def add(
        self,
        family: str,
        frame: pd.DataFrame,
        dims: tuple[str, ...],
        value: str,
        exposure: dict[tuple[object, ...], np.ndarray] | np.ndarray | None,
    ) -> None:
        """Counts of `frame[value]` per (account_id, dims, day); exposure per (account_id,
        *dims) or per account (array indexed like self.accounts) when dims are not in it."""
        if frame.empty:
            return
        idx = self.day_index(frame["day"])
        ok = (idx >= 0) & (idx < self.n_days)
        frame = frame.loc[ok]
        idx = idx[ok]
        groups = frame.groupby(["account_id", *dims], sort=True).indices
        for group, positions in groups.items():
            parts = group if isinstance(group, tuple) else (group,)
            account = int(parts[0])
            key = SeriesKey(
                family, account, tuple(zip(dims, (str(p) for p in parts[1:]), strict=True))
            )
            row = np.zeros(self.n_days)
            np.add.at(row, idx[positions], frame[value].to_numpy(dtype=np.float64)[positions])
            self.counts[key] = row
            if isinstance(exposure, dict):
                self.exposure[key] = exposure.get((account, *parts[1:]), np.zeros(self.n_days))
            elif exposure is not None:
                self.exposure[key] = exposure[self.accounts.index(account)]

    def add_empty(
        self, family: str, account: int, dims: tuple[tuple[str, str], ...], exposure: np.ndarray
    ) -> None:
        key = SeriesKey(family, account, dims)
        if key not in self.counts:
            self.counts[key] = np.zeros(self.n_days)
            self.exposure[key] = exposure

    def per_account(
        self, frame: pd.DataFrame, value: str, dims: tuple[str, ...] = ()
    ) -> dict[tuple[object, ...], np.ndarray]:
        """Daily arrays of `frame[value]` keyed by (account_id, *dims)."""
        out: dict[tuple[object, ...], np.ndarray] = {}
        if frame.empty:
            return out
        idx = self.day_index(frame["day"])
        ok = (idx >= 0) & (idx < self.n_days)
        frame, idx = frame.loc[ok], idx[ok]
        values = frame[value].to_numpy(dtype=np.float64)
        for group, positions in frame.groupby(["account_id", *dims], sort=True).indices.items():
            parts = group if isinstance(group, tuple) else (group,)
            row = np.zeros(self.n_days)
            np.add.at(row, idx[positions], values[positions])
            out[(int(parts[0]), *(str(p) for p in parts[1:]))] = row
        return out

    def account_matrix(self, by_account: dict[tuple[object, ...], np.ndarray]) -> np.ndarray:
        out = np.zeros((len(self.accounts), self.n_days))
        for (account, *_rest), row in by_account.items():
            if account in self.accounts:
                out[self.accounts.index(int(account))] += row  # type: ignore[call-overload,unused-ignore]
        return out

    def finish(self, members: np.ndarray, themes: dict[str, str]) -> SeriesPanel:
        """Add the book-level sum of every family x dims and lay out the arrays."""
        book_counts: dict[SeriesKey, np.ndarray] = {}
        book_exposure: dict[SeriesKey, np.ndarray] = {}
        for key, row in self.counts.items():
            if not BY_NAME[key.family].book_level:
                continue
            book = SeriesKey(key.family, BOOK, key.dims)
            book_counts[book] = book_counts.get(book, 0) + row
            book_exposure[book] = book_exposure.get(book, 0) + self.exposure[key]
        keys = sorted(self.counts, key=lambda k: (k.family, k.dims, k.account_id))
        keys += sorted(book_counts, key=lambda k: (k.family, k.dims))
        counts = np.array([self.counts.get(k, book_counts.get(k)) for k in keys])
        exposure = np.array([self.exposure.get(k, book_exposure.get(k)) for k in keys])
        group_of: dict[tuple[str, tuple[tuple[str, str], ...]], int] = {}
        groups, pools = [], []
        for k in keys:
            # Denial details pool by CARC; every other family by its full dimension values.
            gkey = (k.family, k.dims[:1] if k.family == "denial_details" else k.dims)
            g = group_of.setdefault(gkey, len(group_of))
            groups.append(g)
            pools.append(g if k.account_id != BOOK else -1)
        family = np.array([FAMILY_NAMES.index(k.family) for k in keys], dtype=np.int64)
        panel = Panel(
            first_day=self.first,
            counts=counts.reshape(len(keys), self.n_days).astype(np.float64),
            exposure=exposure.reshape(len(keys), self.n_days).astype(np.float64),
            group=np.array(groups, dtype=np.int64),
            pool=np.array(pools, dtype=np.int64),
            family=family,
            family_names=FAMILY_NAMES,
        )
        return SeriesPanel(panel, keys, self.accounts, members, themes)


def members_per_day(changes: pd.DataFrame, builder: PanelBuilder) -> np.ndarray:
    """Enrolled members per account and day from the span starts and ends."""
    out = np.zeros((len(builder.accounts), builder.n_days))
    if changes.empty:
        return out
    before = pd.to_datetime(changes["day"]).dt.date < builder.first
    base = (
        changes.loc[before]
        .groupby("account_id")
        .apply(lambda f: float((f["members"] * f["change"]).sum()), include_groups=False)
    )
    later = changes.loc[~before].copy()
    later["delta"] = later["members"] * later["change"]
    delta = builder.per_account(later, "delta")
    for i, account in enumerate(builder.accounts):
        start = float(base.get(account, 0.0))
        out[i] = start + np.cumsum(delta.get((account,), np.zeros(builder.n_days)))
    return np.maximum(out, 0.0)


def build_panel(
    lake: Lake,
    first: dt.date,
    last: dt.date,
    account_zones: dict[int, str],
    *,
    with_themes: bool = True,
) -> SeriesPanel:
    """Every watched series of the lake's accounts from `first` to `last` (inclusive); calls,
    IVR sessions and inquiries by the account-local day of `account_zones` (id -> IANA zone;
    a record of an account without one is not counted)."""
    execute = lake.execute
    zones = zone_rows(account_zones, first, last)
    inquiries = execute(issues_daily_inquiries(lake.inquiry_import, zones, first, last))
    processed = execute(issues_daily_claims_processed(lake.claim_processing, first, last))
    received = execute(issues_daily_claims_received(lake.claim_processing, first, last))
    denials = execute(issues_daily_denials(lake.claim_processing, first, last))
    leaves = issues_denial_leaves(lake.claim_processing, first, last)
    details = execute(issues_daily_denial_details(lake.claim_processing, leaves, first, last))
    proc_claims = execute(issues_daily_procedure_claims(lake.claim_processing, leaves, first, last))
    calls = execute(issues_daily_calls(lake.call_record, zones, first, last))
    ivr = execute(issues_daily_ivr(lake.ivr_session, zones, first, last))
    pends = execute(issues_daily_claim_pends(lake.claim_processing, first, last))
    audits = execute(issues_daily_audit_overpayments(lake.claim_processing, first, last))
    changes = execute(issues_enrollment_changes(lake.eligibility))
    surveyed = execute(
        issues_daily_survey_answers(survey_answers(lake, first, last), zones, first, last)
    )

    accounts = sorted(
        {
            int(a)
            for f in (inquiries, processed, calls, ivr, changes, surveyed)
            for a in f["account_id"]
        }
    )
    builder = PanelBuilder(first, last, accounts)
    members = members_per_day(changes, builder)
    processed_by = builder.account_matrix(builder.per_account(processed, "claims"))
    received_by = builder.account_matrix(builder.per_account(received, "claims"))
    builder.add("inquiries", inquiries, ("category",), "events", members)
    builder.add("denials", denials, ("carc",), "events", processed_by)
    proc = builder.per_account(proc_claims, "claims", ("billing_npi", "hcpcs_code"))
    if not details.empty:
        leaf_exposure: dict[tuple[object, ...], np.ndarray] = {
            (a, c, npi, code): proc.get((a, npi, code), np.zeros(builder.n_days))
            for a, c, npi, code in details[["account_id", "carc", "billing_npi", "hcpcs_code"]]
            .drop_duplicates()
            .itertuples(index=False)
        }
        leaf_exposure = {
            (int(k[0]), *map(str, k[1:])): v  # type: ignore[call-overload]
            for k, v in leaf_exposure.items()
        }
        builder.add(
            "denial_details",
            details,
            ("carc", "billing_npi", "hcpcs_code"),
            "events",
            leaf_exposure,
        )
    offered = builder.per_account(calls, "offered", ("queue",))
    builder.add("calls", calls, ("queue",), "offered", members)
    builder.add("call_abandons", calls, ("queue",), "abandoned", offered)
    sessions = builder.account_matrix(builder.per_account(ivr, "sessions"))
    builder.add("ivr_opt_outs", ivr, (), "opted_out", sessions)
    builder.add("ivr_abandons", ivr, (), "abandoned", sessions)
    builder.add("claim_pends", pends, ("pend_reason",), "events", received_by)
    builder.add("audit_overpayments", audits, (), "events", processed_by)
    for i, account in enumerate(accounts):
        if processed_by[i].any():
            builder.add_empty("audit_overpayments", account, (), processed_by[i])
    answered = builder.account_matrix(builder.per_account(surveyed, "answers"))
    builder.add("survey_detractors", surveyed, (), "detractors", answered)
    themes: dict[str, str] = {}
    if with_themes:
        from clientdesk.insights.themes import fit_themes

        notes = execute(issues_inquiry_notes(lake.inquiry_import, zones, first, last))
        model = fit_themes(notes["description"].fillna("").tolist())
        if model is not None:
            notes = notes.assign(theme=model.assign(notes["description"].fillna("").tolist()))
            notes = notes.assign(events=1)
            builder.add("inquiry_themes", notes, ("theme",), "events", members)
            themes = model.labels
    series = builder.finish(members, themes)
    series.zones = account_zones
    return series
