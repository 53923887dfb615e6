"""DTMF in the simulated PBX: keys pressed on a phone, digits played by AMI, what hears them.

Pure functions over the engine (``switch.Switch``), reproducing the real-Asterisk captures:

* a phone's key (``SendDTMF`` in a Local ``;2``, ``PlayDTMF`` on a ``;2``) arrives on the other
  half: ``DTMFBegin`` and ``DTMFEnd`` with ``Direction: Received`` there (15, 25);
* ``PlayDTMF`` sends the digit *toward* the named channel: on a Local half the events are on the
  other half, nothing on the named one; with ``Receive: true`` it is as if the named channel's
  phone pressed the key: only a ``DTMFEnd`` on it (21);
* a digit that arrives on a channel goes to what that channel does: a ``Read`` in progress
  collects it (25), a bridge feature may take it (``*2``: ``atxfer.py``), otherwise the bridge
  plays it to the other party: ``DTMFBegin``/``DTMFEnd`` ``Sent`` on that channel and
  ``Received`` on its Local ``;2``, lasting the digit's duration rounded up to whole 20 ms
  frames and at least 100 ms (21: 250 -> 260; 22: 0 -> 100).
"""

from __future__ import annotations

import math

from telephony.simulator.atxfer import feature_digit
from telephony.simulator.model import Channel, event
from telephony.simulator.switch import Switch

DEFAULT_DURATION_MS = 100  # PlayDTMF without Duration, SendDTMF
BRIDGE_MIN_MS = 100
FRAME_MS = 20


def _dtmf(
    engine: Switch, name: str, ch: Channel, digit: str, direction: str, ms: int | None
) -> None:
    extra = [("Digit", digit)]
    if ms is not None:
        extra.append(("DurationMs", str(ms)))
    extra.append(("Direction", direction))
    engine.emit(event(name, ch.headers(), extra, privilege="dtmf,all"))


def key_pressed(
    engine: Switch, ch: Channel, digit: str, duration_ms: int, begin: bool = True
) -> None:
    """``digit`` arrives on ``ch`` from its phone's side (``begin`` False: only the end is seen,
    as for a digit queued by AMI); then whatever ``ch`` does hears it."""
    if begin:
        _dtmf(engine, "DTMFBegin", ch, digit, "Received", None)
    _dtmf(engine, "DTMFEnd", ch, digit, "Received", duration_ms)
    heard(engine, ch, digit, duration_ms)


def play_toward(engine: Switch, ch: Channel, digit: str, duration_ms: int) -> None:
    """AMI ``PlayDTMF`` without ``Receive``: the digit goes out toward ``ch``'s phone; on a
    Local half it comes in on the other half."""
    if ch.half and ch.peer is not None and ch.peer.alive:
        key_pressed(engine, ch.peer, digit, duration_ms)


def heard(engine: Switch, ch: Channel, digit: str, duration_ms: int) -> None:
    """What ``ch`` does with a digit that came in: a Read takes it, else a bridge feature may,
    else the bridge plays it to the other party."""
    if ch.blocked == "read" and ch.read is not None:
        ch.read.digits += digit
        if len(ch.read.digits) >= ch.read.max_digits:
            finish_read(engine, ch, "OK")
        return
    for released in feature_digit(engine, ch, digit):
        relay(engine, ch, released, duration_ms)


def relay(engine: Switch, ch: Channel, digit: str, duration_ms: int) -> None:
    """The bridge plays ``digit`` from ``ch`` to every other member (and its phone side)."""
    if ch.bridge is None:
        return
    ms = max(BRIDGE_MIN_MS, math.ceil(duration_ms / FRAME_MS) * FRAME_MS)
    for other in [m for m in ch.bridge.members if m is not ch]:
        phone = other.peer if other.half == 1 and other.peer is not None else None
        _dtmf(engine, "DTMFBegin", other, digit, "Sent", None)
        if phone is not None:
            _dtmf(engine, "DTMFBegin", phone, digit, "Received", None)
        _dtmf(engine, "DTMFEnd", other, digit, "Sent", ms)
        if phone is not None:
            _dtmf(engine, "DTMFEnd", phone, digit, "Received", ms)


def finish_read(engine: Switch, ch: Channel, status: str) -> None:
    """``Read`` ends: the variable gets the digits, ``READSTATUS`` the outcome (25)."""
    read, ch.read = ch.read, None
    if read is None:
        return
    engine.set_var(ch, read.variable, read.digits)
    engine.set_var(ch, "READSTATUS", status)
    engine.resume(ch)
