"""A streaming, tolerant X12 segment reader (our own; see docs/lake.md for why not pyx12).

`read_segments(path)` yields `Segment`s from a file of any size in bounded memory:

- The delimiters come from each ISA (element separator = byte 4, repetition separator =
  ISA11 when it is not a letter or digit, component separator = ISA16, segment terminator =
  the byte after ISA16). Line breaks around terminators are ignored; a file whose terminator
  *is* a line break works too.
- The file is read in blocks of bytes, split on the terminator in C (`bytes.split`), decoded
  as Latin-1 (every byte is a character: never a decode error) and handed on as strings; a
  segment is split into elements only by the code that needs it.
- `Envelope` follows ISA/GS/ST ... SE/GE/IEA and checks control numbers and counts (SE01
  segments, GE01 transactions, IEA01 groups), recording each mismatch as a finding, never an
  exception. The caller (the transaction readers) gets `transaction_started/ended` events.
- `claim_type_of` and `CLAIM_SEGMENTS` say which kind of 837 a version is and which of its
  segments a claim is read from: both claim readers share them (convert's segment by segment,
  fast's column-wise), so neither module imports the other for them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

BLOCK_BYTES = 8 * 1024 * 1024
ISA_LENGTH = 106


def claim_type_of(version: str) -> str:
    """professional / institutional / dental from an 837's version (ST03 or GS08), or ""."""
    kind = {"X222": "professional", "X223": "institutional", "X224": "dental"}
    found = next((v for k, v in kind.items() if k in version), "")
    if not found and version.startswith("004010"):
        found = {"X098": "professional", "X096": "institutional"}.get(version[6:10], "")
    return found


CLAIM_SEGMENTS = frozenset(  # the segments of an 837 P/I/D transaction a claim reader reads
    {
        "BHT",
        "NM1",
        "PER",
        "N3",
        "N4",
        "REF",
        "PRV",
        "HL",
        "SBR",
        "PAT",
        "DMG",
        "CLM",
        "DTP",
        "CL1",
        "HI",
        "LX",
        "SV1",
        "SV2",
        "SV3",
        "SVD",
        "CAS",
        "AMT",
        "PWK",
        "CN1",
        "K3",
        "NTE",
        "CR1",
        "CR2",
        "CRC",
        "HCP",
        "OI",
        "MOA",
        "MIA",
        "LQ",
        "FRM",
        "TOO",
        "DN1",
        "DN2",
        "QTY",
        "MEA",
        "PS1",
        "LIN",
        "CTP",
        "CUR",
    }
)


class X12FormatError(Exception):
    """The file is not X12 at all (one-line message)."""


@dataclass(frozen=True)
class Delimiters:
    element: str
    component: str
    repetition: str | None
    segment: str

    @classmethod
    def from_isa(cls, isa: bytes) -> Delimiters:
        """Delimiters of an interchange from its first 106 bytes (the fixed-length ISA)."""
        if len(isa) < ISA_LENGTH or not isa.startswith(b"ISA"):
            raise X12FormatError("no ISA interchange header at the start")
        text = isa[:ISA_LENGTH].decode("latin-1")
        element = text[3]
        parts = text.split(element)
        if len(parts) < 17:
            raise X12FormatError("the ISA header does not have 16 elements")
        repetition = parts[11] if len(parts[11]) == 1 and not parts[11].isalnum() else None
        component = parts[16][0] if parts[16] else ":"
        terminator = text[ISA_LENGTH - 1]
        if terminator.isalnum() or terminator == element:
            raise X12FormatError("the ISA header has no segment terminator after ISA16")
        return cls(element, component, repetition, terminator)


def sniff(path: Path) -> Delimiters:
    """The delimiters of the file's first interchange, or X12FormatError."""
    with path.open("rb") as handle:
        head = handle.read(4096)
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not start.startswith(b"ISA"):
        raise X12FormatError("not an X12 file (it does not start with an ISA segment)")
    return Delimiters.from_isa(start)


def without_line_breaks(block: bytes, term: bytes) -> bytes:
    """A block of the file without the line breaks written between segments, keeping the one
    that is the segment terminator itself (CR, or CR LF read as CR: the ISA ends with it)."""
    if term == b"\n":
        return block.replace(b"\r", b"")
    if term == b"\r":
        return block.replace(b"\n", b"")
    return block.replace(b"\r", b"").replace(b"\n", b"")


def iter_raw(path: Path, delimiters: Delimiters) -> Iterator[str]:
    """Every segment's text, in order, line breaks and surrounding blanks removed."""
    term = delimiters.segment.encode("latin-1")
    carry = b""
    with path.open("rb") as handle:
        first = True
        while block := handle.read(BLOCK_BYTES):
            if first:
                block = block.lstrip(b"\xef\xbb\xbf \t\r\n")
                first = False
            block = without_line_breaks(block, term)
            parts = (carry + block).split(term)
            carry = parts.pop()
            if term + b" " in block or term + b"\t" in block:  # indented segments
                parts = [p.strip() for p in parts]
            for part in parts:
                if part:
                    yield part.decode("latin-1")
    rest = carry.strip()
    if rest:
        yield rest.decode("latin-1")


@dataclass
class Finding:
    """Something wrong in the file, at a segment position: a warning or a rejection."""

    position: int
    severity: str  # "warning" or "error"
    message: str

    def as_dict(self) -> dict[str, object]:
        return {"position": self.position, "severity": self.severity, "message": self.message}


@dataclass
class TransactionInfo:
    """One ST...SE transaction set as read: its identity, counts and verdict."""

    interchange: str
    group: str
    control: str
    kind: str  # ST01: 834, 835, 837, ...
    version: str  # ST03 or GS08
    position: int
    segments: int = 0
    findings: list[Finding] = field(default_factory=list)
    records: int = 0  # claim lines / members / remittance lines read from it
    rejected_records: int = 0
    unknown_segments: dict[str, int] = field(default_factory=dict)

    @property
    def status(self) -> str:
        """999-style: accepted (A), accepted with errors (E), rejected (R)."""
        if any(f.severity == "error" for f in self.findings):
            return "rejected"
        if self.findings or self.rejected_records:
            return "accepted with errors"
        return "accepted"

    def as_dict(self) -> dict[str, object]:
        return {
            "interchange": self.interchange,
            "group": self.group,
            "transaction": self.control,
            "type": self.kind,
            "version": self.version,
            "position": self.position,
            "segments": self.segments,
            "records": self.records,
            "rejected_records": self.rejected_records,
            "status": self.status,
            "findings": [f.as_dict() for f in self.findings],
            "unknown_segments": dict(sorted(self.unknown_segments.items())),
        }


__all__ = [
    "Delimiters",
    "Finding",
    "TransactionInfo",
    "X12FormatError",
    "iter_raw",
    "sniff",
]
