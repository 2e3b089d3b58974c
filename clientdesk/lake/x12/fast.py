"""The file read in blocks of bytes, cut into segments and elements column-wise; 837P read
column-wise into medical_claim rows.

`run(path, stream)` is what `convert.convert` calls. Each block (16 MB, cut after its last
SE, else its last segment terminator) is read and tokenised in a thread of its own, one block
ahead of the reader (`_Pieces`), with numpy on the interchange's delimiters: the positions of
the terminators and element separators give every segment and element as offsets into one
buffer, and the elements become one Arrow string array, with no Python object per segment.
Then:

- envelope segments (ISA/GS/ST/SE/GE/IEA), and every segment of a transaction that is not
  read column-wise, go one by one through `convert.Stream.feed`, exactly as before (834,
  835, 837I/837D, and whatever the column-wise reader leaves to it);
- the 837P transactions complete in the block (ST ... SE) are read at once by
  `professional_rows`, which gives the rows, record counts, unknown-segment counts and
  frequency codes the segment-by-segment `ClaimReader` gives; a transaction with anything it
  does not model exactly (a patient loop, a finding to report, an amount `float()` reads
  differently, ...) is left to `ClaimReader`, so the output is the same either way
  (`tests/test_x12_fast.py` compares both on every sample and on generated files).

A transaction still open at the end of a block is carried into the next block (up to
`CARRY_LIMIT` bytes; a longer one is read segment by segment, in bounded memory). Tolerance is
the reader's: line breaks are dropped (kept when they are the terminator), empty segments are
skipped, segments indented after a terminator are stripped, a block with non-ASCII bytes
goes segment by segment (Latin-1, as before).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from clientdesk.lake.x12.reader import (
    CLAIM_SEGMENTS,
    Delimiters,
    claim_type_of,
    without_line_breaks,
)

if TYPE_CHECKING:
    from clientdesk.lake.x12.convert import Stream

BLOCK_BYTES = 16 * 1024 * 1024  # three are held at once: read ahead, waiting, being read
CARRY_LIMIT = 128 * 1024 * 1024
LEAD = b"\xef\xbb\xbf \t\r\n"

Index = np.ndarray[Any, np.dtype[np.int64]]
Mask = np.ndarray[Any, np.dtype[np.bool_]]


def code(tag: str) -> int:
    """A 2- or 3-letter segment id as one integer (as `Block` computes it)."""
    raw = tag.encode("ascii").ljust(3, b"\0")
    return (raw[0] << 16) | (raw[1] << 8) | raw[2]


ISA, GS, ST, SE, GE, IEA = (code(t) for t in ("ISA", "GS", "ST", "SE", "GE", "IEA"))
ENVELOPE_CODES = np.array([ISA, GS, ST, SE, GE, IEA], dtype=np.int64)
HANDLED = ("HL", "NM1", "REF", "SBR", "DMG", "CLM", "DTP", "HI", "LX", "SV1", "SVD", "CAS")
HL, NM1, REF, SBR, DMG, CLM, DTP, HI, LX, SV1, SVD, CAS = (code(t) for t in HANDLED)
LEFT_TO_CLAIMREADER = np.array([code(t) for t in ("PAT", "CL1", "SV2", "SV3")], dtype=np.int64)


# --- the block ------------------------------------------------------------------------


class Block:
    """The whole segments of one block of bytes, as offsets (see the module docstring).

    `elements` holds every element of every segment (delimiters removed, one buffer);
    segment k has `count[k]` elements from `first[k]`; `start`/`end` are its bytes in `data`
    (the terminator excluded); `codes` its id as `code` gives it (-1 when not 2-3 bytes)."""

    def __init__(self, data: bytes, element: int, terminator: int) -> None:
        self.data = data
        raw = np.frombuffer(data, dtype=np.uint8)
        is_term = raw == terminator
        is_delim = raw == element
        is_delim |= is_term
        delim = np.flatnonzero(is_delim).astype(np.int32)
        del is_delim
        n = len(delim)
        # element m is raw[delim[m-1] + 1 : delim[m]]; without the delimiters it starts at
        # delim[m-1] + 1 - m in the packed buffer.
        offsets = np.empty(n + 1, dtype=np.int32)
        offsets[0] = 0
        np.subtract(delim, np.arange(n, dtype=np.int32), out=offsets[1:])
        # the bytes without the delimiters (as raw[~is_delim], in a third of the time)
        packed = np.frombuffer(data.translate(None, bytes((element, terminator))), dtype=np.uint8)
        self.elements = pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(packed))
        self.el_offsets = offsets
        last = np.flatnonzero(is_term[delim]).astype(np.int32)  # each segment's last element
        first = np.empty_like(last)
        first[:1] = 0
        first[1:] = last[:-1] + 1
        self.first = first
        self.count = last - first + 1
        start = np.empty_like(last)
        start[:1] = 0
        start[1:] = delim[last[:-1]] + 1
        self.start = start
        self.end = delim[last]
        length = offsets[first + 1] - offsets[first]
        padded = np.concatenate([packed, np.zeros(3, dtype=np.uint8)])
        tag_at = offsets[first]
        codes = (padded[tag_at].astype(np.int64) << 16) | (padded[tag_at + 1].astype(np.int64) << 8)
        codes = np.where(length == 3, codes | padded[tag_at + 2], codes)
        self.codes = np.where((length == 2) | (length == 3), codes, -1)
        self.nonempty = (self.end - self.start) > 0

    def __len__(self) -> int:
        return len(self.first)

    def text(self, k: int) -> str:
        return self.data[int(self.start[k]) : int(self.end[k])].decode("latin-1")

    def element(self, segs: Index, i: int) -> pa.StringArray:
        """Element i of the given segments (null where a segment has fewer elements)."""
        idx = self.first[segs] + i
        return self.elements.take(pa.array(idx, mask=self.count[segs] <= i))

    def element_text(self, k: int, i: int, separator: str) -> str:
        parts = self.text(k).split(separator)
        return parts[i] if len(parts) > i else ""


# --- the file -------------------------------------------------------------------------


def run(path: Path, stream: Stream, *, columnar: bool = True) -> int:
    """Feed the file to `stream`, reading 837P transactions column-wise when `columnar`;
    returns the number of segments read. The blocks are read and tokenised one ahead, in
    another thread (`_Pieces`), while this one reads the block before."""
    d = stream.conv.delimiters
    ascii_delimiters = all(ord(c) < 128 for c in (d.element, d.segment, d.component))
    reader = _Reader(stream, columnar=columnar and ascii_delimiters)
    carry = b""
    with _Pieces(path, reader.term, d.element.encode("latin-1"), reader.columnar) as pieces:
        for piece in pieces:
            if piece.final:
                reader.block(carry + piece.body, final=True)
            elif carry:  # a transaction left open by the block before, read with this one
                carry = reader.block(carry + piece.body, final=False)
            else:
                carry = reader.block(piece.body, final=False, piece=piece)
    return reader.position


@dataclass
class _Piece:
    """Whole segments of the file (`final`: what follows its last terminator), tokenised
    when `columnar` (`Block`, None when the bytes are not plain: `_Reader.block`)."""

    body: bytes
    final: bool = False
    indented: bool = False
    plain: bool = False
    block: Block | None = None


class _Pieces:
    """The file in pieces of about `BLOCK_BYTES`, read, cut and tokenised in a thread of
    their own, one piece ahead of the reader. A piece ends after the last SE it holds
    (after its last terminator when it holds none), so that the reader rarely has a
    transaction to carry into the next piece (which it then tokenises with it itself).
    Line breaks are dropped (kept when they are the terminator)."""

    AHEAD = 1  # pieces ready and not yet read (each holds a block and its tokens)

    def __init__(self, path: Path, term: bytes, element: bytes, columnar: bool) -> None:
        self.path = path
        self.term = term
        self.transaction_end = term + b"SE" + element
        self.columnar = columnar
        self.element = element[0]
        self.queue: queue.Queue[_Piece | BaseException | None] = queue.Queue(self.AHEAD)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="x12-tokens", daemon=True)

    def __enter__(self) -> Iterator[_Piece]:
        self.thread.start()
        return self._pieces()

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        while self.thread.is_alive():  # let it see the stop at its next put
            try:
                self.queue.get(timeout=0.1)
            except queue.Empty:
                continue
        self.thread.join()

    def _pieces(self) -> Iterator[_Piece]:
        while True:
            item = self.queue.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    def _put(self, item: _Piece | BaseException | None) -> bool:
        while not self.stop.is_set():
            try:
                self.queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _run(self) -> None:
        try:
            tail = b""
            first = True
            term = self.term
            with self.path.open("rb") as handle:
                while block := handle.read(BLOCK_BYTES):
                    if first:
                        block = block.lstrip(LEAD)
                        first = False
                    buf = tail + without_line_breaks(block, term)
                    cut = self._cut(buf)
                    body, tail = buf[: cut + 1], buf[cut + 1 :]
                    if body and not self._put(self._piece(body)):
                        return
            if self._put(_Piece(tail, final=True)):
                self._put(None)
        except BaseException as error:  # the reader raises it
            self._put(error)

    def _cut(self, buf: bytes) -> int:
        """Where the piece ends: the terminator of the last SE, else the last terminator."""
        at = buf.rfind(self.transaction_end)
        if at >= 0:
            end = buf.find(self.term, at + 1)
            if end >= 0:
                return end
        return buf.rfind(self.term)

    def _piece(self, body: bytes) -> _Piece:
        term = self.term
        indented = term + b" " in body or term + b"\t" in body
        plain = self.columnar and not indented and body.isascii()
        block = Block(body, self.element, term[0]) if plain else None
        return _Piece(body, indented=indented, plain=plain, block=block)


class _Reader:
    def __init__(self, stream: Stream, *, columnar: bool) -> None:
        self.stream = stream
        self.columnar = columnar
        d = stream.conv.delimiters
        self.term = d.segment.encode("latin-1")
        self.element = ord(d.element) if columnar else 0
        self.position = 0

    def block(self, buf: bytes, *, final: bool, piece: _Piece | None = None) -> bytes:
        """Read the whole segments of `buf` (tokenised already when `piece` is given: its
        body is `buf`); returns what is left for the next block."""
        cut = buf.rfind(self.term)
        body, tail = buf[: cut + 1], buf[cut + 1 :]
        if body:
            if piece is not None:
                indented, plain = piece.indented, piece.plain
            else:
                indented = self.term + b" " in body or self.term + b"\t" in body
                plain = self.columnar and not indented and body.isascii()
            if plain:
                left = self._columnar(body, final=final, blk=piece.block if piece else None)
                tail = left + tail
            else:
                self._one_by_one(body, strip=indented)
        if final:
            rest = tail.strip()
            if rest:
                self.position += 1
                self.stream.feed(rest.decode("latin-1"), self.position)
            return b""
        return tail

    def _one_by_one(self, body: bytes, *, strip: bool) -> None:
        parts = body.split(self.term)
        parts.pop()
        feed = self.stream.feed
        position = self.position
        for part in parts:
            if strip:
                part = part.strip()
            if part:
                position += 1
                feed(part.decode("latin-1"), position)
        self.position = position

    def _columnar(self, body: bytes, *, final: bool, blk: Block | None = None) -> bytes:
        """Read the block (`blk`: its tokens, when made already); returns the bytes of a
        trailing open 837P transaction carried to the next block (empty when none)."""
        if blk is None:
            blk = Block(body, self.element, self.term[0])
        stream = self.stream
        env = np.flatnonzero(_any_of(blk.codes, ENVELOPE_CODES) & blk.nonempty)
        # Which ST ... SE are 837P transactions whole in this block.
        gs_version = stream.gs_version
        sep = stream.conv.delimiters.element
        candidates: list[tuple[int, int]] = []
        open_st = -1
        open_professional = False
        for k in env.tolist():
            c = int(blk.codes[k])
            if c == GS:
                gs_version = blk.element_text(k, 8, sep)
                open_st = -1
            elif c == ST:
                version = blk.element_text(k, 3, sep) or gs_version
                open_st = k
                open_professional = blk.element_text(k, 1, sep) == "837" and (
                    claim_type_of(version) == "professional"
                )
            elif c == SE:
                if open_st >= 0 and open_professional:
                    candidates.append((open_st, k))
                open_st = -1
            else:
                open_st = -1
        limit = len(blk)
        left = b""
        if (
            not final
            and open_st >= 0
            and open_professional
            and len(body) - int(blk.start[open_st]) < CARRY_LIMIT
        ):
            limit = open_st
            left = body[int(blk.start[open_st]) :]
        positions = self.position + np.cumsum(blk.nonempty)
        results = (
            professional_rows(blk, candidates, positions, stream.conv.delimiters)
            if candidates
            else {}
        )
        in_fast = np.zeros(len(blk), dtype=np.bool_)
        for st, rows in results.items():
            in_fast[st + 1 : rows.se] = True
        feed = stream.feed
        for k in np.flatnonzero(~in_fast[:limit] & blk.nonempty[:limit]).tolist():
            feed(blk.text(k), int(positions[k]))
            read = results.get(k)
            if read is not None:
                read.attach(stream)
        if limit > 0:
            self.position = int(positions[limit - 1])
        return left


# --- 837P column-wise --------------------------------------------------------------------

NULL = pa.scalar(None, pa.string())
AMOUNT = r"^-?([0-9]+(\.[0-9]*)?|\.[0-9]+)$"


@dataclass
class TransactionRows:
    """What `ClaimReader` would have gathered from one 837P transaction."""

    se: int
    table: pa.Table
    records: int
    unknown: dict[str, int] = field(default_factory=dict)
    adjustments: list[tuple[str, str, str]] = field(default_factory=list)

    def attach(self, stream: Stream) -> None:
        reader = stream.reader
        if reader is None:
            return
        conv = stream.conv
        table = self.table.append_column(
            "data_source", pa.repeat(pa.scalar(conv.data_source, pa.string()), self.table.num_rows)
        )
        reader.table = ("medical_claim", table)
        reader.info.records += self.records
        for tag, count in self.unknown.items():
            reader.info.unknown_segments[tag] = reader.info.unknown_segments.get(tag, 0) + count
        conv.adjustments.extend(self.adjustments)


def professional_rows(
    blk: Block, candidates: list[tuple[int, int]], positions: Index, delimiters: Delimiters
) -> dict[int, TransactionRows]:
    """The rows of the 837P transactions (ST, SE segment indexes) read column-wise, by ST
    index; the ones left out are for `ClaimReader`."""
    todo = list(candidates)
    while todo:
        rows, bad = _professional(blk, todo, positions, delimiters)
        if not bad:
            return rows
        todo = [t for i, t in enumerate(todo) if i not in bad]
    return {}


def _any_of(codes: Index, wanted: Index) -> Mask:
    """`np.isin` for a few values (isin hashes the large array)."""
    found = np.zeros(len(codes), dtype=np.bool_)
    for value in wanted.tolist():
        found |= codes == value
    return found


def _np(mask: pa.Array | pa.ChunkedArray) -> Mask:
    return np.asarray(pc.fill_null(mask, False).to_numpy(zero_copy_only=False), dtype=np.bool_)


def _nullify(values: pa.Array) -> pa.Array:
    """`x or None`: empty text as null."""
    return pc.if_else(_np(pc.equal(values, "")), NULL, values)


def _list_get(lists: pa.ListArray, i: int) -> pa.Array:
    offsets = lists.offsets.to_numpy()
    lengths = np.diff(offsets)
    return lists.values.take(pa.array(offsets[:-1] + i, mask=lengths <= i))


def _iso(values: pa.Array) -> pa.Array:
    # `^[0-9]{8}$` (a block read column-wise is ASCII), without a regex
    digits = _np(pc.and_(pc.equal(pc.binary_length(values), 8), pc.ascii_is_decimal(values)))
    if not digits.any():
        return _nullify(values)
    formatted = pc.binary_join_element_wise(
        pc.utf8_slice_codeunits(values, 0, 4),
        pc.utf8_slice_codeunits(values, 4, 6),
        pc.utf8_slice_codeunits(values, 6, 8),
        "-",
    )
    return pc.if_else(digits, formatted, _nullify(values))


def _date_range(qualifier: pa.Array, value: pa.Array) -> tuple[pa.Array, pa.Array]:
    value = pc.fill_null(value, "")
    ranged = _np(pc.equal(qualifier, "RD8")) & _np(pc.match_substring(value, "-"))
    day = _iso(value)
    if not ranged.any():
        return day, day
    parts = pc.split_pattern(value, "-", max_splits=1)
    start = _iso(pc.fill_null(_list_get(parts, 0), ""))
    end = _iso(pc.fill_null(_list_get(parts, 1), ""))
    return pc.if_else(ranged, start, day), pc.if_else(ranged, end, day)


def _last_before(events: Index, at: Index) -> Index:
    """For every index of `at`, the last of the (sorted) `events` at or before it (-1 when
    none): `_last_at(n, events)[at]` without a pass over every segment."""
    if not len(events):
        return np.full(len(at), -1, dtype=np.int64)
    i = np.searchsorted(events, at, side="right") - 1
    return np.where(i >= 0, events[np.maximum(i, 0)], -1)


def _last_at(n: int, events: Index) -> Index:
    """For every index, the last event index at or before it (-1 when none)."""
    marks = np.full(n, -1, dtype=np.int64)
    marks[events] = events
    return np.maximum.accumulate(marks) if n else marks


def _take(values: pa.Array, idx: Index) -> pa.Array:
    return values.take(pa.array(idx, mask=idx < 0))


def _last_per(owner: Index, size: int) -> Index:
    """For owners 0..size-1, the position of the last of its events (owner sorted), or -1."""
    idx = np.full(size, -1, dtype=np.int64)
    if len(owner):
        last = np.empty(len(owner), dtype=np.bool_)
        last[:-1] = owner[1:] != owner[:-1]
        last[-1] = True
        idx[owner[last]] = np.flatnonzero(last)
    return idx


def _money(values: list[pa.Array]) -> tuple[pa.Array, Mask]:
    """`convert._add` of the amounts, row-wise; and the rows where a non-empty amount is not
    a plain decimal (for `ClaimReader`, as `float()` may read it differently)."""
    cents = np.zeros(len(values[0]), dtype=np.int64)
    odd = np.zeros(len(values[0]), dtype=np.bool_)
    for amounts in values:
        text = pc.fill_null(amounts, "")
        given = _np(pc.not_equal(text, ""))
        plain = _np(pc.match_substring_regex(text, AMOUNT))
        odd |= given & ~plain
        number = pc.cast(pc.if_else(plain, text, pa.scalar("0")), pa.float64()).to_numpy()
        cents += np.rint(number * 100).astype(np.int64)
    sign = np.where(cents < 0, "-", "")
    whole = np.abs(cents)
    text = pc.binary_join_element_wise(
        pa.array(sign),
        pa.array(whole // 100).cast(pa.string()),
        ".",
        pc.utf8_lpad(pa.array(whole % 100).cast(pa.string()), 2, "0"),
        "",
    )
    return text, odd


def _professional(  # one transaction grammar, read in order
    blk: Block, txs: list[tuple[int, int]], positions: Index, delimiters: Delimiters
) -> tuple[dict[int, TransactionRows], set[int]]:
    comp = delimiters.component
    lengths = np.array([se - st - 1 for st, se in txs], dtype=np.int64)
    starts = np.array([st + 1 for st, _se in txs], dtype=np.int64)
    total = int(lengths.sum())
    tx_of = np.repeat(np.arange(len(txs)), lengths)
    seg = starts[tx_of] + (np.arange(total) - np.repeat(np.cumsum(lengths) - lengths, lengths))
    keep = blk.nonempty[seg]
    seg, tx_of = seg[keep], tx_of[keep]
    n = len(seg)
    codes = blk.codes[seg]
    tx_start = np.searchsorted(tx_of, np.arange(len(txs)), side="left")[tx_of]
    bad: set[int] = set()

    def flag(local: Index) -> None:
        if len(local):
            bad.update(np.unique(tx_of[local]).tolist())

    def at(tag: int) -> Index:
        return np.flatnonzero(codes == tag)

    def el(local: Index, i: int) -> pa.Array:
        return blk.element(seg[local], i)

    flag(np.flatnonzero(_any_of(codes, LEFT_TO_CLAIMREADER)))
    hl = at(HL)
    level = el(hl, 3)
    hl20 = hl[_np(pc.equal(level, "20"))]
    hl22 = hl[_np(pc.equal(level, "22"))]
    flag(hl[~(_np(pc.equal(level, "20")) | _np(pc.equal(level, "22")))])
    clm = at(CLM)
    lx = at(LX)
    last_hl = _last_at(n, hl)
    last_clm = _last_at(n, clm)
    is_open = (last_clm >= tx_start) & (last_clm > last_hl)
    flag(lx[~is_open[lx]])
    lx = lx[is_open[lx]]
    last_lx = _last_at(n, lx)
    line_open = is_open & (last_lx > last_clm)
    claim_of_lx = np.searchsorted(clm, last_clm[lx])
    has_line = np.zeros(len(clm), dtype=np.bool_)
    has_line[claim_of_lx] = True
    flag(clm[~has_line])
    sbr = at(SBR)
    last_sbr = _last_at(n, sbr[is_open[sbr]])
    cob = is_open & (last_sbr > last_clm) & (last_sbr > last_lx)
    hi = at(HI)
    flag(hi[~is_open[hi]])
    sv1 = at(SV1)
    flag(sv1[~line_open[sv1]])
    sv1 = sv1[line_open[sv1]]
    same_line = last_lx[sv1]
    flag(sv1[1:][same_line[1:] == same_line[:-1]])
    if bad:
        return {}, bad

    n_claims, n_lines = len(clm), len(lx)
    outside = ~is_open

    def claim_of(local: Index) -> Index:
        return np.searchsorted(clm, last_clm[local])

    def line_of(local: Index) -> Index:
        return np.searchsorted(lx, last_lx[local])

    def context(events: Index, values: pa.Array, resets: Index) -> pa.Array:
        """The value of the last event before each claim, since the last reset."""
        last = _last_before(events, clm)
        reset = _last_before(resets, clm)
        valid = (last >= tx_start[clm]) & (last > reset)
        pick = np.where(valid, np.searchsorted(events, last), -1)
        return _take(values, pick)

    def per(owner: Index, values: pa.Array, size: int) -> tuple[pa.Array, Mask]:
        idx = _last_per(owner, size)
        return _take(values, idx), idx >= 0

    # -- NM1
    nm1 = at(NM1)
    who = el(nm1, 1)
    ident = _nullify(pc.fill_null(el(nm1, 9), ""))
    name_last = el(nm1, 3)

    def who_is(*values: str) -> Mask:
        mask = np.zeros(len(nm1), dtype=np.bool_)
        for value in values:
            mask |= _np(pc.equal(who, value))
        return mask

    nm_out = outside[nm1]
    billing_reset = hl20
    subscriber_reset = np.sort(np.concatenate([hl20, hl22]))
    sel = nm_out & who_is("85")
    billing_npi = context(nm1[sel], ident.filter(sel), billing_reset)
    sel_il = nm_out & who_is("IL")
    member = context(nm1[sel_il], ident.filter(sel_il), subscriber_reset)
    sel_pr = nm_out & who_is("PR")
    payer = context(
        nm1[sel_pr], _nullify(pc.fill_null(name_last, "")).filter(sel_pr), subscriber_reset
    )
    sbr_out = sbr[outside[sbr]]
    e3 = _nullify(pc.fill_null(el(sbr_out, 3), ""))
    e4 = _nullify(pc.fill_null(el(sbr_out, 4), ""))
    group_id = context(sbr_out, e3, subscriber_reset)
    plan = context(sbr_out, pc.coalesce(e4, e3), subscriber_reset)
    dmg = at(DMG)
    subscriber_events = np.sort(
        np.concatenate([nm1[sel_il], nm1[sel_pr], sbr_out, dmg[outside[dmg]]])
    )
    ref = at(REF)
    qualifier = el(ref, 1)
    ref_value = _nullify(pc.fill_null(el(ref, 2), ""))
    last_sub = _last_before(subscriber_events, ref)
    last_sub_reset = _last_before(subscriber_reset, ref)
    empty = ~((last_sub >= tx_start[ref]) & (last_sub > last_sub_reset))
    sel = outside[ref] & _np(pc.equal(qualifier, "EI")) & empty
    billing_tin = context(ref[sel], ref_value.filter(sel), billing_reset)

    # -- the claim
    clm_id = _nullify(pc.fill_null(el(clm, 1), ""))
    where = pc.split_pattern(pc.fill_null(el(clm, 5), ""), comp)
    facility = _nullify(pc.fill_null(_list_get(where, 0), ""))
    frequency = pc.fill_null(_list_get(where, 2), "1")
    sel = is_open[ref] & ~line_open[ref] & _np(pc.equal(qualifier, "F8"))
    original, _ = per(claim_of(ref[sel]), ref_value.filter(sel), n_claims)
    nm_in = is_open[nm1] & ~cob[nm1]
    sel = nm_in & ~line_open[nm1] & who_is("82")
    claim_rendering, _ = per(claim_of(nm1[sel]), ident.filter(sel), n_claims)
    sel = nm_in & who_is("77", "FA")
    facility_npi, _ = per(claim_of(nm1[sel]), ident.filter(sel), n_claims)
    sel = line_open[nm1] & who_is("82")
    line_rendering, line_rendering_set = per(line_of(nm1[sel]), ident.filter(sel), n_lines)

    dtp = at(DTP)
    dq = el(dtp, 1)
    start, end = _date_range(el(dtp, 2), el(dtp, 3))

    def dtp_is(value: str) -> Mask:
        return _np(pc.equal(dq, value))

    in_line = line_open[dtp]
    on_claim = is_open[dtp] & ~in_line
    sel = in_line & dtp_is("472")
    line_start, _ = per(line_of(dtp[sel]), start.filter(sel), n_lines)
    line_end, _ = per(line_of(dtp[sel]), end.filter(sel), n_lines)
    sel = in_line & dtp_is("573")
    line_paid_date, line_paid_date_set = per(line_of(dtp[sel]), start.filter(sel), n_lines)
    sel = on_claim & cob[dtp] & dtp_is("573")
    claim_paid_date, _ = per(claim_of(dtp[sel]), start.filter(sel), n_claims)
    plain = on_claim & ~cob[dtp]
    claim_dates = {}
    for name, qual, which in (
        ("claim_start_date", "434", start),
        ("claim_end_date", "434", end),
        ("admission_date", "435", start),
        ("discharge_date", "096", start),
        ("_service_start", "472", start),
        ("_service_end", "472", end),
    ):
        sel = plain & dtp_is(qual)
        claim_dates[name], _ = per(claim_of(dtp[sel]), which.filter(sel), n_claims)

    # -- HI: diagnoses in order over the claim's HI segments, at most 25
    diagnoses: dict[str, pa.Array] = {}
    if len(hi):
        hi_seg = seg[hi]
        items_per = blk.count[hi_seg] - 1
        owner = np.repeat(claim_of(hi), items_per)
        within = np.arange(int(items_per.sum())) - np.repeat(
            np.cumsum(items_per) - items_per, items_per
        )
        items = blk.elements.take(pa.array(np.repeat(blk.first[hi_seg] + 1, items_per) + within))
        given = _np(pc.not_equal(items, ""))
        parts = pc.split_pattern(items.filter(given), comp)
        owner = owner[given]
        q = pc.fill_null(_list_get(parts, 0), "")
        odd = np.zeros(len(owner), dtype=np.bool_)
        for other in ("DR", "BBR", "BBQ", "BR", "BQ"):
            odd |= _np(pc.equal(q, other))
        if odd.any():
            bad.update(np.unique(tx_of[clm[owner[odd]]]).tolist())
            return {}, bad
        dx = np.zeros(len(owner), dtype=np.bool_)
        for kind in ("ABK", "ABF", "BK", "BF"):
            dx |= _np(pc.equal(q, kind))
        dx_owner = owner[dx]
        code_text = _nullify(pc.fill_null(_list_get(parts, 1), "")).filter(dx)
        poa = _nullify(pc.fill_null(_list_get(parts, 8), "")).filter(dx)
        dx_q = q.filter(dx)
        first_of = np.searchsorted(dx_owner, dx_owner, side="left")
        number = np.arange(len(dx_owner)) - first_of + 1
        kept = number <= 25
        for k in range(1, int(number.max(initial=0)) + 1 if len(number) else 1):
            sel = number == k
            idx = np.full(n_claims, -1, dtype=np.int64)
            idx[dx_owner[sel]] = np.flatnonzero(sel)
            diagnoses[f"diagnosis_code_{k}"] = _take(code_text, idx)
            diagnoses[f"diagnosis_poa_{k}"] = _take(poa, idx)
            if k == 25:
                break
        kinds = pc.if_else(
            _np(pc.starts_with(dx_q, "A")), pa.scalar("icd-10-cm"), pa.scalar("icd-9-cm")
        ).filter(kept)
        diagnoses["diagnosis_code_type"], _ = per(dx_owner[kept], kinds, n_claims)

    # -- service lines
    line_claim = claim_of_lx
    line_number = pc.coalesce(
        _nullify(pc.fill_null(el(lx, 1), "")),
        pa.array(np.arange(n_lines) - np.searchsorted(line_claim, line_claim) + 1).cast(
            pa.string()
        ),
    )
    sv_line = line_of(sv1)
    procedure = pc.split_pattern(pc.fill_null(el(sv1, 1), ""), comp)
    sv_values = {
        "hcpcs_code": _nullify(pc.fill_null(_list_get(procedure, 1), "")),
        **{
            f"hcpcs_modifier_{i}": _nullify(pc.fill_null(_list_get(procedure, 1 + i), ""))
            for i in range(1, 5)
        },
        "charge_amount": _nullify(pc.fill_null(el(sv1, 2), "")),
        "service_unit_quantity": _nullify(pc.fill_null(el(sv1, 4), "")),
        "_pos": _nullify(pc.fill_null(el(sv1, 5), "")),
    }
    line_values = {k: per(sv_line, v, n_lines)[0] for k, v in sv_values.items()}
    svd = at(SVD)
    svd = svd[line_open[svd]]
    paid = pc.fill_null(el(svd, 2), "")
    sel = _np(pc.not_equal(paid, ""))
    line_paid, line_paid_set = per(line_of(svd[sel]), paid.filter(sel), n_lines)
    cas = at(CAS)
    cas = cas[line_open[cas]]
    cas = cas[_np(pc.equal(el(cas, 1), "PR"))]
    shares: dict[str, pa.Array] = {}
    if len(cas):
        cas_count = blk.count[seg[cas]]
        # CAS02, 05, ..., 17 (reason) and the amount after each, read once for the 3 reasons
        cas_reasons = [pc.fill_null(el(cas, 2 + 3 * t), "") for t in range(6)]
        cas_amounts = [pc.fill_null(el(cas, 3 + 3 * t), "") for t in range(6)]
        cas_given = [
            (cas_count > 3 + 3 * t) & _np(pc.not_equal(cas_amounts[t], "")) for t in range(6)
        ]
        for reason, column in (
            ("1", "deductible_amount"),
            ("2", "coinsurance_amount"),
            ("3", "copayment_amount"),
        ):
            event_seg: list[Index] = []
            event_order: list[Index] = []
            event_amount: list[pa.Array] = []
            for t in range(6):
                amount = cas_amounts[t]
                sel = cas_given[t] & _np(pc.equal(cas_reasons[t], reason))
                event_seg.append(cas[sel])
                event_order.append(np.full(int(sel.sum()), t))
                event_amount.append(amount.filter(sel))
            where_seg = np.concatenate(event_seg)
            order = np.lexsort((np.concatenate(event_order), where_seg))
            amounts = pa.concat_arrays(event_amount).take(pa.array(order))
            shares[column], _ = per(line_of(where_seg[order]), amounts, n_lines)
    none = pa.nulls(n_lines, pa.string())
    deductible = shares.get("deductible_amount", none)
    coinsurance = shares.get("coinsurance_amount", none)
    copayment = shares.get("copayment_amount", none)
    allowed_text, odd = _money([line_paid, deductible, coinsurance, copayment])
    odd &= line_paid_set
    if odd.any():
        bad.update(np.unique(tx_of[lx[odd]]).tolist())
        return {}, bad
    allowed = pc.if_else(line_paid_set, allowed_text, NULL)

    # -- claim start and end from the lines when the claim has no 434
    by_claim = (
        pa.table({"c": line_claim, "s": line_start, "e": line_end})
        .group_by("c")
        .aggregate([("s", "min"), ("e", "max")])
    )
    idx = np.full(n_claims, -1, dtype=np.int64)
    idx[by_claim.column("c").to_numpy()] = np.arange(by_claim.num_rows)
    first_start = _take(by_claim.column("s_min").combine_chunks(), idx)
    last_end = _take(by_claim.column("e_max").combine_chunks(), idx)
    service_start, service_end = claim_dates["_service_start"], claim_dates["_service_end"]
    no_dates = _np(pc.is_null(claim_dates["claim_start_date"]))
    claim_start = pc.if_else(
        no_dates, pc.coalesce(service_start, first_start), claim_dates["claim_start_date"]
    )
    claim_end = pc.if_else(
        no_dates, pc.coalesce(service_end, last_end), claim_dates["claim_end_date"]
    )

    def of_claim(values: pa.Array) -> pa.Array:
        return values.take(pa.array(line_claim))

    no_line_start = _np(pc.is_null(line_start))
    position = pa.array(positions[seg[clm]]).cast(pa.string())
    member_row = of_claim(member)
    columns: dict[str, pa.Array] = {
        "claim_id": of_claim(clm_id),
        "claim_line_number": line_number,
        "claim_type": pa.repeat(pa.scalar("professional"), n_lines),
        "person_id": member_row,
        "member_id": member_row,
        "payer": of_claim(payer),
        "plan": of_claim(plan),
        "claim_start_date": of_claim(claim_start),
        "claim_end_date": of_claim(claim_end),
        "claim_line_start_date": pc.if_else(no_line_start, of_claim(service_start), line_start),
        "claim_line_end_date": pc.if_else(no_line_start, of_claim(service_end), line_end),
        "admission_date": of_claim(claim_dates["admission_date"]),
        "discharge_date": of_claim(claim_dates["discharge_date"]),
        "place_of_service_code": pc.coalesce(line_values["_pos"], of_claim(facility)),
        "service_unit_quantity": line_values["service_unit_quantity"],
        "hcpcs_code": line_values["hcpcs_code"],
        **{f"hcpcs_modifier_{i}": line_values[f"hcpcs_modifier_{i}"] for i in range(1, 5)},
        "rendering_npi": pc.if_else(line_rendering_set, line_rendering, of_claim(claim_rendering)),
        "billing_npi": of_claim(billing_npi),
        "billing_tin": of_claim(billing_tin),
        "facility_npi": of_claim(facility_npi),
        "paid_date": pc.if_else(line_paid_date_set, line_paid_date, of_claim(claim_paid_date)),
        "paid_amount": line_paid,
        "allowed_amount": allowed,
        "charge_amount": line_values["charge_amount"],
        "coinsurance_amount": coinsurance,
        "copayment_amount": copayment,
        "deductible_amount": deductible,
        **{k: of_claim(v) for k, v in diagnoses.items()},
        "group_id": of_claim(group_id),
        "x12_position": of_claim(position),
    }
    table = pa.table(columns)

    # -- per transaction: rows, counts, unknown segments, frequency codes
    known = {code(t) for t in CLAIM_SEGMENTS if 2 <= len(t) <= 3} | {
        HL,
        NM1,
        REF,
        SBR,
        DMG,
        CLM,
        DTP,
        HI,
        LX,
        SV1,
        SVD,
        CAS,
    }
    known_codes = np.array(sorted(known), dtype=np.int64)
    found = known_codes[np.minimum(np.searchsorted(known_codes, codes), len(known_codes) - 1)]
    strange = np.flatnonzero(found != codes)
    unknown: list[dict[str, int]] = [{} for _ in txs]
    for local in strange.tolist():
        text = blk.text(int(seg[local]))
        cut = text.find(delimiters.element)
        tag = text if cut < 0 else text[:cut]
        if tag in CLAIM_SEGMENTS:
            continue
        counts = unknown[int(tx_of[local])]
        counts[tag] = counts.get(tag, 0) + 1
    adjusting = np.flatnonzero(_np(pc.equal(frequency, "7")) | _np(pc.equal(frequency, "8")))
    adjustments: list[list[tuple[str, str, str]]] = [[] for _ in txs]
    if len(adjusting):
        ids = clm_id.take(pa.array(adjusting)).to_pylist()
        freqs = frequency.take(pa.array(adjusting)).to_pylist()
        originals = original.take(pa.array(adjusting)).to_pylist()
        for k, claim_id, freq, orig in zip(adjusting.tolist(), ids, freqs, originals, strict=True):
            adjustments[int(tx_of[clm[k]])].append((claim_id or "", freq, orig or ""))
    row_tx = tx_of[lx]
    bounds = np.searchsorted(row_tx, np.arange(len(txs) + 1))
    out: dict[int, TransactionRows] = {}
    for t, (st, se) in enumerate(txs):
        lo, hi_ = int(bounds[t]), int(bounds[t + 1])
        out[st] = TransactionRows(
            se=se,
            table=table.slice(lo, hi_ - lo),
            records=hi_ - lo,
            unknown=unknown[t],
            adjustments=adjustments[t],
        )
    return out, set()
