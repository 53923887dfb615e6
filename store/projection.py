"""Pure projection of domain events onto the read models (``calls``, ``agent_states``).

The writer loads the current rows touched by a batch, calls ``project`` and writes back what it
returns; no I/O here, so the arithmetic (wait, talk, hold, wrap-up seconds) is unit-tested
directly. Rows are plain dicts keyed by column name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kernel.events import REASON_BACKFILLED, REASON_GAP, DomainEvent

Row = dict[str, Any]


@dataclass
class Projection:
    calls: dict[str, Row] = field(default_factory=dict)  # call_id -> full row to upsert
    states: list[Row] = field(default_factory=list)  # rows with "id" update, without insert


def _secs(later: datetime | None, earlier: datetime | None) -> float | None:
    if later is None or earlier is None:
        return None
    return max(0.0, (later - earlier).total_seconds())


def new_call_row(call_id: str) -> Row:
    return {
        "call_id": call_id,
        "direction": "inbound",
        "queue_id": None,
        "caller": None,
        "dialled": None,
        "customer_id": None,
        "priority": None,
        "agent_id": None,
        "arrived_at": None,
        "queued_at": None,
        "answered_at": None,
        "ended_at": None,
        "wrapped_at": None,
        "hold_started_at": None,
        "wait_s": None,
        "talk_s": None,
        "hold_s": 0.0,
        "wrap_s": None,
        "outcome": None,
        "ended_by": None,
        "disposition": None,
        "notes": None,
        "transferred": False,
        "offers": 0,
        "survey_score": None,
        "survey_reason": None,
        "updated_at": None,
    }


def _earliest(current: datetime | None, ts: datetime) -> datetime:
    return ts if current is None or ts < current else current


def _arrived(r: Row, ev: DomainEvent) -> None:
    p, t = ev.payload, ev.type
    r["direction"] = p.get("direction", "outbound" if t == "call.originated" else "inbound")
    r["arrived_at"] = _earliest(r["arrived_at"], ev.ts)
    for col, key in (
        ("caller", "caller"),
        ("dialled", "dialled"),
        ("queue_id", "queue"),
        ("customer_id", "customer_id"),
        ("priority", "priority"),
    ):
        if p.get(key) is not None:
            r[col] = p[key]
    if t == "call.originated":
        r["caller"] = r["caller"] or p.get("number")
        r["agent_id"] = ev.agent_id or r["agent_id"]


def _queued(r: Row, ev: DomainEvent) -> None:
    p = ev.payload
    r["queued_at"] = _earliest(r["queued_at"], ev.ts)
    r["arrived_at"] = _earliest(r["arrived_at"], ev.ts)
    if p.get("direction") is not None:  # outbound work is queued before it is dialled
        r["direction"] = p["direction"]
    if p.get("queue") is not None:
        r["queue_id"] = p["queue"]
    if p.get("priority") is not None:
        r["priority"] = p["priority"]


def _moved(r: Row, ev: DomainEvent) -> None:
    # the call now counts in its new queue, still in the interval it arrived
    if ev.payload.get("queue") is not None:
        r["queue_id"] = ev.payload["queue"]


def _offered(r: Row, ev: DomainEvent) -> None:
    r["offers"] = (r["offers"] or 0) + 1


def _answered(r: Row, ev: DomainEvent) -> None:
    if r["answered_at"] is None or ev.ts < r["answered_at"]:
        r["answered_at"] = ev.ts
    r["agent_id"] = ev.agent_id or ev.payload.get("agent_id") or r["agent_id"]
    r["outcome"] = "answered"


def _held(r: Row, ev: DomainEvent) -> None:
    if r["hold_started_at"] is None:
        r["hold_started_at"] = ev.ts


def _resumed(r: Row, ev: DomainEvent) -> None:
    _close_hold(r, ev.ts)


def _transferred(r: Row, ev: DomainEvent) -> None:
    r["transferred"] = True


def _callback_asked(r: Row, ev: DomainEvent) -> None:
    # the caller asked to be called back instead of waiting: their hang-up is no abandon
    # (the dial is a call of its own, with ``origin_call_id`` = this one)
    if r["outcome"] in (None, "abandoned"):
        r["outcome"] = "callback"


def _abandoned(r: Row, ev: DomainEvent) -> None:
    r["outcome"] = "callback" if r["outcome"] == "callback" else "abandoned"
    r["ended_at"] = r["ended_at"] or ev.ts
    r["ended_by"] = r["ended_by"] or "caller"


def _ended(r: Row, ev: DomainEvent) -> None:
    p, ts = ev.payload, ev.ts
    _close_hold(r, ts)
    r["ended_at"] = ts if r["ended_at"] is None or r["outcome"] == "answered" else r["ended_at"]
    r["ended_by"] = p.get("ended_by") or p.get("who") or r["ended_by"]
    if r["outcome"] is None:
        r["outcome"] = "abandoned" if r["direction"] == "inbound" else "not_connected"


def _failed(r: Row, ev: DomainEvent) -> None:
    p = ev.payload
    r["direction"] = p.get("direction", "outbound")  # only originated calls fail to connect
    r["outcome"] = p.get("reason", "failed")
    r["ended_at"] = r["ended_at"] or ev.ts


def _wrapped(r: Row, ev: DomainEvent) -> None:
    p = ev.payload
    r["wrapped_at"] = ev.ts
    r["disposition"] = p.get("disposition", r["disposition"])
    r["notes"] = p.get("notes", r["notes"])
    if p.get("wrap_s") is not None:
        r["wrap_s"] = float(p["wrap_s"])


def _surveyed(r: Row, ev: DomainEvent) -> None:
    # the survey came after the call ended (the agent hung up first): its times stay as they are
    r["survey_score"] = ev.payload.get("score")
    r["survey_reason"] = ev.payload.get("reason")


CALLBACK_ASKED = "outbound.scheduled"  # with kind callback_in_queue: on the caller's call

CALL_EVENTS: dict[str, Callable[[Row, DomainEvent], None]] = {
    "call.arrived": _arrived,
    "call.originated": _arrived,
    "call.queued": _queued,
    "call.moved": _moved,
    "call.offered": _offered,
    "call.answered": _answered,
    "call.held": _held,
    "call.resumed": _resumed,
    "call.transferred": _transferred,
    CALLBACK_ASKED: _callback_asked,
    "call.abandoned": _abandoned,
    "call.ended": _ended,
    "call.failed": _failed,
    "call.wrapped": _wrapped,
    "call.surveyed": _surveyed,
}
"""What each event type does to its call's row (in place, on the copy ``apply_call_event``
makes); other call events change only the derived durations."""


def apply_call_event(row: Row, ev: DomainEvent) -> Row:
    """Return ``row`` updated by one call event (a new dict; ``row`` is not changed)."""
    r = dict(row)
    p = ev.payload
    t = ev.type
    handle = CALL_EVENTS.get(t)
    if handle is not None:
        handle(r, ev)
    # Derived durations, recomputed from the timestamps so event order within a call matters less.
    if r["answered_at"] is not None:
        r["wait_s"] = _secs(r["answered_at"], r["queued_at"] or r["arrived_at"])
        if r["ended_at"] is not None:
            talk = _secs(r["ended_at"], r["answered_at"]) or 0.0
            r["talk_s"] = max(0.0, talk - (r["hold_s"] or 0.0))
    elif r["outcome"] == "abandoned":
        r["wait_s"] = (
            p.get("wait_s")
            if t == "call.abandoned" and "wait_s" in p
            else _secs(r["ended_at"], r["queued_at"] or r["arrived_at"])
        )
    if r["wrapped_at"] is not None and r["wrap_s"] is None:
        r["wrap_s"] = _secs(r["wrapped_at"], r["ended_at"])
    ts = ev.ts
    r["updated_at"] = ts if r["updated_at"] is None or ts > r["updated_at"] else r["updated_at"]
    return r


def touches_call(ev: DomainEvent) -> bool:
    """The event changes its call's ``calls`` row: call events, and a callback asked for in line
    (``outbound.scheduled`` kind ``callback_in_queue``, on the caller's call)."""
    if not ev.call_id:
        return False
    if ev.type.startswith("call."):
        return True
    return ev.type == CALLBACK_ASKED and ev.payload.get("kind") == "callback_in_queue"


def _close_hold(r: Row, ts: datetime) -> Row:
    if r["hold_started_at"] is not None:
        r["hold_s"] = (r["hold_s"] or 0.0) + (_secs(ts, r["hold_started_at"]) or 0.0)
        r["hold_started_at"] = None
    return r


def without_superseded(events: Iterable[DomainEvent]) -> list[DomainEvent]:
    """The events that count: a call's gap guesses (``reason: gap``, made when Asterisk no
    longer had the call) stop counting once its CDR told what happened (``reason:
    backfilled``), e.g. a guessed abandon of a call the CDR shows answered."""
    events = list(events)
    told = {e.call_id for e in events if e.payload.get("reason") == REASON_BACKFILLED}
    return [e for e in events if not (e.call_id in told and e.payload.get("reason") == REASON_GAP)]


def _state_of(ev: DomainEvent) -> tuple[str, str | None] | None:
    if ev.type == "agent.state":
        return ev.payload.get("state", "not_ready"), ev.payload.get("reason")
    if ev.type == "agent.logged_out":
        return "logged_out", None
    return None


def project(
    events: Iterable[DomainEvent],
    calls: dict[str, Row],
    open_states: dict[str, Row],
) -> Projection:
    """Apply ``events`` (any order; sorted here by time) to the given current rows.

    ``calls`` holds the existing rows of the calls the events touch; ``open_states`` the open
    (``end_at`` null) agent-state row of each agent the events touch.
    """
    out = Projection()
    touched_states: dict[int, Row] = {}  # id(row) -> row, keeps insertion order
    open_rows = {a: dict(r) for a, r in open_states.items()}
    for ev in sorted(events, key=lambda e: (e.ts, e.id)):
        if ev.call_id and touches_call(ev):
            row = out.calls.get(ev.call_id) or calls.get(ev.call_id) or new_call_row(ev.call_id)
            out.calls[ev.call_id] = apply_call_event(row, ev)
        change = _state_of(ev)
        if change is None or ev.agent_id is None:
            continue
        state, reason = change
        current = open_rows.get(ev.agent_id)
        if current is not None and current["start_at"] == ev.ts:
            current.update(state=state, reason=reason, call_id=ev.call_id)
            touched_states[id(current)] = current
            continue
        if current is not None and ev.ts < current["start_at"]:
            continue  # a late event older than the open interval: history already moved on
        if current is not None:
            current["end_at"] = ev.ts
            touched_states[id(current)] = current
        new = {
            "agent_id": ev.agent_id,
            "state": state,
            "reason": reason,
            "call_id": ev.call_id,
            "start_at": ev.ts,
            "end_at": None,
        }
        open_rows[ev.agent_id] = new
        touched_states[id(new)] = new
    out.states = list(touched_states.values())
    return out
