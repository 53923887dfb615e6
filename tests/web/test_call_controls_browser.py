"""The desk's call controls in Chromium against the PBX simulator (issue 17): mute, the keypad,
a blind transfer to an outside number, and dialling a number by hand (a refused prefix, a
do-not-call customer refused then dialled with an audited override, a customer outside their
calling hours). No stand-in for telephony: the simulator speaks AMI over TCP to the real bridge,
the router and the application are real. Each test checks the AMI actions the simulator
received, what they did in the simulated PBX, and the domain events recorded. Screenshots go to
tests/artifacts/controls-*.png."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from callcenter_testkit.browsing import no_js_errors, ready_agent, shot, sign_in
from callcenter_testkit.dialling import DNC, LATE, save_dial_customers
from callcenter_testkit.pbx_rig import customers_who_answer, real_time_pbx
from callcenter_testkit.webtools import Server, web_settings
from playwright.async_api import Browser, Page, expect

from customers.audit import audit_rows
from kernel.events import DomainEvent
from kernel.runtime import Runtime
from kernel.settings import Settings
from queueing.routing import Routing
from store.writer import StoreWriter
from telephony.ami_frames import Frame
from telephony.simulator import Scenario, Simulator
from telephony.simulator.model import Channel
from telephony.simulator.phones import Device
from telephony.simulator.traffic import AgentPhone, Dist, QueueTraffic

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

CALLER = "+8613712345678"
OUTSIDE = "+8613800138000"


@pytest.fixture
def phone_kind() -> str:
    """Alice's phone: a device, or (parametrized) the browser phone; the controls act on her
    channel in Asterisk either way (the demo-style desk without a PBX for browser phones)."""
    return "device"


@pytest.fixture
def settings(prefix: str, phone_kind: str) -> Settings:
    data = web_settings(prefix, dialling={"allowed_prefixes": {"agent": ["+86"]}}).model_dump()
    data["agents"][0]["phone"] = phone_kind
    return Settings.model_validate(data)


@pytest.fixture
async def pbx(web_rt: Runtime) -> AsyncIterator[Simulator]:
    """Alice's phone (a1) answers by itself half a second after it rings; callers and outside
    numbers answer and stay on the line."""
    scenario = Scenario(
        queues=[QueueTraffic(queue="sales", did="5000", talk_s=Dist(kind="fixed", mean=600))],
        agents=[
            AgentPhone(
                agent_id="a1",
                answer_delay_s=Dist(kind="fixed", mean=0.5),
                no_answer_p=0,
                hold_p=0,
            )
        ],
        outbound=customers_who_answer(ring_s=0.5, talk_s=600),
        unknown_endpoints_answer=False,
    )
    async with real_time_pbx(web_rt.settings, web_rt.redis, scenario) as sim:
        yield sim


def actions(sim: Simulator, *names: str) -> list[Frame]:
    return [f for _, f in sim.received if f.action in names]


def fields(frame: Frame, *keys: str) -> tuple[str | None, ...]:
    return tuple(frame.get(k) for k in keys)


async def events(rt: Runtime, type_: str) -> list[DomainEvent]:
    found = [DomainEvent.from_fields(f) for _, f in await rt.redis.xrange(rt.streams.events)]
    return [e for e in found if e.type == type_]


def channel(sim: Simulator, prefix: str) -> Channel:
    (ch,) = [c for c in sim.engine.channels.values() if c.name.startswith(prefix) and c.alive]
    return ch


async def answered_call(page: Page, pbx: Simulator, rt: Runtime) -> str:
    """A caller on the sales line, offered to Alice (ready), answered by her phone."""
    pbx.call_in("5000", CALLER, Device(kind="caller", label="sales", patience_s=900))
    await expect(page.locator("#call-state")).to_have_text("talking")
    await expect(page.locator("#incall-controls")).to_be_visible()
    (answered,) = await events(rt, "call.answered")
    return str(answered.call_id)


@pytest.mark.parametrize("phone_kind", ["device", "webrtc"])
async def test_mute_and_keypad(
    browser: Browser,
    server: Server,
    router: Routing,
    pbx: Simulator,
    web_rt: Runtime,
    caplog: pytest.LogCaptureFixture,
    phone_kind: str,
    artifacts: Path,
) -> None:
    """Mute is MuteAudio on Alice's leg (her voice, ``in``); the keypad is PlayDTMF toward the
    customer (their channel, no ``Receive``: the digits never enter Alice's side of the bridge);
    the events name Alice and count the tones; no digit reaches a log line."""
    caplog.set_level(logging.DEBUG)
    page = await ready_agent(browser, server)
    if phone_kind == "webrtc":  # the browser phone's panel is there, the controls the same
        await expect(page.locator("#phone-panel")).to_be_visible()
    call_id = await answered_call(page, pbx, web_rt)
    leg, customer = channel(pbx, "PJSIP/a1-"), channel(pbx, "PJSIP/trunk-")

    await page.click("#btn-mute")
    await expect(page.locator("#btn-mute")).to_have_attribute("aria-pressed", "true")
    await expect(page.locator("#btn-mute")).to_have_text("Unmute")
    await expect(page.locator("#msg-mute")).to_have_text("Muted: the customer does not hear you")
    assert leg.muted == {"in"}
    for key in "94#":
        await page.click(f'#keypad .key[data-key="{key}"]')
    await expect(page.locator("#msg-keypad")).to_have_text("3 tones sent")
    await shot(page, artifacts / f"controls-muted-keypad-{phone_kind}.png")
    await page.click("#btn-mute")
    await expect(page.locator("#btn-mute")).to_have_attribute("aria-pressed", "false")
    await expect(page.locator("#msg-mute")).to_have_text("Unmuted")
    assert leg.muted == set()

    mutes = actions(pbx, "MuteAudio")
    assert [fields(f, "Channel", "Direction", "State") for f in mutes] == [
        (leg.name, "in", "on"),
        (leg.name, "in", "off"),
    ]
    tones = actions(pbx, "PlayDTMF")
    assert [fields(f, "Channel", "Digit", "Duration", "Receive") for f in tones] == [
        (customer.name, d, "250", None) for d in "94#"
    ]
    muted, unmuted = await events(web_rt, "call.muted"), await events(web_rt, "call.unmuted")
    assert [(e.call_id, e.agent_id) for e in muted + unmuted] == [(call_id, "a1")] * 2
    sent = await events(web_rt, "call.dtmf_sent")
    assert [(e.call_id, e.agent_id, e.payload) for e in sent] == [(call_id, "a1", {"count": 1})] * 3
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "Digit" not in logged and "94#" not in logged
    no_js_errors(page)


@pytest.mark.parametrize("phone_kind", ["device", "webrtc"])
async def test_blind_transfer_to_an_outside_number(
    browser: Browser,
    server: Server,
    router: Routing,
    pbx: Simulator,
    web_rt: Runtime,
    phone_kind: str,
    artifacts: Path,
) -> None:
    """A number outside Alice's prefixes is refused beside the box (nothing sent to the PBX);
    an allowed one is dialled by cc-transfer-out after a BlindTransfer of Alice's leg: the
    caller talks to the outside number, Alice is free to wrap up."""
    page = await ready_agent(browser, server)
    call_id = await answered_call(page, pbx, web_rt)
    leg, customer = channel(pbx, "PJSIP/a1-"), channel(pbx, "PJSIP/trunk-")

    await page.fill("#xfer-number", "+1 212 555 0100")
    await page.click("#btn-xfer-number")
    await expect(page.locator("#msg-xfer-number")).to_have_text(
        "target: not an allowed number for role agent: allowed prefixes +86"
    )
    await shot(page, artifacts / f"controls-transfer-refused-{phone_kind}.png")
    assert actions(pbx, "BlindTransfer") == []

    await page.fill("#xfer-number", "138 0013 8000")
    await page.click("#btn-xfer-number")
    await expect(page.locator("#state-pill")).to_have_text("wrap up")
    await shot(page, artifacts / f"controls-transferred-{phone_kind}.png")
    setvar = [f for f in actions(pbx, "Setvar") if f.get("Variable") == "CC_TRANSFER_DIAL"]
    assert [fields(f, "Channel", "Value") for f in setvar] == [
        (customer.name, f"PJSIP/{OUTSIDE}@trunk")
    ]
    (blind,) = actions(pbx, "BlindTransfer")
    assert fields(blind, "Channel", "Context", "Exten") == (leg.name, "cc-transfer-out", OUTSIDE)
    (transferred,) = await events(web_rt, "call.transferred")
    assert transferred.call_id == call_id
    assert transferred.payload == {
        "kind": "blind",
        "from_agent_id": "a1",
        "target": f"number:{OUTSIDE}",
    }
    assert not leg.alive and customer.alive
    async with asyncio.timeout(10):  # the outside number rings half a second, then answers
        while customer.bridge is None:  # noqa: ASYNC110 - the simulated PBX's own state
            await asyncio.sleep(0.05)
    assert [m.name.split("-")[0] for m in customer.bridge.members if m is not customer] == [
        f"PJSIP/{OUTSIDE}"
    ]
    no_js_errors(page, "403")  # the refused number


@pytest.fixture
async def customers(web_rt: Runtime) -> None:
    await save_dial_customers(web_rt)


async def test_manual_dial_with_prefixes_refusals_and_an_audited_override(
    browser: Browser,
    server: Server,
    router: Routing,
    pbx: Simulator,
    store_writer: StoreWriter,
    web_rt: Runtime,
    customers: None,
    artifacts: Path,
) -> None:
    """Alice, not ready, dials: a number outside her prefixes is refused; a customer outside
    their hours shows why in the preview; a do-not-call customer is refused, then dialled with
    her reason (audited). The customer answers, then Alice's phone; the card shows who it is
    (the store writer has the dialled number)."""
    page = await sign_in(browser, server, "alice", "/agent")
    await expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
    await page.click("#btn-login")
    await expect(page.locator("#state-pill")).to_have_text("not ready")
    msg = page.locator("#msg-dial")

    await page.fill("#dial-number", "+1 212 555 0100")
    await page.click("#btn-dial")
    await expect(msg).to_have_text(
        "number: not an allowed number for role agent: allowed prefixes +86"
    )
    await page.fill("#dial-number", LATE)
    await page.click("#btn-dial-preview")
    await expect(page.locator("#dial-cust-name")).to_have_text("Zhao Lei")
    await expect(page.locator('#dial-refusals li[data-reason="calling_hours"]')).to_contain_text(
        "outside Zhao Lei's calling hours"
    )
    await shot(page, artifacts / "controls-dial-calling-hours.png")

    await page.fill("#dial-number", "139 0000 0001")
    await page.click("#btn-dial")
    await expect(msg).to_contain_text("number: Wang Hua asked not to be called (do not call)")
    await expect(page.locator("#dial-override")).to_be_visible()
    await expect(page.locator('#dial-refusals li[data-reason="do_not_call"]')).to_be_visible()
    await shot(page, artifacts / "controls-dial-do-not-call.png")
    assert actions(pbx, "Originate") == []

    await page.fill("#dial-override-reason", "Customer asked for a call back today")
    await page.click("#btn-dial")
    await expect(msg).to_contain_text(f"Dialling {DNC} (override: do not call)")
    await expect(page.locator("#call-state")).to_have_text("talking")
    await expect(msg).to_have_text(f"Connected to {DNC}")
    await expect(page.locator("#cust-name")).to_have_text("Wang Hua")
    await shot(page, artifacts / "controls-dial-connected.png")

    (originate,) = actions(pbx, "Originate")
    assert fields(originate, "Channel", "Context", "Exten") == (
        f"PJSIP/{DNC}@trunk",
        "cc-connect",
        "a1",
    )
    (originated,) = await events(web_rt, "call.originated")
    (answered,) = await events(web_rt, "call.answered")
    assert originated.call_id == answered.call_id and str(answered.call_id).startswith("md-")
    assert answered.agent_id == "a1"
    async with web_rt.engine.connect() as conn:
        rows = await audit_rows(conn, actor="alice")
    assert [(r["action"], r["entity_id"], r["fields"], r["reason"]) for r in rows if r["action"] == "dial.override"] == [
        ("dial.override", "c-dnc", "do_not_call", "Customer asked for a call back today")
    ]  # fmt: skip
    no_js_errors(page, "403", "409")  # the refused prefix, the do-not-call refusal
