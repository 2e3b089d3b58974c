"""Readiness evidence gathered for many implementations at once: the plan forecast from the
operational DB, the eligibility batches of each account, and one lake read per effective
date for the members loaded. Used by the pages, the API, the call-to-action rule and the
bench (``bench/installation.py``)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from clientdesk.accounts.models import ActivityEvent
from clientdesk.implementations.actions import anchor_ref, business_days, calendar_for
from clientdesk.implementations.hypercare import HYPERCARE_DAYS
from clientdesk.implementations.models import (
    EligibilityTestRound,
    Implementation,
    PlanStatus,
    Task,
    TaskKind,
    TaskStatus,
)
from clientdesk.implementations.progress import PlanForecast, forecast
from clientdesk.implementations.readiness import (
    EligibilityRound,
    Evidence,
    Readiness,
    score_readiness,
)
from clientdesk.implementations.test_rounds import round_of
from clientdesk.lake.gateway import Reader, open_lake
from clientdesk.lake.models import BatchStatus, IngestBatch


@dataclass(frozen=True)
class PlanState:
    implementation: Implementation
    tasks: list[Task]
    forecast: PlanForecast
    readiness: Readiness
    test_rounds: tuple[EligibilityRound, ...]
    production_batches: tuple[IngestBatch, ...]

    @property
    def done_count(self) -> int:
        return sum(t.status == TaskStatus.DONE for t in self.tasks)

    @property
    def hypercare_ends(self) -> dt.date | None:
        live = self.implementation.went_live_on
        return None if live is None else live + dt.timedelta(days=HYPERCARE_DAYS)


def is_test_file(batch: IngestBatch) -> bool:
    """A test round: loaded as a test (`ingest --test`, the plan's test-file upload), so the
    lake's readers never count its members."""
    return batch.test


def eligibility_batches(account_ids: Sequence[int]) -> dict[int, list[IngestBatch]]:
    """Committed eligibility batches that loaded rows of each account, in load order (the
    ingestion adds a timeline event per account a batch touched)."""
    links = ActivityEvent.objects.filter(
        account_id__in=account_ids, source_type="lake.ingestbatch"
    ).values_list("account_id", "source_id")
    batch_ids: dict[int, set[int]] = defaultdict(set)
    for account_id, source_id in links:
        if source_id.isdigit():
            batch_ids[account_id].add(int(source_id))
    wanted = {b for ids in batch_ids.values() for b in ids}
    batches = {
        b.pk: b
        for b in IngestBatch.objects.filter(
            pk__in=wanted, table="eligibility", status=BatchStatus.COMMITTED
        )
    }
    result: dict[int, list[IngestBatch]] = {}
    for account_id, ids in batch_ids.items():
        found = [batches[b] for b in ids if b in batches]
        result[account_id] = sorted(found, key=lambda b: (b.started_at, b.pk))
    return result


def members_covered(
    reader: Reader,
    wanted: dict[int, dt.date],
    *,
    batches: Sequence[int],
    engine: str | None = None,
) -> dict[int, int]:
    """Members of each account, in the given (production) batches, with an enrollment span
    covering the day given for it (its effective date): one lake read per distinct date, in
    the reader's scope. Test files are in the lake too; they are not counted."""
    if not wanted or not batches:
        return {}
    by_day: dict[dt.date, list[int]] = defaultdict(list)
    for account_id, day in wanted.items():
        by_day[day].append(account_id)
    counts: dict[int, int] = {}
    with open_lake(reader, accounts=list(wanted), engine=engine) as lake:
        e = lake.eligibility
        for day, ids in by_day.items():
            covered = e.filter(
                [
                    e.account_id.isin(ids),
                    e.batch_id.isin(list(batches)),
                    e.enrollment_start_date <= day,
                    e.enrollment_end_date.isnull() | (e.enrollment_end_date >= day),
                ]
            )
            frame = lake.execute(
                covered.group_by("account_id").aggregate(members=covered.person_id.nunique())
            )
            for row in frame.itertuples(index=False):
                counts[int(row.account_id)] = int(row.members)
    return counts


def _rounds(
    batches: Sequence[IngestBatch],
    loaded: Sequence[EligibilityTestRound],
    zone_of: dt.tzinfo,
) -> tuple[EligibilityRound, ...]:
    """The plan's rounds in load order: the files loaded on the plan (`loaded`) and the
    account's test batches that no plan loaded (`batches`: `clientdesk ingest --test`)."""
    # In load order: the time, then the batch (loads are one at a time, ids rise), then the
    # record. An 834 rejected whole has no batch: it follows the plan's round loaded before it.
    items: list[
        tuple[tuple[dt.datetime, int, int], IngestBatch | None, EligibilityTestRound | None]
    ] = []
    after = 0
    for r in sorted(loaded, key=lambda r: r.pk):
        after = r.batch_id or after
        items.append(((r.loaded_at, after, r.pk), r.batch, r))
    items += [((b.finished_at or b.started_at, b.pk, 0), b, None) for b in batches]
    items.sort(key=lambda item: item[0])
    return tuple(
        round_of(number, batch, zone_of, record)
        for number, (_, batch, record) in enumerate(items, start=1)
    )


def plan_states(
    implementations: Sequence[Implementation],
    today: dt.date,
    *,
    reader: Reader | None,
    engine: str | None = None,
) -> dict[int, PlanState]:
    """Forecast and readiness of each implementation as of ``today``. ``reader`` None skips
    the lake (members loaded then count as unknown)."""
    ids = [i.pk for i in implementations]
    tasks_of: dict[int, list[Task]] = defaultdict(list)
    for task in Task.objects.filter(implementation_id__in=ids).order_by("position", "id"):
        tasks_of[task.implementation_id].append(task)
    batches = eligibility_batches(sorted({i.account_id for i in implementations}))
    loaded_rounds: dict[int, list[EligibilityTestRound]] = defaultdict(list)
    for record in EligibilityTestRound.objects.filter(implementation_id__in=ids).select_related(
        "batch"
    ):
        loaded_rounds[record.implementation_id].append(record)
    # A test batch loaded on a plan is that plan's round only.
    claimed = set(
        EligibilityTestRound.objects.filter(
            batch_id__in=[b.pk for found in batches.values() for b in found if b.test]
        ).values_list("batch_id", flat=True)
    )
    production: dict[int, list[IngestBatch]] = {}
    wanted: dict[int, dt.date] = {}
    for implementation in implementations:
        found = [b for b in batches.get(implementation.account_id, []) if not is_test_file(b)]
        production[implementation.pk] = found
        if found:
            wanted[implementation.account_id] = implementation.effective_date
    production_ids = sorted({b.pk for found in production.values() for b in found})
    members = (
        members_covered(reader, wanted, batches=production_ids, engine=engine)
        if reader is not None and wanted
        else {}
    )
    states: dict[int, PlanState] = {}
    for implementation in implementations:
        tasks = tasks_of[implementation.pk]
        days = business_days(implementation)
        anchor = anchor_ref(tasks)
        fc = forecast(
            tasks,
            days,
            today=today,
            project_length=implementation.project_length,
            anchor=anchor,
            baseline=implementation.baseline or None,
        )
        zone = calendar_for(implementation.account).zone
        tests = [
            b
            for b in batches.get(implementation.account_id, [])
            if is_test_file(b) and b.pk not in claimed
        ]
        rounds = _rounds(tests, loaded_rounds[implementation.pk], zone)
        critical_due = [
            t for t in tasks if t.critical and t.finish_date is not None and t.finish_date <= today
        ]

        def due(kind: str, tasks: list[Task] = tasks) -> bool:
            return any(
                t.kind == kind and t.late_finish_date is not None and t.late_finish_date < today
                for t in tasks
            )

        cards = next((t for t in tasks if t.kind == TaskKind.ID_CARDS), None)
        mailed = cards.actual_finish if cards and cards.status == TaskStatus.DONE else None
        lead = (
            days.offset(implementation.effective_date) - days.offset(mailed)
            if mailed is not None
            else None
        )
        claims = next((t for t in tasks if t.kind == TaskKind.TEST_CLAIMS), None)
        open_slack = [fc.tasks[t.ref].slack for t in tasks if t.status != TaskStatus.DONE]
        live = implementation.status in (PlanStatus.LIVE, PlanStatus.CLOSED)
        evidence = Evidence(
            today=today,
            effective_date=implementation.effective_date,
            critical_due=len(critical_due),
            critical_due_done=sum(t.status == TaskStatus.DONE for t in critical_due),
            least_slack=min(open_slack) if open_slack and not live else None,
            test_rounds=rounds,
            test_due=due(TaskKind.ELIGIBILITY_TEST),
            census=implementation.account.members,
            members_loaded=members.get(implementation.account_id)
            if production[implementation.pk]
            else None,
            load_due=due(TaskKind.ELIGIBILITY_LOAD),
            id_cards_mailed=mailed,
            id_card_lead_days=lead,
            id_cards_due=due(TaskKind.ID_CARDS),
            test_claims_done=None if claims is None else claims.status == TaskStatus.DONE,
            test_claims_due=due(TaskKind.TEST_CLAIMS),
        )
        states[implementation.pk] = PlanState(
            implementation,
            tasks,
            fc,
            score_readiness(evidence),
            rounds,
            tuple(production[implementation.pk]),
        )
    return states


def plan_state(
    implementation: Implementation, today: dt.date, *, reader: Reader | None
) -> PlanState:
    return plan_states([implementation], today, reader=reader)[implementation.pk]
