"""Reading Asterisk's ``Master.csv`` for the backfill: the records that ended since a moment.

Lines are chosen by their end time, never by a remembered file offset, so a log rotation between
two reads loses nothing that is still in the file (and the rotated ``Master.csv.1``, when it is
there, is read too). cdr_csv appends a record when it ends, so the file is in end-time order
(near enough): it is read backwards, block by block, and the reading stops once a whole block
ended more than ``slack`` before the moment (the slack keeps the earlier records of a call that
had several: a caller whose first Dial was not answered).
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path

from telephony.cdr import CdrLineError, CdrRecord, parse_lines

BLOCK = 1 << 16
SLACK = timedelta(hours=2)


def _tail_lines(path: Path, since_at: datetime, slack: timedelta) -> list[str]:
    """The file's last lines, back to a block whose records all ended before ``since - slack``."""
    floor = since_at - slack
    lines: list[str] = []
    with path.open("rb") as f:
        f.seek(0, os.SEEK_END)
        pos = f.tell()
        carry = b""
        while pos > 0:
            size = min(BLOCK, pos)
            pos -= size
            f.seek(pos)
            data = f.read(size) + carry
            first, _, rest = data.partition(b"\n") if pos > 0 else (b"", b"", data)
            carry = first
            block = rest.decode("utf-8", errors="replace").split("\n")
            lines[:0] = block
            records, _ = parse_lines(block)
            if records and max(r.end_at for r in records) < floor:
                break
    return lines


def read_since(
    path: Path, since_at: datetime, slack: timedelta = SLACK
) -> tuple[list[CdrRecord], list[CdrLineError]]:
    """Records of ``path`` (and of ``path.1``, a rotated file) that ended at ``since_at - slack``
    or later, oldest file first; the lines that could not be read. A missing file has none."""
    records: list[CdrRecord] = []
    errors: list[CdrLineError] = []
    for candidate in (path.with_name(path.name + ".1"), path):
        if not candidate.exists():
            continue
        got, bad = parse_lines(_tail_lines(candidate, since_at, slack))
        records += [r for r in got if r.end_at >= since_at - slack]
        errors += bad
    return records, errors
