"""The desk's call controls in telephony, pure: the AMI actions of mute, keypad and a transfer to
an outside number (``telephony.actions.plan`` over ``telephony.call_controls``), the events the
bridge publishes when they succeed, and the translator reading a ``BlindTransfer`` into the
transfer context. The same over TCP against the simulator: tests/web/test_call_controls_browser.py.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from kernel.commands import Command
from telephony.actions import ActionConfig, plan
from telephony.ami_frames import Frame
from telephony.call_controls import success_events
from telephony.errors import CommandTargetError
from telephony.translator import CallState, TranslatorState, new_state, translate

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
CUSTOMER = "PJSIP/trunk-00000001"
AGENT_LEG = "PJSIP/1009-00000002"


def connected(**changes: object) -> CallState:
    call = CallState(
        linkedid="1.1",
        call_id="1.1",
        direction="inbound",
        customer_uid="1.1",
        customer_channel=CUSTOMER,
        agent_id="1009",
        agent_uid="1.2",
        agent_channel=AGENT_LEG,
        answered=True,
        connected=True,
    )
    return replace(call, **changes)  # type: ignore[arg-type]


def command(kind: str, **args: object) -> Command:
    return Command("c1", kind, {"call_id": "1.1", "agent_id": "1009", **args})


@pytest.mark.parametrize(("muted", "state"), [(True, "on"), (False, "off"), ("0", "off")])
def test_mute_is_muteaudio_in_on_the_agents_leg(muted: object, state: str) -> None:
    """Direction ``in``: what comes in to Asterisk from the agent's phone (capture 21)."""
    assert plan(command("mute", muted=muted), connected(), ActionConfig()) == [
        [("Action", "MuteAudio"), ("Channel", AGENT_LEG), ("Direction", "in"), ("State", state)]
    ]


def test_keypad_is_one_playdtmf_per_digit_toward_the_customer_without_receive() -> None:
    actions = plan(command("dtmf", digits="1*#a"), connected(), ActionConfig())
    assert actions == [
        [("Action", "PlayDTMF"), ("Channel", CUSTOMER), ("Digit", d), ("Duration", "250")]
        for d in "1*#A"
    ]
    assert all("Receive" not in dict(a) for a in actions)


@pytest.mark.parametrize("digits", ["12x9", "1" * 33])
def test_keypad_refuses_what_is_no_tone_without_echoing_it(digits: str) -> None:
    with pytest.raises(CommandTargetError) as err:
        plan(command("dtmf", digits=digits), connected(), ActionConfig())
    assert err.value.field == "digits"
    assert digits not in str(err.value)


def test_transfer_to_a_number_sets_the_dial_string_then_blind_transfers_the_agent_leg() -> None:
    config = ActionConfig(outbound_channel="PJSIP/{number}@trunk")
    actions = plan(command("transfer", target="number:+8613800138000"), connected(), config)
    assert actions == [
        [
            ("Action", "Setvar"),
            ("Channel", CUSTOMER),
            ("Variable", "CC_TRANSFER_DIAL"),
            ("Value", "PJSIP/+8613800138000@trunk"),
        ],
        [
            ("Action", "BlindTransfer"),
            ("Channel", AGENT_LEG),
            ("Context", "cc-transfer-out"),
            ("Exten", "+8613800138000"),
        ],
    ]


@pytest.mark.parametrize(
    ("cmd", "call", "field"),
    [
        (command("transfer", target="number:+86abc"), connected(), "target"),
        (command("transfer", target="number:+8613800138000"), connected(held=True), "call_id"),
        (command("mute", muted=True), connected(connected=False, agent_channel=None), "call_id"),
        (command("dtmf", digits="1"), None, "call_id"),
    ],
)
def test_controls_name_what_they_cannot_act_on(
    cmd: Command, call: CallState | None, field: str
) -> None:
    with pytest.raises(CommandTargetError) as err:
        plan(cmd, call, ActionConfig())
    assert err.value.field == field


@pytest.mark.parametrize(
    "cmd",
    [
        command("mute", muted=True),
        command("dtmf", digits="1"),
        command("hold"),
        command("hangup"),
        command("transfer", target="number:+8613800138000"),
    ],
)
@pytest.mark.parametrize(
    "call", [connected(agent_id="1010"), connected(agent_id=None, target_agent_id="1010")]
)
def test_an_agent_cannot_work_a_call_handed_to_another_agent(cmd: Command, call: CallState) -> None:
    """1009 transferred the call to 1010 (answered, or still ringing): 1009's controls name
    ``agent_id``; the same command without an agent (the router's, a supervisor's) still goes."""
    with pytest.raises(CommandTargetError) as err:
        plan(cmd, call, ActionConfig())
    assert err.value.field == "agent_id"
    anyone = Command("c2", cmd.kind, {k: v for k, v in cmd.args.items() if k != "agent_id"})
    assert plan(anyone, replace(call, agent_id="1010"), ActionConfig())


@pytest.mark.parametrize(
    ("cmd", "type_", "payload"),
    [
        (command("mute", muted=True), "call.muted", {}),
        (command("mute", muted=False), "call.unmuted", {}),
        (command("dtmf", digits="4711#"), "call.dtmf_sent", {"count": 5}),
    ],
)
def test_success_events_carry_the_agent_and_never_the_digits(
    cmd: Command, type_: str, payload: dict[str, object]
) -> None:
    (event,) = success_events(cmd, NOW)
    assert (event.type, event.call_id, event.agent_id, event.payload) == (
        type_,
        "1.1",
        "1009",
        payload,
    )
    assert "4711" not in str(event.to_fields())
    assert success_events(cmd, NOW)[0].id == event.id  # the same command, the same event id


def test_other_commands_publish_nothing_of_their_own() -> None:
    assert success_events(command("hangup"), NOW) == []
    assert success_events(command("transfer", target="number:+8613800138000"), NOW) == []


def _frame(*pairs: tuple[str, str]) -> Frame:
    return Frame(list(pairs))


def _apply(state: TranslatorState, frame: Frame) -> tuple[TranslatorState, list[str]]:
    state, events = translate(state, frame, NOW)
    return state, [f"{e.type} {e.payload.get('target', '')}".strip() for e in events]


def test_blind_transfer_to_the_transfer_context_is_call_transferred_to_the_number() -> None:
    """The customer leaves the agent; its later Dial (the outside party) is no agent's answer."""
    state = replace(
        new_state(), calls={"1.1": connected(arrived_sent=True)}, channels={"1.1": "1.1"}
    )
    state, seen = _apply(
        state,
        _frame(
            ("Event", "BlindTransfer"),
            ("Result", "Success"),
            ("TransfererUniqueid", "1.2"),
            ("TransfereeChannel", CUSTOMER),
            ("TransfereeUniqueid", "1.1"),
            ("TransfereeLinkedid", "1.1"),
            ("IsExternal", "Yes"),
            ("Context", "cc-transfer-out"),
            ("Extension", "+8613800138000"),
        ),
    )
    assert seen == ["call.transferred number:+8613800138000"]
    call = state.calls["1.1"]
    assert (call.connected, call.agent_id, call.outside) == (False, None, "+8613800138000")
    dial = (("Channel", CUSTOMER), ("Uniqueid", "1.1"), ("Linkedid", "1.1"))
    dest = (("DestChannel", "PJSIP/trunk-00000003"), ("DestUniqueid", "1.3"))
    state, seen = _apply(state, _frame(("Event", "DialBegin"), *dial, *dest))
    state, seen2 = _apply(
        state, _frame(("Event", "DialEnd"), *dial, *dest, ("DialStatus", "ANSWER"))
    )
    assert seen == seen2 == []
    state, seen = _apply(
        state, _frame(("Event", "Hangup"), *dial, ("Cause", "16"), ("Cause-txt", "Normal Clearing"))
    )
    assert seen == ["call.ended"]


def test_a_blind_transfer_elsewhere_is_left_to_the_events_that_follow() -> None:
    state = replace(
        new_state(), calls={"1.1": connected(arrived_sent=True)}, channels={"1.1": "1.1"}
    )
    after, seen = _apply(
        state,
        _frame(
            ("Event", "BlindTransfer"),
            ("Result", "Success"),
            ("TransfereeUniqueid", "1.1"),
            ("TransfereeLinkedid", "1.1"),
            ("Context", "cc-connect"),
            ("Extension", "1003"),
        ),
    )
    assert seen == [] and after.calls["1.1"].connected
