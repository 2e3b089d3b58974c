"""Throughput of the X12 reader: a generated 837P read into lake-ready Parquet.

    .venv/bin/python bench/x12.py [MEGABYTES]   (default 200)

Prints the file size, the bare read floor (splitting the file into segments only), the
conversion (837P -> medical_claim Parquet: MB/s, service lines/s, segments/s), the peak
resident memory, and both again in CPU seconds (wall time on shared cores is noisy). The
file is generated here (claims with 1-4 service lines, COB/adjudication loops), not from the
synthetic book. pyx12's segment reader is timed on the first 20 MB only when pyx12 can be
imported (it is not a dependency: `pip install --target DIR pyx12` and PYTHONPATH=DIR).
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

from clientdesk.lake.x12.convert import convert
from clientdesk.lake.x12.reader import iter_raw, sniff


def claim(n: int, lines: int) -> str:
    member = f"M{n % 50_000:07d}"
    segs = [
        "HL*2*1*22*0",
        "SBR*P*18*G100001*PPO******CI",
        f"NM1*IL*1*DOE*JANE****MI*{member}",
        "NM1*PR*2*KEYSTONE*****PI*99999",
        f"CLM*C{n:09d}*{lines * 50}***11:B:1*Y*A*Y*I",
        "HI*ABK:E119*ABF:I10",
    ]
    for i in range(1, lines + 1):
        segs += [
            f"LX*{i}",
            "SV1*HC:99213:25*50*UN*1***1:2",
            "DTP*472*D8*20260105",
            "SVD*99999*40*HC:99213**1",
            "CAS*PR*2*10",
            "DTP*573*D8*20260120",
        ]
    return "~\n".join(segs) + "~\n"


def generate(path: Path, megabytes: int) -> int:
    target = megabytes * 1_000_000
    written = 0
    n = 0
    with path.open("w") as out:
        head = (
            "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *260101*1200"
            "*^*00501*000000001*0*P*:~\nGS*HC*SENDER*RECEIVER*20260101*1200*1*X*005010X222A1~\n"
        )
        out.write(head)
        st = 0
        while written < target:
            st += 1
            body = ["BHT*0019*00*1*20260101*1200*CH~\n", "HL*1**20*1~\n",
                    "NM1*85*2*CLINIC*****XX*1234567893~\n", "REF*EI*123456789~\n"]  # fmt: skip
            for _ in range(1000):
                n += 1
                body.append(claim(n, 1 + n % 4))
            text = "".join(body)
            count = text.count("~") + 2
            chunk = f"ST*837*{st:04d}*005010X222A1~\n{text}SE*{count}*{st:04d}~\n"
            out.write(chunk)
            written += len(chunk)
        out.write(f"GE*{st}*1~\nIEA*1*000000001~\n")
    return n


def main() -> None:
    megabytes = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.837"
        claims = generate(path, megabytes)
        size = path.stat().st_size / 1e6
        started, cpu = time.perf_counter(), time.process_time()
        segments = sum(1 for _ in iter_raw(path, sniff(path)))
        floor, floor_cpu = time.perf_counter() - started, time.process_time() - cpu
        started, cpu = time.perf_counter(), time.process_time()
        result = convert(path, Path(tmp) / "out")
        took, took_cpu = time.perf_counter() - started, time.process_time() - cpu
        lines = result.report["rows"]["medical_claim"]
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"file: {size:,.1f} MB, {claims:,} claims, {segments:,} segments")
        print(f"bare read (segments only): {floor:.2f} s, {size / floor:,.1f} MB/s")
        print(
            f"837P -> medical_claim Parquet: {took:.2f} s, {size / took:,.1f} MB/s, "
            f"{lines / took:,.0f} service lines/s, {segments / took:,.0f} segments/s"
        )
        print(f"ratio to the bare read: {took / floor:.2f}; peak RSS {peak:,.0f} MB")
        print(
            f"CPU seconds (steadier on shared cores): bare read {floor_cpu:.2f} s "
            f"({size / floor_cpu:,.1f} MB/s), conversion {took_cpu:.2f} s "
            f"({size / took_cpu:,.1f} MB/s)"
        )
        try:
            from pyx12 import x12file  # not a dependency: PYTHONPATH=<a pyx12 install>
        except ImportError:
            print("pyx12: not installed, not timed")
            return
        head = Path(tmp) / "head.837"
        with path.open("rb") as source:
            data = source.read(20_000_000)
        head.write_bytes(data[: data.rfind(b"~") + 1])  # whole segments only
        head_size = head.stat().st_size / 1e6
        started, cpu = time.perf_counter(), time.process_time()
        with head.open() as handle:
            parsed = sum(1 for _ in x12file.X12Reader(handle))
        pyx12_wall, pyx12_cpu = time.perf_counter() - started, time.process_time() - cpu
        print(
            f"pyx12 X12Reader (segments parsed, no validation) on the first {head_size:.1f} MB: "
            f"{parsed:,} segments, {pyx12_wall:.1f} s, {head_size / pyx12_wall:.2f} MB/s wall, "
            f"{head_size / pyx12_cpu:.2f} MB/s CPU; ours (full conversion) is "
            f"{(size / took_cpu) / (head_size / pyx12_cpu):.1f}x its CPU throughput"
        )


if __name__ == "__main__":
    main()
