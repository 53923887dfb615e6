"""The attended transfer feature of the simulated PBX (features.conf ``atxfer``, e.g. ``*2``).

Pure functions over the engine (``switch.Switch``), reproducing files 15 and 22 of the real-Asterisk captures: an
agent leg dialled with the ``t`` option may key the feature code; Asterisk then puts the caller
on hold (a ``Hold`` event on the transferer, music for the caller), collects the target's digits
(until they name an extension that cannot grow, or ``transferdigittimeout`` passes), calls it
into a second bridge together with the transferer, and when the transferer hangs up merges the
bridges (``BridgeMerge``, ``AttendedTransfer``): the caller ends up with the target. No
``Unhold`` ever follows the ``Hold``. Without the ``t`` option, or with no feature code
configured, the digits are plain DTMF for the other party (``dtmf.py``).

During the consultation the transferer's digits go to the consultation features of
``features.conf [general]`` (Asterisk's defaults, which the shipped features.conf spells out):
``atxferabort`` ``*1`` and ``atxferthreeway`` ``*3``; the captures show neither, so they follow
main/bridge_basic.c: abort (or the target hanging up) puts the transferer back with the caller,
music off, ``AttendedTransfer`` with ``Result: Fail``; three-way merges the consultation into
the caller's bridge, all three together (``DestType: Threeway``).
"""

from __future__ import annotations

from telephony.simulator.model import Channel, ConsultCall, DialAttempt, calling_pres, event
from telephony.simulator.switch import Switch

TRANSFER_DIGIT_TIMEOUT_S = 3.0  # features.conf [general] transferdigittimeout


def feature_digit(engine: Switch, ch: Channel, digit: str) -> str:
    """A digit came in on ``ch``: the attended transfer feature takes it (its code, then the
    target's digits) when the leg may transfer; returns the digits it lets through to the
    bridge (a code prefix that did not complete is let through as a whole)."""
    if ch.xfer_digits is not None:
        ch.xfer_digits += digit
        _target_digit(engine, ch)
        return ""
    if ch.xfer is not None and ch.bridge is ch.xfer.consult_bridge:
        return _consult_digit(engine, ch, digit)
    code = engine.atxfer_code
    if not code or not _may_transfer(ch):
        return digit
    ch.feature_digits += digit
    if ch.feature_digits == code:
        ch.feature_digits = ""
        ch.xfer_digits = ""
        engine.emit(event("Hold", ch.headers()))
        assert ch.bridge is not None
        for other in ch.bridge.members:
            if other is not ch and not other.moh_on:
                engine.moh_start(other, "default")
        engine.later(ch, TRANSFER_DIGIT_TIMEOUT_S, _digits_done, engine, ch, 0)
        return ""
    if code.startswith(ch.feature_digits):
        return ""
    released, ch.feature_digits = ch.feature_digits, ""
    return released


def _may_transfer(ch: Channel) -> bool:
    attempt = ch.dialed_by
    return isinstance(attempt, DialAttempt) and "t" in attempt.options and ch.bridge is not None


def _target_digit(engine: Switch, ch: Channel) -> None:
    """bridge_basic's digit collection: call the target as soon as the digits name an extension
    that cannot grow any longer, else when no digit came for the digit timeout."""
    digits = ch.xfer_digits or ""
    context = transfer_context(ch)
    if engine.dialplan.exists(context, digits) and not engine.dialplan.can_match_more(
        context, digits
    ):
        ch.xfer_digits = None
        start_consult(engine, ch, digits, context)
        return
    engine.later(ch, TRANSFER_DIGIT_TIMEOUT_S, _digits_done, engine, ch, len(digits))


def _digits_done(engine: Switch, ch: Channel, count: int) -> None:
    digits = ch.xfer_digits
    if digits is None or len(digits) != count:
        return  # the consultation started, or a later digit re-armed the timer
    ch.xfer_digits = None
    context = transfer_context(ch)
    if digits and engine.dialplan.exists(context, digits):
        start_consult(engine, ch, digits, context)
        return
    # no valid target: the transferer is back with the caller
    if ch.bridge is not None:
        for other in ch.bridge.members:
            if other is not ch and other.moh_on:
                engine.moh_stop(other)


def transfer_context(ch: Channel) -> str:
    return ch.var("TRANSFER_CONTEXT") or "default"


def start_consult(engine: Switch, transferer: Channel, exten: str, context: str) -> None:
    """Call the transfer target into a new bridge and move the transferer there."""
    orig = transferer.bridge
    assert orig is not None
    one, two = engine.local_pair(exten, context, transferer.linkedid)
    for ch in (one,):
        engine.set_var(ch, "TRANSFERERNAME", transferer.name)
        engine.set_var(ch, "ATTENDEDTRANSFER", transferer.name)
        engine.set_var(ch, "__TRANSFER_CONTEXT", context)
    consult_bridge = engine.new_bridge()
    engine.set_var(two, "ATTENDEDTRANSFER", transferer.name)
    engine.set_var(two, "TRANSFERERNAME", transferer.name)
    engine.set_var(two, "__TRANSFER_CONTEXT", context)
    two.cid_num, two.cid_name = transferer.cid_num, transferer.cid_name
    engine.emit(
        event(
            "NewCallerid",
            two.headers(),
            [calling_pres(two)],
        )
    )
    engine.local_bridge(one, two)
    one.conn_num, one.conn_name = transferer.cid_num, transferer.cid_name
    engine.emit(event("NewConnectedLine", one.headers()))
    engine.bridge_enter(consult_bridge, one)
    engine.set_var(one, "ATTENDEDTRANSFER", "")
    consult = ConsultCall(transferer, one, orig, consult_bridge)
    one.dialed_by = consult
    transferer.xfer = consult
    engine.start_pbx(two, context, exten, 1)
    # The transferer leaves the caller (on hold) for the consultation bridge.
    orig.members.remove(transferer)
    transferer.bridge = None
    engine.emit(event("BridgeLeave", orig.headers(), transferer.headers()))
    engine.bridge_enter(consult_bridge, transferer)
    engine.set_var(one, "BRIDGEPEER", transferer.name)
    engine.set_var(transferer, "BRIDGEPEER", one.name)
    transferer.conn_num, transferer.conn_name = one.cid_num, one.cid_name
    engine.emit(event("NewConnectedLine", transferer.headers()))
    if transferer.half == 1 and transferer.peer is not None:
        # A Local pair carries the ;1 connected line over as the ;2 caller id, when the ;2's
        # thread next runs: at its next priority (15), or its hangup (22) (model.pending_cid)
        transferer.peer.pending_cid = (transferer.conn_num, transferer.conn_name)


def consult_ringing(engine: Switch, consult: ConsultCall) -> None:
    if not consult.rang:
        consult.rang = True
        engine.emit(event("DialState", consult.target.headers("Dest"), [("DialStatus", "RINGING")]))


def consult_answered(engine: Switch, consult: ConsultCall) -> None:
    consult.answered = True
    target, transferer = consult.target, consult.transferer
    engine.emit(event("DialEnd", target.headers("Dest"), [("DialStatus", "ANSWER")]))
    target.hangup_cause = 16
    engine.set_var(target, "BRIDGEPEER", transferer.name)
    engine.set_var(transferer, "BRIDGEPEER", target.name)


def complete_transfer(engine: Switch, transferer: Channel) -> None:
    """The transferer hangs up during the consultation: merge the bridges, caller meets target."""
    consult: ConsultCall = transferer.xfer
    transferer.xfer = None
    orig, second, target = consult.orig_bridge, consult.consult_bridge, consult.target
    engine.emit(event("BridgeMerge", orig.headers("To"), second.headers("From")))
    second.members.remove(target)
    engine.emit(event("BridgeLeave", second.headers(), target.headers()))
    orig.members.append(target)
    target.bridge = orig
    engine.emit(event("BridgeEnter", orig.headers(), target.headers()))
    engine.set_var(transferer, "BRIDGEPEER", "")
    second.members.remove(transferer)
    transferer.bridge = None
    engine.emit(event("BridgeLeave", second.headers(), transferer.headers()))
    transferee = next(m for m in orig.members if m is not target)
    if transferee.moh_on:
        engine.moh_stop(transferee)
    engine.set_var(transferee, "BRIDGEPEER", target.name)
    engine.set_var(target, "BRIDGEPEER", transferee.name)
    engine.emit(
        [
            ("Event", "AttendedTransfer"),
            ("Privilege", "call,all"),
            ("Result", "Success"),
            *transferer.headers("OrigTransferer"),
            *orig.headers("Orig"),
            *transferer.headers("SecondTransferer"),
            *second.headers("Second"),
            *transferee.headers("Transferee"),
            *target.headers("TransferTarget"),
            ("IsExternal", "No"),
            ("DestType", "Bridge"),
            ("DestBridgeUniqueid", orig.bridge_id),
        ]
    )
    target.conn_num, target.conn_name = transferee.cid_num, transferee.cid_name
    engine.emit(event("NewConnectedLine", target.headers()))
    transferee.conn_num, transferee.conn_name = target.cid_num, target.cid_name
    engine.emit(event("NewConnectedLine", transferee.headers()))
    for one in (target, transferee):
        if one.half == 1 and one.peer is not None:
            one.peer.pending_cid = (one.conn_num, one.conn_name)
    engine.emit(event("BridgeDestroy", second.headers()))
    attempt = transferer.dialed_by
    if isinstance(attempt, DialAttempt):
        attempt.callee = target
        target.dialed_by = attempt
        transferer.dialed_by = None


ATXFER_ABORT = "*1"  # features.conf [general] atxferabort (Asterisk's default)
ATXFER_THREEWAY = "*3"  # features.conf [general] atxferthreeway (Asterisk's default)


def _consult_digit(engine: Switch, ch: Channel, digit: str) -> str:
    """A digit from the transferer while it consults: the abort and three-way codes are taken;
    anything else is let through to the target."""
    ch.feature_digits += digit
    if ch.feature_digits == ATXFER_ABORT:
        ch.feature_digits = ""
        target = ch.xfer.target
        back_to_transferee(engine, ch)
        engine.hang_up_leg(target, 16)
        return ""
    if ch.feature_digits == ATXFER_THREEWAY:
        ch.feature_digits = ""
        threeway(engine, ch)
        return ""
    if any(code.startswith(ch.feature_digits) for code in (ATXFER_ABORT, ATXFER_THREEWAY)):
        return ""
    released, ch.feature_digits = ch.feature_digits, ""
    return released


def _attended_transfer(
    engine: Switch, consult: ConsultCall, transferee: Channel, result: str, *dest: tuple[str, str]
) -> None:
    transferer, orig, second = consult.transferer, consult.orig_bridge, consult.consult_bridge
    engine.emit(
        [
            ("Event", "AttendedTransfer"),
            ("Privilege", "call,all"),
            ("Result", result),
            *transferer.headers("OrigTransferer"),
            *orig.headers("Orig"),
            *transferer.headers("SecondTransferer"),
            *second.headers("Second"),
            *transferee.headers("Transferee"),
            *consult.target.headers("TransferTarget"),
            ("IsExternal", "No"),
            *dest,
        ]
    )


def back_to_transferee(engine: Switch, transferer: Channel) -> None:
    """The consultation ends without a transfer (abort, or the target hung up): the transferer
    leaves the consultation bridge for the caller's, whose music stops."""
    consult: ConsultCall | None = transferer.xfer
    if consult is None:
        return
    transferer.xfer = None
    orig, second = consult.orig_bridge, consult.consult_bridge
    if transferer.bridge is second:
        second.members.remove(transferer)
        transferer.bridge = None
        engine.emit(event("BridgeLeave", second.headers(), transferer.headers()))
    transferee = next((m for m in orig.members if m is not transferer), None)
    engine.bridge_enter(orig, transferer)
    if transferee is None:
        return
    if transferee.moh_on:
        engine.moh_stop(transferee)
    engine.set_var(transferee, "BRIDGEPEER", transferer.name)
    engine.set_var(transferer, "BRIDGEPEER", transferee.name)
    _attended_transfer(engine, consult, transferee, "Fail", ("DestType", "Fail"))


def target_gone(engine: Switch, target: Channel) -> None:
    """The consultation's target hangs up while the transferer still consults it."""
    consult = target.dialed_by
    if isinstance(consult, ConsultCall) and consult.transferer.xfer is consult:
        back_to_transferee(engine, consult.transferer)


def threeway(engine: Switch, transferer: Channel) -> None:
    """``atxferthreeway``: the consultation bridge merges into the caller's; all three talk."""
    consult: ConsultCall = transferer.xfer
    transferer.xfer = None
    orig, second, target = consult.orig_bridge, consult.consult_bridge, consult.target
    engine.emit(event("BridgeMerge", orig.headers("To"), second.headers("From")))
    for ch in (target, transferer):
        if ch.bridge is second:
            second.members.remove(ch)
            ch.bridge = None
            engine.emit(event("BridgeLeave", second.headers(), ch.headers()))
        engine.bridge_enter(orig, ch)
    transferee = next(m for m in orig.members if m is not target and m is not transferer)
    if transferee.moh_on:
        engine.moh_stop(transferee)
    _attended_transfer(
        engine,
        consult,
        transferee,
        "Success",
        ("DestType", "Threeway"),
        *transferer.headers("DestThreeway"),
        ("DestThreewayBridgeUniqueid", orig.bridge_id),
    )
    engine.emit(event("BridgeDestroy", second.headers()))
