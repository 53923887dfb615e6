"""Asterisk's call detail records as cdr_csv writes them (``Master.csv``): lines in, calls out.

Pure module: ``parse_lines`` turns text lines into ``CdrRecord``s (and says which lines it could
not read, and why), ``format_record`` is its inverse (the PBX simulator writes the same file),
``calls_from_records`` turns the records of the platform's customer channels into ``CdrCall``s,
the calls the bridge's reconcile backfills (``telephony.reconcile``).

The format is cdr_csv's with the sample ``config/asterisk/cdr.conf`` (``loguniqueid``,
``loguserfield``, ``usegmtime``): 18 columns, text quoted, ``duration`` and ``billsec`` not,
times UTC ``YYYY-MM-DD HH:MM:SS`` (capture ``24-cdr-master.csv``)::

    accountcode, src, dst, dcontext, clid, channel, dstchannel, lastapp, lastdata, start, answer,
    end, duration, billsec, disposition, amaflags, uniqueid, userfield

One line per CDR, written when it ends; a CDR's *party A* is the channel of the line, so the
agent leg that a caller's ``Dial`` created has no line of its own (it is ``dstchannel``). What
the CDR alone does not say, the dialplan writes into the customer channel's ``userfield``
(``config/asterisk/extensions.conf``; a CDR may be changed only while its bridge is up, so it is
set before each Dial)::

    cc;q=<queue>;n=<DID>                 cc-inbound, once the queue is known
    <the part above>/a=<agent>;c=<CC_CALL_ID>;t=<epoch s>   cc-connect, just before Dial

Every inbound line is ``ANSWERED`` (the dialplan answers before queueing), so whether an *agent*
answered comes from the Dial: a line of the connect context whose last application is ``Dial``,
with a ``dstchannel``, and whose disposition is ``ANSWERED`` (a Dial that was not answered leaves
``NO ANSWER``). Its
agent is the connect extension (``dst``); the answer time is estimated as the Dial's start
(``t``): a CDR has no column for when the called party answered.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from telephony.errors import TelephonyError

COLUMNS = (
    "accountcode",
    "src",
    "dst",
    "dcontext",
    "clid",
    "channel",
    "dstchannel",
    "lastapp",
    "lastdata",
    "start",
    "answer",
    "end",
    "duration",
    "billsec",
    "disposition",
    "amaflags",
    "uniqueid",
    "userfield",
)
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
ANSWERED = "ANSWERED"
USERFIELD_MARK = "cc"  # the first item of the platform's userfield (``cc;q=...``)


class CdrLineError(TelephonyError):
    """A Master.csv line that cannot be read: ``line_no`` (1-based in the input), ``reason``."""

    def __init__(self, line_no: int, reason: str, text: str) -> None:
        self.line_no = line_no
        self.reason = reason
        self.text = text
        super().__init__(f"Master.csv line {line_no}: {reason}: {text[:120]!r}")


@dataclass(frozen=True, slots=True)
class CdrRecord:
    """One Master.csv line; times are aware UTC datetimes, whole seconds as Asterisk prints."""

    accountcode: str
    src: str
    dst: str
    dcontext: str
    clid: str
    channel: str
    dstchannel: str
    lastapp: str
    lastdata: str
    start_at: datetime
    answer_at: datetime | None
    end_at: datetime
    duration_s: int
    billsec_s: int
    disposition: str
    amaflags: str
    uniqueid: str
    userfield: str


@dataclass(frozen=True, slots=True)
class CdrCall:
    """A call of the platform's as its CDR lines tell it (``calls_from_records``)."""

    call_id: str
    uniqueid: str  # the customer's channel
    direction: str  # inbound | outbound
    queue: str | None
    caller: str | None
    caller_name: str | None
    dialled: str | None
    channel: str
    arrived_at: datetime
    ended_at: datetime
    agent_id: str | None  # the agent who answered (None: no agent did)
    answered_at: datetime | None  # estimated: the answering Dial's start

    @property
    def answered(self) -> bool:
        return self.agent_id is not None


def _time(text: str, column: str) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.strptime(text, TIME_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        raise ValueError(f"{column}: not a time as {TIME_FORMAT!r}: {text!r}") from None


def _record(fields: list[str]) -> CdrRecord:
    if len(fields) != len(COLUMNS):
        hint = " (cdr.conf needs loguniqueid and loguserfield)" if len(fields) == 16 else ""
        raise ValueError(f"{len(fields)} columns, expected {len(COLUMNS)}{hint}")
    row = dict(zip(COLUMNS, fields, strict=True))
    start, end = _time(row["start"], "start"), _time(row["end"], "end")
    if start is None or end is None:
        raise ValueError("start and end must be set")
    numbers: dict[str, int] = {}
    for column in ("duration", "billsec"):
        try:
            numbers[column] = int(row[column])
        except ValueError:
            raise ValueError(f"{column}: not a whole number: {row[column]!r}") from None
    return CdrRecord(
        accountcode=row["accountcode"],
        src=row["src"],
        dst=row["dst"],
        dcontext=row["dcontext"],
        clid=row["clid"],
        channel=row["channel"],
        dstchannel=row["dstchannel"],
        lastapp=row["lastapp"],
        lastdata=row["lastdata"],
        start_at=start,
        answer_at=_time(row["answer"], "answer"),
        end_at=end,
        duration_s=numbers["duration"],
        billsec_s=numbers["billsec"],
        disposition=row["disposition"],
        amaflags=row["amaflags"],
        uniqueid=row["uniqueid"],
        userfield=row["userfield"],
    )


def parse_lines(lines: Iterable[str]) -> tuple[list[CdrRecord], list[CdrLineError]]:
    """The records of ``lines`` (text lines of Master.csv, line ends optional) in order, and an
    error for each line that is not a record (blank lines are skipped silently)."""
    records: list[CdrRecord] = []
    errors: list[CdrLineError] = []
    for line_no, line in enumerate(lines, start=1):
        text = line.rstrip("\r\n")
        if not text.strip():
            continue
        try:
            fields = next(csv.reader([text], strict=True))
            records.append(_record(fields))
        except (csv.Error, ValueError) as exc:
            errors.append(CdrLineError(line_no, str(exc), text))
    return records, errors


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _format_time(at: datetime | None) -> str:
    return "" if at is None else at.astimezone(UTC).strftime(TIME_FORMAT)


def format_record(r: CdrRecord) -> str:
    """The Master.csv line of ``r`` (no line end), as cdr_csv writes it: every text field
    quoted (empty ones too), ``duration`` and ``billsec`` bare."""
    texts = [
        r.accountcode,
        r.src,
        r.dst,
        r.dcontext,
        r.clid,
        r.channel,
        r.dstchannel,
        r.lastapp,
        r.lastdata,
        _format_time(r.start_at),
        _format_time(r.answer_at),
        _format_time(r.end_at),
    ]
    tail = [r.disposition, r.amaflags, r.uniqueid, r.userfield]
    return ",".join(
        [*map(_quoted, texts), str(r.duration_s), str(r.billsec_s), *map(_quoted, tail)]
    )


def parse_userfield(text: str) -> dict[str, str] | None:
    """The platform's userfield as a dict (``q``, ``n``, ``a``, ``c``, ``t``); None for a
    userfield the platform's dialplan did not write. The last value of a key wins."""
    head, _, connect = text.partition("/")
    items = head.split(";")
    if items[0] != USERFIELD_MARK and not connect.startswith("a="):
        return None
    out: dict[str, str] = {}
    for item in [*items[1:], *connect.split(";")]:
        key, sep, value = item.partition("=")
        if sep and key:
            out[key] = value
    return out


def _caller_name(clid: str) -> str | None:
    """``"Nina" <15551230901>`` -> ``Nina``."""
    name = clid.rpartition("<")[0].strip() if "<" in clid else ""
    if len(name) >= 2 and name[0] == name[-1] == '"':
        name = name[1:-1]
    return name or None


def _epoch(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromtimestamp(int(text), UTC)
    except (ValueError, OverflowError, OSError):
        return None


def calls_from_records(
    records: Iterable[CdrRecord], connect_context: str = "cc-connect"
) -> dict[str, CdrCall]:
    """The platform's calls in ``records`` by call id: the lines of each customer channel (a
    channel has several when a Dial was not answered and it went on), merged: arrived at the
    first start, ended at the last end, answered by the agent of an answered Dial. Lines
    without the platform's userfield (agent phones, internal calls) are not calls of ours."""
    by_channel: dict[str, list[tuple[CdrRecord, Mapping[str, str]]]] = {}
    for r in records:
        parsed = parse_userfield(r.userfield)
        if parsed is not None and r.uniqueid:
            by_channel.setdefault(r.uniqueid, []).append((r, parsed))
    out: dict[str, CdrCall] = {}
    for uniqueid, lines in by_channel.items():
        lines.sort(key=lambda x: (x[0].start_at, x[0].end_at))
        first = lines[0][0]
        merged: dict[str, str] = {}
        for _, fields in lines:
            merged.update({k: v for k, v in fields.items() if v})
        answered = [
            (r, f)
            for r, f in lines
            if r.lastapp == "Dial"
            and r.disposition == ANSWERED
            and r.dcontext == connect_context
            and r.dstchannel
        ]
        agent_id: str | None = None
        answered_at: datetime | None = None
        if answered:
            r, f = answered[-1]
            agent_id = r.dst or f.get("a") or None
            answered_at = max(_epoch(f.get("t")) or r.start_at, first.start_at)
        inbound = "q" in merged
        call_id = merged.get("c") or uniqueid
        out[call_id] = CdrCall(
            call_id=call_id,
            uniqueid=uniqueid,
            direction="inbound" if inbound else "outbound",
            queue=merged.get("q") or None,
            caller=(first.src or None) if inbound else None,
            caller_name=_caller_name(first.clid) if inbound else None,
            dialled=merged.get("n") or None,
            channel=first.channel,
            arrived_at=first.start_at,
            ended_at=max(r.end_at for r, _ in lines),
            agent_id=agent_id,
            answered_at=answered_at,
        )
    return out


def parse_bytes(data: bytes) -> tuple[list[CdrRecord], list[CdrLineError]]:
    """``parse_lines`` of Master.csv bytes (a byte that is not UTF-8 is replaced, not fatal)."""
    return parse_lines(data.decode("utf-8", errors="replace").split("\n"))
