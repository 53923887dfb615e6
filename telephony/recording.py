"""Call recording on the PBX: when to start ``MixMonitor``, and its events as domain events.

Pure module (the bridge sends the actions and publishes the events). The rules:

* a call of a queue whose setting says ``record = true`` (outbound calls: the outbound queue's
  setting) is recorded from the moment it is first connected to an agent: the bridge sends
  ``MixMonitor`` on the customer's channel with an absolute ``File`` in ``[recording]
  asterisk_dir`` named after the call id (``file_name``), no options (so held time is in the
  file too and the file lasts from start to stop);
* pause and resume are ``MixMonitorMute`` (``Direction: both``, ``State: 1`` / ``0``):
  Asterisk 22.10.1 has no ``PauseMonitor`` (real-Asterisk capture 20); the muted time stays in
  the file as silence, so ``paused_spans`` (seconds from the start) say where it is;
* the ``MixMonitorStart`` / ``MixMonitorMute`` / ``MixMonitorStop`` events become
  ``call.recording_started`` / ``_paused`` / ``_resumed`` / ``_stopped``; a recording also ends,
  without any event from Asterisk, when its channel hangs up: ``call.ended`` stops it.

Event ids derive from the call id and the transition, like the translator's.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from kernel.events import DomainEvent, make_event_id
from kernel.recording_files import file_name
from telephony.ami_frames import Frame
from telephony.translator import CallState, TranslatorState, frame_time

Action = list[tuple[str, str]]
__all__ = ["RecordingPolicy", "RecorderState", "file_name", "mute_action", "start_action", "step"]


@dataclass(frozen=True, slots=True)
class RecordingPolicy:
    recorded_queues: frozenset[str] = frozenset()
    outbound_queue: str | None = None  # whose setting outbound calls follow
    asterisk_dir: str = "/var/spool/asterisk/monitor/callcenter"

    def records(self, call: CallState) -> bool:
        queue = call.queue or (self.outbound_queue if call.direction == "outbound" else None)
        return queue in self.recorded_queues

    def asterisk_path(self, call_id: str) -> str:
        return f"{self.asterisk_dir.rstrip('/')}/{file_name(call_id)}"


def start_action(call: CallState, policy: RecordingPolicy) -> Action:
    return [
        ("Action", "MixMonitor"),
        ("Channel", call.customer_channel),
        ("File", policy.asterisk_path(call.call_id)),
    ]


def mute_action(call: CallState, paused: bool) -> Action:
    """Pause (``paused``) or resume the call's recording: both directions silenced or not."""
    return [
        ("Action", "MixMonitorMute"),
        ("Channel", call.customer_channel),
        ("Direction", "both"),
        ("State", "1" if paused else "0"),
    ]


@dataclass(frozen=True, slots=True)
class Live:
    """A recording in progress."""

    call_id: str
    file: str
    started_at: datetime
    channel_uid: str
    agent_id: str | None = None
    paused_at: datetime | None = None
    spans: tuple[tuple[float, float], ...] = ()  # paused, seconds from the start


@dataclass(frozen=True, slots=True)
class RecorderState:
    live: dict[str, Live] = field(default_factory=dict)  # call id -> recording
    requested: frozenset[str] = frozenset()  # calls whose MixMonitor was asked for


def _offset_s(live: Live, ts: datetime) -> float:
    return round(max(0.0, (ts - live.started_at).total_seconds()), 3)


def _event(kind: str, live: Live, ts: datetime, extra: dict[str, Any], *key: object) -> DomainEvent:
    return DomainEvent(
        id=make_event_id(live.call_id, f"recording_{kind}", *key),
        ts=ts,
        type=f"call.recording_{kind}",
        call_id=live.call_id,
        agent_id=live.agent_id,
        payload={"file": live.file, **extra},
    )


def _stop(live: Live, ts: datetime, why: str) -> DomainEvent:
    spans = live.spans
    if live.paused_at is not None:
        spans = (*spans, (_offset_s(live, live.paused_at), _offset_s(live, ts)))
    return _event(
        "stopped",
        live,
        ts,
        {
            "duration_s": _offset_s(live, ts),
            "paused_spans": [list(s) for s in spans],
            "why": why,
        },
    )


def _call_of(tstate: TranslatorState, frame: Frame) -> CallState | None:
    uid = frame.get("Uniqueid") or ""
    linkedid = tstate.channels.get(uid) or frame.get("Linkedid") or ""
    call = tstate.calls.get(linkedid)
    return call if call is not None and call.customer_uid == uid else None


def step(
    state: RecorderState,
    tstate: TranslatorState,
    frame: Frame,
    translated: list[DomainEvent],
    now: datetime,
    policy: RecordingPolicy,
) -> tuple[RecorderState, list[DomainEvent], list[Action]]:
    """One frame (after the translator saw it, ``translated`` being what it made of it):
    the recorder's new state, the recording events, and the actions to send."""
    live = dict(state.live)
    requested = set(state.requested)
    out: list[DomainEvent] = []
    actions: list[Action] = []
    for ev in translated:
        if ev.type == "call.answered" and ev.call_id and ev.call_id not in requested:
            call = tstate.call_by_id(ev.call_id)
            if call is not None and policy.records(call):
                requested.add(ev.call_id)
                actions.append(start_action(call, policy))
        elif ev.type == "call.ended" and ev.call_id:
            requested.discard(ev.call_id)
            rec = live.pop(ev.call_id, None)
            if rec is not None:
                out.append(_stop(rec, ev.ts, "hangup"))
    name = frame.event
    if name in ("MixMonitorStart", "MixMonitorMute", "MixMonitorStop"):
        ts = frame_time(frame, now)
        call = _call_of(tstate, frame)
        if call is not None:
            _on_mixmonitor(name, frame, call, ts, live, out)
    return RecorderState(live, frozenset(requested)), out, actions


def _on_mixmonitor(
    name: str, frame: Frame, call: CallState, ts: datetime, live: dict[str, Live], out: list[Any]
) -> None:
    rec = live.get(call.call_id)
    if name == "MixMonitorStart":
        if rec is None:
            rec = Live(call.call_id, file_name(call.call_id), ts, call.customer_uid, call.agent_id)
            live[call.call_id] = rec
            out.append(_event("started", rec, ts, {"queue": call.queue}))
        return
    if rec is None:
        return
    if name == "MixMonitorStop":
        del live[call.call_id]
        out.append(_stop(rec, ts, "stopped"))
        return
    muted = (frame.get("State") or "").strip() == "1"
    if muted and rec.paused_at is None:
        live[call.call_id] = replace(rec, paused_at=ts)
        n = len(rec.spans)
        out.append(_event("paused", rec, ts, {"at_s": _offset_s(rec, ts)}, n))
    elif not muted and rec.paused_at is not None:
        span = (_offset_s(rec, rec.paused_at), _offset_s(rec, ts))
        live[call.call_id] = replace(rec, paused_at=None, spans=(*rec.spans, span))
        out.append(_event("resumed", rec, ts, {"at_s": span[1]}, len(rec.spans)))
