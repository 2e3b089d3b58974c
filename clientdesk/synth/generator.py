"""Generate a whole synthetic book of business into a folder.

``generate_book(params, out_dir)`` writes ``book.json`` (sponsors, contacts, contracts,
guarantees), ``activity.json`` (touches with each sponsor's decision maker),
``ground_truth.json`` (incidents, guarantee misses, renewal outcomes) and one folder of Parquet
parts per table (see ``SCHEMA.md``). Claim-side tables are generated per block of members,
operational feeds per chunk of accounts, each from its own random sub-stream, optionally in
several worker processes; the same parameters and seed give byte-identical files whatever
the worker count.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from clientdesk.synth import arrow_io as ax
from clientdesk.synth.block_pipeline import PartResult, run_block
from clientdesk.synth.blocks import Block, plan_blocks
from clientdesk.synth.book_context import BookContext
from clientdesk.synth.book_file import book_document, count_enrolled, write_json
from clientdesk.synth.diagnoses import dx_dictionary
from clientdesk.synth.drugs import DRUGS, catalogue
from clientdesk.synth.engagement import write_activity
from clientdesk.synth.geography import STATES
from clientdesk.synth.ground_truth import ground_truth_document
from clientdesk.synth.growth import write_growth_truth
from clientdesk.synth.incidents import plan_incidents
from clientdesk.synth.ops_pipeline import run_accounts
from clientdesk.synth.params import SynthParams
from clientdesk.synth.population import build_population
from clientdesk.synth.providers import build_directory
from clientdesk.synth.renewals import renewal_outcomes
from clientdesk.synth.schemas import NDC, PROVIDER, TABLES
from clientdesk.synth.sponsors import plan_sponsors

__all__ = ["BookSummary", "SynthParams", "generate_book"]

ACCOUNT_CHUNK_MEMBERS = 120_000

_CONTEXT: list[BookContext] = []


@dataclass
class BookSummary:
    """What a run produced: rows per table and wall-clock seconds."""

    out_dir: str
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    accounts: int = 0
    members: int = 0
    incidents: int = 0
    guarantee_misses: int = 0

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form of the summary."""
        return {
            "out_dir": self.out_dir,
            "rows": dict(self.rows),
            "seconds": round(self.seconds, 3),
            "accounts": self.accounts,
            "members": self.members,
            "incidents": self.incidents,
            "guarantee_misses": self.guarantee_misses,
        }


Task = tuple[str, int, tuple[int, ...]]


def _run(task: Task) -> PartResult:
    ctx = _CONTEXT[-1]
    kind, index, accounts = task
    if kind == "block":
        lo, hi = accounts
        return run_block(ctx, Block(index, lo, hi))
    return run_accounts(ctx, index, list(accounts))


def _account_chunks(counts: np.ndarray) -> list[list[int]]:
    chunks: list[list[int]] = [[]]
    size = 0
    for account, members in enumerate(counts.tolist()):
        if chunks[-1] and size + members > ACCOUNT_CHUNK_MEMBERS:
            chunks.append([])
            size = 0
        chunks[-1].append(account)
        size += members
    return chunks


def _workers(params: SynthParams) -> int:
    if params.workers > 0:
        return params.workers
    return max(1, min(4, os.cpu_count() or 1))


def _execute(tasks: list[Task], workers: int) -> Iterator[PartResult]:
    if workers <= 1 or len(tasks) <= 1:
        for task in tasks:
            yield _run(task)
        return
    context = multiprocessing.get_context("fork")
    with context.Pool(processes=min(workers, len(tasks)), maxtasksperchild=4) as pool:
        yield from pool.imap_unordered(_run, tasks, chunksize=1)


def _reference_tables(ctx: BookContext) -> dict[str, int]:
    d = ctx.directory
    n = len(d.npi)
    state_codes = [s.code for s in STATES]
    provider = ax.table(
        PROVIDER,
        {
            "npi": ctx.npi,
            "entity_type_code": pa.array(d.entity_type.astype(np.int32)),
            "provider_name": pa.array(d.name, type=pa.string()),
            "specialty": pa.array(d.specialty, type=pa.string()),
            "taxonomy_code": pa.array(d.taxonomy, type=pa.string()),
            "billing_npi": ax.codes(ctx.npi, d.org),
            "tin": ctx.tin,
            "state": ax.codes(state_codes, d.state.astype(np.int64)),
            "city": pa.array([c or None for c in d.city], type=pa.string()),
            "zip_code": pa.array([z or None for z in d.zip_code], type=pa.string()),
        },
        n,
    )
    codes, owner = catalogue()
    drugs = [DRUGS[i] for i in owner]
    ndc = ax.table(
        NDC,
        {
            "ndc_code": pa.array(list(codes), type=pa.string()),
            "drug_name": pa.array([x.name for x in drugs], type=pa.string()),
            "drug_class": pa.array([x.drug_class for x in drugs], type=pa.string()),
            "generic_flag": pa.array([x.generic for x in drugs]),
            "specialty_flag": pa.array([x.specialty for x in drugs]),
            "maintenance_flag": pa.array([x.maintenance for x in drugs]),
            "preferred_flag": pa.array([x.preferred for x in drugs]),
        },
        len(codes),
    )
    return {
        "provider": ax.write_part(ctx.out_dir, "provider", 0, provider),
        "ndc": ax.write_part(ctx.out_dir, "ndc", 0, ndc),
    }


def generate_book(params: SynthParams, out_dir: Path, progress: bool = False) -> BookSummary:
    """Generate the book described by ``params`` into ``out_dir`` and summarise it."""
    params.validate()
    started = time.perf_counter()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in TABLES:
        shutil.rmtree(out_dir / name, ignore_errors=True)
    window = params.window
    sponsors = plan_sponsors(params)
    population = build_population(sponsors, window, params.seed)
    count_enrolled(sponsors, population, window.last_day)
    write_json(out_dir / "book.json", book_document(params, sponsors))
    directory = build_directory([s.state.code for s in sponsors], params.seed)
    dx = dx_dictionary()
    active = population.active_by_day(window, len(sponsors))
    incidents = plan_incidents(sponsors, population, directory, window, active, params.seed)
    blocks = plan_blocks(population)
    ctx = BookContext(
        params=params,
        window=window,
        out_dir=out_dir,
        sponsors=sponsors,
        population=population,
        directory=directory,
        dx=dx,
        incidents=incidents,
        active=active,
        n_blocks=len(blocks),
    )
    counts = np.diff(population.account_offsets)
    chunks = _account_chunks(counts)
    tasks: list[Task] = [("block", b.index, (b.lo, b.hi)) for b in blocks]
    tasks += [("accounts", k, tuple(c)) for k, c in enumerate(chunks)]
    tasks.sort(
        key=lambda t: (
            -(t[2][1] - t[2][0]) if t[0] == "block" else -sum(int(counts[a]) for a in t[2]) // 3
        )
    )
    rows: dict[str, int] = {}
    series: dict[int, np.ndarray] = {}
    _CONTEXT.clear()
    _CONTEXT.append(ctx)
    try:
        results = _execute(tasks, _workers(params))
        if progress:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            with Progress(
                TextColumn("[bold]synth[/bold] {task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
            ) as bar:
                job = bar.add_task(
                    f"{population.size:,} members, {len(blocks)} blocks", total=len(tasks)
                )
                for result in results:
                    _merge(result, rows, series)
                    bar.advance(job)
        else:
            for result in results:
                _merge(result, rows, series)
    finally:
        _CONTEXT.clear()
    rows.update(_reference_tables(ctx))
    truth = ground_truth_document(params, sponsors, incidents, series)
    truth["renewal_outcomes"] = renewal_outcomes(params, sponsors, incidents)  # own stream
    write_json(out_dir / "ground_truth.json", truth)
    write_activity(params, out_dir, sponsors)  # synth/engagement.py, own stream
    write_growth_truth(params, out_dir, sponsors, population)  # synth/growth.py, own stream
    misses = truth["guarantee_misses"]
    summary = BookSummary(
        out_dir=str(out_dir),
        rows=dict(sorted(rows.items())),
        accounts=len(sponsors),
        members=population.size,
        incidents=len(incidents),
        guarantee_misses=len(misses) if isinstance(misses, list) else 0,
    )
    summary.seconds = time.perf_counter() - started
    return summary


def _merge(result: PartResult, rows: dict[str, int], series: dict[int, np.ndarray]) -> None:
    for name, count in result.rows.items():
        rows[name] = rows.get(name, 0) + count
    for key, counts in result.series.items():
        series[key] = series[key] + counts if key in series else counts
