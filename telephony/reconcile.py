"""What a bridge does at a login about the calls it missed: pure rules, values in, events out.

At every login (first start, reconnect, restart after a crash) the bridge compares what the
platform believes is live (``KnownCall``: the router's queues and agents, the store's open
``calls`` rows, and the calls the bridge itself still had in memory) with the channels Asterisk
lists (``present``: every Linkedid and ``CC_CALL_ID`` of the ``Status`` snapshot), over the *gap*
(``Gap``: from the last moment a bridge heard this Asterisk to this login). ``plan`` returns the
events that make the platform agree with Asterisk:

* ``telephony.gap`` for the gap itself (reports show its minutes as "no data");
* a known call Asterisk no longer has is over: if its CDR says how (``CdrCall``), those times
  and that outcome, with ``reason: backfilled``; else a guess with ``reason: gap`` dated at the
  gap's end (the call ended somewhere inside it, both bounds in the payload): an answered call
  ends, a waiting or offered one is abandoned. Ended calls free their agents through the
  router's usual handling of ``call.ended`` / ``call.abandoned`` (queueing/events.lua ``gone``);
* a call of the CDR that the platform never saw (it began and ended inside the gap) is recorded
  whole, ``reason: backfilled``, unless the store already has it ended;
* callers Asterisk still has are not this module's: the translator's snapshot handling queues
  them (again) with their original arrival time, under the ids the live events had.

Every event id is the one the live translator gives the same transition
(``make_event_id(call_id, "ended")`` ...), so a replay, a second reconcile of the same gap or a
call whose live end did reach the stream change nothing; a CDR-derived event replaces the gap
guess of the same id in the store (``store.writer``). For a call the router never saw, ``call.ended``
is published before ``call.arrived``: the router then marks the call ended and never queues it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from kernel.events import REASON_BACKFILLED, REASON_GAP, DomainEvent, make_event_id
from telephony.cdr import CdrCall
from telephony.translator import CallState


@dataclass(frozen=True, slots=True)
class Gap:
    """The time no bridge heard Asterisk ``source`` (``host:port``)."""

    source: str
    from_at: datetime
    to_at: datetime

    def event(self) -> DomainEvent:
        return DomainEvent(
            id=make_event_id("gap", self.source, self.from_at.isoformat(), self.to_at.isoformat()),
            ts=self.to_at,
            type="telephony.gap",
            payload={
                "source": self.source,
                "from_at": self.from_at.isoformat(),
                "to_at": self.to_at.isoformat(),
            },
        )


@dataclass(frozen=True, slots=True)
class KnownCall:
    """A call the platform believes live. ``answered``: an agent took it (``agent_id``);
    otherwise it waits, or is offered to ``agent_id``."""

    call_id: str
    direction: str = "inbound"
    queue: str | None = None
    answered: bool = False
    agent_id: str | None = None
    arrived_at: datetime | None = None


def known_from_memory(calls: Iterable[CallState]) -> list[KnownCall]:
    """The calls a bridge still had in memory (its translator's) as known calls."""
    return [
        KnownCall(
            call_id=c.call_id,
            direction=c.direction,
            queue=c.queue,
            answered=c.answered,
            agent_id=c.agent_id or c.target_agent_id,
            arrived_at=c.started_at,
        )
        for c in calls
    ]


def merge_known(*sources: Iterable[KnownCall]) -> dict[str, KnownCall]:
    """One view of the sources, by call id: answered if any says so (with that agent), the
    earliest arrival, the first queue and direction given."""
    out: dict[str, KnownCall] = {}
    for source in sources:
        for call in source:
            seen = out.get(call.call_id)
            if seen is None:
                out[call.call_id] = call
                continue
            arrived = [t for t in (seen.arrived_at, call.arrived_at) if t is not None]
            better = call if call.answered and not seen.answered else seen
            out[call.call_id] = replace(
                better,
                queue=seen.queue or call.queue,
                agent_id=better.agent_id or seen.agent_id or call.agent_id,
                arrived_at=min(arrived) if arrived else None,
            )
    return out


def _gap_payload(gap: Gap | None, reason: str) -> dict[str, Any]:
    return {
        "reason": reason,
        "gap_from_at": gap.from_at.isoformat() if gap else None,
        "gap_to_at": gap.to_at.isoformat() if gap else None,
    }


def _event(
    type_: str,
    call_id: str,
    transition: str,
    ts: datetime,
    payload: dict[str, Any],
    agent_id: str | None = None,
) -> DomainEvent:
    return DomainEvent(
        id=make_event_id(call_id, transition),
        ts=ts,
        type=type_,
        call_id=call_id,
        agent_id=agent_id,
        payload=payload,
    )


def _wait_s(arrived_at: datetime | None, at: datetime) -> float | None:
    if arrived_at is None:
        return None
    return round(max((at - arrived_at).total_seconds(), 0.0), 3)


def end_by_guess(call: KnownCall, gap: Gap | None, now: datetime) -> list[DomainEvent]:
    """Asterisk no longer has ``call`` and nothing says how it ended: it ended inside the gap
    (dated at its end, when the platform learnt it); not answered, it was abandoned."""
    ts = gap.to_at if gap else now
    extra = _gap_payload(gap, REASON_GAP)
    out: list[DomainEvent] = []
    if not call.answered and call.direction == "inbound":
        out.append(
            _event(
                "call.abandoned",
                call.call_id,
                "abandoned",
                ts,
                {"queue": call.queue, "wait_s": _wait_s(call.arrived_at, ts), **extra},
            )
        )
    out.append(
        _event(
            "call.ended",
            call.call_id,
            "ended",
            ts,
            {"who": "unknown", "cause": None, "answered": call.answered, **extra},
            agent_id=call.agent_id if call.answered else None,
        )
    )
    return out


def end_by_cdr(cdr: CdrCall, gap: Gap | None, known: KnownCall | None = None) -> list[DomainEvent]:
    """The end of a call as its CDR tells it (``reason: backfilled``); ``known`` is what the
    platform already had (an answer it saw is not repeated, an agent it knew is kept)."""
    extra = _gap_payload(gap, REASON_BACKFILLED)
    queue = cdr.queue or (known.queue if known else None)
    out: list[DomainEvent] = []
    answered = cdr.answered or (known is not None and known.answered)
    agent_id = cdr.agent_id or (known.agent_id if known and known.answered else None)
    if cdr.answered and not (known and known.answered):
        at = cdr.answered_at or cdr.arrived_at
        out.append(
            _event(
                "call.answered",
                cdr.call_id,
                "answered",
                at,
                {
                    "agent_id": agent_id,
                    "queue": queue,
                    "wait_s": _wait_s(cdr.arrived_at, at),
                    **extra,
                },
                agent_id=agent_id,
            )
        )
    if not answered and cdr.direction == "inbound":
        out.append(
            _event(
                "call.abandoned",
                cdr.call_id,
                "abandoned",
                cdr.ended_at,
                {"queue": queue, "wait_s": _wait_s(cdr.arrived_at, cdr.ended_at), **extra},
            )
        )
    out.append(
        _event(
            "call.ended",
            cdr.call_id,
            "ended",
            cdr.ended_at,
            {"who": "unknown", "cause": None, "answered": answered, **extra},
            agent_id=agent_id if answered else None,
        )
    )
    return out


def backfill(cdr: CdrCall, gap: Gap | None) -> list[DomainEvent]:
    """A call the platform never saw, from its CDR: its end first (the router marks it ended
    and never queues it), then its arrival."""
    arrived = _event(
        "call.arrived",
        cdr.call_id,
        "arrived",
        cdr.arrived_at,
        {
            "direction": "inbound",
            "caller": cdr.caller,
            "caller_name": cdr.caller_name,
            "dialled": cdr.dialled,
            "queue": cdr.queue,
            "customer_id": None,
            "channel": cdr.channel,
            **_gap_payload(gap, REASON_BACKFILLED),
        },
    )
    return [*end_by_cdr(cdr, gap), arrived]


@dataclass(frozen=True, slots=True)
class Plan:
    """What a login's reconcile publishes, and why (for logs and the bench)."""

    events: list[DomainEvent]
    ended_by_guess: list[str]
    ended_by_cdr: list[str]
    backfilled: list[str]


def plan(
    known: Mapping[str, KnownCall],
    present: set[str],
    gap: Gap | None,
    cdr_calls: Mapping[str, CdrCall],
    stored_ended: set[str],
    now: datetime,
) -> Plan:
    """The events that bring the platform in line with Asterisk after ``gap``.

    ``known``: calls the platform believes live; ``present``: call ids and Linkedids of the
    channels Asterisk lists now; ``cdr_calls``: the CDR's calls that ended since the gap began
    (empty without ``[ami] cdr_csv``); ``stored_ended``: those of them the store has ended.
    """
    events: list[DomainEvent] = [gap.event()] if gap else []
    guessed: list[str] = []
    from_cdr: list[str] = []
    for call_id, call in sorted(known.items()):
        if call_id in present:
            continue
        cdr = cdr_calls.get(call_id)
        if cdr is not None:
            events += end_by_cdr(cdr, gap, call)
            from_cdr.append(call_id)
        else:
            events += end_by_guess(call, gap, now)
            guessed.append(call_id)
    backfilled: list[str] = []
    for call_id, cdr in sorted(cdr_calls.items(), key=lambda kv: (kv[1].arrived_at, kv[0])):
        if call_id in known or call_id in present or call_id in stored_ended:
            continue
        if cdr.direction != "inbound":
            continue  # an outbound call is the platform's: it knows it, or it is not ours
        events += backfill(cdr, gap)
        backfilled.append(call_id)
    return Plan(events, guessed, from_cdr, backfilled)
