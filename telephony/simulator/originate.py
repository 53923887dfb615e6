"""Originate and ChanSpy in the simulated PBX.

Pure functions over the engine (``switch.Switch``). An Originate creates the channel (a Local pair, or a
PJSIP-style channel with a simulated phone), reports ``OriginateResponse`` with the reason codes
of the captures (4 answered, 5 busy, 3 no answer, 8 congestion, 0 failure with
``Uniqueid: <unknown>`` and the dial string as ``Channel``), then runs the dialplan or the
application (ChanSpy). ChanSpy adds no bridge events: only ``ChanSpyStart`` / ``ChanSpyStop``.

An Originate into an extension that fails once its channel was dialled (busy, congestion, no
answer, hung up) runs the special extension ``failed`` of its context when there is one, as
main/pbx.c does: a channel named ``OutgoingSpoolFailed`` (no technology) gets the Originate's
variables and ``REASON``, runs ``<context>,failed,1``, and the ``OriginateResponse`` is sent only
once that channel is gone (real-Asterisk capture 24: held back while it sat in music on hold).
A channel that could not be created at all (unknown technology or endpoint) fails at once.
"""

from __future__ import annotations

from telephony.simulator.model import (
    CAUSE_TEXT,
    DOWN,
    UNKNOWN,
    Channel,
    OriginateJob,
    Pairs,
    SpySession,
    calling_pres,
    event,
)
from telephony.simulator.switch import Switch

REASON_ANSWERED, REASON_BUSY, REASON_NOANSWER, REASON_CONGESTION, REASON_FAILED = 4, 5, 3, 8, 0
FAILED_EXTEN = "failed"  # the special extension a failed Originate runs (main/pbx.c)
SPOOL_FAILED_CHANNEL = "OutgoingSpoolFailed"


def originate(engine: Switch, job: OriginateJob) -> None:
    """Start an Originate (the Response was already sent by the action handler)."""
    tech, _, resource = job.dial_string.partition("/")
    if tech == "Local":
        res = resource.split("/")[0]
        exten, _, context = res.partition("@")
        context = context or "default"
        if not engine.dialplan.exists(context, exten):
            originate_failed(engine, job, REASON_FAILED, dialled=False)
            return
        one, two = engine.local_pair(exten, context, None)
        job.callee = one
        one.dialed_by = job
        engine.newexten(one, "AppDial2", "(Outgoing Line)")
        for name, value in job.variables:
            engine.set_var(one, name, value)
        if job.cid_num is not None:
            one.cid_num, one.cid_name = job.cid_num, job.cid_name or ""
            callerid_events_one_then_connected(engine, one)
        for name, value in job.variables:
            engine.set_var(two, name, value)
        if job.cid_num is not None:
            two.cid_num, two.cid_name = job.cid_num, job.cid_name or ""
            two.conn_num, two.conn_name = job.cid_num, job.cid_name or ""
            engine.callerid_events(two)
        engine.local_bridge(one, two)
        engine.emit(event("DialBegin", one.headers("Dest"), [("DialString", res)]))
        engine.start_pbx(two, context, exten, 1)
    elif tech == "PJSIP":
        device = engine.phonebook(resource, "originate")
        if device is None:
            originate_failed(engine, job, REASON_FAILED, dialled=False)
            return
        endpoint, _, host = resource.partition("@")
        name_part = host or endpoint
        ch = engine.pjsip_channel(name_part, "cc-outbound", "s", DOWN, None)
        ch.device = device
        if job.cid_num is not None:
            ch.cid_num, ch.cid_name = job.cid_num, job.cid_name or ""
        job.callee = ch
        ch.dialed_by = job
        engine.emit(event("Newchannel", ch.headers()))
        for name, value in job.variables:
            engine.set_var(ch, name, value)
        engine.emit(event("DialBegin", ch.headers("Dest"), [("DialString", resource)]))
        engine.device_dialed(ch)
    else:
        originate_failed(engine, job, REASON_FAILED, dialled=False)
        return
    engine.schedule(job.timeout_s, originate_timeout, engine, job)


def callerid_events_one_then_connected(engine: Switch, one: Channel) -> None:
    engine.emit(
        event(
            "NewCallerid",
            one.headers(),
            [calling_pres(one)],
        )
    )
    one.conn_num, one.conn_name = one.cid_num, one.cid_name
    engine.emit(event("NewConnectedLine", one.headers()))


def originate_timeout(engine: Switch, job: OriginateJob) -> None:
    if job.done or job.callee is None or not job.callee.alive:
        return
    job.done = True
    callee = job.callee
    callee.hangup_cause = 19
    if callee.half and callee.peer is not None:
        engine.request_hangup(callee.peer, 19)
        callee.peer.hangup_cause = 19
    spooled = runs_failed_extension(engine, job)
    if not spooled:
        originate_response(engine, job, None, REASON_NOANSWER)
    callee.token += 1
    callee.alive = False
    engine.cdr_hangup(callee, 19)
    engine.emit(event("Hangup", callee.headers(), [("Cause", "19"), ("Cause-txt", CAUSE_TEXT[19])]))
    engine.drop_channel(callee)
    engine.notify("hangup", callee)
    if spooled:
        spool_failed(engine, job, REASON_NOANSWER)


def originate_answered(engine: Switch, job: OriginateJob, callee: Channel) -> None:
    if job.done:
        return
    job.done = True
    engine.emit(event("DialEnd", callee.headers("Dest"), [("DialStatus", "ANSWER")]))
    # Surprise 1 of the captures: the response is not ordered against the channel's own events
    # (right after the answer in 04 and 07, after the caller reached music on hold in 05, 06,
    # 11 and 13). Both orders occur here, drawn from the engine's seeded generator.
    late = engine.rng.random() < 0.5
    if not late:
        originate_response(engine, job, callee, REASON_ANSWERED)
    callee.dialed_by = None
    callee.hangup_cause = 0
    if job.application:
        callee.app, callee.app_data = job.application, job.data
        if job.application.lower() == "chanspy":
            chanspy(engine, callee, job.data)
        else:
            callee.blocked = "app"
    else:
        engine.start_pbx(callee, job.context, job.exten, job.priority)
    if late:  # queued after the dialplan's first run
        engine.schedule(0.0, originate_response, engine, job, callee, REASON_ANSWERED)


def originate_failed(engine: Switch, job: OriginateJob, reason: int, dialled: bool = True) -> None:
    """The Originate failed: reported now, or (``dialled``, the context has ``failed``) once the
    ``OutgoingSpoolFailed`` channel has run that extension and gone."""
    job.done = True
    if dialled and runs_failed_extension(engine, job):
        spool_failed(engine, job, reason)
        return
    originate_response(engine, job, None, reason)


def runs_failed_extension(engine: Switch, job: OriginateJob) -> bool:
    return not job.application and engine.dialplan.exists(job.context, FAILED_EXTEN)


def spool_failed(engine: Switch, job: OriginateJob, reason: int) -> None:
    """main/pbx.c's failed-Originate channel: the response waits until it has hung up."""
    ch = engine.spool_failed_channel(job.context, FAILED_EXTEN)
    if job.cid_num is not None:
        ch.cid_num, ch.cid_name = job.cid_num, job.cid_name or ""
    engine.emit(event("Newchannel", ch.headers()))
    for name, value in job.variables:
        engine.set_var(ch, name, value)
    engine.set_var(ch, "REASON", str(reason))
    ch.on_gone = lambda: originate_response(engine, job, None, reason)
    engine.start_pbx(ch, job.context, FAILED_EXTEN, 1)


def originate_response(engine: Switch, job: OriginateJob, ch: Channel | None, reason: int) -> None:
    success = ch is not None
    pairs: Pairs = [("Event", "OriginateResponse"), ("Privilege", "call,all")]
    if job.action_id is not None:
        pairs.append(("ActionID", job.action_id))
    pairs.append(("Response", "Success" if success else "Failure"))
    pairs.append(("Channel", ch.name if ch is not None else job.dial_string))
    if job.application:
        pairs += [("Application", job.application), ("Data", job.data)]
    else:
        pairs += [("Context", job.context), ("Exten", job.exten)]
    pairs += [
        ("Reason", str(reason)),
        ("Uniqueid", ch.uniqueid if ch is not None else UNKNOWN),
        ("CallerIDNum", job.cid_num if job.cid_num is not None else UNKNOWN),
        ("CallerIDName", (job.cid_name or "") if job.cid_num is not None else UNKNOWN),
    ]
    engine.emit(pairs)
    if not job.is_async and job.session_id is not None:
        response: Pairs = [("Response", "Success" if success else "Error")]
        if job.action_id is not None:
            response.append(("ActionID", job.action_id))
        response.append(
            ("Message", "Originate successfully queued" if success else "Originate failed")
        )
        engine.emit(response, job.session_id)


def chanspy(engine: Switch, spyer: Channel, data: str) -> None:
    target, _, options = data.partition(",")
    session = SpySession(spyer, target, options)
    spyer.spy = session
    spyer.blocked = "spy"
    candidates = sorted(
        (c for c in engine.channels.values() if c is not spyer and c.name.startswith(target)),
        key=lambda c: c.name,
    )
    if candidates:
        session.spyee = candidates[0]
        engine.emit(event("ChanSpyStart", spyer.headers("Spyer"), session.spyee.headers("Spyee")))
        _refresh_bridgepeer(engine, session.spyee)


def _refresh_bridgepeer(engine: Switch, spyee: Channel) -> None:
    """Attaching or detaching an audiohook makes the bridge set BRIDGEPEER again (noise)."""
    if spyee.bridge is not None:
        members = spyee.bridge.members
        for m in members:
            others = [o for o in members if o is not m]
            if others:
                engine.set_var(m, "BRIDGEPEER", others[0].name)


def spy_stop(engine: Switch, session: SpySession) -> None:
    spyee = session.spyee
    if spyee is None:
        return
    session.spyee = None
    if spyee.alive and ("w" in session.options or "B" in session.options):
        _refresh_bridgepeer(engine, spyee)  # the whisper audiohook goes first
    engine.emit(event("ChanSpyStop", session.spyer.headers("Spyer"), spyee.headers("Spyee")))
    if spyee.alive:
        _refresh_bridgepeer(engine, spyee)
