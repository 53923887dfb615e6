"""Reading the files a command is given, defensively: one place for every command that reads a
file (settings, customers and sales CSVs, planner CSVs, QA forms and answers, scenarios, password
files), so a bad file is one line naming it, never a traceback.

``read_text`` refuses, with a ``FileReadError`` naming the file (and the line and column where
there is one): a missing file, a directory, an unreadable file, a file over ``MAX_FILE_BYTES``,
binary data (a NUL byte in it) and bytes that are not UTF-8. A UTF-8 byte order mark is dropped.

``read_csv_text`` is for files imported row by row (customers, sales): bytes that are not UTF-8
do not refuse the file; each undecodable byte stays in the text as a lone surrogate
(``surrogateescape``) so the row that holds it is refused by line (``csv_records`` says which)
and the other rows are imported.

``csv_records`` reads CSV text row by row with a field limit of ``CSV_FIELD_LIMIT`` (Python's
default, 128 KiB, is raised): a row the csv module cannot read (a field over the limit, a stray
carriage return) or that holds undecodable bytes is a ``CsvRowError`` with its line, and reading
goes on with the next row.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

MAX_FILE_BYTES = 200 * 1024 * 1024
CSV_FIELD_LIMIT = 1024 * 1024
_SNIFF_BYTES = 8192
_UNDECODED = re.compile("[\udc80-\udcff]")


class FileReadError(Exception):
    """A file that cannot be used; ``str()`` is one line: ``path[:line[:column]]: message``."""

    def __init__(
        self, path: str | Path, message: str, line: int | None = None, column: int | None = None
    ) -> None:
        self.path = str(path)
        self.message = message
        self.line = line
        self.column = column
        where = self.path
        if line is not None:
            where += f":{line}" + (f":{column}" if column is not None else "")
        super().__init__(f"{where}: {message}")


class CsvRowError(Exception):
    """A CSV row that cannot be read; ``line`` is where that was found."""

    def __init__(self, line: int, message: str) -> None:
        self.line = line
        self.message = message
        super().__init__(f"line {line}: {message}")


def _position(raw: bytes, offset: int) -> tuple[int, int]:
    """(line, column), both from 1, of byte ``offset``."""
    line = raw.count(b"\n", 0, offset) + 1
    return line, offset - (raw.rfind(b"\n", 0, offset) + 1) + 1


def read_bytes(path: str | Path, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The file's bytes; refuses directories, unreadable, oversized and binary files."""
    p = Path(path)
    try:
        with p.open("rb") as f:
            size = os.fstat(f.fileno()).st_size  # 0 for pipes and devices: read with a cap
            if size > max_bytes:
                raise FileReadError(p, f"larger than {max_bytes} bytes")
            first = f.read(_SNIFF_BYTES)
            nul = first.find(b"\x00")
            if nul >= 0:
                line, column = _position(first, nul)
                raise FileReadError(p, "binary data (a NUL byte), not UTF-8 text", line, column)
            raw = first + f.read(max_bytes + 1 - len(first))
    except IsADirectoryError:
        raise FileReadError(p, "is a directory, not a file") from None
    except FileNotFoundError:
        raise FileReadError(p, "file not found") from None
    except OSError as exc:
        raise FileReadError(p, f"cannot read: {exc.strerror or exc}") from None
    if len(raw) > max_bytes:
        raise FileReadError(p, f"larger than {max_bytes} bytes")
    nul = raw.find(b"\x00")
    if nul >= 0:
        line, column = _position(raw, nul)
        raise FileReadError(p, "binary data (a NUL byte), not UTF-8 text", line, column)
    return raw


def read_text(path: str | Path, max_bytes: int = MAX_FILE_BYTES) -> str:
    """The file as UTF-8 text (BOM dropped); see the module docstring for what is refused."""
    raw = read_bytes(path, max_bytes)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, column = _position(raw, exc.start)
        bad = raw[exc.start : exc.start + 1].hex()
        raise FileReadError(path, f"not UTF-8 text (byte 0x{bad})", line, column) from None


def read_csv_text(path: str | Path, max_bytes: int = MAX_FILE_BYTES) -> str:
    """The file as text for a row-by-row import: undecodable bytes are kept as lone surrogates
    for ``csv_records`` to refuse their rows by line."""
    return read_bytes(path, max_bytes).decode("utf-8", "surrogateescape").removeprefix("\ufeff")


def undecodable(text: str) -> str | None:
    """The first byte of ``text`` that was not UTF-8 (as ``0xff``), if any."""
    m = _UNDECODED.search(text)
    return f"0x{ord(m.group()) - 0xDC00:02x}" if m else None


def csv_records(text: str) -> Iterator[tuple[int, list[str] | CsvRowError]]:
    """(line, fields) for each row of CSV ``text``, or (line, ``CsvRowError``) for a row that
    cannot be read; the next rows are read all the same. ``line`` is the row's last line (a
    quoted value may span lines), as ``csv.reader.line_num`` counts."""
    csv.field_size_limit(CSV_FIELD_LIMIT)
    reader = csv.reader(io.StringIO(text, newline=""))
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield reader.line_num, CsvRowError(reader.line_num, f"not readable as CSV: {exc}")
            continue
        bad = undecodable("".join(row))
        if bad is not None:
            yield reader.line_num, CsvRowError(reader.line_num, f"not UTF-8 text (byte {bad})")
            continue
        yield reader.line_num, row


def csv_dicts(text: str) -> tuple[list[str], Iterator[tuple[int, dict[Any, Any] | CsvRowError]]]:
    """The header (names stripped) and each non-blank row by column name, as ``csv.DictReader``
    gives it (missing values ``None``, extra ones in a list under the key ``None``), or the row's
    ``CsvRowError``. An unreadable header raises its ``CsvRowError``."""
    records = csv_records(text)
    _, first = next(records, (0, []))
    if isinstance(first, CsvRowError):
        raise first
    header = [h.strip() for h in first]

    def rows() -> Iterator[tuple[int, dict[Any, Any] | CsvRowError]]:
        for line, row in records:
            if isinstance(row, CsvRowError):
                yield line, row
            elif row:
                values: dict[Any, Any] = dict(zip(header, row, strict=False))
                values.update(dict.fromkeys(header[len(row) :]))
                if len(row) > len(header):
                    values[None] = row[len(header) :]
                yield line, values

    return header, rows()
