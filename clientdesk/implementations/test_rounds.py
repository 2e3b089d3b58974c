"""Eligibility test rounds: what a sponsor's test file (CSV or X12 834) says of itself.

- `round_of`: a round's figures (`readiness.EligibilityRound`, which derives pass or fail)
  from its lake test batch and, for a file loaded on a plan, the plan's record of it
  (`models.EligibilityTestRound`: an 834 rejected whole has a record and no batch). An 834's
  transaction sets and member records come from its acceptance report (the lake's X12
  conversion, `lake/x12/convert.Conversion.report`).
- `other_sponsor_in_834`: the first member of an 834 whose group is not the plan's sponsor
  (a test file holds one sponsor's members), with its segment position. The group of a member
  is read as the lake's 834 reader reads it: the member's REF*1L, else the set's REF*38
  (master policy), else the sponsor's N1*P5 identifier.
- `members_in_batch`: distinct members with a span in a test batch (`lake.storage`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from clientdesk.implementations.models import EligibilityTestRound
from clientdesk.implementations.readiness import EligibilityRound, rejected_reasons
from clientdesk.lake import storage
from clientdesk.lake.models import IngestBatch
from clientdesk.lake.validation import REASON_SEPARATOR
from clientdesk.lake.x12.reader import iter_raw, sniff


def round_of(
    number: int,
    batch: IngestBatch | None,
    zone_of: dt.tzinfo,
    loaded: EligibilityTestRound | None = None,
) -> EligibilityRound:
    """A round from its test batch, its plan's record of it, or both (an 834 rejected whole
    has a record and no batch). An X12 file's counts come from its acceptance report."""
    if loaded is not None:
        moment = loaded.loaded_at
        source_name, report = loaded.source_name, loaded.report
    elif batch is not None:
        moment = batch.finished_at or batch.started_at
        source_name, report = batch.source_name, batch.report
    else:
        raise ValueError("a round is a test batch, a plan's record of one, or both")
    x12 = (report or {}).get("format") == "x12"
    return EligibilityRound(
        number=number,
        batch_id=batch.pk if batch is not None else 0,
        loaded_on=moment.astimezone(zone_of).date(),
        source_name=source_name,
        rows_read=batch.rows_read if batch is not None else 0,
        rows_rejected=batch.rows_rejected if batch is not None else 0,
        reasons=rejected_reasons(batch.rejects_path, REASON_SEPARATOR)
        if batch is not None and batch.rows_rejected
        else (),
        source_format="x12" if x12 else "csv",
        sets_accepted=int(report.get("accepted", 0)) if x12 else 0,
        sets_with_errors=int(report.get("accepted_with_errors", 0)) if x12 else 0,
        sets_rejected=int(report.get("rejected", 0)) if x12 else 0,
        member_records=int(report.get("records", 0)) if x12 else 0,
        member_records_not_loaded=int(report.get("rejected_records", 0)) if x12 else 0,
        members_loaded=loaded.members_loaded if loaded is not None else None,
        record_id=loaded.pk if loaded is not None else 0,
        transaction_sets=tuple(report.get("transaction_sets") or ()) if x12 else (),
        envelope_findings=tuple(report.get("findings") or ()) if x12 else (),
    )


def other_sponsor_in_834(path: Path, group_number: str) -> str:
    """Empty when every member of the 834's sets is `group_number`'s; else (one line) the
    first member of another group, or the first transaction set that is not an 834."""
    delimiters = sniff(path)
    element = delimiters.element
    wanted = group_number.strip().upper()
    kind = ""
    master = sponsor = None
    member: dict[str, object] | None = None

    def judge(m: dict[str, object] | None) -> str:
        if m is None:
            return ""
        group = str(m.get("group") or master or sponsor or "").strip().upper()
        if group and group != wanted:
            return (
                f"segment {m['position']}: a member of group {group[:20]}, another sponsor's; "
                f"a test file of this plan holds {group_number}'s members only"
            )
        return ""

    for position, text in enumerate(iter_raw(path, delimiters), start=1):
        e = text.split(element)
        tag = e[0]
        if tag == "ST":
            kind = e[1] if len(e) > 1 else ""
            if kind != "834":
                return (
                    f"segment {position}: a {kind or 'transaction'} set, not an 834: a test round "
                    "takes the sponsor's 834 enrollment file"
                )
            master = sponsor = member = None
        elif tag in ("SE", "INS"):
            problem = judge(member)
            if problem:
                return problem
            member = {"position": position, "in_coverage": False} if tag == "INS" else None
        elif kind != "834":
            continue
        elif tag == "HD" and member is not None:
            member["in_coverage"] = True
        elif tag == "REF" and len(e) > 2:
            if member is None and e[1] == "38":
                master = e[2] or None
            elif member is not None and not member["in_coverage"] and e[1] == "1L":
                member["group"] = e[2] or None
        elif tag == "N1" and member is None and len(e) > 1 and e[1] == "P5":
            sponsor = (e[4] if len(e) > 4 else "") or None
    return judge(member)


def members_in_batch(batch: IngestBatch) -> int:
    """Distinct members with a span in a test batch (its own files: no reader reads them)."""
    return storage.batch_distinct(batch, "member_id")


__all__ = ["members_in_batch", "other_sponsor_in_834", "round_of"]
