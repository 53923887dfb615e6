"""The translator on real Asterisk 22.10.1 frames of an attended transfer (capture 22) started the
way the bridge starts a consultation: ``CC_CONSULT`` on the customer, then ``Atxfer``."""

from __future__ import annotations

from datetime import UTC, datetime

from callcenter_testkit.capture_tables import REAL

from telephony.ami_frames import Frame
from telephony.captures import capture_frames
from telephony.translator import new_state, translate

CAPTURE = REAL / "22-ami-atxfer-and-blindtransfer.ami"
KARL = "Local/15551230701@sim-caller-00000016;1"


def _consult_varset() -> Frame:
    """The VarSet Asterisk sends for the bridge's ``Setvar CC_CONSULT=agent:1004`` on Karl."""
    return Frame(
        [
            ("Event", "VarSet"),
            ("Privilege", "dialplan,all"),
            ("Channel", KARL),
            ("Uniqueid", "1796648945.45"),
            ("Linkedid", "1796648945.45"),
            ("Variable", "CC_CONSULT"),
            ("Value", "agent:1004"),
        ]
    )


def _events(frames: list[Frame]) -> list[tuple[str, str | None, dict]]:
    state, out = new_state(), []
    now = datetime(2026, 12, 7, tzinfo=UTC)
    for f in frames:
        state, events = translate(state, f, now)
        out += [(e.type, e.agent_id, e.payload) for e in events]
    return out


def test_a_consultation_the_bridge_started_and_its_completion() -> None:
    frames = capture_frames(CAPTURE.read_bytes())
    at = next(i for i, f in enumerate(frames) if f.action == "Atxfer")
    events = _events([*frames[:at], _consult_varset(), *frames[at:]])
    consult = {"target": "agent:1004", "target_kind": "agent", "target_id": "1004"}
    kinds = [(t, a) for t, a, _ in events]
    assert kinds[:2] == [("call.arrived", None), ("call.answered", "1001")]
    assert ("call.consult_started", consult) in [(t, p) for t, _, p in events]
    started = kinds.index(("call.consult_started", "1001"))
    assert kinds[started - 1] == ("call.held", "1001")  # the customer hears music meanwhile
    ended = [p for t, _, p in events if t == "call.consult_ended"]
    assert ended == [{**consult, "outcome": "transferred"}]
    transferred = [(a, p) for t, a, p in events if t == "call.transferred"]
    assert transferred[0] == (
        "1004",
        {"kind": "attended", "from_agent_id": "1001", "target": "agent:1004"},
    )
    assert transferred[1][1]["from_agent_id"] == "1004"  # the blind transfer after it
    assert kinds[-1] == ("call.ended", "1003")


def test_without_a_consult_variable_the_capture_gives_no_consult_events() -> None:
    """A transfer keyed on the phone (no CC_CONSULT): no consultation events, but the call
    still moves to the target, found from its BridgeEnter (the AttendedTransfer names none)."""
    events = _events(capture_frames(CAPTURE.read_bytes()))
    assert not [t for t, _, _ in events if t.startswith("call.consult")]
    assert [a for t, a, _ in events if t == "call.transferred"] == ["1004", "1003"]
