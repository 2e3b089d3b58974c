"""The column-wise reader (`lake/x12/fast.py`) gives what the segment-by-segment readers give:
on every public sample, on generated 837P files cut into blocks anywhere (inside a segment,
inside the ISA, a transaction carried over blocks or too long to carry), with CR LF and line
feed terminators, and for the transactions it leaves to `ClaimReader`."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from clientdesk.lake.tests.test_x12 import professional, write_837
from clientdesk.lake.tests.x12samples import manifest, require_samples
from clientdesk.lake.x12 import fast
from clientdesk.lake.x12.convert import convert


def read(path: Path, out: Path, *, columnar: bool) -> tuple[dict[str, Any], Any, list[str]]:
    result = convert(path, out, fast=columnar)
    tables = {name: pq.read_table(p).to_pylist() for name, p in result.tables.items()}
    return tables, result.report, result.superseded


def same_both_ways(path: Path, tmp_path: Path) -> dict[str, Any]:
    slow = read(path, tmp_path / "slow", columnar=False)
    quick = read(path, tmp_path / "fast", columnar=True)
    assert quick == slow
    report: dict[str, Any] = quick[1]
    return report


@pytest.mark.parametrize("sample", manifest(), ids=lambda r: r["file"])
def test_every_sample_reads_the_same_column_wise(sample: dict[str, str], tmp_path: Path) -> None:
    require_samples()  # fails when the run asked for the samples and they are missing
    same_both_ways(Path(sample["path"]), tmp_path)


def bench_like(path: Path, claims: int) -> Path:
    """Claims of 1-4 lines, a replacement and a void, a transaction with a patient (HL 23)
    loop and one with a COB claim followed by another subscriber."""
    codes = ("99213", "87070", "99214")
    transactions = [
        professional(f"{n:04d}", f"C{n}", f"M{n % 7}", lines=codes[: n % 3 + 1])
        for n in range(1, claims + 1)
    ]
    transactions.append(professional("9001", "C3", "M3", frequency="7", lines=("99215",)))
    transactions.append(professional("9002", "C4", "M4", frequency="8"))
    patient = professional("9003", "P1", "S1").replace(
        "CLM*P1", "HL*3*2*23*0~PAT*19~NM1*QC*1*DOE*JIM~DMG*D8*20150101*M~CLM*P1"
    )
    transactions.append(patient)
    transactions.append(cob_then_subscriber("9004"))
    return write_837(path, *transactions)


def cob_then_subscriber(control: str) -> str:
    """A claim with a 2320 other-subscriber loop (SBR, NM1*IL of the other policy), then a
    second subscriber (HL 22) with a claim of its own."""
    segments = [
        f"ST*837*{control}*005010X222A1",
        "BHT*0019*00*1*20260101*1200*CH",
        "HL*1**20*1",
        "NM1*85*2*CLINIC*****XX*1234567893",
        "HL*2*1*22*0",
        "SBR*P*18*G100001*PPO******CI",
        "NM1*IL*1*DOE*JANE****MI*FIRST",
        "NM1*PR*2*KEYSTONE*****PI*99999",
        "CLM*COB1*100***11:B:1*Y*A*Y*I",
        "SBR*S*01*OTHER1******CI",
        "NM1*IL*1*DOE*JOHN****MI*OTHERPOLICY",
        "NM1*PR*2*OTHER PAYER*****PI*11111",
        "LX*1",
        "SV1*HC:99213*100*UN*1***1",
        "DTP*472*D8*20260105",
        "HL*3*1*22*0",
        "SBR*P*18*G100001*PPO******CI",
        "NM1*IL*1*ROE*RICHARD****MI*SECOND",
        "NM1*PR*2*KEYSTONE*****PI*99999",
        "CLM*AFTER1*80***11:B:1*Y*A*Y*I",
        "LX*1",
        "SV1*HC:99212*80*UN*1***1",
        "DTP*472*D8*20260106",
    ]
    segments.append(f"SE*{len(segments) + 1}*{control}")
    return "".join(s + "~" for s in segments)


def test_a_subscriber_after_a_cob_claim_is_read(tmp_path: Path) -> None:
    path = write_837(tmp_path / "c.837", cob_then_subscriber("0001"))
    for columnar in (False, True):
        tables, report, _ = read(path, tmp_path / str(columnar), columnar=columnar)
        rows = tables["medical_claim"]
        # the second claim's member is the second subscriber, not nobody (the COB loop of the
        # first claim used to hide the next NM1*IL) nor the other policy of the first claim
        assert [(r["claim_id"], r["member_id"], r["payer"]) for r in rows] == [
            ("COB1", "FIRST", "KEYSTONE"),
            ("AFTER1", "SECOND", "KEYSTONE"),
        ]
        assert report["accepted"] == 1


def test_generated_claims_read_the_same_in_any_blocks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = bench_like(tmp_path / "c.837", 40)
    whole = read(path, tmp_path / "slow", columnar=False)
    rows = whole[0]["medical_claim"]
    # C1..C40: 14 claims of 2 lines (n % 3 == 1), 13 of 3, 13 of 1 = 80 lines; C3's
    # replacement swaps its 1 line for 1; C4's void drops its 2 lines; P1 1; COB1, AFTER1 2
    assert len(rows) == 80 + 0 - 2 + 1 + 2
    assert {r["claim_id"] for r in rows} >= {"P1", "COB1", "AFTER1"}
    # 100 bytes cuts inside the ISA (106 bytes) and inside segments; 997 inside transactions
    for block in (100, 997, 5_000, 1 << 20):
        monkeypatch.setattr(fast, "BLOCK_BYTES", block)
        assert read(path, tmp_path / f"b{block}", columnar=True) == whole
    # a transaction longer than the carry limit is read segment by segment
    monkeypatch.setattr(fast, "BLOCK_BYTES", 300)
    monkeypatch.setattr(fast, "CARRY_LIMIT", 400)
    assert read(path, tmp_path / "carry", columnar=True) == whole


@pytest.mark.parametrize("ending", ["~\r\n", "~\n", "\n", "\r\n", "\r"])
def test_terminators_with_line_breaks_read_the_same(
    ending: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A line feed, a carriage return or CR LF as the terminator itself (the ISA's last byte
    says which), or after "~": the same rows, read both ways, in small blocks."""
    plain = bench_like(tmp_path / "plain.837", 9)
    expected = read(plain, tmp_path / "p", columnar=False)[0]
    other = tmp_path / "other.837"
    other.write_bytes(plain.read_text().replace("~", ending).encode())
    monkeypatch.setattr(fast, "BLOCK_BYTES", 777)
    report = same_both_ways(other, tmp_path)
    assert read(other, tmp_path / "o", columnar=True)[0] == expected
    assert report["rejected"] == 0 and report["segments"] == plain.read_text().count("~")


def test_what_the_column_wise_reader_leaves_is_read_segment_by_segment(tmp_path: Path) -> None:
    """A claim without a service line and an SV1 before any claim produce findings: their
    transactions go through ClaimReader and keep its findings; the others stay column-wise."""
    no_line = professional("0002", "NOLINE", "M2").split("LX*1~")[0]
    no_line += "SE*12*0002~"
    path = write_837(
        tmp_path / "c.837",
        professional("0001", "C1", "M1"),
        no_line,
        professional("0003", "C3", "M3", broken=True),
        professional("0004", "C4", "M4"),
    )
    report = same_both_ways(path, tmp_path)
    statuses = [s["status"] for s in report["transaction_sets"]]
    assert statuses == ["accepted", "accepted with errors", "rejected", "accepted"]
    assert report["transaction_sets"][1]["findings"][0]["message"] == (
        f"claim at segment {report['transaction_sets'][1]['position'] + 9} has no service line"
    )
    assert report["records"] == 1 + 0 + 1 + 1 and report["rejected_records"] == 1


def test_a_failure_in_either_thread_stops_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The blocks are read and tokenised in a thread of their own (`fast._Pieces`): an error
    there is raised by the reader, an error of the reader stops it, and no thread is left."""
    path = bench_like(tmp_path / "c.837", 40)
    monkeypatch.setattr(fast, "BLOCK_BYTES", 997)  # many blocks: the thread is mid-file
    made = 0

    def failing_block(*args: Any) -> fast.Block:
        nonlocal made
        made += 1
        if made == 3:
            raise OSError("the disk went away")
        return original(*args)

    original = fast.Block
    monkeypatch.setattr(fast, "Block", failing_block)
    with pytest.raises(OSError, match="the disk went away"):
        convert(path, tmp_path / "tokens")
    assert not [t for t in threading.enumerate() if t.name == "x12-tokens"]

    monkeypatch.setattr(fast, "Block", original)
    read_blocks = 0

    def failing_read(self: fast._Reader, *args: Any, **kwargs: Any) -> bytes:
        nonlocal read_blocks
        read_blocks += 1
        if read_blocks == 3:
            raise RuntimeError("the reader failed")
        return original_read(self, *args, **kwargs)

    original_read = fast._Reader.block
    monkeypatch.setattr(fast._Reader, "block", failing_read)
    with pytest.raises(RuntimeError, match="the reader failed"):
        convert(path, tmp_path / "reader")
    assert not [t for t in threading.enumerate() if t.name == "x12-tokens"]
