"""The simulated PBX core: channels, dialplan execution, Dial outcomes, bridges, hangups.

Pure state machine (no I/O, no clock): the server passes the time in (``advance_to(now_s)``,
``now_s`` of each action) and collects the AMI frames to send (``take_output()``). Timers live in
an internal heap, so tests can run hours of traffic in milliseconds. The applications are in
``apps.py``, Originate and ChanSpy in ``originate.py``, DTMF and attended transfer in
``atxfer.py``.

The event sequences reproduce Asterisk 22.10.1 as recorded in
``tests/fixtures/ami/real-asterisk/``: per channel the same events, fields and order; Local
channels come in ``;1``/``;2`` pairs whose ``;2`` half runs a ``sim-*`` context; PJSIP-style
channels are driven by a ``Device`` (``phones.py``). Hangup causes follow the captures (surprise
4: a busy ``;2`` hangs up with 17 while its ``;1`` says 0, a ring timeout gives 19, a dialled leg
that never answered 0, a normal call 16), and so does who emits ``SoftHangupRequest`` (channels
running dialplan) and who only ``HangupRequest`` (a leg whose other half went away).
"""

from __future__ import annotations

import heapq
import itertools
import random
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from telephony.cdr import CdrRecord
from telephony.simulator import cdr
from telephony.simulator.apps import APPS
from telephony.simulator.atxfer import (
    complete_transfer,
    consult_answered,
    consult_ringing,
    target_gone,
)
from telephony.simulator.controls import mixmonitor_end
from telephony.simulator.dialplan import Dialplan
from telephony.simulator.model import (
    CAUSE_TEXT,
    DOWN,
    RING,
    RINGING,
    UP,
    Bridge,
    Channel,
    ConsultCall,
    DialAttempt,
    OriginateJob,
    Pairs,
    Recording,
    calling_pres,
    event,
)
from telephony.simulator.originate import (
    REASON_BUSY,
    REASON_CONGESTION,
    REASON_FAILED,
    SPOOL_FAILED_CHANNEL,
    originate_answered,
    originate_failed,
    spy_stop,
)
from telephony.simulator.phones import Device
from telephony.simulator.switch import Phonebook


@dataclass
class Output:
    """A frame to send: to one session (``session_id``) or to every logged-in session (None)."""

    session_id: int | None
    pairs: Pairs


@dataclass(order=True)
class _Timer:
    due_s: float
    seq: int
    fn: Callable[..., None] = field(compare=False)
    args: tuple[Any, ...] = field(compare=False)


def _default_phonebook(resource: str, role: str) -> Device | None:
    return Device(kind="agent", ring_after_s=0.0, answer_after_s=2.0)


def _any_endpoint(name: str) -> bool:
    return True


REMOTE_ANSWER_S = 0.3  # a phone told to answer (NOTIFY Event: talk) picks up this much later


class Engine:
    """The PBX: feed it actions and time, collect frames."""

    def __init__(
        self,
        dialplan: Dialplan,
        *,
        phonebook: Phonebook = _default_phonebook,
        endpoint_known: Callable[[str], bool] = _any_endpoint,
        epoch_s: float = 1_795_381_458.0,
        seed: int = 0,
        trunk: str = "trunk",
        timestamp_events: bool = False,
        atxfer_code: str | None = None,
        cdr_unanswered: bool | None = None,
    ) -> None:
        self.dialplan = dialplan
        # features.conf [featuremap] atxfer: none in stock Asterisk (the project ships no
        # features.conf); the captures' Asterisk had *2
        self.atxfer_code = atxfer_code
        # cdr_csv: None writes no CDR; else whether unanswered records are written (cdr.conf)
        self.cdr_unanswered = cdr_unanswered
        self.cdr_output: list[CdrRecord] = []
        self.timestamp_events = timestamp_events
        self.phonebook = phonebook
        self.endpoint_known = endpoint_known  # PJSIP endpoints configured (PJSIPNotify)
        self.epoch_s = epoch_s
        self.trunk = trunk
        self.now_s = 0.0
        self.rng = random.Random(seed)
        self.channels: dict[str, Channel] = {}
        self.output: list[Output] = []
        self._timers: list[_Timer] = []
        self._timer_seq = itertools.count()
        self._channel_seq = itertools.count()
        self._uniqueid_seq = itertools.count()
        self.listeners: list[Callable[[Engine, str, Channel], None]] = []
        self._devices: dict[str, str] = {}  # PJSIP endpoint -> its last DeviceStateChange state
        self._endpoint_channels: dict[str, dict[str, Channel]] = {}  # endpoint -> name -> channel
        # the MixMonitor recordings (controls.py), the latest ones: a day of traffic stays small
        self.recordings: deque[Recording] = deque(maxlen=10_000)
        self.recordings_done: list[Recording] = []  # stopped since the last take_recordings

    # ------------------------------------------------------------------ time and output

    def take_recordings(self) -> list[Recording]:
        """The recordings stopped since the last call (their files are complete)."""
        done, self.recordings_done = self.recordings_done, []
        return done

    def schedule(self, delay_s: float, fn: Callable[..., None], *args: Any) -> None:
        heapq.heappush(
            self._timers, _Timer(self.now_s + max(0.0, delay_s), next(self._timer_seq), fn, args)
        )

    def next_due_s(self) -> float | None:
        return self._timers[0].due_s if self._timers else None

    def advance_to(self, now_s: float) -> None:
        """Run every timer due at or before ``now_s`` (in time order), then set the clock."""
        while self._timers and self._timers[0].due_s <= now_s:
            timer = heapq.heappop(self._timers)
            self.now_s = max(self.now_s, timer.due_s)
            timer.fn(*timer.args)
        self.now_s = max(self.now_s, now_s)

    def take_output(self) -> list[Output]:
        out, self.output = self.output, []
        return out

    def take_cdrs(self) -> list[CdrRecord]:
        """The CDR records written since the last call (Master.csv lines, in order)."""
        out, self.cdr_output = self.cdr_output, []
        return out

    def emit(self, pairs: Pairs, session_id: int | None = None) -> None:
        """Queue a frame. With ``timestamp_events`` (manager.conf ``timestampevents = yes``) a
        manager event (broadcast, ``Privilege`` second) gets ``Timestamp:`` after ``Privilege``,
        as Asterisk writes it; responses and list items never do."""
        if (
            self.timestamp_events
            and session_id is None
            and len(pairs) > 1
            and pairs[0][0] == "Event"
            and pairs[1][0] == "Privilege"
        ):
            pairs = [*pairs[:2], ("Timestamp", f"{self.wall_s():.6f}"), *pairs[2:]]
        self.output.append(Output(session_id, pairs))

    def wall_s(self) -> float:
        return self.epoch_s + self.now_s

    def later(self, ch: Channel, delay_s: float, fn: Callable[..., None], *args: Any) -> None:
        """A timer that is dropped if the channel moved on (hung up, redirected) meanwhile."""
        self.schedule(delay_s, self._if_current, ch, ch.token, fn, args)

    def _if_current(
        self, ch: Channel, token: int, fn: Callable[..., None], args: tuple[Any, ...]
    ) -> None:
        if ch.alive and ch.token == token:
            fn(*args)

    def notify(self, what: str, ch: Channel) -> None:
        for listener in self.listeners:
            listener(self, what, ch)

    # ------------------------------------------------------------------ channels

    def continue_channel_numbers(self, next_seq: int) -> None:
        """Number the next channels from ``next_seq``, as an Asterisk that made channels before
        (a fidelity replay of a capture: same names, so lists come in the same order)."""
        self._channel_seq = itertools.count(next_seq)

    def _new_uniqueid(self) -> str:
        return f"{int(self.wall_s())}.{next(self._uniqueid_seq)}"

    def _new_channel(
        self, name: str, context: str, exten: str, state: int, linkedid: str | None, tech: str
    ) -> Channel:
        uid = self._new_uniqueid()
        ch = Channel(
            name=name,
            uniqueid=uid,
            linkedid=linkedid or uid,
            created_at=self.now_s,
            context=context,
            exten=exten,
            state=state,
            tech=tech,
        )
        ch.cdr = cdr.opened(self.now_s, context, exten)
        # Asterisk does not require unique names (two failed Originates may each have an
        # OutgoingSpoolFailed at once): a second one is kept under another key
        self.channels[name if name not in self.channels else f"{name} {uid}"] = ch
        if tech == "PJSIP":
            self._endpoint_channels.setdefault(ch.device_name, {})[name] = ch
        return ch

    def drop_channel(self, ch: Channel) -> None:
        """Forget a channel that has hung up, and tell its device's state."""
        if self.channels.get(ch.name) is ch:
            del self.channels[ch.name]
        else:  # kept under another key (a name in use twice)
            self.channels.pop(f"{ch.name} {ch.uniqueid}", None)
        if ch.tech == "PJSIP":
            device = ch.device_name
            mine = self._endpoint_channels.get(device, {})
            mine.pop(ch.name, None)
            if not mine:
                self._endpoint_channels.pop(device, None)
        self.device_state(ch)

    def local_pair(self, exten: str, context: str, linkedid: str | None) -> tuple[Channel, Channel]:
        base = f"Local/{exten}@{context}-{next(self._channel_seq):08x}"
        one = self._new_channel(f"{base};1", context, exten, DOWN, linkedid, "Local")
        two = self._new_channel(f"{base};2", context, exten, RING, one.linkedid, "Local")
        one.half, two.half = 1, 2
        one.peer, two.peer = two, one
        self.emit(event("Newchannel", one.headers()))
        self.emit(event("Newchannel", two.headers()))
        return one, two

    def pjsip_channel(
        self, endpoint: str, context: str, exten: str, state: int, linkedid: str | None
    ) -> Channel:
        name = f"PJSIP/{endpoint}-{next(self._channel_seq):08x}"
        return self._new_channel(name, context, exten, state, linkedid, "PJSIP")

    def spool_failed_channel(self, context: str, exten: str) -> Channel:
        """The technology-less channel main/pbx.c makes to run a failed Originate's ``failed``
        extension (the caller emits its Newchannel once its caller id is set)."""
        return self._new_channel(SPOOL_FAILED_CHANNEL, context, exten, DOWN, None, "")

    def find_channel(self, name: str) -> Channel | None:
        return self.channels.get(name)

    def set_var(self, ch: Channel, name: str, value: str) -> None:
        ch.variables[name] = value
        self.emit(
            event(
                "VarSet",
                ch.headers(),
                [("Variable", name), ("Value", value)],
                privilege="dialplan,all",
            )
        )

    def newstate(self, ch: Channel, state: int) -> None:
        ch.state = state
        if state == UP and ch.cdr is not None:
            cdr.answered(ch.cdr, self.now_s)
        self.emit(event("Newstate", ch.headers()))
        self.device_state(ch)

    def device_state(self, ch: Channel) -> None:
        """``DeviceStateChange`` as res_manager_devicestate sends it (Asterisk sends it a moment
        later, from its device state thread: only the order per device is kept).

        Local devices are not cached: every state change of either half says INUSE and every
        hangup NOT_INUSE, duplicates included (the rule holds for all 15 real-Asterisk
        captures). PJSIP endpoints are cached: an event only when the endpoint's aggregate over
        its channels changes (RINGING, INUSE, NOT_INUSE)."""
        device = ch.device_name
        if ch.tech == "Local":
            state = "INUSE" if ch.alive else "NOT_INUSE"
        elif ch.tech == "PJSIP":
            mine = [c for c in self._endpoint_channels.get(device, {}).values() if c.alive]
            if any(c.state == UP for c in mine):
                state = "INUSE"
            elif any(c.state in (RING, RINGING) for c in mine):
                state = "RINGING" if any(c.state == RINGING for c in mine) else "INUSE"
            else:
                state = "INUSE" if mine else "NOT_INUSE"
            if self._devices.get(device, "NOT_INUSE") == state:
                return
            self._devices[device] = state
        else:
            return
        self.emit(event("DeviceStateChange", [("Device", device), ("State", state)]))

    def newexten(self, ch: Channel, app: str, data: str) -> None:
        ch.app, ch.app_data = app, data
        if ch.cdr is not None:
            cdr.exten(ch.cdr, ch.context, ch.exten, app, data)
        announce = ch.pending_cid is not None
        if ch.pending_cid is not None:
            ch.cid_num, ch.cid_name = ch.pending_cid
            ch.pending_cid = None
        self.emit(
            event(
                "Newexten",
                ch.headers(),
                [("Extension", ch.exten), ("Application", app), ("AppData", data)],
                privilege="dialplan,all",
            )
        )
        if announce:
            self.emit(event("NewCallerid", ch.headers(), [calling_pres(ch)]))

    def callerid_events(self, ch: Channel, with_connected: bool = True) -> None:
        self.emit(
            event(
                "NewCallerid",
                ch.headers(),
                [calling_pres(ch)],
            )
        )
        if with_connected:
            self.emit(event("NewConnectedLine", ch.headers()))

    def local_bridge(self, one: Channel, two: Channel) -> None:
        self.emit(
            event(
                "LocalBridge",
                one.headers("LocalOne"),
                two.headers("LocalTwo"),
                [("Context", one.context), ("Exten", one.exten), ("LocalOptimization", "Yes")],
            )
        )

    # ------------------------------------------------------------------ inbound arrivals

    def inbound_call(
        self,
        did: str,
        cid_num: str,
        cid_name: str,
        device: Device,
        variables: dict[str, str] | None = None,
    ) -> Channel:
        """A call arriving on the trunk (PJSIP-style): rings into cc-inbound at the DID."""
        ch = self.pjsip_channel(self.trunk, "cc-inbound", did, RING, None)
        ch.cid_num, ch.cid_name = cid_num, cid_name
        ch.device = device
        self.emit(event("Newchannel", ch.headers()))
        for name, value in (variables or {}).items():
            self.set_var(ch, name, value)
        if device.patience_s is not None:
            self.schedule(device.patience_s, self._patience_over, ch)
        self.start_pbx(ch, "cc-inbound", did, 1)
        self.notify("arrived", ch)
        return ch

    def _patience_over(self, ch: Channel) -> None:
        if ch.alive and ch.device is not None and not ch.device.was_bridged and ch.bridge is None:
            self._device_hangup(ch, 16)

    # ------------------------------------------------------------------ dialplan execution

    def start_pbx(self, ch: Channel, context: str, exten: str, priority: int) -> None:
        ch.in_pbx = True
        ch.context, ch.exten, ch.priority = context, exten, priority
        ch.blocked = None
        ch.read = None
        self.later(ch, 0.0, self._run, ch)

    def _run(self, ch: Channel) -> None:
        """Execute priorities until an application blocks (or the channel goes)."""
        for _ in range(1000):
            if not ch.alive or ch.blocked is not None or not ch.in_pbx:
                return
            step = self.dialplan.step(ch.context, ch.exten, ch.priority)
            if step is None:
                self.self_hangup(ch)
                return
            ch.epoch_s = self.wall_s()
            data = step.data(ch)
            self.newexten(ch, step.app, data)
            handler = APPS.get(step.app.lower())
            if handler is None:
                ch.priority += 1
                continue
            if handler(self, ch, data) == "next":
                ch.priority += 1
        self.self_hangup(ch)  # a dialplan loop without a blocking application

    def resume(self, ch: Channel) -> None:
        ch.blocked = None
        ch.priority += 1
        self._run(ch)

    def block(self, ch: Channel, what: str, delay_s: float | None = None) -> str:
        ch.blocked = what
        if delay_s is not None:
            self.later(ch, delay_s, self.resume, ch)
        return "block"

    def answer(self, ch: Channel) -> None:
        """``ch`` goes off-hook: a ``;2`` answering also answers its ``;1`` and the dialler."""
        self.newstate(ch, UP)
        if ch.half == 2 and ch.peer is not None and ch.peer.alive and ch.peer.state != UP:
            self.newstate(ch.peer, UP)
            self._callee_answered(ch.peer)

    def callee_ringing(self, callee: Channel) -> None:
        if callee.state != RINGING and callee.state != UP:
            self.newstate(callee, RINGING)
        dialer = callee.dialed_by
        if isinstance(dialer, DialAttempt) and not dialer.done and dialer.rang_at is None:
            dialer.rang_at = self.now_s
            ring_ms = int((self.now_s - dialer.started_at) * 1000)
            self.set_var(dialer.caller, "RINGTIME", str(ring_ms // 1000))
            self.set_var(dialer.caller, "RINGTIME_MS", str(ring_ms))
            self.emit(
                event(
                    "DialState",
                    dialer.caller.headers(),
                    callee.headers("Dest"),
                    [("DialStatus", "RINGING")],
                )
            )
        elif isinstance(dialer, OriginateJob) and not dialer.done and not dialer.rang:
            dialer.rang = True
            self.emit(event("DialState", callee.headers("Dest"), [("DialStatus", "RINGING")]))
        elif isinstance(dialer, ConsultCall):
            consult_ringing(self, dialer)

    def _callee_answered(self, callee: Channel) -> None:
        dialer = callee.dialed_by
        if isinstance(dialer, OriginateJob):
            originate_answered(self, dialer, callee)
        elif isinstance(dialer, DialAttempt) and not dialer.done:
            self._dial_answered(dialer)
        elif isinstance(dialer, ConsultCall):
            consult_answered(self, dialer)

    def callee_failed(self, callee: Channel, status: str) -> None:
        dialer = callee.dialed_by
        if isinstance(dialer, OriginateJob) and not dialer.done:
            self.emit(event("DialEnd", callee.headers("Dest"), [("DialStatus", status)]))
            reason = REASON_BUSY if status == "BUSY" else REASON_CONGESTION
            self._dialer_hangup(callee, 0)
            originate_failed(self, dialer, reason)
        elif isinstance(dialer, DialAttempt) and not dialer.done:
            self._dial_failed(dialer, status, 0)

    # ------------------------------------------------------------------ Dial outcomes

    def _dial_answered(self, attempt: DialAttempt) -> None:
        caller, callee = attempt.caller, attempt.callee
        attempt.answered_at = self.now_s
        self.set_var(caller, "DIALSTATUS", "ANSWER")
        self.set_var(caller, "DIALEDPEERNAME", callee.name)
        self.set_var(caller, "DIALEDPEERNUMBER", attempt.dialstring)
        if callee.half:
            callee.exten = ""
        self.emit(
            event("DialEnd", caller.headers(), callee.headers("Dest"), [("DialStatus", "ANSWER")])
        )
        caller.hangup_cause = callee.hangup_cause = 16
        bridge = self.new_bridge()
        if callee.half:
            self.newexten(callee, "AppDial", "(Outgoing Line)")
        self.bridge_enter(bridge, callee)
        self.bridge_enter(bridge, caller)
        self.set_var(callee, "BRIDGEPEER", caller.name)
        self.set_var(caller, "BRIDGEPEER", callee.name)

    def dial_timeout(self, attempt: DialAttempt) -> None:
        if attempt.done or attempt.answered_at is not None:
            return
        self._dial_failed(attempt, "NOANSWER", 0)

    def _dial_failed(self, attempt: DialAttempt, status: str, cause: int) -> None:
        attempt.done = True
        caller, callee = attempt.caller, attempt.callee
        self.cdr_dial_ended(caller, status)
        self.emit(
            event("DialEnd", caller.headers(), callee.headers("Dest"), [("DialStatus", status)])
        )
        if callee.alive:
            self._dialer_hangup(callee, cause)
        self.set_var(caller, "DIALSTATUS", status)
        caller.dial = None
        if caller.alive and caller.blocked == "dial":
            self.later(caller, 0.0, self.resume, caller)

    def dial_finished(self, attempt: DialAttempt, caller_leaving: bool) -> None:
        """An answered Dial's bridge broke up: time variables; the caller resumes unless leaving."""
        if attempt.done:
            return
        attempt.done = True
        caller = attempt.caller
        start = attempt.answered_at if attempt.answered_at is not None else self.now_s
        answered_ms = int((self.now_s - start) * 1000)
        self.set_var(caller, "ANSWEREDTIME", str(answered_ms // 1000))
        self.set_var(caller, "ANSWEREDTIME_MS", str(answered_ms))
        dialed_ms = int((self.now_s - attempt.started_at) * 1000)
        self.set_var(caller, "DIALEDTIME", str(dialed_ms // 1000))
        self.set_var(caller, "DIALEDTIME_MS", str(dialed_ms))
        self.set_var(caller, "DIALSTATUS", "ANSWER")
        caller.dial = None
        if attempt.callee.alive:
            self._dialer_hangup(attempt.callee, 16)
        if not caller_leaving and caller.alive and caller.blocked == "dial":
            # Without the g option Dial returns -1 when the callee hangs up: the caller goes too.
            then = self.resume if "g" in attempt.options else self.self_hangup
            self.later(caller, 0.0, then, caller)

    # ------------------------------------------------------------------ bridges and holds

    def new_bridge(self) -> Bridge:
        bridge = Bridge(str(uuid.UUID(int=self.rng.getrandbits(128), version=4)))
        self.emit(event("BridgeCreate", bridge.headers()))
        return bridge

    def bridge_enter(self, bridge: Bridge, ch: Channel) -> None:
        bridge.members.append(ch)
        ch.bridge = bridge
        self.emit(event("BridgeEnter", bridge.headers(), ch.headers()))
        if ch.device is not None:
            ch.device.was_bridged = True
        self.notify("bridged", ch)

    def hangup_after(self, ch: Channel, delay_s: float) -> None:
        """The phone behind ``ch`` hangs up in ``delay_s``: a person ending the call, whatever
        the PBX did with the channel meanwhile (hold, Redirect)."""
        self.schedule(delay_s, self._if_alive, ch, self._device_hangup, (ch, 16))

    def hold_after(self, ch: Channel, delay_s: float, hold_for_s: float) -> None:
        """The phone behind ``ch`` puts its call on hold in ``delay_s`` for ``hold_for_s``."""
        assert ch.device is not None
        ch.device.hold_for_s = hold_for_s
        self.schedule(delay_s, self._if_alive, ch, self._device_hold, (ch,))

    def _if_alive(self, ch: Channel, fn: Callable[..., None], args: tuple[Any, ...]) -> None:
        if ch.alive:
            fn(*args)

    def _leave_bridge(self, ch: Channel) -> None:
        """``ch`` leaves its bridge; a two-party bridge then breaks up and ends its Dial."""
        bridge = ch.bridge
        if bridge is None:
            return
        for member in bridge.members:
            self.set_var(member, "BRIDGEPEER", "")
        bridge.members.remove(ch)
        ch.bridge = None
        for member in (ch, *bridge.members):
            if member.cdr is not None:
                cdr.bridge_ended(member.cdr, self.now_s)
        self.emit(event("BridgeLeave", bridge.headers(), ch.headers()))
        attempt = ch.dial if isinstance(ch.dial, DialAttempt) else ch.dialed_by
        if not isinstance(attempt, DialAttempt):
            attempt = None
        if len(bridge.members) >= 2 and (attempt is None or attempt.caller is not ch):
            return  # a three-way call: the other two go on talking
        for other in list(bridge.members):
            bridge.members.remove(other)
            other.bridge = None
            if other.moh_on:
                self.moh_stop(other)
            self.emit(event("BridgeLeave", bridge.headers(), other.headers()))
            if attempt is None and other.in_pbx and other.blocked == "bridge":
                # A bridge made by the Bridge action: the survivor goes on in its dialplan.
                self.later(other, 0.0, self.resume, other)
            elif isinstance(other.dialed_by, ConsultCall):
                # a three-way call's former consultation target: nothing holds it up any more
                self.later(other, 0.0, self.hang_up_leg, other, 16)
        self.emit(event("BridgeDestroy", bridge.headers()))
        if isinstance(attempt, DialAttempt):
            if ch.redirecting:
                attempt.done = True
                attempt.caller.dial = None
                attempt.callee.dialed_by = None
            else:
                self.dial_finished(attempt, caller_leaving=attempt.caller is ch)

    def moh_start(self, ch: Channel, moh_class: str) -> None:
        ch.moh_on = True
        self.emit(event("MusicOnHoldStart", ch.headers(), [("Class", moh_class)]))

    def moh_stop(self, ch: Channel) -> None:
        ch.moh_on = False
        self.emit(event("MusicOnHoldStop", ch.headers()))

    def indicate_hold(self, ch: Channel, moh_class: str, hold_event: bool = False) -> None:
        if hold_event:
            self.emit(event("Hold", ch.headers()))
        if ch.bridge is not None:
            for other in ch.bridge.members:
                if other is not ch and not other.moh_on:
                    self.moh_start(other, moh_class)

    def indicate_unhold(self, ch: Channel, hold_event: bool = False) -> None:
        if hold_event:
            self.emit(event("Unhold", ch.headers()))
        if ch.bridge is not None:
            for other in ch.bridge.members:
                if other is not ch and other.moh_on:
                    self.moh_stop(other)

    # ------------------------------------------------------------------ hangups

    def self_hangup(self, ch: Channel) -> None:
        """The channel's own dialplan hangs up (Hangup(), end of dialplan)."""
        if not ch.alive:
            return
        if not ch.hangup_cause:
            ch.hangup_cause = 16
        self._stop_activity(ch)
        self.emit(event("SoftHangupRequest", ch.headers(), [("Cause", "16")]))
        self._finish(ch, ch.hangup_cause)

    def hangup(self, ch: Channel, cause: int | None) -> None:
        """AMI ``Hangup``: soft hangup of ``ch`` with ``cause`` (default: the channel's own)."""
        if cause is not None:
            ch.hangup_cause = cause
        self._stop_activity(ch)
        if ch.in_pbx:
            self.emit(event("SoftHangupRequest", ch.headers(), [("Cause", "16")]))
        self._finish(ch, ch.hangup_cause)

    def request_hangup(self, ch: Channel, cause: int) -> None:
        """The other side went away (Local peer, phone): HangupRequest now, teardown right after."""
        if not ch.alive or ch.hangup_pending is not None:
            return
        self.emit(event("HangupRequest", ch.headers(), [("Cause", str(cause))]))
        if cause:
            ch.hangup_cause = cause
        ch.hangup_pending = cause
        self.schedule(0.0, self._teardown, ch)

    def _teardown(self, ch: Channel) -> None:
        if not ch.alive:
            return
        self._stop_activity(ch)
        if ch.in_pbx:
            self.emit(event("SoftHangupRequest", ch.headers(), [("Cause", "16")]))
        self._finish(ch, ch.hangup_cause)

    def hang_up_leg(self, ch: Channel, cause: int) -> None:
        """A leg the PBX itself drops (Dial, Originate, a transfer): no request events for it."""
        self._dialer_hangup(ch, cause)

    def _dialer_hangup(self, ch: Channel, cause: int) -> None:
        """Dial / Originate hangs up a leg it created (no request events for that leg)."""
        if not ch.alive:
            return
        ch.hangup_cause = cause
        ch.token += 1
        if ch.bridge is not None:
            self._leave_bridge(ch)
        self._finish(ch, cause)

    def _device_hangup(self, ch: Channel, cause: int) -> None:
        """A PJSIP-style phone hangs up (BYE)."""
        self.request_hangup(ch, cause)

    def _stop_activity(self, ch: Channel) -> None:
        ch.token += 1
        if ch.xfer is not None and ch.bridge is ch.xfer.consult_bridge:
            complete_transfer(self, ch)
        if isinstance(ch.dialed_by, ConsultCall):
            target_gone(self, ch)
        if ch.moh_on:
            self.moh_stop(ch)
        if ch.spy is not None:
            spy_stop(self, ch.spy)
            ch.spy = None
        if ch.bridge is not None:
            self._leave_bridge(ch)
        attempt = ch.dial
        if isinstance(attempt, DialAttempt) and not attempt.done:
            self._dial_failed(attempt, "CANCEL", 0)
        dialer = ch.dialed_by
        if isinstance(dialer, DialAttempt) and not dialer.done and dialer.answered_at is None:
            self._dial_failed(dialer, "NOANSWER", 0)
        if isinstance(dialer, OriginateJob) and not dialer.done:
            originate_failed(self, dialer, REASON_FAILED)
        ch.blocked = None

    def _finish(self, ch: Channel, cause: int) -> None:
        if not ch.alive:
            return
        ch.alive = False
        ch.token += 1
        if ch.mixmonitor is not None:
            mixmonitor_end(self, ch)
        peer = ch.peer if ch.half else None
        if peer is not None and peer.alive:
            self.request_hangup(peer, cause)
        if ch.pending_cid is not None:
            ch.cid_num, ch.cid_name = ch.pending_cid
        self.cdr_hangup(ch, cause)
        self.emit(
            event(
                "Hangup",
                ch.headers(),
                [("Cause", str(cause)), ("Cause-txt", CAUSE_TEXT.get(cause, "Unknown"))],
            )
        )
        if ch.pending_cid is not None:
            ch.pending_cid = None
            self.emit(
                event(
                    "NewCallerid",
                    ch.headers(),
                    [calling_pres(ch)],
                )
            )
        self.drop_channel(ch)
        if ch.on_gone is not None:
            gone, ch.on_gone = ch.on_gone, None
            gone()
        for spyer in [c for c in self.channels.values() if c.spy is not None and c.spy.spyee is ch]:
            exits = "E" in spyer.spy.options  # ChanSpy E: exit when the spied-on channel hangs up
            spy_stop(self, spyer.spy)
            if exits:
                self.later(spyer, 0.0, self.hangup, spyer, 16)
        self.notify("hangup", ch)
        if ch.device is not None and ch.device.kind == "agent" and ch.device.was_bridged:
            if ch.device.wrap_up_s is not None:
                self.schedule(ch.device.wrap_up_s, self._wrap_up_done, ch)

    # ------------------------------------------------------------------ call detail records

    def cdr_dial_ended(self, caller: Channel, status: str) -> None:
        if caller.cdr is not None:
            cdr.dial_failed(caller.cdr, status, self.now_s, caller.state == UP)

    def cdr_dial_begins(self, caller: Channel, callee: Channel) -> None:
        """``callee`` is the Dial's leg: the caller's ``dstchannel``, no records of its own."""
        callee.cdr = None
        if caller.cdr is not None:
            cdr.dial_begins(caller.cdr, callee.name, self.now_s, caller.state == UP)

    def cdr_hangup(self, ch: Channel, cause: int) -> None:
        if ch.cdr is not None and self.cdr_unanswered is not None:
            self.cdr_output += cdr.records(
                ch.cdr,
                channel=ch.name,
                uniqueid=ch.uniqueid,
                cid_num=ch.cid_num,
                cid_name=ch.cid_name,
                cause=cause,
                now_s=self.now_s,
                epoch_s=self.epoch_s,
                unanswered=self.cdr_unanswered,
            )
        ch.cdr = None

    def shutdown(self) -> None:
        """Asterisk stops (``core restart now``, a crash of its host): every channel is gone at
        once. Their CDRs are written; no event is (no AMI session is left to hear it)."""
        for key, ch in list(self.channels.items()):
            ch.token += 1
            ch.blocked = None
            if ch.cdr is not None:
                cdr.bridge_ended(ch.cdr, self.now_s)
            self.cdr_hangup(ch, 16)
            ch.alive = False
            ch.bridge = None
            del self.channels[key]
            self.notify("hangup", ch)
        self._endpoint_channels.clear()
        self._devices.clear()
        self.output.clear()

    def _wrap_up_done(self, ch: Channel) -> None:
        assert ch.device is not None
        self.emit(
            [
                ("Event", "UserEvent"),
                ("Privilege", "user,all"),
                ("UserEvent", "CcWrapUp"),
                ("Agent", ch.device.label or ch.cid_num),
                ("Uniqueid", ch.uniqueid),
                ("Linkedid", ch.linkedid),
                ("WrapUpS", f"{ch.device.wrap_up_s:.0f}"),
                ("Disposition", ch.device.disposition),
            ]
        )

    # ------------------------------------------------------------------ PJSIP devices

    def device_dialed(self, ch: Channel) -> None:
        device = ch.device
        assert device is not None
        if device.outcome in ("answer", "noanswer"):
            self.later(ch, device.ring_after_s, self.callee_ringing, ch)
        if device.outcome == "answer" and device.auto_answer:
            self.later(ch, max(device.answer_after_s, device.ring_after_s), self._device_answer, ch)
        elif device.outcome in ("busy", "congestion"):
            self.later(ch, device.ring_after_s, self._device_refuse, ch, device.outcome)

    def remote_answer(self, endpoint: str) -> int:
        """A NOTIFY ``Event: talk`` reached ``endpoint``'s phone: each of its legs that rings
        (dialled, not yet up) answers shortly. Returns how many will."""
        ringing = [
            ch
            for ch in self.channels.values()
            if ch.tech == "PJSIP"
            and ch.name.rpartition("-")[0] == f"PJSIP/{endpoint}"
            and ch.device is not None
            and ch.device.outcome in ("answer", "noanswer")
            and ch.dialed_by is not None
            and not getattr(ch.dialed_by, "done", False)
            and ch.state != UP
        ]
        for ch in ringing:
            self.later(ch, REMOTE_ANSWER_S, self._device_answer, ch)
        return len(ringing)

    def _device_answer(self, ch: Channel) -> None:
        if ch.state == UP or getattr(ch.dialed_by, "done", False):
            return  # answered already (by hand and remotely), or the dialler gave up
        self.newstate(ch, UP)
        self._callee_answered(ch)

    def _device_refuse(self, ch: Channel, outcome: str) -> None:
        status, cause = ("BUSY", 17) if outcome == "busy" else ("CONGESTION", 34)
        dialer = ch.dialed_by
        if isinstance(dialer, OriginateJob) and not dialer.done:
            self.emit(event("DialEnd", ch.headers("Dest"), [("DialStatus", status)]))
            self._dialer_hangup(ch, cause)
            originate_failed(self, dialer, REASON_BUSY if status == "BUSY" else REASON_CONGESTION)
        elif isinstance(dialer, DialAttempt) and not dialer.done:
            self._dial_failed(dialer, status, cause)

    def _device_hold(self, ch: Channel) -> None:
        assert ch.device is not None
        if ch.bridge is None:
            return
        self.indicate_hold(ch, "default", hold_event=True)
        self.schedule(ch.device.hold_for_s, self._if_alive, ch, self._device_unhold, (ch,))

    def _device_unhold(self, ch: Channel) -> None:
        if ch.bridge is not None:
            self.indicate_unhold(ch, hold_event=True)

    # ------------------------------------------------------------------ Originate

    def redirect(
        self,
        ch: Channel,
        context: str,
        exten: str,
        priority: int,
        extra: tuple[Channel, str, str, int] | None = None,
    ) -> None:
        """AMI ``Redirect``: leave whatever the channel does and continue at the new place.

        With ``extra`` (``ExtraChannel``) both parties of a bridge move together and the Dial
        that joined them lets go of both instead of hanging up the one left behind.
        """
        if extra is not None:
            other = extra[0]
            ch.redirecting = other.redirecting = True
            self._redirect_one(ch, context, exten, priority)
            self._redirect_one(other, *extra[1:])
            ch.redirecting = other.redirecting = False
            return
        self._redirect_one(ch, context, exten, priority)

    def bridge_channels(self, one: Channel, two: Channel) -> None:
        """AMI ``Bridge``: both leave what they run and meet in a new bridge; when it breaks up,
        the one left continues at its next priority."""
        for ch in (one, two):
            ch.token += 1
            if ch.moh_on:
                self.moh_stop(ch)
            if ch.bridge is not None:
                ch.redirecting = True
                self._leave_bridge(ch)
                ch.redirecting = False
            ch.blocked = "bridge"
        bridge = self.new_bridge()
        self.bridge_enter(bridge, one)
        self.bridge_enter(bridge, two)
        if one.cdr is not None:
            cdr.bridged(one.cdr, two.name, self.now_s, one.state == UP)
        self.set_var(one, "BRIDGEPEER", two.name)
        self.set_var(two, "BRIDGEPEER", one.name)

    def _redirect_one(self, ch: Channel, context: str, exten: str, priority: int) -> None:
        ch.token += 1
        if ch.moh_on:
            self.moh_stop(ch)
        if ch.bridge is not None:
            self._leave_bridge(ch)
        attempt = ch.dial
        if isinstance(attempt, DialAttempt) and not attempt.done:
            attempt.done = True
            self.emit(
                event(
                    "DialEnd",
                    ch.headers(),
                    attempt.callee.headers("Dest"),
                    [("DialStatus", "CANCEL")],
                )
            )
            if attempt.callee.alive:
                self._dialer_hangup(attempt.callee, 0)
            self.cdr_dial_ended(ch, "CANCEL")
            self.set_var(ch, "DIALSTATUS", "CANCEL")
            ch.dial = None
        self.start_pbx(ch, context, exten, priority)
