"""``telephony.actions`` for warm transfer and conference, and the ring timeout of a transfer to
an agent: pure, values in and out (over TCP against the simulator: test_consult_commands.py)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from kernel.commands import Command
from telephony.actions import ActionConfig, consult_exten, plan
from telephony.errors import CommandTargetError
from telephony.translator import CallState

TALKING = CallState(
    linkedid="1.1",
    call_id="1.1",
    direction="inbound",
    customer_uid="1.1",
    customer_channel="PJSIP/trunk-00000001",
    agent_id="1001",
    agent_uid="1.2",
    agent_channel="PJSIP/1001-00000002",
    answered=True,
    connected=True,
)
LOCAL = ActionConfig(
    agent_endpoints={"1004": "Local/1004@sim-agent/m"},
    outbound_channel="Local/{number}@sim-customer",
)


@pytest.mark.parametrize(
    ("target", "config", "want"),
    [
        ("agent:1002", ActionConfig(), ("1002", "cc-consult")),
        ("number:5550001", ActionConfig(), ("5550001", "cc-consult-out")),
        # a Local dial string names its own context (capture 22: Exten 1004, sim-agent)
        ("agent:1004", LOCAL, ("1004", "sim-agent")),
        ("number:5550001", LOCAL, ("5550001", "sim-customer")),
    ],
)
def test_atxfer_target(target: str, config: ActionConfig, want: tuple[str, str]) -> None:
    assert consult_exten(target, config) == want


@pytest.mark.parametrize("target", ["queue:sales", "number:+8613800000001", "agent:", "1002"])
def test_a_target_atxfer_cannot_key_is_refused_by_name(target: str) -> None:
    with pytest.raises(CommandTargetError) as err:
        consult_exten(target, ActionConfig())
    assert err.value.field == "target"


def test_consult_names_the_target_on_the_customer_then_atxfers_the_agents_leg() -> None:
    command = Command("c1", "consult", {"call_id": "1.1", "target": "agent:1002"})
    assert plan(command, TALKING, ActionConfig()) == [
        [
            ("Action", "Setvar"),
            ("Channel", "PJSIP/trunk-00000001"),
            ("Variable", "CC_CONSULT"),
            ("Value", "agent:1002"),
        ],
        [
            ("Action", "Atxfer"),
            ("Channel", "PJSIP/1001-00000002"),
            ("Exten", "1002"),
            ("Context", "cc-consult"),
        ],
    ]


@pytest.mark.parametrize(
    ("kind", "call", "why"),
    [
        ("consult", replace(TALKING, consult_target="agent:1003"), "already going on"),
        ("consult_complete", TALKING, "no consultation"),
        ("consult_back", TALKING, "no consultation"),
        ("conference", TALKING, "no consultation"),
        ("consult", replace(TALKING, connected=False), "not connected"),
    ],
)
def test_consult_commands_out_of_turn_fail_without_an_action(
    kind: str, call: CallState, why: str
) -> None:
    command = Command("c2", kind, {"call_id": "1.1", "target": "agent:1002"})
    with pytest.raises(CommandTargetError) as err:
        plan(command, call, ActionConfig())
    assert err.value.field == "call_id" and why in str(err.value)


def test_transfer_to_an_agent_rings_for_the_queues_ring_timeout() -> None:
    command = Command(
        "t1", "transfer", {"call_id": "1.1", "target": "agent:1002", "ring_timeout_s": 25}
    )
    actions = plan(command, TALKING, ActionConfig())
    assert [a[2:4] for a in actions[:2]] == [
        [("Variable", "CC_AGENT_ENDPOINT"), ("Value", "PJSIP/1002")],
        [("Variable", "CC_RING_TIMEOUT_S"), ("Value", "25")],
    ]
    assert actions[2][:4] == [
        ("Action", "Redirect"),
        ("Channel", "PJSIP/trunk-00000001"),
        ("Context", "cc-connect"),
        ("Exten", "1002"),
    ]


def test_hang_up_in_a_conference_hangs_up_the_agents_leg_only() -> None:
    command = Command("h1", "hangup", {"call_id": "1.1"})
    in_conference = replace(TALKING, conference=("1.5", "Local/1002@cc-consult-5;1", "agent:1002"))
    assert plan(command, in_conference, ActionConfig()) == [
        [("Action", "Hangup"), ("Channel", "PJSIP/1001-00000002"), ("Cause", "16")]
    ]
    assert plan(command, TALKING, ActionConfig())[0][1] == ("Channel", "PJSIP/trunk-00000001")
