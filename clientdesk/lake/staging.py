"""Staging over the input layer: claim line versions and final-action claim lines.

The input layer keeps every line as it was sent. A claim line sent again in a later file (same
claim_id, claim_line_number and data_source) is a new *version*, following the Tuva Project's
conventions for adjustments, denials and reversals (ADR):

- versions of a line are ordered by file_date (empty = oldest), then ingest_datetime, then
  batch_id (load order): the last one is the line's current state;
- record type: the first version is the *original*; a later version with a negative
  paid_amount is a *reversal*; any other later version is an *adjustment*;
- payment status: paid (paid_amount > 0), denied (0 or empty), reversed (< 0);
- the **final-action** line is the last version, unless that last version is a reversal
  (the line was voided and drops out).

Payers that give a reversal or replacement its own claim_id (as our claim system and the
synthetic book do: `C1R` reverses `C1`, `C1A` replaces it) say so in `claim_processing`
(`adjustment_type`, `original_claim_id`). When that table is passed, final action also drops
the reversal claims and every claim that a reversal or replacement points at (one level), so
only the replacement remains.

Eligibility has its own rule, `enrollment_spans`: each span's latest version, and full files
(an 834 replace or audit file) replacing their sponsor's earlier spans.

Every function here is an Ibis table -> table function and runs the same on DuckDB and Spark.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import ibis
import ibis.expr.types as ir

LINE_KEY = ("claim_id", "claim_line_number", "data_source")
OLDEST = ibis.date(1900, 1, 1)


def claim_line_versions(claims: ir.Table) -> ir.Table:
    """Every loaded line of `medical_claim` or `pharmacy_claim`, with its ADR labels.

    Grain: one row per claim line version, unique on (claim_id, claim_line_number,
    data_source, version_number). Adds: version_number (1 = first sent), versions (how many
    versions the line has), record_type (original / adjustment / reversal), payment_status
    (paid / denied / reversed) and is_final_action."""
    key = [claims[k] for k in LINE_KEY]
    order = [claims.file_date.fill_null(OLDEST), claims.ingest_datetime, claims.batch_id]
    ordered = ibis.window(group_by=key, order_by=order)
    whole = ibis.window(group_by=key)
    versions = claims.mutate(
        version_number=(ibis.row_number().over(ordered) + 1).cast("int64"),
        versions=claims.claim_id.count().over(whole).cast("int64"),
    )
    reversal = versions.paid_amount.fill_null(0) < 0
    return versions.mutate(
        record_type=ibis.cases(
            (versions.version_number == 1, "original"),
            (reversal, "reversal"),
            else_="adjustment",
        ),
        payment_status=ibis.cases(
            (versions.paid_amount.fill_null(0) > 0, "paid"),
            (reversal, "reversed"),
            else_="denied",
        ),
        is_final_action=(versions.version_number == versions.versions) & ~reversal,
    )


def final_action_claim_lines(claims: ir.Table, processing: ir.Table | None = None) -> ir.Table:
    """The final-action claim lines of `medical_claim` or `pharmacy_claim`.

    Grain: one row per claim line, unique on (claim_id, claim_line_number, data_source); the
    input layer's columns plus the labels of `claim_line_versions`. With `processing`
    (the claim_processing table), reversal claims and the claims they or a replacement point
    at are left out too (see the module docstring)."""
    versions = claim_line_versions(claims)
    final = versions.filter(versions.is_final_action)
    if processing is None:
        return final
    adjusted = processing.filter(
        processing.adjustment_type.isin(["reversal", "replacement"])
        & (processing.original_claim_id != processing.claim_id)
    )
    superseded = adjusted.select(claim_id=adjusted.original_claim_id).distinct()
    reversals = processing.filter(processing.adjustment_type == "reversal").select("claim_id")
    return final.anti_join(superseded, "claim_id").anti_join(reversals, "claim_id")


# --- eligibility: enrollment spans as maintained -------------------------------------------

SPAN_KEY = ("account_id", "data_source", "member_id", "payer", "plan", "enrollment_start_date")


def enrollment_spans(
    eligibility: ir.Table, full_files: Mapping[int, Sequence[str]] | None = None
) -> ir.Table:
    """The enrollment spans as the files loaded so far leave them: every eligibility reader
    (member months, PMPM, guarantees, detectors) reads these, never the raw batches.

    A span is keyed by (account_id, data_source, member_id, payer, plan,
    enrollment_start_date). Files are applied in order: file_date (an 834's BGN03; empty =
    oldest), then ingest_datetime, then batch_id (load order), as for claim line versions.

    - **The latest file that holds a span wins**: every row of that file with the span's key
      is kept, every version from an earlier file is dropped. An 834 change (INS03 001), a
      termination (024: the span's end date), a reinstatement (025: the end reopened) and a
      re-sent addition (021) of a span loaded before are new versions of it; the X12 loader
      turns changes that name no start date into such versions (`x12.load`).
    - **A full file replaces the sponsor's spans**: `full_files` maps a batch to the sponsor
      groups it carried as a full file (an 834 transaction set with BGN08 `RX` replace or `4`
      verify/audit). Every span of those groups' accounts and the same data_source from a
      file *before* it is dropped, whether or not the full file repeats it; spans from later
      files (maintenance after the full file) stay.

    Within one file nothing is dropped (a Tuva extract may hold two spans with the same start
    and different ends). Grain: one row per span version kept; the input layer's columns.
    Runs the same on DuckDB and Spark."""
    e = eligibility.mutate(span_file_date=eligibility.file_date.fill_null(OLDEST))
    groups = {batch: list(g) for batch, g in (full_files or {}).items() if g}
    if groups:
        full = ibis.or_(*((e.batch_id == b) & e.group_id.isin(g) for b, g in groups.items()))
        resets = (
            e.filter(full)
            .group_by(["account_id", "data_source", "batch_id"])
            .aggregate(reset_date=e.span_file_date.max(), reset_at=e.ingest_datetime.max())
            .rename(reset_account="account_id", reset_source="data_source", reset_batch="batch_id")
        )
        later = (resets.reset_date > e.span_file_date) | (
            (resets.reset_date == e.span_file_date)
            & (
                (resets.reset_at > e.ingest_datetime)
                | ((resets.reset_at == e.ingest_datetime) & (resets.reset_batch > e.batch_id))
            )
        )
        e = e.anti_join(
            resets,
            [e.account_id == resets.reset_account, e.data_source == resets.reset_source, later],
        )
    latest_first = ibis.window(
        group_by=[e[k] for k in SPAN_KEY],
        order_by=[e.span_file_date.desc(), e.ingest_datetime.desc(), e.batch_id.desc()],
    )
    ranked = e.mutate(span_rank=ibis.dense_rank().over(latest_first))
    return ranked.filter(ranked.span_rank == 0).drop("span_rank", "span_file_date")
