"""AMI frames to domain events: a pure function of (state, frame, now) -> (state, events).

No I/O, no clock, no logging. The bridge feeds every frame it receives *and* every action frame
it sends (so an ``OriginateResponse`` can be matched to its ``Originate`` by ActionID only, and a
resynchronisation snapshot to its ``Status`` action). The input state is never modified: changed
parts are copied, unchanged frames return the very same state object.

How a call is recognised (DESIGN section 5, the captures in tests/fixtures/ami/real-asterisk/):

* a call is all channels sharing one ``Linkedid``; ``call_id`` is that Linkedid, or the value of
  the channel variable ``CC_CALL_ID`` when the platform set one (outbound calls it originated);
* **inbound**: the channel on which the dialplan sets ``CC_QUEUE`` is the customer's channel;
  ``call.arrived`` is published once the call is complete enough to queue (music starts in the
  hold context, a Dial starts, or it hangs up first);
* **outbound**: a channel that enters the connect context (``CC_AGENT`` set) without having come
  through the inbound context, or the channel named by a successful ``OriginateResponse`` from an
  Originate into the connect context; a failed ``OriginateResponse`` is ``call.failed``;
* the **agent leg** is the ``DestChannel`` of the customer channel's Dial; ``DialEnd ANSWER`` is
  ``call.answered`` (first agent) or ``call.transferred`` (any later agent); an
  ``AttendedTransfer`` moves the call to the transfer target (the channel it names, or, when it
  names none because the transferer left first as in capture 22, the one that entered the
  customer's bridge); a ``BlindTransfer`` into the transfer context is ``call.transferred`` to
  ``number:<exten>``, the agent leaves, and the customer's Dials from then on reach the outside
  party, not an agent; a Dial of the agent that fails at
  once (``DIALSTATUS`` ``CHANUNAVAIL``, ``CONGESTION``, ``BUSY`` on the customer's channel) is
  ``call.connect_failed`` with the ``dial_status``;
* a **consultation** (warm transfer, ``telephony.actions``): ``CC_CONSULT=<target>`` set on the
  customer's channel names it; Asterisk's attended transfer starts with a ``Hold`` on the agent's
  leg (no Hold: the leg had no transfer rights, nothing started); the first other channel of the
  call entering a bridge after it is the consulted leg, being called: ``call.consult_started``
  (the customer's music stopping before that: no target was called, the consultation is over);
  its hang-up or ``AttendedTransfer`` ``Fail`` is ``call.consult_ended`` (``back``),
  ``AttendedTransfer`` ``Bridge`` ends it ``transferred`` (and ``call.transferred`` ``attended``),
  ``Threeway`` ends it ``conferenced`` (and ``call.conferenced``); an agent who hangs up in a
  conference leaves the customer to the other party (``call.transferred`` ``attended``);
* a callback's dial (an Originate with ``CC_ORIGIN_CALL_ID``) carries ``origin_call_id`` in the
  payload of every event of its call;
* **hold** is a ``Hold``/``Unhold`` event on either party, or music on hold on the customer's
  channel while it is answered outside the hold context (a hold indicated through Local channels
  only shows as MusicOnHoldStart/Stop on the other party);
* **who hung up** is the party whose (Soft)HangupRequest came first: ``HangupRequest`` on the
  customer's or the agent's channel names that party, a ``SoftHangupRequest`` first means the
  system (an AMI Hangup, the dialplan);
* a caller that hangs up before any answer has abandoned (``call.abandoned``, ``wait_s``);
* the **survey** (a queue with ``survey = true``): when the agent hangs up first, the dialplan
  sends the caller to the survey context. Its first event there ends the call
  (``call.ended``, at the time the agent's leg hung up: the survey is not talk time); the
  ``VarSet CC_SURVEY_SCORE`` that ``Read`` makes (capture 25) is ``call.surveyed`` with the
  score (1-5, else none) and a reason; a caller who hangs up before that is ``hung_up``;
* the agent's wrap-up report ``UserEvent: CcWrapUp`` (``Agent``, ``Uniqueid``, ``Linkedid``,
  ``WrapUpS``, ``Disposition``; the PBX simulator's phones send it, a real deployment's agent
  application could too) is ``call.wrapped`` with the disposition and ``wrap_s``; it usually
  comes after the call ended, so its call is found by Linkedid (``CC_CALL_ID`` included). It is
  a record of the call only: the router ends an agent's wrap-up on its own timer or the agent's
  action, it does not read ``call.wrapped``.

Every event id is ``make_event_id(call_id, transition, ...)``: replays, resynchronisations and a
second bridge on the same Asterisk produce the same ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from kernel.events import DomainEvent, make_event_id
from telephony.ami_frames import Frame

VAR_QUEUE = "CC_QUEUE"
VAR_CUSTOMER = "CC_CUSTOMER_ID"
VAR_AGENT = "CC_AGENT"
VAR_CALL_ID = "CC_CALL_ID"
VAR_ORIGIN_CALL_ID = "CC_ORIGIN_CALL_ID"  # a callback's dial: the call that asked for it
VAR_CONSULT = "CC_CONSULT"  # the target of the consultation the bridge starts (agent:/number:)
VAR_SURVEY_SCORE = "CC_SURVEY_SCORE"  # the survey's Read: the key the caller pressed
SURVEY_SCORES = frozenset("12345")
SNAPSHOT_VARIABLES = (VAR_QUEUE, VAR_CUSTOMER, VAR_AGENT, VAR_CALL_ID, VAR_ORIGIN_CALL_ID)
# Dial statuses that end an offer at once: the agent's phone could not be dialled at all
# (CHANUNAVAIL: an unregistered PJSIP endpoint gives no Dial event, only this, capture 18).
# NOANSWER is the ring timeout the router keeps itself; CANCEL, the caller left or was moved.
CONNECT_FAILED = frozenset({"CHANUNAVAIL", "CONGESTION", "BUSY"})
# How Asterisk 22 lists a variable that is not set in ``Status`` with ``Variables:`` (capture 16):
# the literal text, never an empty value or a missing line. It means "unset" wherever the bridge
# reads channel variables.
UNSET = "(null)"
# The special extension a failed Originate runs (``OutgoingSpoolFailed``): a dialplan whose
# connect pattern matches it sets ``CC_AGENT=failed`` on a channel that is no customer's.
FAILED_EXTEN = "failed"

# OriginateResponse Reason codes (Asterisk's AST_CONTROL_*): 4 answered, the rest failures.
ORIGINATE_REASONS: dict[str, str] = {
    "0": "invalid",  # channel technology not found / could not create the channel
    "1": "rejected",  # hung up before answer
    "3": "no_answer",  # rang until the Originate timeout
    "5": "busy",
    "8": "congestion",
}

HANDLED_EVENTS = frozenset(
    {
        "VarSet",
        "Newexten",  # only in the survey context (filtered in ``translate``)
        "MusicOnHoldStart",
        "MusicOnHoldStop",
        "DialBegin",
        "DialEnd",
        "Hold",
        "Unhold",
        "HangupRequest",
        "SoftHangupRequest",
        "Hangup",
        "AttendedTransfer",
        "BlindTransfer",
        "BridgeEnter",
        "ChanSpyStart",
        "ChanSpyStop",
        "OriginateResponse",
        "UserEvent",
        "Status",
        "StatusComplete",
        "CoreShowChannel",
        "CoreShowChannelsComplete",
    }
)
"""Events that can change the translator's state; every other event is ignored quickly."""

UNKNOWN = "<unknown>"


@dataclass(frozen=True, slots=True)
class TranslatorConfig:
    """The dialplan contract (``settings.ami``) the translator needs to read the events."""

    inbound_context: str = "cc-inbound"
    hold_context: str = "cc-hold"
    connect_context: str = "cc-connect"
    transfer_context: str = "cc-transfer-out"  # a blind transfer to an outside number
    survey_context: str = "cc-survey"


@dataclass(frozen=True, slots=True)
class CallState:
    """What the bridge knows about one live call (one Linkedid)."""

    linkedid: str
    call_id: str
    direction: str  # inbound | outbound
    customer_uid: str
    customer_channel: str
    caller: str | None = None
    caller_name: str | None = None
    dialled: str | None = None
    queue: str | None = None
    customer_id: str | None = None
    started_at: datetime | None = None
    arrived_sent: bool = False  # call.arrived / call.originated published
    target_agent_id: str | None = None  # CC_AGENT: the agent being connected
    agent_id: str | None = None  # the agent talking to the customer (after an answer)
    ringing_uid: str | None = None  # agent leg being dialled
    agent_uid: str | None = None  # answered agent leg
    agent_channel: str | None = None
    answered: bool = False
    connected: bool = False  # an agent leg is up with the customer now
    held: bool = False
    hold_count: int = 0
    transfer_count: int = 0
    hangup_by: str | None = None
    origin_call_id: str | None = None  # a callback's dial: the caller's call (every payload)
    connects: int = 0  # times the call entered the connect context (CC_AGENT set)
    outside: str | None = None  # the number a blind transfer sent the customer to
    customer_bridge: str | None = None  # the bridge the customer's channel entered last
    joiner: tuple[str, str, str | None] | None = None  # (uid, channel, id) last to join it
    consults: int = 0  # consultations asked for (CC_CONSULT set)
    consult_target: str | None = None  # "agent:<id>" / "number:<n>" asked for, not ended yet
    consult_started: bool = False  # Asterisk started it (the Hold on the agent's leg)
    consult_uid: str | None = None  # the consulted leg
    consult_channel: str | None = None
    conference: tuple[str, str, str] | None = None  # (uid, channel, target) of the third party
    # the connected agent's leg hung up: when, cause, cause text (a survey may follow)
    agent_left: tuple[datetime, str | None, str | None] | None = None
    surveying: bool = False  # call.ended sent; the caller is in the survey
    surveyed: bool = False  # call.surveyed sent
    spies: tuple[str, ...] = ()  # supervisors' ChanSpy legs on it (channel names), oldest first


@dataclass(frozen=True, slots=True)
class PendingAction:
    """An action the bridge sent whose later events need its context."""

    kind: str  # "originate" | "snapshot"
    call_id: str | None = None
    agent_id: str | None = None
    number: str | None = None
    outbound: bool = False
    origin_call_id: str | None = None


@dataclass(frozen=True, slots=True)
class TranslatorState:
    config: TranslatorConfig = field(default_factory=TranslatorConfig)
    calls: dict[str, CallState] = field(default_factory=dict)  # linkedid -> call
    channels: dict[str, str] = field(default_factory=dict)  # live uniqueid -> linkedid
    aliases: dict[str, str] = field(default_factory=dict)  # linkedid -> CC_CALL_ID
    origins: dict[str, str] = field(default_factory=dict)  # linkedid -> CC_ORIGIN_CALL_ID
    pending: dict[str, PendingAction] = field(default_factory=dict)  # ActionID -> action
    snapshots: dict[str, tuple[Frame, ...]] = field(default_factory=dict)  # ActionID -> items
    # Calls a snapshot no longer lists: the bridge ends them by the reconcile rules
    # (``telephony.reconcile``) and clears this.
    vanished: tuple[CallState, ...] = ()

    def present_ids(self) -> set[str]:
        """Every id a live channel answers to: its Linkedid, its ``CC_CALL_ID``, its call's id
        (the reconcile ends a call the platform knows only when none of them is it)."""
        linkedids = set(self.channels.values())
        return (
            linkedids
            | {self.aliases[lid] for lid in linkedids if lid in self.aliases}
            | {call.call_id for call in self.calls.values()}
        )

    def call_by_id(self, call_id: str) -> CallState | None:
        """The live call with this call_id (the bridge maps commands with it)."""
        for call in self.calls.values():
            if call.call_id == call_id:
                return call
        return None


def new_state(config: TranslatorConfig | None = None) -> TranslatorState:
    return TranslatorState(config=config or TranslatorConfig())


def frame_time(frame: Frame, now: datetime) -> datetime:
    """The frame's ``Timestamp:`` (``timestampevents=yes``) as UTC, else ``now``."""
    raw = frame.get("Timestamp")
    if raw:
        try:
            return datetime.fromtimestamp(float(raw), UTC)
        except (ValueError, OverflowError, OSError):
            pass
    return now


def translate(
    state: TranslatorState, frame: Frame, now: datetime
) -> tuple[TranslatorState, list[DomainEvent]]:
    """Apply one AMI frame (received, or an action sent) and return the domain events it causes."""
    if frame.action is not None:
        return _on_action(state, frame)
    name = frame.event
    if name is None:
        if frame.response == "Error" and frame.action_id in state.pending:
            return _drop_pending(state, frame.action_id), []
        return state, []
    if name == "Newchannel":
        uid, linkedid = frame.get("Uniqueid"), frame.get("Linkedid")
        if not uid or not linkedid:
            return state, []
        return replace(state, channels={**state.channels, uid: linkedid}), []
    if name not in HANDLED_EVENTS:
        return state, []
    if name == "Newexten" and frame.get("Context") != state.config.survey_context:
        return state, []
    t = _Step(state, frame_time(frame, now), now)
    handler = _HANDLERS[name]
    handler(t, frame)
    return t.result()


# --- the step: copy-on-write state plus collected events --------------------------------------


class _Step:
    def __init__(self, state: TranslatorState, ts: datetime, now: datetime) -> None:
        self.state = state
        self.ts = ts
        self.now = now
        self.calls: dict[str, CallState] | None = None
        self.changes: dict[str, Any] = {}
        self.events: list[DomainEvent] = []

    # state access
    def call(self, linkedid: str | None) -> CallState | None:
        if not linkedid:
            return None
        calls = self.calls if self.calls is not None else self.state.calls
        return calls.get(linkedid)

    def call_of_channel(self, frame: Frame, prefix: str = "") -> CallState | None:
        linkedid = frame.get(prefix + "Linkedid") or self.state.channels.get(
            frame.get(prefix + "Uniqueid") or ""
        )
        return self.call(linkedid)

    def put(self, call: CallState) -> None:
        if self.calls is None:
            self.calls = dict(self.state.calls)
        self.calls[call.linkedid] = call

    def drop(self, linkedid: str) -> None:
        if self.calls is None:
            self.calls = dict(self.state.calls)
        self.calls.pop(linkedid, None)

    def set(self, **changes: Any) -> None:
        self.changes.update(changes)

    def get(self, name: str) -> Any:
        return self.changes.get(name, getattr(self.state, name))

    def emit(
        self,
        type_: str,
        call: CallState,
        id_parts: tuple[object, ...],
        payload: dict[str, Any],
        agent_id: str | None = None,
        ts: datetime | None = None,
    ) -> None:
        if call.origin_call_id:
            payload = {**payload, "origin_call_id": call.origin_call_id}
        self.events.append(
            DomainEvent(
                id=make_event_id(call.call_id, *id_parts),
                ts=ts or self.ts,
                type=type_,
                call_id=call.call_id,
                agent_id=agent_id,
                payload=payload,
            )
        )

    def result(self) -> tuple[TranslatorState, list[DomainEvent]]:
        if self.calls is None and not self.changes:
            return self.state, self.events
        if self.calls is not None:
            self.changes["calls"] = self.calls
        return replace(self.state, **self.changes), self.events


# --- actions the bridge sent ----------------------------------------------------------------


def _variables(frame: Frame, split_commas: bool = False) -> dict[str, str]:
    """``Variable: NAME=value`` headers; an action may list several pairs comma-separated.
    An unset variable (``(null)``) is an empty value."""
    out: dict[str, str] = {}
    for item in frame.getall("Variable"):
        for part in item.split(",") if split_commas else (item,):
            name, sep, value = part.partition("=")
            if sep:
                out[name.strip()] = "" if value == UNSET else value
    return out


def dial_string_number(dial: str) -> str:
    """``PJSIP/5550001@trunk`` or ``Local/5550001@ctx`` -> ``5550001`` (the dialled number)."""
    rest = dial.split("/", 1)[1] if "/" in dial else dial
    return rest.split("@", 1)[0].split("/", 1)[0]


def _on_action(state: TranslatorState, frame: Frame) -> tuple[TranslatorState, list[DomainEvent]]:
    action_id = frame.action_id
    action = (frame.action or "").lower()
    if not action_id:
        return state, []
    pending: PendingAction | None = None
    if action == "originate":
        variables = _variables(frame, split_commas=True)
        context = frame.get("Context")
        outbound = VAR_CALL_ID in variables or context == state.config.connect_context
        pending = PendingAction(
            kind="originate",
            call_id=variables.get(VAR_CALL_ID),
            agent_id=frame.get("Exten") if outbound else None,
            number=dial_string_number(frame.get("Channel") or ""),
            outbound=outbound and not frame.get("Application"),
            origin_call_id=variables.get(VAR_ORIGIN_CALL_ID) or None,
        )
    elif action in ("status", "coreshowchannels") and not frame.get("Channel"):
        pending = PendingAction(kind="snapshot")
    if pending is None:
        return state, []
    changes: dict[str, Any] = {"pending": {**state.pending, action_id: pending}}
    if pending.kind == "snapshot":
        changes["snapshots"] = {**state.snapshots, action_id: ()}
    return replace(state, **changes), []


def _drop_pending(state: TranslatorState, action_id: str) -> TranslatorState:
    pending = dict(state.pending)
    pending.pop(action_id, None)
    snapshots = dict(state.snapshots)
    snapshots.pop(action_id, None)
    return replace(state, pending=pending, snapshots=snapshots)


# --- call life cycle helpers -----------------------------------------------------------------


def _wait_s(call: CallState, ts: datetime) -> float:
    if call.started_at is None:
        return 0.0
    return round(max((ts - call.started_at).total_seconds(), 0.0), 3)


def _ensure_arrived(t: _Step, call: CallState, ts: datetime | None = None) -> CallState:
    if call.arrived_sent:
        return call
    call = replace(call, arrived_sent=True)
    if call.direction == "inbound":
        t.emit(
            "call.arrived",
            call,
            ("arrived",),
            {
                "direction": "inbound",
                "caller": call.caller,
                "caller_name": call.caller_name,
                "dialled": call.dialled,
                "queue": call.queue,
                "customer_id": call.customer_id,
                "channel": call.customer_channel,
            },
            ts=ts,
        )
    else:
        t.emit(
            "call.originated",
            call,
            ("originated",),
            {
                "direction": "outbound",
                "number": call.dialled,
                "agent_id": call.target_agent_id,
                "channel": call.customer_channel,
            },
            agent_id=call.target_agent_id,
            ts=ts,
        )
    return call


def _answered_by(
    t: _Step,
    call: CallState,
    agent_uid: str,
    agent_channel: str | None,
    agent_id: str | None,
    kind: str,
    target: str | None = None,
) -> CallState:
    """An agent leg is now connected to the customer: answer (first) or transfer (later;
    ``target`` when it is no agent, e.g. ``number:<n>`` after a warm transfer outside)."""
    call = _ensure_arrived(t, call)
    if not call.answered:
        t.emit(
            "call.answered",
            call,
            ("answered",),
            {"agent_id": agent_id, "queue": call.queue, "wait_s": _wait_s(call, t.ts)},
            agent_id=agent_id,
        )
    else:
        t.emit(
            "call.transferred",
            call,
            ("transferred", agent_uid),
            {
                "kind": kind,
                "from_agent_id": call.agent_id,
                "target": target or f"agent:{agent_id}",
            },
            agent_id=agent_id,
        )
    return replace(
        call,
        answered=True,
        connected=True,
        held=False,
        agent_id=agent_id,
        agent_uid=agent_uid,
        agent_channel=agent_channel,
        ringing_uid=None,
        hangup_by=None,
        agent_left=None,
    )


def _set_held(t: _Step, call: CallState, held: bool) -> CallState:
    if not call.connected or call.held == held:
        return call
    if held:
        call = replace(call, held=True, hold_count=call.hold_count + 1)
        t.emit("call.held", call, ("held", call.hold_count), {}, agent_id=call.agent_id)
    else:
        call = replace(call, held=False)
        t.emit("call.resumed", call, ("resumed", call.hold_count), {}, agent_id=call.agent_id)
    return call


def _end(
    t: _Step,
    call: CallState,
    who: str,
    cause: str | None,
    cause_txt: str | None,
    ts: datetime | None = None,
    surveying: bool = False,
) -> None:
    """``call.ended`` (``ts``: when, default the frame's time); the call is forgotten, unless
    ``surveying``: its caller is still in the survey."""
    call = _ensure_arrived(t, call)
    if call.held:
        call = _set_held(t, call, False)
    if not call.answered and who == "customer" and call.direction == "inbound":
        t.emit(
            "call.abandoned",
            call,
            ("abandoned",),
            {"queue": call.queue, "wait_s": _wait_s(call, t.ts)},
        )
    payload: dict[str, Any] = {
        "who": who,
        "cause": cause,
        "cause_txt": cause_txt,
        "answered": call.answered,
    }
    t.emit(
        "call.ended",
        call,
        ("ended",),
        payload,
        agent_id=call.agent_id if call.answered else None,
        ts=ts,
    )
    if surveying:
        t.put(replace(call, surveying=True, connected=False))
    else:
        t.drop(call.linkedid)


def _party(call: CallState, uid: str | None) -> str | None:
    if uid and uid == call.customer_uid:
        return "customer"
    if uid and call.connected and uid == call.agent_uid:
        return "agent"
    return None


# --- event handlers --------------------------------------------------------------------------


def _on_varset(t: _Step, f: Frame) -> None:
    var = f.get("Variable") or ""
    if var == "DIALSTATUS":
        _on_dial_status(t, f)
        return
    if not var.startswith("CC_"):
        return
    value = f.get("Value") or ""
    linkedid = f.get("Linkedid") or ""
    uid = f.get("Uniqueid") or ""
    call = t.call(linkedid)
    if var == VAR_ORIGIN_CALL_ID:  # a callback's dial, from its Originate's variables
        if value and t.get("origins").get(linkedid) != value:
            t.set(origins={**t.get("origins"), linkedid: value})
            if call is not None and not call.origin_call_id:
                t.put(replace(call, origin_call_id=value))
        return
    if var == VAR_CALL_ID:
        if value and t.get("aliases").get(linkedid) != value:
            t.set(aliases={**t.get("aliases"), linkedid: value})
            if call is not None and call.call_id != value and not call.arrived_sent:
                t.put(replace(call, call_id=value))
        return
    if var == VAR_QUEUE:
        if call is None:
            if f.get("Context") != t.state.config.inbound_context and linkedid != uid:
                return  # a queue set on some other leg: not an inbound customer channel
            call = CallState(
                linkedid=linkedid,
                call_id=t.get("aliases").get(linkedid, linkedid),
                direction="inbound",
                customer_uid=uid,
                customer_channel=f.get("Channel") or "",
                caller=_known(f.get("CallerIDNum")),
                caller_name=_known(f.get("CallerIDName")),
                dialled=f.get("Exten"),
                queue=value or None,
                started_at=t.ts,
            )
            t.put(call)
        elif uid == call.customer_uid:
            t.put(replace(call, queue=value or None))
        return
    if var == VAR_CONSULT:
        if call is not None and uid == call.customer_uid and value:
            t.put(_consult_cleared(replace(call, consult_target=value, consults=call.consults + 1)))
    if var == VAR_SURVEY_SCORE:
        if call is not None and uid == call.customer_uid and call.surveying:
            _surveyed(t, call, value)
        return
    if var == VAR_CUSTOMER:
        if call is not None and uid == call.customer_uid:
            t.put(replace(call, customer_id=value or None))
        return
    if var == VAR_AGENT:
        if call is None and value == FAILED_EXTEN:
            return  # Asterisk's failed-Originate channel, not a customer (capture 24)
        if call is None:
            # The customer leg of an outbound call entering the connect context (its
            # OriginateResponse may come later: the number is then the pending Originate's).
            call_id = t.get("aliases").get(linkedid, linkedid)
            origin = _pending_originate(t, call_id)
            call = CallState(
                linkedid=linkedid,
                call_id=call_id,
                direction="outbound",
                customer_uid=uid,
                customer_channel=f.get("Channel") or "",
                dialled=_originated_number(f) or (origin.number if origin else None),
                started_at=t.ts,
                target_agent_id=value or None,
                origin_call_id=origin.origin_call_id if origin else None,
                connects=1,
            )
            t.put(call)
        elif uid == call.customer_uid:
            # a (new) connect: whatever the previous agent leg did no longer says who hangs up
            t.put(
                replace(
                    call,
                    target_agent_id=value or None,
                    hangup_by=None,
                    connects=call.connects + 1,
                )
            )


def _on_dial_status(t: _Step, f: Frame) -> None:
    """The customer's Dial of the agent failed at once: ``call.connect_failed``, so the router
    ends the offer now rather than at its ring timeout (capture 18: only this VarSet, about
    1 ms after the Dial started; a phone that exists but refuses gives a DialEnd first)."""
    status = f.get("Value") or ""
    if status not in CONNECT_FAILED:
        return
    call = t.call_of_channel(f)
    if call is None or f.get("Uniqueid") != call.customer_uid or call.connected:
        return
    agent_id = call.target_agent_id
    if not agent_id:
        return
    call = _ensure_arrived(t, call)
    t.emit(
        "call.connect_failed",
        call,
        ("connect_failed", call.connects),
        {"agent_id": agent_id, "dial_status": status},
        agent_id=agent_id,
    )
    t.put(replace(call, target_agent_id=None, ringing_uid=None))


def _pending_originate(t: _Step, call_id: str) -> PendingAction | None:
    for pending in t.get("pending").values():
        if pending.kind == "originate" and pending.call_id == call_id:
            return pending
    return None


def _originated_number(f: Frame) -> str | None:
    channel = f.get("Channel") or ""
    if channel.startswith("Local/"):
        return dial_string_number(channel)
    return _known(f.get("ConnectedLineNum")) or None


def _known(value: str | None) -> str | None:
    return None if value in (None, "", UNKNOWN) else value


def _on_moh_start(t: _Step, f: Frame) -> None:
    call = t.call_of_channel(f)
    if call is None or f.get("Uniqueid") != call.customer_uid:
        return
    in_hold_context = f.get("Context") == t.state.config.hold_context
    if in_hold_context and call.agent_id is None:
        # waiting in the queue (first time, or again after an agent did not answer)
        t.put(replace(_ensure_arrived(t, call), hangup_by=None))
        return
    if in_hold_context:
        # back in the queue while an agent had it: a transfer to the queue
        _left_agent(t, _ensure_arrived(t, call), "queue", f"queue:{call.queue}")
        return
    if call.connected:
        t.put(_set_held(t, call, True))


def _left_agent(
    t: _Step,
    call: CallState,
    kind: str,
    target: str,
    agent_id: str | None = None,
    **changes: Any,
) -> None:
    """A blind transfer took the customer away from its agent (to a queue, to a number):
    ``call.transferred`` (``agent_id``: whose live feed hears it), the agent leg forgotten."""
    t.emit(
        "call.transferred",
        call,
        ("transferred", kind, call.transfer_count + 1),
        {"kind": "blind", "from_agent_id": call.agent_id, "target": target},
        agent_id=agent_id,
    )
    t.put(
        replace(
            call,
            connected=False,
            held=False,
            agent_id=None,
            agent_uid=None,
            agent_channel=None,
            transfer_count=call.transfer_count + 1,
            hangup_by=None,
            **changes,
        )
    )


def _on_moh_stop(t: _Step, f: Frame) -> None:
    call = t.call_of_channel(f)
    if call is None or f.get("Uniqueid") != call.customer_uid or not call.held:
        return
    if call.consult_started and call.consult_uid is None:
        call = _consult_ended(t, call, "failed")  # no target was called (the digits were bad)
    t.put(_set_held(t, call, False))


def _on_hold(t: _Step, f: Frame) -> None:
    call = t.call_of_channel(f)
    party = _party(call, f.get("Uniqueid")) if call is not None else None
    if call is None or party is None:
        return
    if (
        f.event == "Hold"
        and party == "agent"
        and call.consult_target is not None
        and not call.consult_started
    ):
        # Asterisk's attended transfer starts with a Hold on the transferer (15, 22)
        call = replace(call, consult_started=True)
    t.put(_set_held(t, call, f.event == "Hold"))


def _consult_payload(target: str) -> dict[str, Any]:
    kind, _, target_id = target.partition(":")
    return {"target": target, "target_kind": kind, "target_id": target_id}


def _consult_cleared(call: CallState) -> CallState:
    return replace(call, consult_started=False, consult_uid=None, consult_channel=None)


def _consult_ended(t: _Step, call: CallState, outcome: str) -> CallState:
    """``call.consult_ended`` once per consultation that started; the consultation is over."""
    if call.consult_target is not None and call.consult_uid is not None:
        t.emit(
            "call.consult_ended",
            call,
            ("consult_ended", call.consults),
            {**_consult_payload(call.consult_target), "outcome": outcome},
            agent_id=call.agent_id,
        )
    return _consult_cleared(replace(call, consult_target=None))


def _on_bridge_enter(t: _Step, f: Frame) -> None:
    """The customer's bridge, who joins it, and the consulted leg (see the module docstring)."""
    call = t.call_of_channel(f)
    uid, bridge = f.get("Uniqueid") or "", f.get("BridgeUniqueid") or ""
    if call is None or not uid:
        return
    if uid == call.customer_uid:
        t.put(replace(call, customer_bridge=bridge, joiner=None))
        return
    if uid == call.agent_uid:
        return
    channel = f.get("Channel") or ""
    if bridge == call.customer_bridge:
        who = _known(f.get("Exten")) or _known(f.get("CallerIDNum"))
        t.put(replace(call, joiner=(uid, channel, who)))
    elif call.consult_started and call.consult_uid is None and call.consult_target:
        # the consulted leg is being called: the consultation has started
        target = call.consult_target
        call = replace(call, consult_uid=uid, consult_channel=channel)
        t.emit(
            "call.consult_started",
            call,
            ("consult_started", call.consults),
            _consult_payload(target),
            agent_id=call.agent_id,
        )
        t.put(call)


def _on_dial_begin(t: _Step, f: Frame) -> None:
    call = t.call_of_channel(f)
    if call is None or f.get("Uniqueid") != call.customer_uid or call.outside:
        return
    call = _ensure_arrived(t, call)
    t.put(replace(call, ringing_uid=f.get("DestUniqueid"), hangup_by=None))


def _on_dial_end(t: _Step, f: Frame) -> None:
    call = t.call_of_channel(f)
    if call is None or f.get("Uniqueid") != call.customer_uid or call.outside:
        return
    dest_uid = f.get("DestUniqueid") or ""
    if f.get("DialStatus") == "ANSWER":
        t.put(_answered_by(t, call, dest_uid, f.get("DestChannel"), call.target_agent_id, "blind"))
    elif call.ringing_uid == dest_uid:
        t.put(replace(call, ringing_uid=None))


def _on_attended_transfer(t: _Step, f: Frame) -> None:
    call = (
        t.call(f.get("TransfereeLinkedid"))
        or t.call(t.state.channels.get(f.get("TransfereeUniqueid") or ""))
        or t.call(f.get("OrigTransfererLinkedid"))
    )
    if call is None:
        return
    if f.get("Result") != "Success":
        t.put(_consult_ended(t, call, "back"))
        return
    asked = call.consult_target
    target_uid = f.get("TransferTargetUniqueid") or (call.joiner[0] if call.joiner else None)
    target_uid = target_uid or call.consult_uid
    if not target_uid:
        return
    channel = f.get("TransferTargetChannel") or (call.joiner[1] if call.joiner else None)
    channel = channel or call.consult_channel or ""
    if f.get("DestType") == "Threeway":
        target = asked or f"agent:{_transfer_target_id(f, call)}"
        call = _consult_ended(t, call, "conferenced")
        t.emit(
            "call.conferenced",
            call,
            ("conferenced", call.consults, target_uid),
            {**_consult_payload(target), "agent_id": call.agent_id},
            agent_id=call.agent_id,
        )
        t.put(replace(call, conference=(target_uid, channel, target)))
        return
    call = _consult_ended(t, call, "transferred")
    what, _, target_id = (asked or f"agent:{_transfer_target_id(f, call)}").partition(":")
    agent_id = target_id if what == "agent" else None
    t.put(
        _answered_by(
            t, call, target_uid, channel, agent_id, "attended", target=f"{what}:{target_id}"
        )
    )


def _transfer_target_id(f: Frame, call: CallState) -> str | None:
    """Who the target is when the platform did not name it (a transfer keyed on the phone)."""
    return (
        _known(f.get("TransferTargetExten"))
        or _known(f.get("TransferTargetCallerIDNum"))
        or (call.joiner[2] if call.joiner else None)
    )


def _on_blind_transfer(t: _Step, f: Frame) -> None:
    """A blind transfer into the transfer context: the customer goes to an outside number and
    the agent is free (a transfer to the connect or hold context shows in their own events)."""
    if f.get("Result") != "Success" or f.get("Context") != t.state.config.transfer_context:
        return
    uid = f.get("TransfereeUniqueid")
    call = t.call(f.get("TransfereeLinkedid")) or t.call(t.state.channels.get(uid or ""))
    if call is None or uid != call.customer_uid:
        return
    number = f.get("Extension") or ""
    _left_agent(
        t, _ensure_arrived(t, call), "number", f"number:{number}", agent_id=call.agent_id,
        target_agent_id=None, ringing_uid=None, outside=number,
    )  # fmt: skip


def _on_chanspy(t: _Step, f: Frame) -> None:
    """A supervisor's ChanSpy leg starts or stops listening to the call's agent leg: the
    wallboard's monitoring indicator (``call.monitor_started`` / ``call.monitor_stopped``), and
    the leg a ``spy_stop`` command hangs up."""
    call = t.call_of_channel(f, "Spyee")
    spyer = f.get("SpyerChannel")
    if call is None or not spyer:
        return
    started = f.event == "ChanSpyStart"
    if started == (spyer in call.spies):
        return  # a repeat (a snapshot, a second start): nothing changed
    spies = (*call.spies, spyer) if started else tuple(c for c in call.spies if c != spyer)
    t.put(replace(call, spies=spies))
    kind = "started" if started else "stopped"
    uid = f.get("SpyerUniqueid") or spyer
    t.emit(f"call.monitor_{kind}", call, ("monitor", uid, kind), {}, agent_id=call.agent_id)


def _on_hangup_request(t: _Step, f: Frame) -> None:
    call = t.call_of_channel(f)
    if call is None or call.hangup_by is not None:
        return
    party = _party(call, f.get("Uniqueid"))
    if party is None:
        return
    t.put(replace(call, hangup_by=party if f.event == "HangupRequest" else "system"))


def _on_hangup(t: _Step, f: Frame) -> None:
    uid = f.get("Uniqueid") or ""
    call = t.call_of_channel(f)
    if uid in t.state.channels:
        channels = dict(t.get("channels"))
        channels.pop(uid, None)
        t.set(channels=channels)
    if call is None:
        return
    if uid == call.customer_uid:
        if call.surveying:
            _surveyed(t, call, None)
            t.drop(call.linkedid)
            return
        who = call.hangup_by or "customer"
        _end(t, call, who, f.get("Cause"), f.get("Cause-txt"))
        return
    if uid == call.consult_uid:
        t.put(_consult_ended(t, call, "back"))
        return
    if call.conference is not None and uid == call.conference[0]:
        t.put(replace(call, conference=None))
        return
    if call.connected and uid == call.agent_uid and call.conference is not None:
        # the agent leaves a conference: the customer stays with the third party
        c_uid, c_channel, target = call.conference
        what, _, target_id = target.partition(":")
        call = replace(call, conference=None)
        agent_id = target_id if what == "agent" else None
        t.put(_answered_by(t, call, c_uid, c_channel, agent_id, "attended", target=target))
        return
    if call.connected and uid == call.agent_uid:
        if call.consult_target is not None:
            call = _consult_ended(t, call, "failed")
        left = (t.ts, f.get("Cause"), f.get("Cause-txt"))
        t.put(
            replace(
                call,
                connected=False,
                agent_uid=None,
                agent_channel=None,
                held=False,
                agent_left=left,
            )
        )


def _on_survey_step(t: _Step, f: Frame) -> None:
    """The caller's first step in the survey context: the call ends when its agent hung up."""
    call = t.call_of_channel(f)
    if call is None or call.surveying or f.get("Uniqueid") != call.customer_uid:
        return
    if not call.answered:
        return  # sent there without a call (a mistake in a dialplan): no survey of the platform
    ts, cause, cause_txt = call.agent_left or (t.ts, None, None)
    _end(t, call, call.hangup_by or "agent", cause, cause_txt, ts=ts, surveying=True)


def _surveyed(t: _Step, call: CallState, value: str | None) -> None:
    """``call.surveyed`` once: the key pressed (``value``; None: the caller hung up first)."""
    if call.surveyed:
        return
    if value is None:
        score, reason = None, "hung_up"
    elif value in SURVEY_SCORES:
        score, reason = int(value), "answered"
    elif value:
        score, reason = None, "invalid"
    else:
        score, reason = None, "no_answer"
    t.emit(
        "call.surveyed",
        call,
        ("surveyed",),
        {"score": score, "reason": reason, "queue": call.queue},
        agent_id=call.agent_id,
    )
    t.put(replace(call, surveyed=True))


def _on_originate_response(t: _Step, f: Frame) -> None:
    action_id = f.action_id or ""
    pending = t.state.pending.get(action_id)
    if pending is not None:
        rest = dict(t.get("pending"))
        rest.pop(action_id, None)
        t.set(pending=rest)
    outbound = (
        pending.outbound
        if pending is not None
        else (f.get("Context") == t.state.config.connect_context and not f.get("Application"))
    )
    if not outbound:
        return
    agent_id = (pending.agent_id if pending else None) or _known(f.get("Exten"))
    number = (pending.number if pending else None) or dial_string_number(f.get("Channel") or "")
    if f.get("Response") == "Success":
        uid = f.get("Uniqueid") or ""
        linkedid = t.state.channels.get(uid, uid)
        call = t.call(linkedid)
        if call is None:
            call_id = (pending.call_id if pending else None) or t.get("aliases").get(
                linkedid, linkedid
            )
            call = CallState(
                linkedid=linkedid,
                call_id=call_id,
                direction="outbound",
                customer_uid=uid,
                customer_channel=f.get("Channel") or "",
                dialled=number,
                target_agent_id=agent_id,
                started_at=t.ts,
                origin_call_id=pending.origin_call_id if pending else None,
            )
        call = replace(
            call, dialled=call.dialled or number, target_agent_id=call.target_agent_id or agent_id
        )
        t.put(_ensure_arrived(t, call))
        return
    call_id = (pending.call_id if pending else None) or f"originate-{action_id}"
    reason_code = f.get("Reason") or ""
    failed = CallState(
        linkedid="",
        call_id=call_id,
        direction="outbound",
        customer_uid="",
        customer_channel="",
        origin_call_id=pending.origin_call_id if pending else None,
    )
    t.emit(
        "call.failed",
        failed,
        ("failed",),
        {
            "direction": "outbound",
            "number": number,
            "agent_id": agent_id,
            "reason": ORIGINATE_REASONS.get(reason_code, "failed"),
            "reason_code": reason_code,
        },
        agent_id=agent_id,
    )


WRAP_UP_EVENT = "CcWrapUp"


def _on_user_event(t: _Step, f: Frame) -> None:
    if f.get("UserEvent") != WRAP_UP_EVENT:
        return
    linkedid = f.get("Linkedid") or t.state.channels.get(f.get("Uniqueid") or "") or ""
    live = t.call(linkedid)
    call_id = live.call_id if live is not None else t.get("aliases").get(linkedid, linkedid)
    agent_id = _known(f.get("Agent"))
    if not call_id or not agent_id:
        return
    payload: dict[str, Any] = {"disposition": _known(f.get("Disposition")), "by": "agent"}
    try:
        payload["wrap_s"] = float(f.get("WrapUpS") or "")
    except ValueError:
        pass
    record = CallState(
        linkedid=linkedid,
        call_id=call_id,
        direction="",
        customer_uid="",
        customer_channel="",
        origin_call_id=live.origin_call_id if live is not None else t.get("origins").get(linkedid),
    )
    t.emit(
        "call.wrapped",
        record,
        ("wrapped", f.get("Uniqueid") or agent_id),
        payload,
        agent_id=agent_id,
    )


# --- resynchronisation from a snapshot (Status with Variables, CoreShowChannels) -------------


def _on_snapshot_item(t: _Step, f: Frame) -> None:
    action_id = f.action_id or ""
    if action_id not in t.state.snapshots:
        return
    t.set(snapshots={**t.get("snapshots"), action_id: (*t.get("snapshots")[action_id], f)})


def _seconds(f: Frame) -> float:
    if f.get("Seconds"):
        try:
            return float(f["Seconds"])
        except ValueError:
            return 0.0
    duration = f.get("Duration") or ""
    parts = duration.split(":")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        h, m, s = (int(p) for p in parts)
        return float(h * 3600 + m * 60 + s)
    return 0.0


def _on_snapshot_complete(t: _Step, f: Frame) -> None:
    action_id = f.action_id or ""
    items = t.state.snapshots.get(action_id)
    if items is None:
        return
    snapshots = dict(t.get("snapshots"))
    snapshots.pop(action_id)
    pending = dict(t.get("pending"))
    pending.pop(action_id, None)
    t.set(snapshots=snapshots, pending=pending)
    _reconcile(t, items)


def _reconcile(t: _Step, items: tuple[Frame, ...]) -> None:
    """Bring the calls in line with a full channel list; publish what was missed.

    The list's order means nothing (Asterisk lists its channel container, capture 17: a Local
    pair's ``;2`` may come first): a call is only ever taken from its customer's channel (the one
    with ``CC_QUEUE`` or ``CC_AGENT`` set), whatever came before it. Calls no longer listed go to
    ``vanished`` for the bridge, which knows the gap and ends them by the reconcile rules."""
    cfg = t.state.config
    present_uids = {f.get("Uniqueid") for f in items}
    channels = {
        f["Uniqueid"]: f["Linkedid"] for f in items if f.get("Uniqueid") and f.get("Linkedid")
    }
    t.set(channels=channels)
    call_ids = {
        f["Linkedid"]: cid
        for f in items
        if f.get("Linkedid") and (cid := _variables(f).get(VAR_CALL_ID))
    }
    if any(t.get("aliases").get(lid) != cid for lid, cid in call_ids.items()):
        t.set(aliases={**t.get("aliases"), **call_ids})
    by_bridge: dict[str, list[Frame]] = {}
    for f in items:
        bridge = f.get("BridgeID") or f.get("BridgeId")
        if bridge:
            by_bridge.setdefault(bridge, []).append(f)
    # calls that ended while we were away
    vanished = list(t.get("vanished"))
    for gone in list((t.calls if t.calls is not None else t.state.calls).values()):
        if gone.customer_uid not in present_uids:
            if not gone.surveying:  # a surveyed call has ended already
                vanished.append(_ensure_arrived(t, gone))
            t.drop(gone.linkedid)
    if len(vanished) != len(t.get("vanished")):
        t.set(vanished=tuple(vanished))
    for f in items:
        variables = _variables(f)
        uid, linkedid = f.get("Uniqueid") or "", f.get("Linkedid") or ""
        queue, agent = variables.get(VAR_QUEUE) or None, variables.get(VAR_AGENT) or None
        call = t.call(linkedid)
        if call is None and f.get("Context") == cfg.survey_context:
            continue  # a caller in the survey: its call ended before this bridge knew it
        if call is None:
            if queue:
                direction = "inbound"
            elif agent and agent != FAILED_EXTEN:
                direction = "outbound"
            else:
                continue
            call_id = variables.get(VAR_CALL_ID) or t.get("aliases").get(linkedid, linkedid)
            call = CallState(
                linkedid=linkedid,
                call_id=call_id,
                direction=direction,
                customer_uid=uid,
                customer_channel=f.get("Channel") or "",
                caller=_known(f.get("CallerIDNum")) if direction == "inbound" else None,
                caller_name=_known(f.get("CallerIDName")) if direction == "inbound" else None,
                dialled=None if direction == "inbound" else _originated_number(f),
                queue=queue,
                customer_id=variables.get(VAR_CUSTOMER) or None,
                target_agent_id=agent,
                started_at=t.now - timedelta(seconds=_seconds(f)),
                origin_call_id=variables.get(VAR_ORIGIN_CALL_ID) or None,
            )
            call = _ensure_arrived(t, call, ts=call.started_at)
        elif uid != call.customer_uid:
            continue
        bridge = f.get("BridgeID") or f.get("BridgeId")
        peers = [p for p in by_bridge.get(bridge or "", []) if p.get("Uniqueid") != uid]
        if peers and f.get("Context") != cfg.hold_context:
            peer = peers[0]
            peer_uid = peer.get("Uniqueid") or ""
            if not call.connected or call.agent_uid != peer_uid:
                call = _answered_by(
                    t, call, peer_uid, peer.get("Channel"), agent or call.target_agent_id, "blind"
                )
        t.put(call)


_HANDLERS = {
    "VarSet": _on_varset,
    "Newexten": _on_survey_step,
    "MusicOnHoldStart": _on_moh_start,
    "MusicOnHoldStop": _on_moh_stop,
    "DialBegin": _on_dial_begin,
    "DialEnd": _on_dial_end,
    "Hold": _on_hold,
    "Unhold": _on_hold,
    "HangupRequest": _on_hangup_request,
    "SoftHangupRequest": _on_hangup_request,
    "Hangup": _on_hangup,
    "AttendedTransfer": _on_attended_transfer,
    "BlindTransfer": _on_blind_transfer,
    "BridgeEnter": _on_bridge_enter,
    "ChanSpyStart": _on_chanspy,
    "ChanSpyStop": _on_chanspy,
    "OriginateResponse": _on_originate_response,
    "UserEvent": _on_user_event,
    "Status": _on_snapshot_item,
    "CoreShowChannel": _on_snapshot_item,
    "StatusComplete": _on_snapshot_complete,
    "CoreShowChannelsComplete": _on_snapshot_complete,
}
