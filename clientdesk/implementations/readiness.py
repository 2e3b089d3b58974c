"""Readiness of an implementation, from its plan and from evidence in the lake.

``score_readiness`` is a pure function of the evidence; ``gather_evidence`` collects it:

- **Plan**: critical tasks due by today that are done; the least slack left on the work not
  done (the forecast forward from today, ``progress.py``).
- **Eligibility test rounds**: the account's eligibility ingestion batches whose file name
  says ``test`` (one round each, in load order): rows read, rejected, and why (the reasons of
  the batch's rejects file, without the values they quote). The latest round scores.
- **Members loaded vs census**: members with coverage on the effective date in the lake's
  eligibility (production files) against the sponsor's covered members.
- **ID cards**: the mail date (the ID-card task's actual finish) against the effective date:
  ten business days ahead or more (the implementation guarantee of issue 19) scores full.
- **Test claims**: the test-claims task done (the lake has no test-claim feed yet).

Each component scores 0-1, or is not yet applicable (None); the score is the weighted mean
of the applicable ones (weights redistributed), 0-100.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

WEIGHTS: dict[str, int] = {
    "critical_done": 25,
    "slack": 20,
    "eligibility_tests": 20,
    "members_loaded": 15,
    "id_cards": 10,
    "test_claims": 10,
}
LABELS = {
    "critical_done": "Critical tasks done when due",
    "slack": "Slack left on open work",
    "eligibility_tests": "Eligibility test file accepted",
    "members_loaded": "Members loaded vs census",
    "id_cards": "ID cards mailed ahead of the effective date",
    "test_claims": "Benefit test claims",
}
READY, AT_RISK = 80, 60
ID_CARD_LEAD = 10  # business days before the effective date
SLACK_FULL = 5  # business days of slack or more scores full; -5 or less scores zero
TEST_FULL, TEST_ZERO = 0.99, 0.80  # accepted share of a test file


@dataclass(frozen=True)
class EligibilityRound:
    """One eligibility test file: a test batch of the account (CSV or 834), or an 834 that
    loaded nothing (`batch_id` 0: every transaction set rejected).

    `rows_*` are the lake's rows (spans for an 834). An 834 also counts its transaction sets
    (999 style: accepted, accepted with errors, rejected) and its member records (INS loops):
    read, and not loaded by the reader (in a rejected set, or a change that found no span)."""

    number: int
    batch_id: int
    loaded_on: dt.date
    source_name: str
    rows_read: int
    rows_rejected: int
    reasons: tuple[tuple[str, int], ...] = ()  # reason (values removed), rows; most first
    source_format: str = "csv"  # or "x12"
    sets_accepted: int = 0
    sets_with_errors: int = 0
    sets_rejected: int = 0
    member_records: int = 0
    member_records_not_loaded: int = 0
    members_loaded: int | None = None  # distinct members with a span in the batch
    record_id: int = 0  # the plan's record of it (models.EligibilityTestRound); 0: none
    # the 834's acceptance report: its sets (each a dict: control numbers, position, status,
    # findings with segment positions) and the envelope's own findings
    transaction_sets: tuple[Mapping[str, Any], ...] = ()
    envelope_findings: tuple[Mapping[str, Any], ...] = ()

    @property
    def rows_loaded(self) -> int:
        return self.rows_read - self.rows_rejected

    @property
    def accepted_share(self) -> float:
        """Share of the file accepted: of its rows, and for an 834 of its member records
        too (the lower of the two). An 834 that loaded nothing is 0."""
        if self.source_format != "x12":
            return 1.0 if self.rows_read == 0 else 1 - self.rows_rejected / self.rows_read
        if self.rows_loaded == 0:
            return 0.0
        rows = 1 - self.rows_rejected / self.rows_read
        records = (
            1 - self.member_records_not_loaded / self.member_records if self.member_records else 1.0
        )
        return min(rows, records)

    @property
    def failures(self) -> tuple[str, ...]:
        """Why the round failed, each in a few words; none when it passed."""
        why: list[str] = []
        if self.sets_rejected:
            sets = self.sets_accepted + self.sets_with_errors + self.sets_rejected
            why.append(f"{self.sets_rejected} of {sets} transaction sets rejected")
        if self.member_records_not_loaded:
            why.append(
                f"{self.member_records_not_loaded:,} of {self.member_records:,} member records "
                "not loaded"
            )
        if self.rows_rejected:
            unit = "spans" if self.source_format == "x12" else "rows"
            why.append(f"{self.rows_rejected:,} of {self.rows_read:,} {unit} rejected")
        if self.rows_loaded == 0:
            why.append("nothing loaded")
        if why and self.accepted_share >= TEST_FULL and not self.sets_rejected and self.rows_loaded:
            return ()  # within the tolerance: passed, its few rejects listed on the round
        return tuple(why)

    @property
    def passed(self) -> bool:
        """Passed: no transaction set rejected, something loaded, and at least 99 % of the
        file accepted (TEST_FULL, the share readiness scores full)."""
        return not self.failures


@dataclass(frozen=True)
class Evidence:
    today: dt.date
    effective_date: dt.date
    critical_due: int  # critical tasks whose planned finish is on or before today
    critical_due_done: int
    least_slack: int | None  # over tasks not done; None when all are done
    test_rounds: tuple[EligibilityRound, ...] = ()
    test_due: bool = False  # the first test round's latest finish has passed
    census: int = 0
    members_loaded: int | None = None  # None: no production file yet
    load_due: bool = False
    id_cards_mailed: dt.date | None = None
    id_card_lead_days: int | None = None  # business days between mailing and effective
    id_cards_due: bool = False
    test_claims_done: bool | None = None  # None: the plan has no test-claims task
    test_claims_due: bool = False


@dataclass(frozen=True)
class Readiness:
    score: int | None
    components: dict[str, float | None]
    flags: tuple[str, ...] = field(default=())

    @property
    def measured(self) -> int:
        """How many of the evidence components had data (the score is over those alone)."""
        return sum(v is not None for v in self.components.values())

    @property
    def band(self) -> str:
        if self.score is None:
            return "unknown"
        return (
            "ready" if self.score >= READY else "at risk" if self.score >= AT_RISK else "not ready"
        )


def _clamp(value: float) -> float:
    return max(0.0, min(1.0, value))


def score_readiness(e: Evidence) -> Readiness:
    parts: dict[str, float | None] = dict.fromkeys(WEIGHTS)
    flags: list[str] = []
    if e.critical_due:
        parts["critical_done"] = e.critical_due_done / e.critical_due
        if e.critical_due_done < e.critical_due:
            flags.append(
                f"{e.critical_due - e.critical_due_done} of {e.critical_due} critical tasks due "
                "by today are not done"
            )
    if e.least_slack is not None:
        parts["slack"] = _clamp((e.least_slack + SLACK_FULL) / (2 * SLACK_FULL))
        if e.least_slack < 0:
            flags.append(f"go-live at risk: open work is {-e.least_slack} business days late")
    if e.test_rounds:
        last = e.test_rounds[-1]
        share = last.accepted_share
        parts["eligibility_tests"] = _clamp((share - TEST_ZERO) / (TEST_FULL - TEST_ZERO))
        if not last.passed:
            why = ", ".join(f"{reason} ({rows:,})" for reason, rows in last.reasons[:3])
            flags.append(
                f"eligibility test round {last.number} failed: {'; '.join(last.failures)}"
                + (f": {why}" if why else "")
            )
    elif e.test_due:
        parts["eligibility_tests"] = 0.0
        flags.append("no eligibility test file has been loaded and the first round is due")
    if e.members_loaded is not None and e.census > 0:
        ratio = e.members_loaded / e.census
        parts["members_loaded"] = _clamp(ratio if ratio <= 1 else 2 - ratio)
        if abs(ratio - 1) > 0.02:
            flags.append(
                f"{e.members_loaded:,} members loaded for a census of {e.census:,} ({ratio:.0%})"
            )
    elif e.load_due:
        parts["members_loaded"] = 0.0
        flags.append("the production eligibility file is due and not loaded")
    if e.id_cards_mailed is not None and e.id_card_lead_days is not None:
        parts["id_cards"] = _clamp(e.id_card_lead_days / ID_CARD_LEAD)
        if e.id_card_lead_days < ID_CARD_LEAD:
            flags.append(
                f"ID cards mailed {e.id_card_lead_days} business days before the effective date "
                f"(at least {ID_CARD_LEAD} promised)"
            )
    elif e.id_cards_due:
        parts["id_cards"] = 0.0
        flags.append("ID cards are due in the mail and not mailed")
    if e.test_claims_done:
        parts["test_claims"] = 1.0
    elif e.test_claims_done is not None and e.test_claims_due:
        parts["test_claims"] = 0.0
        flags.append("benefit test claims are due and not signed off")
    weight = sum(WEIGHTS[k] for k, v in parts.items() if v is not None)
    if weight == 0:
        return Readiness(None, parts, tuple(flags))
    total = sum(WEIGHTS[k] * v for k, v in parts.items() if v is not None)
    return Readiness(round(100 * total / weight), parts, tuple(flags))


def reason_category(reason: str) -> str:
    """A reject reason without the value it quotes (values may be member data): ``member_id:
    not unique: M123`` → ``member_id: not unique``."""
    reason = reason.strip()
    if reason.startswith("duplicate key"):
        return "duplicate key"
    if reason.startswith("group_id is empty"):
        return "group_id empty and member not found"
    if reason.startswith("group_id ") and "no account" in reason:
        return "group_id: no account has this sponsor group number"
    parts = reason.split(": ")
    return ": ".join(parts[:2]) if len(parts) >= 3 else reason


def rejected_reasons(path: str | Path, separator: str = " | ") -> tuple[tuple[str, int], ...]:
    """Counts of reasons (values removed) in a batch's rejects file, most first."""
    file = Path(path)
    if not str(path) or not file.is_file():
        return ()
    counts: Counter[str] = Counter()
    with file.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            for reason in (row.get("reasons") or "").split(separator):
                if reason.strip():
                    counts[reason_category(reason)] += 1
    return tuple(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def number_rounds(batches: Iterable[Mapping[str, object]]) -> tuple[EligibilityRound, ...]:
    """Test rounds from batch rows (id, finished_at date, source_name, rows, reasons)."""
    rounds = []
    for number, b in enumerate(batches, start=1):
        rounds.append(
            EligibilityRound(
                number=number,
                batch_id=int(str(b["id"])),
                loaded_on=b["loaded_on"],  # type: ignore[arg-type]
                source_name=str(b["source_name"]),
                rows_read=int(str(b["rows_read"])),
                rows_rejected=int(str(b["rows_rejected"])),
                reasons=b.get("reasons", ()),  # type: ignore[arg-type]
            )
        )
    return tuple(rounds)


def least_slack(slacks: Sequence[int]) -> int | None:
    return min(slacks) if slacks else None
