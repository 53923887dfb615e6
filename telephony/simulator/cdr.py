"""The simulated PBX's CDR engine: what cdr_csv writes to ``Master.csv`` for its channels.

Pure module (the server writes the file, ``telephony.cdr.format_record`` the lines). The rules,
from capture ``24-cdr-master.csv`` and Asterisk's CDR engine (main/cdr.c):

* every channel is the *party A* of its own records, except a leg a Dial created (it is the
  caller's ``dstchannel``, with no line of its own);
* a record starts with its channel (``start``); ``answer`` is when the channel answered, or the
  record's start if it answered before; ``dst`` / ``dcontext`` / ``lastapp`` / ``lastdata``
  follow the dialplan (``AppDial`` is not an application of the channel's own);
* a Dial that is not answered ends the record (disposition from ``DIALSTATUS``: ``NO ANSWER``,
  ``BUSY``, ``FAILED``, ``CONGESTION``); if the channel goes on in the dialplan it does so in a
  new one (same uniqueid and userfield); an answered Dial's record is ``ANSWERED`` and is closed when its bridge breaks up
  (a CDR cannot be changed after that): what the channel runs afterwards is not recorded unless
  it dials or is bridged again;
* ``CDR(userfield)`` set by the dialplan goes on the open record;
* the records are written when the channel hangs up, in hangup order; with cdr.conf
  ``unanswered = no`` (the stock default) a record that was never answered is not written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from telephony.cdr import ANSWERED, CdrRecord

DIAL_DISPOSITION = {
    "ANSWER": ANSWERED,
    "BUSY": "BUSY",
    "CONGESTION": "CONGESTION",
    "CHANUNAVAIL": "FAILED",
    "FAILED": "FAILED",
}  # anything else (NOANSWER, CANCEL): NO ANSWER
CAUSE_DISPOSITION = {17: "BUSY", 34: "CONGESTION"}


@dataclass
class OpenCdr:
    """One record of a party A channel, as the CDR engine holds it until it is written."""

    start_s: float
    answer_s: float | None
    dst: str
    dcontext: str
    userfield: str = ""
    lastapp: str = ""
    lastdata: str = ""
    dstchannel: str = ""
    disposition: str | None = None
    end_s: float | None = None  # set: closed (its bridge broke up, or its Dial failed)


@dataclass
class ChannelCdr:
    """The records of one channel: ``done`` ones (ended, not yet written) and the open one.
    After a failed Dial the next record starts only if the channel goes on in the dialplan
    (``resume_at``): a caller who hangs up while the agent's phone rings leaves one record."""

    current: OpenCdr
    done: list[OpenCdr] = field(default_factory=list)
    resume_at: tuple[float, bool] | None = None  # (when, answered) the failed Dial ended


def opened(now_s: float, context: str, exten: str) -> ChannelCdr:
    return ChannelCdr(OpenCdr(now_s, None, exten, context))


def _next(cdr: ChannelCdr, now_s: float, answered: bool) -> OpenCdr:
    """The record the channel goes on in after ``cdr.current`` ended."""
    old = cdr.current
    cdr.done.append(old)
    cdr.current = OpenCdr(
        now_s,
        now_s if answered else None,
        old.dst,
        old.dcontext,
        userfield=old.userfield,
        lastapp=old.lastapp,
        lastdata=old.lastdata,
    )
    return cdr.current


def exten(cdr: ChannelCdr, context: str, ext: str, app: str, data: str) -> None:
    if app.lower().startswith("appdial"):
        return
    if cdr.resume_at is not None:  # going on after a failed Dial: a new record
        _next(cdr, *cdr.resume_at)
        cdr.resume_at = None
    record = cdr.current
    if record.end_s is not None:
        return
    record.dcontext, record.dst, record.lastapp, record.lastdata = context, ext, app, data


def answered(cdr: ChannelCdr, now_s: float) -> None:
    if cdr.current.answer_s is None:
        cdr.current.answer_s = now_s


def dial_begins(cdr: ChannelCdr, callee: str, now_s: float, answered: bool) -> None:
    cdr.resume_at = None
    record = cdr.current
    if record.end_s is not None:  # dialling again after a bridge or a failed Dial
        record = _next(cdr, now_s, answered)
    record.dstchannel = callee


def dial_failed(cdr: ChannelCdr, status: str, now_s: float, answered: bool) -> None:
    record = cdr.current
    if record.end_s is not None:
        return
    record.disposition = DIAL_DISPOSITION.get(status, "NO ANSWER")
    record.end_s = now_s
    cdr.resume_at = (now_s, answered)


def bridged(cdr: ChannelCdr, peer: str, now_s: float, answered: bool) -> None:
    """Bridged by something else than its own Dial (the AMI Bridge action)."""
    cdr.resume_at = None
    record = cdr.current
    if record.end_s is not None:
        record = _next(cdr, now_s, answered)
    record.dstchannel = peer


def bridge_ended(cdr: ChannelCdr, now_s: float) -> None:
    record = cdr.current
    if record.end_s is None and record.dstchannel:
        record.disposition = ANSWERED
        record.end_s = now_s


def set_userfield(cdr: ChannelCdr, value: str) -> None:
    if cdr.current.end_s is None:  # a CDR cannot be changed once its bridge broke up
        cdr.current.userfield = value


def _at(wall_s: float) -> datetime:
    return datetime.fromtimestamp(int(wall_s), UTC)


def _ms(seconds: float) -> int:
    """Whole milliseconds (Asterisk's ``ast_tvdiff_ms``), the engine's float sums rounded."""
    return int(round(seconds * 1000))


def _clid(num: str, name: str) -> str:
    if name and num:
        return f'"{name}" <{num}>'
    return name or num


def records(
    cdr: ChannelCdr,
    *,
    channel: str,
    uniqueid: str,
    cid_num: str,
    cid_name: str,
    cause: int,
    now_s: float,
    epoch_s: float,
    unanswered: bool,
) -> list[CdrRecord]:
    """The lines to write for a channel that hangs up now (engine times are offsets from
    ``epoch_s``)."""
    out: list[CdrRecord] = []
    num = "" if cid_num == "<unknown>" else cid_num
    name = "" if cid_name == "<unknown>" else cid_name
    for r in [*cdr.done, cdr.current]:
        end_s = r.end_s if r.end_s is not None else now_s
        if r.answer_s is None and not unanswered:
            continue
        disposition = r.disposition or (
            ANSWERED if r.answer_s is not None else CAUSE_DISPOSITION.get(cause, "NO ANSWER")
        )
        answer_ms = 0 if r.answer_s is None else _ms(end_s - max(r.answer_s, r.start_s))
        out.append(
            CdrRecord(
                accountcode="",
                src=num,
                dst=r.dst,
                dcontext=r.dcontext,
                clid=_clid(num, name),
                channel=channel,
                dstchannel=r.dstchannel,
                lastapp=r.lastapp,
                lastdata=r.lastdata,
                start_at=_at(epoch_s + r.start_s),
                answer_at=(
                    None if r.answer_s is None else _at(epoch_s + max(r.answer_s, r.start_s))
                ),
                end_at=_at(epoch_s + end_s),
                duration_s=_ms(end_s - r.start_s) // 1000,
                billsec_s=answer_ms // 1000,
                disposition=disposition,
                amaflags="DOCUMENTATION",
                uniqueid=uniqueid,
                userfield=r.userfield,
            )
        )
    return out
