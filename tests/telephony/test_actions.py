"""``telephony.actions.plan`` for the answer command, the connect's ring timeout and a callback's
dial: pure, values in and out (the other kinds are covered over TCP against the simulator in
test_bridge_commands.py)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from kernel.commands import Command
from telephony.actions import ActionConfig, plan
from telephony.errors import CommandTargetError
from telephony.translator import CallState


def ringing_call(**changes: object) -> CallState:
    call = CallState(
        linkedid="1.1",
        call_id="1.1",
        direction="inbound",
        customer_uid="1.1",
        customer_channel="PJSIP/trunk-00000001",
        target_agent_id="1009",
        ringing_uid="1.2",
    )
    return replace(call, **changes)  # type: ignore[arg-type]


def answer(agent_id: str = "1009") -> Command:
    return Command("c1", "answer", {"call_id": "1.1", "agent_id": agent_id})


@pytest.mark.parametrize(
    ("dial_string", "endpoint"),
    [
        (None, "1009"),  # no endpoint configured: PJSIP/<agent id>
        ("PJSIP/desk-1009", "desk-1009"),
        ("pjsip/desk-1009@office", "desk-1009"),  # tech case-insensitive, no AOR part
        ("PJSIP/desk-1009/sip:1009@10.0.0.9", "desk-1009"),  # endpoint/URI form
    ],
)
def test_answer_is_a_pjsipnotify_to_the_agents_endpoint(
    dial_string: str | None, endpoint: str
) -> None:
    config = ActionConfig(agent_endpoints={"1009": dial_string} if dial_string else {})
    assert plan(answer(), ringing_call(), config) == [
        [("Action", "PJSIPNotify"), ("Endpoint", endpoint), ("Variable", "Event=talk")]
    ]


def test_the_notify_event_is_configurable() -> None:
    config = ActionConfig(answer_event="answer")
    assert plan(answer(), ringing_call(), config)[0][-1] == ("Variable", "Event=answer")


@pytest.mark.parametrize(
    ("call", "config", "field", "why"),
    [
        (None, ActionConfig(), "call_id", "no such live call"),
        (ringing_call(connected=True), ActionConfig(), "call_id", "already answered"),
        (ringing_call(ringing_uid=None), ActionConfig(), "call_id", "not ringing"),
        (
            ringing_call(),
            ActionConfig(agent_endpoints={"1009": "Local/1009@phones"}),
            "agent_id",
            "PJSIP endpoint",
        ),
    ],
)
def test_answer_refused_names_the_argument(
    call: CallState | None, config: ActionConfig, field: str, why: str
) -> None:
    with pytest.raises(CommandTargetError) as err:
        plan(answer(), call, config)
    assert err.value.field == field and why in str(err.value)


def waiting_call() -> CallState:
    return replace(ringing_call(), target_agent_id=None, ringing_uid=None)


def test_connect_sets_the_routers_ring_timeout_before_the_redirect() -> None:
    """The router's offer lasts the queue's ring timeout: the Dial in cc-connect rings the
    agent's phone exactly that long (``CC_RING_TIMEOUT_S``), so the two never disagree."""
    command = Command(
        "c1|connect|1", "connect", {"call_id": "1.1", "agent_id": "1009", "ring_timeout_s": 25}
    )
    assert plan(command, waiting_call(), ActionConfig()) == [
        [
            ("Action", "Setvar"),
            ("Channel", "PJSIP/trunk-00000001"),
            ("Variable", "CC_AGENT_ENDPOINT"),
            ("Value", "PJSIP/1009"),
        ],
        [
            ("Action", "Setvar"),
            ("Channel", "PJSIP/trunk-00000001"),
            ("Variable", "CC_RING_TIMEOUT_S"),
            ("Value", "25"),
        ],
        [
            ("Action", "Redirect"),
            ("Channel", "PJSIP/trunk-00000001"),
            ("Context", "cc-connect"),
            ("Exten", "1009"),
            ("Priority", "1"),
        ],
    ]
    # a connect without one (a transfer to an agent, an older router) leaves the dialplan's
    bare = Command("t1", "connect", {"call_id": "1.1", "agent_id": "1009"})
    assert [a[3] for a in plan(bare, waiting_call(), ActionConfig())[:-1]] == [
        ("Value", "PJSIP/1009")
    ]


def test_bad_ring_timeout_names_the_argument() -> None:
    command = Command(
        "t2", "connect", {"call_id": "1.1", "agent_id": "1009", "ring_timeout_s": "x"}
    )
    with pytest.raises(CommandTargetError) as err:
        plan(command, waiting_call(), ActionConfig())
    assert err.value.field == "ring_timeout_s"


def test_callback_dial_names_the_callers_call_and_the_ring_timeout() -> None:
    command = Command(
        "in1-cb|originate|1",
        "originate",
        {
            "call_id": "in1-cb",
            "agent_id": "1009",
            "number": "+8613800000001",
            "origin_call_id": "in1",
            "ring_timeout_s": 15,
        },
    )
    [originate] = plan(command, None, ActionConfig())
    assert [v for k, v in originate if k == "Variable"] == [
        "CC_CALL_ID=in1-cb",
        "CC_AGENT_ENDPOINT=PJSIP/1009",
        "CC_RING_TIMEOUT_S=15",
        "CC_ORIGIN_CALL_ID=in1",
    ]


def test_spy_stop_hangs_up_each_spy_leg_of_the_call() -> None:
    call = ringing_call(spies=("PJSIP/9000-00000011", "PJSIP/9001-00000012"))
    actions = plan(Command("s1", "spy_stop", {"call_id": "1.1"}), call, ActionConfig())
    assert actions == [
        [("Action", "Hangup"), ("Channel", "PJSIP/9000-00000011"), ("Cause", "16")],
        [("Action", "Hangup"), ("Channel", "PJSIP/9001-00000012"), ("Cause", "16")],
    ]
    with pytest.raises(CommandTargetError) as err:
        plan(Command("s2", "spy_stop", {"call_id": "1.1"}), ringing_call(), ActionConfig())
    assert err.value.field == "call_id"
