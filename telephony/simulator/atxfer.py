"""DTMF and the attended transfer feature (``*2``) of the simulated PBX.

Pure functions over the ``Engine``, reproducing file 15 of the real-Asterisk captures: an agent
leg dialled with the ``t`` option may press ``*2``; Asterisk then puts the caller on hold (a
``Hold`` event on the transferer, music for the caller), collects the target's digits, calls it
into a second bridge together with the transferer, and when the transferer hangs up merges the
bridges (``BridgeMerge``, ``AttendedTransfer``): the caller ends up with the target. No
``Unhold`` ever follows the ``Hold``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from telephony.simulator.model import Channel, ConsultCall, DialAttempt, calling_pres, event

if TYPE_CHECKING:
    from telephony.simulator.engine import Engine

ATXFER_CODE = "*2"  # features.conf [featuremap] atxfer


def dtmf_received(engine: Engine, ch: Channel, digits: str) -> None:
    """``digits`` arrive on ``ch`` (sent by its Local ``;2`` half with SendDTMF)."""
    for digit in digits:
        engine.emit(
            event(
                "DTMFBegin",
                ch.headers(),
                [("Digit", digit), ("Direction", "Received")],
                privilege="dtmf,all",
            )
        )
        engine.emit(
            event(
                "DTMFEnd",
                ch.headers(),
                [("Digit", digit), ("DurationMs", "100"), ("Direction", "Received")],
                privilege="dtmf,all",
            )
        )
        _feature_digit(engine, ch, digit)


def _may_transfer(ch: Channel) -> bool:
    attempt = ch.dialed_by
    return isinstance(attempt, DialAttempt) and "t" in attempt.options and ch.bridge is not None


def _feature_digit(engine: Engine, ch: Channel, digit: str) -> None:
    if ch.xfer_digits is not None:
        ch.xfer_digits += digit
        context = transfer_context(ch)
        if engine.dialplan.exists(context, ch.xfer_digits):
            target, ch.xfer_digits = ch.xfer_digits, None
            start_consult(engine, ch, target, context)
        return
    if not _may_transfer(ch):
        return
    ch.feature_digits += digit
    if ch.feature_digits == ATXFER_CODE:
        ch.feature_digits = ""
        ch.xfer_digits = ""
        engine.emit(event("Hold", ch.headers()))
        assert ch.bridge is not None
        for other in ch.bridge.members:
            if other is not ch and not other.moh_on:
                engine.moh_start(other, "default")
    elif not ATXFER_CODE.startswith(ch.feature_digits):
        ch.feature_digits = ""


def transfer_context(ch: Channel) -> str:
    return (
        ch.var("__TRANSFER_CONTEXT")
        or ch.var("_TRANSFER_CONTEXT")
        or ch.var("TRANSFER_CONTEXT")
        or "default"
    )


def start_consult(engine: Engine, transferer: Channel, exten: str, context: str) -> None:
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
        # A Local pair carries the ;1 connected line over as the ;2 caller id; the event is
        # published a little after the change (after the ;2's next Newexten).
        two_of = transferer.peer
        two_of.cid_num, two_of.cid_name = transferer.conn_num, transferer.conn_name
        engine.later(two_of, 0.0, _announce_caller_id, engine, two_of)


def _announce_caller_id(engine: Engine, two: Channel) -> None:
    engine.emit(event("NewCallerid", two.headers(), [calling_pres(two)]))


def consult_ringing(engine: Engine, consult: ConsultCall) -> None:
    if not consult.rang:
        consult.rang = True
        engine.emit(event("DialState", consult.target.headers("Dest"), [("DialStatus", "RINGING")]))


def consult_answered(engine: Engine, consult: ConsultCall) -> None:
    consult.answered = True
    target, transferer = consult.target, consult.transferer
    engine.emit(event("DialEnd", target.headers("Dest"), [("DialStatus", "ANSWER")]))
    target.hangup_cause = 16
    engine.set_var(target, "BRIDGEPEER", transferer.name)
    engine.set_var(transferer, "BRIDGEPEER", target.name)


def complete_transfer(engine: Engine, transferer: Channel) -> None:
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
