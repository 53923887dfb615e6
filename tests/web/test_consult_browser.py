"""Warm transfer and conference from the agent's desk, in Chromium, against the PBX simulator over
TCP (the shipped dialplan: cc-connect's Dial with option t, features.conf's codes) with the real
bridge, router and Redis: the AMI actions the simulator received and the domain events recorded.
Screenshots go to tests/artifacts/."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import redis.asyncio as aioredis
from callcenter_testkit.browsing import no_js_errors, ready_agent, shot, sign_in
from callcenter_testkit.pbx_rig import real_time_pbx
from callcenter_testkit.webtools import Server
from playwright.async_api import Browser, Page, expect

from kernel.events import DomainEvent
from kernel.keys import StreamNames
from kernel.runtime import Runtime
from queueing.routing import Routing
from telephony.simulator import Scenario, Simulator
from telephony.simulator.phones import Device
from telephony.simulator.traffic import SHIPPED_ATXFER_CODE, AgentPhone, Dist, QueueTraffic

pytestmark = [pytest.mark.browser, pytest.mark.timeout(150)]

HOUSEKEEPING = {"Login", "Ping", "Events", "CoreShowChannels", "Status"}
CONSULT_BOB = {"target": "agent:a2", "target_kind": "agent", "target_id": "a2"}


@pytest.fixture
async def pbx(web_rt: Runtime) -> AsyncIterator[Simulator]:
    """The simulator in real time, no traffic of its own, both agents' phones answering after
    a second, and the bridge against it."""
    fixed = Dist(kind="fixed", mean=1)
    scenario = Scenario(
        queues=[QueueTraffic(queue="sales", did="5000", talk_s=Dist(kind="fixed", mean=600))],
        agents=[
            AgentPhone(agent_id=a, answer_delay_s=fixed, no_answer_p=0, hold_p=0)
            for a in ("a1", "a2")
        ],
        unknown_endpoints_answer=False,
        atxfer_code=SHIPPED_ATXFER_CODE,
    )
    async with real_time_pbx(web_rt.settings, web_rt.redis, scenario) as sim:
        yield sim


def actions(sim: Simulator, since: int = 0) -> list[str]:
    """The AMI actions the PBX received after the ``since``-th, the bridge's housekeeping left out."""
    return [f.action or "" for _, f in list(sim.received)[since:] if f.action not in HOUSEKEEPING]


async def recorded(redis: aioredis.Redis, prefix: str, *types: str) -> list[DomainEvent]:
    events = [DomainEvent.from_fields(f) for _, f in await redis.xrange(StreamNames(prefix).events)]
    return [e for e in events if e.type in types]


@pytest.fixture
async def desks(
    browser: Browser, server: Server, router: Routing, pbx: Simulator
) -> tuple[Page, Page]:
    """Alice on a sales call (her phone answers by itself), Bob signed in and logged in, not
    ready (the router offers him nothing; a consultation rings his phone all the same)."""
    bob = await sign_in(browser, server, "bob", "/agent")
    await expect(bob.locator("#live-status")).to_have_attribute("data-state", "live")
    await bob.click("#btn-login")
    await expect(bob.locator("#state-pill")).to_have_text("not ready")
    alice = await ready_agent(browser, server)
    pbx.call_in("5000", "+8613800000077", Device(kind="caller", cid_name="Wu Fang", patience_s=900))
    await expect(alice.locator("#call-state")).to_have_text("talking")
    return alice, bob


async def consult_bob(alice: Page) -> None:
    await alice.select_option("#consult-kind", "agent")
    await alice.select_option("#consult-agent", "a2")
    await alice.click("#btn-consult")
    await expect(alice.locator("#msg-consult")).to_have_text("Calling…")
    # features.conf's transferdigittimeout (3 s), then Bob's phone rings a second
    await expect(alice.locator("#consult-box")).to_have_attribute("data-phase", "consulting")
    await expect(alice.locator("#consult-status")).to_contain_text("Consulting Bob Li")
    await expect(alice.locator("#call-state")).to_have_text("held")
    await expect(alice.locator("#btn-resume")).to_be_hidden()  # the consultation's own controls


async def test_warm_transfer_back_to_the_customer_then_complete(
    desks: tuple[Page, Page], pbx: Simulator, redis: aioredis.Redis, prefix: str, artifacts: Path
) -> None:
    """Alice consults Bob, goes back to the customer, consults him again and completes the
    transfer: the customer is Bob's, Alice wraps up."""
    alice, bob = desks
    mark = len(pbx.received)
    await consult_bob(alice)
    await shot(alice, artifacts / "consult-consulting.png")

    await alice.click("#btn-consult-back")
    await expect(alice.locator("#consult-box")).to_have_attribute("data-phase", "idle")
    await expect(alice.locator("#msg-consult-back")).to_have_text("Back with the customer")
    await expect(alice.locator("#call-state")).to_have_text("talking")
    assert not [c for c in pbx.engine.channels.values() if c.name.startswith("PJSIP/a2-")]

    await consult_bob(alice)
    await alice.click("#btn-consult-complete")
    await expect(alice.locator("#state-pill")).to_have_text("wrap up")
    await expect(bob.locator("#state-pill")).to_have_text("on call")
    await expect(bob.locator("#cust-phone")).not_to_have_text("—")
    await shot(alice, artifacts / "consult-completed-alice.png")
    await shot(bob, artifacts / "consult-completed-bob.png")

    assert actions(pbx, mark) == [
        "Setvar",  # CC_CONSULT=agent:a2 on the customer
        "Atxfer",  # Alice's leg, Exten a2, Context cc-consult
        "Hangup",  # Back to customer: the consulted leg
        "Setvar",
        "Atxfer",
        "Hangup",  # Complete transfer: Alice's leg
    ]
    atxfer = [f for _, f in pbx.received if f.action == "Atxfer"][0]
    assert (atxfer.get("Exten"), atxfer.get("Context")) == ("a2", "cc-consult")
    ended = await recorded(redis, prefix, "call.consult_ended")
    assert [e.payload["outcome"] for e in ended] == ["back", "transferred"]
    started = await recorded(redis, prefix, "call.consult_started")
    assert [(e.agent_id, e.payload) for e in started] == [("a1", CONSULT_BOB)] * 2
    (moved,) = await recorded(redis, prefix, "call.transferred")
    assert (moved.agent_id, moved.payload) == (
        "a2",
        {"kind": "attended", "from_agent_id": "a1", "target": "agent:a2"},
    )
    no_js_errors(alice)
    no_js_errors(bob)


async def test_conference_then_alice_leaves_it_to_bob(
    desks: tuple[Page, Page], pbx: Simulator, redis: aioredis.Redis, prefix: str, artifacts: Path
) -> None:
    alice, bob = desks
    mark = len(pbx.received)
    await consult_bob(alice)
    await alice.click("#btn-conference")
    await expect(alice.locator("#consult-box")).to_have_attribute("data-phase", "conference")
    await expect(alice.locator("#consult-status")).to_have_text(
        "Conference with the customer and Bob Li (Hang up leaves it to them)"
    )
    await expect(alice.locator("#call-state")).to_have_text("talking")
    (caller,) = [c for c in pbx.engine.channels.values() if c.name.startswith("PJSIP/trunk-")]
    assert caller.bridge is not None and len(caller.bridge.members) == 3
    await shot(alice, artifacts / "consult-conference.png")

    await alice.click("#btn-hangup")  # Alice leaves; the customer stays with Bob
    await expect(alice.locator("#state-pill")).to_have_text("wrap up")
    await expect(bob.locator("#state-pill")).to_have_text("on call")
    assert actions(pbx, mark) == ["Setvar", "Atxfer", "PlayDTMF", "PlayDTMF", "Hangup"]
    dtmf = [f for _, f in pbx.received if f.action == "PlayDTMF"]
    assert [(f.get("Digit"), f.get("Receive")) for f in dtmf] == [("*", "true"), ("3", "true")]
    (conferenced,) = await recorded(redis, prefix, "call.conferenced")
    assert conferenced.payload == {**CONSULT_BOB, "agent_id": "a1"}
    (moved,) = await recorded(redis, prefix, "call.transferred")
    assert moved.agent_id == "a2" and moved.payload["kind"] == "attended"
    assert caller.alive and len(caller.bridge.members) == 2
    no_js_errors(alice)
    no_js_errors(bob)
