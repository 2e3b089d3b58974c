"""834 maintenance across files: adds, changes, terminations and reinstatements applied in
order to the spans already loaded give the same spans as the full file that describes the
result; a full file replaces its sponsor's spans; a reload never duplicates and a crash leaves
nothing half-applied. Every expected span and member month below is written out by hand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from clientdesk.lake import ingestion
from clientdesk.lake.gateway import SystemActor, open_lake
from clientdesk.lake.models import IngestBatch
from clientdesk.lake.x12.load import ingest_x12
from clientdesk.testing import Cast
from clientdesk.utilization.marts.materialized import int_member_months_coverage

OPEN = dt.date(9999, 12, 31)
JAN1 = dt.date(2026, 1, 1)


def file_834(date: str, purpose: str, *members: list[str]) -> str:
    """One 834 transaction set of sponsor G100834 (BGN03 date, BGN08 purpose)."""
    body = [
        f"BGN*00*{date}*{date}*1200****{purpose}",
        "REF*38*G100834",
        "N1*P5*ACME CORP*FI*123456789",
        "N1*IN*KEYSTONE*FI*987654321",
    ]
    for segments in members:
        body += segments
    segments = ["ST*834*0001*005010X220A1", *body]
    segments.append(f"SE*{len(segments) + 1}*0001")
    return (
        "ISA*00*          *00*          *ZZ*SPONSOR        *ZZ*PAYER          *260101*1200*^*"
        f"00501*000000001*0*P*:~GS*BE*SPONSOR*PAYER*{date}*1200*1*X*005010X220A1~"
        + "".join(s + "~" for s in segments)
        + "GE*1*1~IEA*1*000000001~"
    )


def member(
    ins03: str,
    member_id: str,
    name: str,
    *rest: str,
    subscriber: bool = True,
    street: str = "1 OLD ST",
) -> list[str]:
    """An INS loop: the member's details as real files repeat them, then DTPs and HD loops."""
    return [
        f"INS*{'Y' if subscriber else 'N'}*{'18' if subscriber else '01'}*{ins03}*XN*A",
        f"REF*0F*{member_id if subscriber else 'M1'}",
        "REF*1L*G100834",
        f"REF*23*{member_id}",
        f"NM1*IL*1*DOE*{name}",
        f"N3*{street}",
        "N4*COLUMBUS*OH*43004",
        "DMG*D8*19800101*F",
        *rest,
    ]


def health(hd01: str, *dates: str) -> tuple[str, ...]:
    return (f"HD*{hd01}**HLT*PPO*EMP", *dates)


def dental(hd01: str, *dates: str) -> tuple[str, ...]:
    return (f"HD*{hd01}**DEN*DENTAL*EMP", *dates)


START = "DTP*348*D8*20260101"

# The sponsor's full file on Jan 1: three members, M3 with health and dental.
BASE = file_834(
    "20260101",
    "RX",
    member("030", "M1", "ANN", *health("030", START)),
    member("030", "M2", "BOB", *health("030", START), subscriber=False),
    member("030", "M3", "CY", *health("030", START), *dental("030", START)),
)
# Mar 5 changes: M1 terminated on Mar 31 (member level, only an end date: no HD, no start);
# M3 moves (001, no dates: every current span takes the address) and ends dental on Feb 28
# (HD 024 with only an end date); M4 added from Mar 1.
MARCH = file_834(
    "20260305",
    "2",
    member("024", "M1", "ANN", "DTP*357*D8*20260331"),
    member("001", "M3", "CY", street="2 NEW ST"),
    member("001", "M3", "CY", *dental("024", "DTP*349*D8*20260228"), street="2 NEW ST"),
    member("021", "M4", "DAN", *health("021", "DTP*348*D8*20260301")),
)
# Apr 10 changes: M1 reinstated from Apr 1 (025, only the maintenance effective date); M2's
# span ended on Apr 30 naming its start; a termination of a member never loaded (M9).
APRIL = file_834(
    "20260410",
    "2",
    member("025", "M1", "ANN", "DTP*303*D8*20260401"),
    member("024", "M2", "BOB", *health("024", START, "DTP*349*D8*20260430"), subscriber=False),
    member("024", "M9", "EVE", "DTP*357*D8*20260331"),
)
# The sponsor's full file on May 1, describing the result of the changes above.
FULL = file_834(
    "20260501",
    "RX",
    member("030", "M1", "ANN", *health("030", START)),
    member("030", "M2", "BOB", *health("030", START, "DTP*349*D8*20260430"), subscriber=False),
    member(
        "030",
        "M3",
        "CY",
        *health("030", START),
        *dental("030", START, "DTP*349*D8*20260228"),
        street="2 NEW ST",
    ),
    member("030", "M4", "DAN", *health("030", "DTP*348*D8*20260301")),
)

# (member_id, plan, start, end, address) after BASE + MARCH + APRIL, or FULL alone.
EXPECTED = [
    ("M1", "PPO", JAN1, OPEN, "1 OLD ST"),
    ("M2", "PPO", JAN1, dt.date(2026, 4, 30), "1 OLD ST"),
    ("M3", "DENTAL", JAN1, dt.date(2026, 2, 28), "2 NEW ST"),
    ("M3", "PPO", JAN1, OPEN, "2 NEW ST"),
    ("M4", "PPO", dt.date(2026, 3, 1), OPEN, "1 OLD ST"),
]


def loaded(
    tmp_path: Path, name: str, text: str, *, replace: bool = False
) -> tuple[IngestBatch | None, str]:
    """The file's eligibility batch (None when it loaded none) and the load's message."""
    path = tmp_path / name
    path.write_text(text)
    results = ingest_x12([path], acting_user=None, create_accounts=True, replace=replace)
    eligibility = [r for r in results if r.table == "eligibility"]
    batch = IngestBatch.objects.get(pk=eligibility[0].batch_id) if eligibility else None
    return batch, " ".join(r.message for r in results)


def load(tmp_path: Path, name: str, text: str, *, replace: bool = False) -> IngestBatch | None:
    return loaded(tmp_path, name, text, replace=replace)[0]


def spans() -> list[tuple[str, str, dt.date, dt.date, str]]:
    with open_lake(SystemActor("834 maintenance test")) as lake:
        e = lake.eligibility
        frame = lake.execute(
            e.select("member_id", "plan", "enrollment_start_date", "enrollment_end_date", "address")
        )
    return sorted(
        (m, p, pd_date(s), pd_date(x) if x is not None else OPEN, a)
        for m, p, s, x, a in frame.itertuples(index=False, name=None)
    )


def pd_date(value: object) -> dt.date:
    return value if type(value) is dt.date else value.date()  # type: ignore[attr-defined]


def member_months() -> dict[str, int]:
    """Member months per member, Jan-Jun 2026 (utilization's member-month rule)."""
    with open_lake(SystemActor("834 maintenance test")) as lake:
        months = int_member_months_coverage(lake, dt.date(2026, 6, 30))
        frame = lake.execute(months.group_by("member_id").aggregate(n=months.count()))
    return {str(m): int(n) for m, n in frame.itertuples(index=False, name=None)}


@pytest.mark.django_db
def test_changes_applied_in_order_give_the_full_files_spans(cast: Cast, tmp_path: Path) -> None:
    load(tmp_path, "base.834", BASE)
    assert member_months() == {"M1": 6, "M2": 6, "M3": 6}
    march, message = loaded(tmp_path, "march.834", MARCH)
    assert march is not None
    assert spans() == [
        ("M1", "PPO", JAN1, dt.date(2026, 3, 31), "1 OLD ST"),
        ("M2", "PPO", JAN1, OPEN, "1 OLD ST"),
        ("M3", "DENTAL", JAN1, dt.date(2026, 2, 28), "2 NEW ST"),
        ("M3", "PPO", JAN1, OPEN, "2 NEW ST"),
        ("M4", "PPO", dt.date(2026, 3, 1), OPEN, "1 OLD ST"),
    ]
    # Jan-Mar for M1; M4 from March
    assert member_months() == {"M1": 3, "M2": 6, "M3": 6, "M4": 4}
    assert march.report["changes_to_earlier_spans"] == 3
    assert "3 termination(s), reinstatement(s) or change(s) applied to spans" in message
    assert march.report["span_changes_applied"] == 3
    april = load(tmp_path, "april.834", APRIL)
    assert april is not None
    assert spans() == EXPECTED
    assert member_months() == {"M1": 6, "M2": 4, "M3": 6, "M4": 4}  # 20 member months
    # the termination of a member never loaded is counted against its set, at its INS
    assert april.report["span_changes_applied"] == 1
    assert april.report["span_changes_unmatched"] == 1
    [tset] = april.report["transaction_sets"]
    assert tset["status"] == "accepted with errors" and tset["rejected_records"] == 1
    [finding] = tset["findings"]
    # ISA GS ST BGN REF N1 N1 (7), M1's loop (9), M2's (11): M9's INS is segment 28
    position = 7 + 9 + 11 + 1
    assert finding["position"] == position and "found no span" in finding["message"]
    assert "M9" not in str(april.report)  # no member id in the report a page shows
    # The full file describing the result changes nothing.
    full, message = loaded(tmp_path, "full.834", FULL)
    assert full is not None and full.full_file_groups == ["G100834"]
    assert "a full file for group(s) G100834: it replaces their spans" in message
    assert spans() == EXPECTED


@pytest.mark.django_db
def test_the_full_file_alone_gives_the_same_spans(cast: Cast, tmp_path: Path) -> None:
    load(tmp_path, "full.834", FULL)
    assert spans() == EXPECTED
    assert member_months() == {"M1": 6, "M2": 4, "M3": 6, "M4": 4}


@pytest.mark.django_db
def test_a_full_file_replaces_the_sponsors_spans_and_later_changes_apply_on_it(
    cast: Cast, tmp_path: Path
) -> None:
    for name, text in (("base.834", BASE), ("march.834", MARCH), ("april.834", APRIL)):
        load(tmp_path, name, text)
    # A June full file without M4 and M2: they are gone; M1 and M3 as the file says.
    june = file_834(
        "20260601",
        "4",  # verify (audit) is applied as a full file too
        member("030", "M1", "ANN", *health("030", START)),
        member("030", "M3", "CY", *health("030", START), street="3 THIRD ST"),
    )
    load(tmp_path, "june.834", june)
    assert spans() == [
        ("M1", "PPO", JAN1, OPEN, "1 OLD ST"),
        ("M3", "PPO", JAN1, OPEN, "3 THIRD ST"),
    ]
    # A change after the full file applies on top of it.
    july = file_834("20260705", "2", member("024", "M3", "CY", "DTP*357*D8*20260715"))
    load(tmp_path, "july.834", july)
    assert spans() == [
        ("M1", "PPO", JAN1, OPEN, "1 OLD ST"),
        ("M3", "PPO", JAN1, dt.date(2026, 7, 15), "1 OLD ST"),
    ]


@pytest.mark.django_db
def test_files_apply_in_their_own_order_whatever_the_load_order(cast: Cast, tmp_path: Path) -> None:
    # The May full file loaded first, the March changes after it: March is older, so the
    # full file's spans stand.
    load(tmp_path, "full.834", FULL)
    load(tmp_path, "march.834", MARCH)
    assert spans() == EXPECTED


@pytest.mark.django_db
def test_a_reload_never_duplicates_and_a_crash_leaves_nothing(
    cast: Cast, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load(tmp_path, "base.834", BASE)
    before = spans()

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the disk went away")

    monkeypatch.setattr(ingestion, "_commit", crash)
    with pytest.raises(RuntimeError):
        load(tmp_path, "march.834", MARCH)
    monkeypatch.undo()
    assert spans() == before
    assert IngestBatch.objects.filter(source_name="march.834", status="committed").count() == 0
    load(tmp_path, "march.834", MARCH)
    after_march = spans()
    assert len(after_march) == 5
    # the same file again: nothing new; with --replace: the same spans, not twice
    path = tmp_path / "march.834"
    [again] = ingest_x12([path], acting_user=None)
    assert again.status == "already_loaded"
    replaced = load(tmp_path, "march.834", MARCH, replace=True)
    assert replaced is not None and replaced.replaces is not None
    assert spans() == after_march
    load(tmp_path, "april.834", APRIL)
    load(tmp_path, "april.834", APRIL, replace=True)
    assert spans() == EXPECTED


@pytest.mark.django_db
def test_an_834_test_round_is_checked_and_kept_but_never_read(cast: Cast, tmp_path: Path) -> None:
    load(tmp_path, "base.834", BASE)
    before = spans()
    path = tmp_path / "april-test.834"
    path.write_text(APRIL)
    [round_] = ingest_x12([path], acting_user=None, test=True)
    batch = IngestBatch.objects.get(pk=round_.batch_id)
    assert batch.test and round_.test
    # its acceptance report is there for the round: one set, the M9 term found no span
    [tset] = batch.report["transaction_sets"]
    assert (tset["status"], tset["records"], tset["rejected_records"]) == (
        "accepted with errors",
        3,
        1,
    )
    assert (
        "1 termination(s), reinstatement(s) or change(s) found their spans loaded before, "
        "1 found no span" in round_.message
    )
    assert "1 not loaded]" in round_.message
    assert spans() == before  # no reader sees a test file's rows
    # the same file loads for production afterwards (a test load is not "already loaded")
    [production] = ingest_x12([path], acting_user=None)
    assert production.status != "already_loaded" and not production.test
