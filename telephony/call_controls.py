"""The desk's call controls as AMI actions, and the domain events the bridge publishes once
Asterisk accepted them. Pure: values in, values out (``telephony.actions.plan`` calls it).

What Asterisk 22.10.1 showed (real-Asterisk captures 21 and 22) and how the controls use it:

* **mute**: ``MuteAudio`` ``Direction: in`` on the agent's leg mutes what comes *in* to Asterisk
  from the agent's phone, the agent's voice, whatever the phone (a desk phone, a softphone, the
  browser phone: it acts on the Asterisk channel). It answers ``Success`` with no event of its
  own, so the bridge publishes ``call.muted`` / ``call.unmuted`` when the action succeeded.
* **keypad**: ``PlayDTMF`` without ``Receive`` on the *customer's* channel sends the digit out
  toward the customer's side (on a Local pair the tones arrive on its other half, the customer's
  phone). Played on the agent's leg with ``Receive`` the digits would enter the agent's side of
  the bridge, where bridge features (the attended-transfer code ``*2`` with Dial ``t``) listen;
  sent toward the customer they never do. One action per digit; ``call.dtmf_sent`` carries the
  count, never the digits.
* **blind transfer to a number**: ``Setvar CC_TRANSFER_DIAL`` (the outbound dial string for the
  number) on the customer's channel, then ``BlindTransfer`` of the agent's leg to
  ``transfer_context``/<number>: Asterisk sends the other party of the agent's two-party bridge
  there and hangs up the agent's leg. The translator reads the ``BlindTransfer`` event
  (``call.transferred``, kind ``blind``, target ``number:<E.164>``). The dialplan must not rely
  on the target's first priority: the transferee continues at priority 2 (capture 22).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kernel.commands import Command
from kernel.events import DomainEvent, make_event_id
from telephony.errors import CommandTargetError

Action = list[tuple[str, str]]
VAR_TRANSFER_DIAL = "CC_TRANSFER_DIAL"  # what transfer_context dials
DTMF_DIGITS = frozenset("0123456789*#ABCD")
MAX_DTMF_DIGITS = 32
DTMF_DURATION_MS = 250  # long enough for IVRs that miss 100 ms tones
NUMBER_TARGET = "number:"
_TRUE = {"1", "true", "yes", "on"}


def flag(value: Any) -> bool:
    """A command's boolean argument (JSON ``true`` or a text like ``"1"``)."""
    return value is True or str(value).strip().lower() in _TRUE


def mute_actions(agent_channel: str, muted: bool) -> list[Action]:
    """The agent's voice (what comes in to Asterisk from the agent's leg) off or on again."""
    return [
        [
            ("Action", "MuteAudio"),
            ("Channel", agent_channel),
            ("Direction", "in"),
            ("State", "on" if muted else "off"),
        ]
    ]


def dtmf_digits(raw: Any) -> str:
    """The digits of a keypad command; ``CommandTargetError`` names ``digits`` without echoing
    them (they may be a PIN or a card number)."""
    digits = str(raw or "").upper()
    if not digits or len(digits) > MAX_DTMF_DIGITS:
        raise CommandTargetError(
            "digits", f"{len(digits)} digits", f"1 to {MAX_DTMF_DIGITS} digits per command"
        )
    if any(d not in DTMF_DIGITS for d in digits):
        raise CommandTargetError("digits", "(not shown)", "only 0-9, *, # and A-D are tones")
    return digits


def dtmf_actions(customer_channel: str, digits: str) -> list[Action]:
    """One ``PlayDTMF`` per digit toward the customer's side (no ``Receive``)."""
    return [
        [
            ("Action", "PlayDTMF"),
            ("Channel", customer_channel),
            ("Digit", d),
            ("Duration", str(DTMF_DURATION_MS)),
        ]
        for d in dtmf_digits(digits)
    ]


def number_of(target: str) -> str | None:
    """``"number:+8613800138000"`` -> ``"+8613800138000"``; None for other targets."""
    if not target.startswith(NUMBER_TARGET):
        return None
    number = target[len(NUMBER_TARGET) :]
    digits = number[1:] if number.startswith("+") else number
    if not digits.isdigit() or not 3 <= len(digits) <= 15:
        raise CommandTargetError("target", target, "number: must be digits, E.164 (+8613...)")
    return number


def number_transfer_actions(
    customer_channel: str, agent_channel: str, number: str, context: str, dial: str
) -> list[Action]:
    """The customer goes to ``context``/``number``, which dials ``dial``; the agent's leg ends."""
    return [
        [
            ("Action", "Setvar"),
            ("Channel", customer_channel),
            ("Variable", VAR_TRANSFER_DIAL),
            ("Value", dial),
        ],
        [
            ("Action", "BlindTransfer"),
            ("Channel", agent_channel),
            ("Context", context),
            ("Exten", number),
        ],
    ]


def success_events(command: Command, now: datetime) -> list[DomainEvent]:
    """What the bridge publishes when every action of ``command`` succeeded, for the controls
    that give no AMI event of their own (mute, keypad); nothing for the other kinds."""
    a = command.args
    call_id = str(a.get("call_id") or "")
    agent_id = str(a["agent_id"]) if a.get("agent_id") else None
    if command.kind == "mute":
        type_ = "call.muted" if flag(a.get("muted")) else "call.unmuted"
        payload: dict[str, Any] = {}
    elif command.kind == "dtmf":
        type_, payload = "call.dtmf_sent", {"count": len(str(a.get("digits") or ""))}
    else:
        return []
    return [
        DomainEvent(
            id=make_event_id(call_id, type_, command.id),
            ts=now,
            type=type_,
            call_id=call_id,
            agent_id=agent_id,
            payload=payload,
        )
    ]
