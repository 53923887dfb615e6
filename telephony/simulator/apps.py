"""Dialplan applications of the simulated PBX (NoOp, Set, Goto, Dial, MusicOnHold, ...).

Pure functions ``app_<name>(engine, channel, data) -> "next" | "jump" | "block"``: "next" goes
on to the following priority, "jump" continues where a Goto put the channel, "block" leaves the
channel waiting (a timer, a dial, music on hold) until the engine resumes it. The events each
one emits follow Asterisk 22 (``tests/fixtures/ami/real-asterisk/``).
"""

from __future__ import annotations

from collections.abc import Callable

from telephony.simulator.cdr import set_userfield
from telephony.simulator.dtmf import DEFAULT_DURATION_MS, finish_read, key_pressed
from telephony.simulator.model import BUSY, DOWN, UP, Channel, DialAttempt, ReadState, event
from telephony.simulator.switch import Switch

App = Callable[[Switch, Channel, str], str]

DIAL_VARS = (
    "DIALSTATUS",
    "DIALEDPEERNUMBER",
    "DIALEDPEERNAME",
    "ANSWEREDTIME",
    "ANSWEREDTIME_MS",
    "DIALEDTIME",
    "DIALEDTIME_MS",
    "RINGTIME",
    "RINGTIME_MS",
    "PROGRESSTIME",
    "PROGRESSTIME_MS",
)
CAUSE_NO_ROUTE = 3  # the cause chan_pjsip gives a request to an endpoint with no contact
PLAYBACK_S = 1.5  # length of one prompt in cc-announce
READ_TIMEOUT_S = 5.0  # Read without a timeout: Asterisk's default wait for a digit
SAYNUMBER_S = 0.8


def app_noop(engine: Switch, ch: Channel, data: str) -> str:
    return "next"


def app_set(engine: Switch, ch: Channel, data: str) -> str:
    name, _, value = data.partition("=")
    if name == "CDR(userfield)":  # a function, not a variable: no VarSet
        if ch.cdr is not None:
            set_userfield(ch.cdr, value)
        return "next"
    engine.set_var(ch, name, value)
    return "next"


def app_goto(engine: Switch, ch: Channel, data: str) -> str:
    parts = data.split(",")
    if len(parts) == 3:
        ch.context, ch.exten, prio = parts
    elif len(parts) == 2:
        ch.exten, prio = parts
    else:
        prio = parts[0]
    ch.priority = priority_of(engine, ch, prio)
    return "jump"


def priority_of(engine: Switch, ch: Channel, prio: str) -> int:
    if prio.isdigit():
        return int(prio)
    return engine.dialplan.label_priority(ch.context, ch.exten, prio) or 1


def app_gotoif(engine: Switch, ch: Channel, data: str) -> str:
    cond, _, labels = data.partition("?")
    if_true, _, if_false = labels.partition(":")
    target = if_true if cond.strip() not in ("", "0") else if_false
    if not target:
        return "next"
    return app_goto(engine, ch, target)


def app_answer(engine: Switch, ch: Channel, data: str) -> str:
    if ch.state != UP:
        engine.answer(ch)
    return "next"


def app_ringing(engine: Switch, ch: Channel, data: str) -> str:
    if ch.half == 2 and ch.peer is not None and ch.peer.alive:
        engine.callee_ringing(ch.peer)
    return "next"


def app_wait(engine: Switch, ch: Channel, data: str) -> str:
    return engine.block(ch, "wait", _float(data, 0.0))


def app_musiconhold(engine: Switch, ch: Channel, data: str) -> str:
    engine.moh_start(ch, data or "default")
    if not ch.tech:  # no technology to play to (OutgoingSpoolFailed): stops, stays (capture 24)
        engine.moh_stop(ch)
    ch.blocked = "moh"
    return "block"


def app_playback(engine: Switch, ch: Channel, data: str) -> str:
    return engine.block(ch, "playback", PLAYBACK_S)


def app_saynumber(engine: Switch, ch: Channel, data: str) -> str:
    return engine.block(ch, "playback", SAYNUMBER_S)


def app_senddtmf(engine: Switch, ch: Channel, data: str) -> str:
    """The phone side of a Local pair sends digits: they come in on the ``;1`` half."""
    if ch.half == 2 and ch.peer is not None and ch.peer.alive:
        for digit in data.split(",", 1)[0]:
            key_pressed(engine, ch.peer, digit, DEFAULT_DURATION_MS)
    return "next"


def app_read(engine: Switch, ch: Channel, data: str) -> str:
    """``Read(variable,prompt,maxdigits,options,attempts,timeout)``: ``READSTATUS`` is ``ERROR``
    until it ends (capture 25); the digits come in as DTMF (``dtmf.heard``); after the prompt
    and ``timeout`` seconds without them, ``TIMEOUT``."""
    args = [*data.split(","), "", "", "", "", "", ""]
    variable = args[0].strip()
    max_digits = int(args[2]) if args[2].strip().isdigit() and int(args[2]) > 0 else 255
    timeout_s = _float(args[5], 0.0) if args[5].strip() else 0.0
    engine.set_var(ch, "READSTATUS", "ERROR")
    if not variable:
        return "next"
    ch.read = ReadState(variable, max_digits)
    ch.blocked = "read"
    prompt_s = PLAYBACK_S if args[1].strip() else 0.0
    engine.later(ch, prompt_s + (timeout_s or READ_TIMEOUT_S), finish_read, engine, ch, "TIMEOUT")
    engine.notify("reading", ch)  # the phone may answer (a surveyed caller presses a key)
    return "block"


def app_waitexten(engine: Switch, ch: Channel, data: str) -> str:
    seconds, _, opts = data.partition(",")
    if "m(" in opts and ch.half == 2 and ch.peer is not None:
        moh_class = opts.split("m(", 1)[1].rstrip(")") or "default"
        engine.indicate_hold(ch.peer, moh_class)
        engine.later(ch, _float(seconds, 0.0), waitexten_done, engine, ch, ch.peer)
        ch.blocked = "waitexten"
        return "block"
    return engine.block(ch, "waitexten", _float(seconds, 0.0))


def waitexten_done(engine: Switch, ch: Channel, one: Channel) -> None:
    if one.alive:
        engine.indicate_unhold(one)
    engine.resume(ch)


def app_busy(engine: Switch, ch: Channel, data: str) -> str:
    return refuse(engine, ch, 17, "BUSY")


def app_congestion(engine: Switch, ch: Channel, data: str) -> str:
    return refuse(engine, ch, 34, "CONGESTION")


def refuse(engine: Switch, ch: Channel, cause: int, status: str) -> str:
    engine.newstate(ch, BUSY)
    ch.hangup_cause = cause
    ch.blocked = "busy"
    if ch.half == 2 and ch.peer is not None and ch.peer.alive:
        engine.callee_failed(ch.peer, status)
    return "block"


def app_hangup(engine: Switch, ch: Channel, data: str) -> str:
    engine.self_hangup(ch)
    return "block"


def app_dial(engine: Switch, ch: Channel, data: str) -> str:
    args = data.split(",")
    target = args[0]
    timeout_s = _float(args[1], 0.0) if len(args) > 1 and args[1] else None
    for name in DIAL_VARS:
        engine.set_var(ch, name, "")
    tech, _, resource = target.partition("/")
    callee: Channel | None = None
    dialstring = resource
    if tech == "Local":
        res = resource.split("/")[0]
        exten, _, context = res.partition("@")
        if engine.dialplan.exists(context or "default", exten):
            one, two = engine.local_pair(exten, context or "default", ch.linkedid)
            callee = one
            dial_setup_local(engine, ch, one, two, dialstring)
    elif tech == "PJSIP":
        device = engine.phonebook(resource, "dial")
        if device is not None:
            callee = engine.pjsip_channel(
                resource.split("@")[0], "cc-agents", "s", DOWN, ch.linkedid
            )
            callee.device = device
            callee.cid_num = resource.split("@")[0]
            callee.cid_name = device.cid_name or callee.cid_num
            engine.emit(event("Newchannel", callee.headers()))
            callee.dialed_string = dialstring
            engine.set_var(callee, "DIALEDPEERNUMBER", dialstring)
            callee.conn_num, callee.conn_name = ch.cid_num, ch.cid_name
            engine.emit(event("NewConnectedLine", callee.headers()))
    if callee is None:
        # No channel at all (an unregistered PJSIP endpoint, no such extension): no Dial events,
        # only DIALSTATUS; the request's cause stays the caller's hangup cause (capture 18: 3)
        engine.set_var(ch, "DIALSTATUS", "CHANUNAVAIL")
        if tech == "PJSIP":
            ch.hangup_cause = CAUSE_NO_ROUTE
        return "next"
    options = args[2] if len(args) > 2 else ""
    attempt = DialAttempt(ch, callee, dialstring, engine.now_s, timeout_s, options)
    ch.dial = attempt
    callee.dialed_by = attempt
    engine.cdr_dial_begins(ch, callee)
    engine.emit(
        event("DialBegin", ch.headers(), callee.headers("Dest"), [("DialString", dialstring)])
    )
    if callee.half:
        assert callee.peer is not None
        engine.start_pbx(callee.peer, callee.peer.context, callee.peer.exten, 1)
    else:
        engine.device_dialed(callee)
    if timeout_s:
        engine.later(ch, timeout_s, engine.dial_timeout, attempt)
    ch.blocked = "dial"
    return "block"


def dial_setup_local(
    engine: Switch, caller: Channel, one: Channel, two: Channel, dialstring: str
) -> None:
    one.dialed_string = two.dialed_string = dialstring
    engine.set_var(one, "DIALEDPEERNUMBER", dialstring)
    inherit_variables(engine, caller, one)
    # the dialled leg is named after the caller's connected line (surprise 9: the caller's own
    # name while it is its own Originate's; <unknown> after a transfer reset it, capture 22)
    one.cid_num, one.cid_name = one.exten, caller.conn_name
    one.conn_num, one.conn_name = caller.cid_num, caller.cid_name
    engine.newexten(one, "AppDial", "(Outgoing Line)")
    engine.callerid_events(one)
    engine.set_var(two, "DIALEDPEERNUMBER", dialstring)
    inherit_variables(engine, caller, two)
    two.cid_num, two.cid_name = caller.cid_num, caller.cid_name
    two.conn_num, two.conn_name = one.cid_num, one.cid_name
    engine.callerid_events(two)
    engine.local_bridge(one, two)


def inherit_variables(engine: Switch, parent: Channel, child: Channel) -> None:
    """``__NAME`` passes on for ever (prefix kept), ``_NAME`` once (as ``NAME``)."""
    for name, value in list(parent.variables.items()):
        if name.startswith("__"):
            engine.set_var(child, name, value)
        elif name.startswith("_"):
            engine.set_var(child, name[1:], value)


def _float(text: str, default: float) -> float:
    try:
        return float(text)
    except ValueError:
        return default


APPS: dict[str, App] = {
    "noop": app_noop,
    "set": app_set,
    "goto": app_goto,
    "gotoif": app_gotoif,
    "answer": app_answer,
    "ringing": app_ringing,
    "wait": app_wait,
    "musiconhold": app_musiconhold,
    "playback": app_playback,
    "saynumber": app_saynumber,
    "senddtmf": app_senddtmf,
    "read": app_read,
    "waitexten": app_waitexten,
    "busy": app_busy,
    "congestion": app_congestion,
    "hangup": app_hangup,
    "dial": app_dial,
}
