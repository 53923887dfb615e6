"""Call controls of the simulated PBX: recording, muting and transfers, as Asterisk 22.10.1 does
them (real-Asterisk captures 20, 21 and 22).

Pure functions over the engine (``switch.Switch``); ``control_actions.py`` is their AMI side.

* ``MixMonitor`` records a channel (both directions mixed) into a file under
  ``<spool>/monitor/`` when the name is relative (``MIXMONITOR_FILENAME``), ``MixMonitorStart``;
  ``MixMonitorMute`` silences a direction (``read``, ``write`` or ``both``) until unmuted: the
  muted stretch stays in the file as silence, so a recording lasts from start to stop;
  ``StopMixMonitor`` ends it (``MixMonitorStop``). A recording also ends, without an event,
  when its channel hangs up. ``engine.recordings`` keeps every recording with its times.
* ``MuteAudio`` (res_mutestream) mutes what a channel hears (``in``), says (``out``) or both,
  with no event of its own.
* Attaching or detaching an audiohook makes the bridge set ``BRIDGEPEER`` again on its members:
  noise the captures show after MixMonitor, StopMixMonitor and every MuteAudio.
* ``BlindTransfer`` sends the other party of the transferer's bridge to ``context,exten``: an
  ``Unhold`` on the transferer first (even without a Hold), ``BLINDTRANSFER`` on both, the
  ``BlindTransfer`` event, then the transferer's leg is hung up and the party runs the target.
"""

from __future__ import annotations

from telephony.simulator.model import Channel, DialAttempt, MixMonitorState, Recording, event
from telephony.simulator.switch import Switch

SPOOL_DIR = "/var/spool/asterisk"  # asterisk.conf astspooldir (the captures': stock)
MUTE_DIRECTIONS = {"read": {"read"}, "write": {"write"}, "both": {"read", "write"}}
AUDIO_DIRECTIONS = {"in": {"in"}, "out": {"out"}, "all": {"in", "out"}}


def refresh_bridgepeer(engine: Switch, ch: Channel) -> None:
    """An audiohook on ``ch`` changed: its bridge sets ``BRIDGEPEER`` on every member again."""
    if ch.bridge is None:
        return
    members = ch.bridge.members
    for m in members:
        others = [o for o in members if o is not m]
        if others:
            engine.set_var(m, "BRIDGEPEER", others[0].name)


def mixmonitor_start(engine: Switch, ch: Channel, file: str, options: str) -> None:
    path = file if file.startswith("/") else f"{SPOOL_DIR}/monitor/{file}"
    engine.set_var(ch, "MIXMONITOR_FILENAME", path)
    ch.mixmonitor = MixMonitorState(path, options)
    engine.recordings.append(Recording(ch.name, ch.uniqueid, path, engine.now_s))
    engine.emit(event("MixMonitorStart", ch.headers()))
    refresh_bridgepeer(engine, ch)


def _recording(engine: Switch, ch: Channel) -> Recording | None:
    for rec in reversed(engine.recordings):
        if rec.uniqueid == ch.uniqueid and rec.stopped_s is None:
            return rec
    return None


def mixmonitor_mute(engine: Switch, ch: Channel, direction: str, on: bool) -> None:
    state = ch.mixmonitor
    assert state is not None
    rec = _recording(engine, ch)
    for d in MUTE_DIRECTIONS[direction]:
        if on and d not in state.muted:
            state.muted.add(d)
            if rec is not None:
                rec.muted.append((d, engine.now_s - rec.started_s, None))
        elif not on and d in state.muted:
            state.muted.discard(d)
            if rec is not None:
                rec.muted = [
                    (md, start, engine.now_s - rec.started_s if md == d and end is None else end)
                    for md, start, end in rec.muted
                ]
    engine.emit(
        event(
            "MixMonitorMute",
            ch.headers(),
            [("Direction", direction.lower()), ("State", "1" if on else "0")],
        )
    )


def mixmonitor_end(engine: Switch, ch: Channel) -> None:
    """The recording stops (StopMixMonitor, or the channel hung up): its file is complete."""
    ch.mixmonitor = None
    rec = _recording(engine, ch)
    if rec is None:
        return
    rec.stopped_s = engine.now_s
    rec.muted = [(d, s, rec.length_s if e is None else e) for d, s, e in rec.muted]
    engine.recordings_done.append(rec)  # the server writes its file (audio.py)


def mixmonitor_stop(engine: Switch, ch: Channel) -> None:
    mixmonitor_end(engine, ch)
    engine.emit(event("MixMonitorStop", ch.headers()))
    refresh_bridgepeer(engine, ch)


def mute_audio(engine: Switch, ch: Channel, direction: str, on: bool) -> None:
    for d in AUDIO_DIRECTIONS[direction]:
        if on:
            ch.muted.add(d)
        else:
            ch.muted.discard(d)
    refresh_bridgepeer(engine, ch)


def blind_transfer(engine: Switch, transferer: Channel, context: str, exten: str) -> None:
    """``transferer`` is in a two-party bridge; the other party goes to ``context,exten``.

    As capture 22 shows: the transferer's leg leaves first and is hung up; the party's place is
    set to ``context,exten,1`` (a ``Newexten`` still naming its old application) before it
    leaves the bridge; the Dial it was in returns (``ANSWER``) and its dialplan goes on at
    priority **2**: Asterisk's after-bridge goto skips the target's first priority."""
    bridge = transferer.bridge
    assert bridge is not None
    transferee = next(m for m in bridge.members if m is not transferer)
    engine.emit(event("Unhold", transferer.headers()))
    engine.set_var(transferer, "BLINDTRANSFER", transferee.name)
    engine.set_var(transferee, "BLINDTRANSFER", transferer.name)
    engine.set_var(transferer, "BRIDGEPEER", "")
    engine.emit(
        [
            ("Event", "BlindTransfer"),
            ("Privilege", "call,all"),
            ("Result", "Success"),
            *transferer.headers("Transferer"),
            *transferee.headers("Transferee"),
            *bridge.headers(),
            ("IsExternal", "Yes"),
            ("Context", context),
            ("Extension", exten),
        ]
    )
    bridge.members.remove(transferer)
    transferer.bridge = None
    engine.emit(event("BridgeLeave", bridge.headers(), transferer.headers()))
    engine.hang_up_leg(transferer, 16)
    engine.set_var(transferee, "BRIDGEPEER", "")
    transferee.token += 1
    transferee.context, transferee.exten, transferee.priority = context, exten, 1
    engine.newexten(transferee, transferee.app, transferee.app_data)
    bridge.members.remove(transferee)
    transferee.bridge = None
    engine.emit(event("BridgeLeave", bridge.headers(), transferee.headers()))
    engine.emit(event("BridgeDestroy", bridge.headers()))
    attempt = transferee.dial
    if isinstance(attempt, DialAttempt):
        engine.dial_finished(attempt, caller_leaving=True)
    engine.start_pbx(transferee, context, exten, 2)
