"""Domain events: the one vocabulary shared by the bridge, the router, the store and the web.

Pure module (no I/O). An event travels through the Redis stream ``<prefix>:events`` as flat
string fields (``to_fields`` / ``from_fields``); the store keeps it in ``call_events``.

Event ids are deterministic where the source allows it (the bridge derives them from Asterisk's
Uniqueid/Linkedid and the transition), so a replay or a second bridge produces the same ids and
the store's idempotence removes duplicates. ``make_event_id`` builds such an id.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

CALL_TYPES = frozenset(
    {
        "call.arrived",
        "call.queued",
        "call.offered",
        "call.answered",
        "call.held",
        "call.resumed",
        "call.transferred",
        "call.abandoned",
        "call.ended",
        "call.wrapped",
        "call.originated",
        "call.failed",
        # the agent's phone could not be dialled at all (CHANUNAVAIL, CONGESTION, BUSY): the
        # offer ends at once (payload: dial_status)
        "call.connect_failed",
        # the desk's call controls, published by the bridge once Asterisk accepted the action
        # (MuteAudio has no event of its own): payload ``by`` (the agent); ``call.dtmf_sent``
        # carries ``count``, never the digits
        "call.muted",
        "call.unmuted",
        "call.dtmf_sent",
        # MixMonitor (telephony.recording): payload file (the name in the recordings folder)
        "call.recording_started",
        "call.recording_paused",
        "call.recording_resumed",
        "call.recording_stopped",
        # warm transfer: the agent consults a target (kind, id) while the customer holds; the
        # consultation ends (outcome transferred | back | conferenced | failed); a conference
        "call.consult_started",
        "call.consult_ended",
        "call.conferenced",
        # the post-call survey's answer (payload: score 1-5 or None, reason answered | invalid
        # | no_answer | hung_up, queue)
        "call.surveyed",
        # a supervisor moved a waiting call to another queue; it keeps its arrival (payload:
        # from_queue, queue, arrived_ms)
        "call.moved",
        # a supervisor's listen / whisper / barge leg (ChanSpy) started or stopped on the call
        "call.monitor_started",
        "call.monitor_stopped",
    }
)
AGENT_TYPES = frozenset(
    {
        "agent.logged_in",
        "agent.logged_out",
        "agent.state",
        "agent.rona",
        # a supervisor's message to the agent (payload: message_id, text, from_user, team) and
        # the agent acknowledging it on the desk (payload: message_id)
        "agent.message",
        "agent.message_acknowledged",
    }
)
CUSTOMER_WORK_TYPES = frozenset(
    {
        "complaint.opened",
        "complaint.status",
        "complaint.overdue",
        "outbound.scheduled",
        "outbound.outcome",
    }
)
# Outcomes of commands sent to telephony (telephony publishes them back on the event stream).
COMMAND_TYPES = frozenset({"command.succeeded", "command.failed"})
# Telephony health: ``telephony.gap`` (payload ``source``, ``from_at``, ``to_at``, ISO 8601 UTC)
# is a stretch of time no bridge heard its Asterisk; reports show it as "no data".
TELEPHONY_TYPES = frozenset({"telephony.gap"})
EVENT_TYPES = CALL_TYPES | AGENT_TYPES | CUSTOMER_WORK_TYPES | COMMAND_TYPES | TELEPHONY_TYPES

# ``reason`` in the payload of call events made by the bridge's reconcile at a login: ``gap``
# (ended because Asterisk no longer had the call; the end time is a guess inside the gap) or
# ``backfilled`` (taken from Asterisk's CDR). A backfilled event replaces a gap one of the same id.
REASON_GAP = "gap"
REASON_BACKFILLED = "backfilled"

AGENT_STATES = frozenset({"ready", "not_ready", "wrap_up", "on_call", "offered", "logged_out"})


class EventError(ValueError):
    """A domain event is malformed; the message names the field."""


@dataclass(frozen=True, slots=True)
class DomainEvent:
    """One thing that happened. ``ts`` is a timezone-aware UTC datetime."""

    id: str
    ts: datetime
    type: str
    call_id: str | None = None
    agent_id: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.id:
            raise EventError("id: must not be empty")
        if self.type not in EVENT_TYPES:
            raise EventError(f"type: unknown event type {self.type!r}")
        if self.ts.tzinfo is None:
            raise EventError("ts: must be timezone-aware (UTC)")
        if self.type in CALL_TYPES and not self.call_id:
            raise EventError(f"call_id: required for {self.type}")
        if self.type in AGENT_TYPES and not self.agent_id:
            raise EventError(f"agent_id: required for {self.type}")

    def to_fields(self) -> dict[str, str]:
        """Flat string fields for a Redis stream entry (readable with redis-cli)."""
        return {
            "id": self.id,
            "ts": self.ts.astimezone(UTC).isoformat(),
            "type": self.type,
            "call_id": self.call_id or "",
            "agent_id": self.agent_id or "",
            "payload": json.dumps(self.payload, separators=(",", ":"), sort_keys=True),
        }

    @classmethod
    def from_fields(cls, fields: dict[str, str] | dict[bytes, bytes]) -> DomainEvent:
        """Inverse of ``to_fields``; raises ``EventError`` naming the bad field."""
        f = {
            (k.decode() if isinstance(k, bytes) else k): (v.decode() if isinstance(v, bytes) else v)
            for k, v in fields.items()
        }
        for name in ("id", "ts", "type"):
            if not f.get(name):
                raise EventError(f"{name}: missing")
        try:
            ts = datetime.fromisoformat(f["ts"])
        except ValueError as exc:
            raise EventError(f"ts: not an ISO 8601 datetime: {f['ts']!r}") from exc
        try:
            payload = json.loads(f.get("payload") or "{}")
        except json.JSONDecodeError as exc:
            raise EventError(f"payload: not JSON: {exc}") from exc
        if not isinstance(payload, dict):
            raise EventError("payload: must be a JSON object")
        return cls(
            id=f["id"],
            ts=ts,
            type=f["type"],
            call_id=f.get("call_id") or None,
            agent_id=f.get("agent_id") or None,
            payload=payload,
        )


def make_event_id(*parts: object) -> str:
    """Deterministic event id from its source identity, e.g. ``(linkedid, "answered", uniqueid)``.

    Readable prefix plus a short hash so ids stay short and unique for any input.
    """
    text = "|".join(str(p) for p in parts)
    digest = hashlib.blake2b(text.encode(), digest_size=10).hexdigest()
    head = str(parts[0])[:40] if parts else ""
    return f"{head}:{digest}"


def utc(dt: datetime) -> datetime:
    """Return ``dt`` as aware UTC; naive datetimes (as SQLite returns them) are taken as UTC."""
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)
