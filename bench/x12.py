"""Throughput of the X12 reader: a generated 837P read into the lake.

    .venv/bin/python bench/x12.py [MEGABYTES]   (default 200; the issue's figure is 1000)
    .venv/bin/python bench/x12.py 1000 --keep-file /tmp/big.837   (reuse the generated file)

Prints the file size, the bare read floor (splitting the file into segments in Python, the
old reader's loop with nothing done per segment), then the whole load into the lake
(`ingest_x12`: the file read and tokenised one block ahead in a thread of its own
(`x12.fast._Pieces`), the 837P read column-wise, its claim lines checked in another thread
while the file is read (`x12.load._Pipeline`), keys, sponsors, rejects, the lake's Parquet
written, the batch committed; in a throwaway data dir and SQLite database): MB/s, service
lines/s, segments/s, in wall and CPU seconds (wall time on shared cores is noisy; CPU includes
every thread's), with the load average beside every wall figure, and the CPU of each of the
load's threads while the file is read (reader, tokeniser, checker) and of what follows
(keys, sponsors, writing; wall and CPU), from which the wall on two quiet cores is bounded
below; the conversion alone (into the
converted Parquet file, one thread); the peak resident memory (of the whole process: Django,
the reader's blocks, the parts in the queue, DuckDB). The file is generated
here (claims with 1-4 service lines, COB/adjudication loops), not from the synthetic book.
pyx12 is timed on the first 20 MB when it can be imported (it is not a dependency: `uv pip
install --target DIR pyx12` and PYTHONPATH=DIR), twice: its segment reader alone, and its own
entry point that reads and validates the file and writes the 999 (the issue's "about 0.2 MB/s");
the ratios compare throughputs in this same run.
"""

from __future__ import annotations

import logging
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from clientdesk.lake.x12.convert import convert
from clientdesk.lake.x12.reader import iter_raw, sniff

THREAD_CPU: dict[str, float] = {}


def on_thread_cpu(owner: object, name: str, label: str) -> None:
    """Wrap a method so that the CPU of the thread it runs in is recorded under `label`."""
    method = getattr(owner, name)

    def timed(*args: object, **kwargs: object) -> object:
        started = time.thread_time()
        try:
            return method(*args, **kwargs)
        finally:
            THREAD_CPU[label] = THREAD_CPU.get(label, 0.0) + time.thread_time() - started

    setattr(owner, name, timed)


def after_read_timed(owner: object, name: str) -> None:
    """Wrap the step after the read (keys, sponsors, writing, commit): its wall and CPU."""
    method = getattr(owner, name)

    def timed(*args: object, **kwargs: object) -> object:
        started, cpu = time.perf_counter(), time.process_time()
        try:
            return method(*args, **kwargs)
        finally:
            THREAD_CPU["after the read, wall"] = time.perf_counter() - started
            THREAD_CPU["after the read, CPU"] = time.process_time() - cpu

    setattr(owner, name, timed)


def claim(n: int, lines: int, hl: int) -> str:
    """One claim under its own subscriber HL (`hl`, unique in its transaction set, the billing
    provider's HL 1 its parent), as 005010X222A1 has it: pyx12 validates these without error."""
    member = f"M{n % 50_000:07d}"
    segs = [
        f"HL*{hl}*1*22*0",
        "SBR*P*18*G100001*PPO*****CI",
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
            body = ["BHT*0019*00*1*20260101*1200*CH~\n",
                    "NM1*41*2*SENDER*****46*S1~\n", "PER*IC*JANE DOE*TE*5555551234~\n",
                    "NM1*40*2*RECEIVER*****46*R1~\n", "HL*1**20*1~\n",
                    "NM1*85*2*CLINIC*****XX*1234567893~\n", "N3*1 MAIN ST~\n",
                    "N4*PITTSBURGH*PA*152221234~\n", "REF*EI*123456789~\n"]  # fmt: skip
            for hl in range(2, 1002):
                n += 1
                body.append(claim(n, 1 + n % 4, hl))
            text = "".join(body)
            count = text.count("~") + 2
            chunk = f"ST*837*{st:04d}*005010X222A1~\n{text}SE*{count}*{st:04d}~\n"
            out.write(chunk)
            written += len(chunk)
        out.write(f"GE*{st}*1~\nIEA*1*000000001~\n")
    return n


def setup_django(data_dir: Path) -> None:
    os.environ["CLIENTDESK_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clientdesk.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min)"


def main() -> None:
    args = sys.argv[1:]
    keep = None
    if "--keep-file" in args:
        at = args.index("--keep-file")
        keep = Path(args[at + 1])
        del args[at : at + 2]
    megabytes = int(args[0]) if args else 200
    with tempfile.TemporaryDirectory() as tmp:
        setup_django(Path(tmp) / "var")
        from clientdesk.lake.x12 import fast
        from clientdesk.lake.x12 import load as x12_load
        from clientdesk.lake.x12.load import ingest_x12

        path = keep if keep is not None else Path(tmp) / "big.837"
        if keep is None or not keep.exists():
            generate(path, megabytes)
        size = path.stat().st_size / 1e6
        started, cpu = time.perf_counter(), time.process_time()
        segments = sum(1 for _ in iter_raw(path, sniff(path)))
        floor, floor_cpu = time.perf_counter() - started, time.process_time() - cpu
        print(f"file: {size:,.1f} MB, {segments:,} segments")
        print(
            f"bare read (segments only): {floor:.2f} s, {size / floor:,.1f} MB/s wall; "
            f"{floor_cpu:.2f} s CPU, {size / floor_cpu:,.1f} MB/s CPU; {load()}"
        )
        started, cpu = time.perf_counter(), time.process_time()
        result = convert(path, Path(tmp) / "out")
        took, took_cpu = time.perf_counter() - started, time.process_time() - cpu
        print(
            f"837P -> converted Parquet only: {took:.2f} s, {size / took:,.1f} MB/s wall; "
            f"{took_cpu:.2f} s CPU, {size / took_cpu:,.1f} MB/s CPU; {load()}"
        )
        del result
        on_thread_cpu(x12_load, "read", "reader")
        on_thread_cpu(fast._Pieces, "_run", "tokeniser")
        on_thread_cpu(x12_load._Pipeline, "_run", "checker")
        after_read_timed(x12_load, "ingest_streamed")
        THREAD_CPU.clear()
        started, cpu = time.perf_counter(), time.process_time()
        [loaded] = ingest_x12([path], acting_user=None, create_accounts=True)
        took, took_cpu = time.perf_counter() - started, time.process_time() - cpu
        lines = loaded.rows_read
        print(loaded.message[:240])
        print(
            f"837P -> lake (whole load): {took:.2f} s wall, {size / took:,.1f} MB/s, "
            f"{lines / took:,.0f} service lines/s, {segments / took:,.0f} segments/s; {load()}"
        )
        print(
            f"  CPU {took_cpu:.2f} s: {size / took_cpu:,.1f} MB/s, {lines / took_cpu:,.0f} "
            f"service lines/s; {took_cpu / floor_cpu:.2f}x the bare read's CPU"
        )
        reader, tokens, checker = (
            THREAD_CPU.get(k, 0.0) for k in ("reader", "tokeniser", "checker")
        )
        after_wall = THREAD_CPU.get("after the read, wall", 0.0)
        after_cpu = THREAD_CPU.get("after the read, CPU", 0.0)
        read_floor = max(reader, tokens, checker, (reader + tokens + checker) / 2)
        print(
            f"  CPU by thread while reading: reader {reader:.2f} s, tokeniser {tokens:.2f} s, "
            f"checker {checker:.2f} s; after the read (keys, sponsors, writing, commit): "
            f"{after_cpu:.2f} s CPU, {after_wall:.2f} s wall"
        )
        print(
            f"  on two idle cores the read takes at least {read_floor:.1f} s (the busiest "
            f"thread, or half the three threads' CPU), the whole load at least "
            f"{read_floor + after_cpu / 2:.1f} s = {size / (read_floor + after_cpu / 2):,.1f} MB/s "
            "(with the step after the read on both cores)"
        )
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS of the process {peak:,.0f} MB; {lines:,} service lines")
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
            f"{head_size / pyx12_cpu:.2f} MB/s CPU; ours (the whole load) is "
            f"{(size / took_cpu) / (head_size / pyx12_cpu):.1f}x its CPU throughput"
        )
        # What the 0.2 MB/s figure is: pyx12 reading and validating against its
        # implementation-guide maps (x12n_document, the library's own entry point), with its
        # 999 acknowledgement written, on the same head of the file.
        from pyx12 import params as pyx12_params
        from pyx12.x12n_document import x12n_document

        logging.getLogger("pyx12").setLevel(logging.CRITICAL)  # it logs each finding it writes

        started, cpu = time.perf_counter(), time.process_time()
        with head.open() as handle, open(os.devnull, "w") as ack:
            x12n_document(pyx12_params.ParamsBase(), handle, ack, None)
        valid_wall, valid_cpu = time.perf_counter() - started, time.process_time() - cpu
        print(
            f"pyx12 x12n_document (read and validated, 999 written) on the same "
            f"{head_size:.1f} MB: {valid_wall:.1f} s, {head_size / valid_wall:.2f} MB/s wall, "
            f"{head_size / valid_cpu:.2f} MB/s CPU; ours (the whole load) is "
            f"{(size / took) / (head_size / valid_wall):.0f}x its wall throughput, "
            f"{(size / took_cpu) / (head_size / valid_cpu):.0f}x its CPU throughput"
        )


if __name__ == "__main__":
    main()
