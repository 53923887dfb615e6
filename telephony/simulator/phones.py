"""Simulated phones behind PJSIP-style channels: what a device does once it rings or is bridged.

Pure module: a ``Device`` is a plain description drawn by the traffic generator from the
scenario's distributions; the engine turns it into timers. Local-channel phones need no
``Device``: their ``;2`` half runs a ``sim-*`` dialplan context instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Outcome = Literal["answer", "busy", "congestion", "noanswer"]


@dataclass
class Device:
    """One simulated phone for one call.

    ``ring_after_s``: delay before it signals ringing; ``answer_after_s``: delay (from the dial)
    before it answers (ignored unless ``outcome == "answer"``); ``talk_s``: it hangs up this long
    after being bridged (None: it waits for the other side); ``patience_s``: an inbound caller
    hangs up this long after arriving if it has not been connected (abandon); ``hold_after_s`` /
    ``hold_for_s``: the phone puts the call on hold once (agents); ``wrap_up_s``: the agent's
    after-call work, reported as a ``UserEvent: CcWrapUp`` when it ends. ``auto_answer``
    False: the phone rings until it is answered remotely (``PJSIPNotify`` with ``Event: talk``,
    the dashboard's Answer button) or the dialler gives up, like a person at the desk.
    """

    kind: Literal["agent", "customer", "caller", "supervisor"]
    label: str = ""
    cid_name: str = ""
    outcome: Outcome = "answer"
    ring_after_s: float = 0.0
    answer_after_s: float = 1.0
    auto_answer: bool = True
    talk_s: float | None = None
    patience_s: float | None = None
    hold_after_s: float | None = None
    hold_for_s: float = 0.0
    wrap_up_s: float | None = None
    disposition: str = ""
    was_bridged: bool = False
    talk_drawn: bool = False  # the end of this call is already decided (a re-bridge after hold)
