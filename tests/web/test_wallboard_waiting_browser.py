"""The wallboard's waiting list in Chromium against the real application, router, Redis, the AMI
bridge and the PBX simulator over TCP: callers who rang the simulated Asterisk wait in sales; the
supervisor routes one to a chosen ready agent (the simulator bridges that caller with that
agent's phone), has one called back at their own number, and moves one to another queue; an
action's error shows beside its button; agent rows stay the same DOM elements across updates.
Screenshots go to tests/artifacts/."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from callcenter_testkit.browsing import no_js_errors, shot, sign_in
from callcenter_testkit.pbx_rig import real_time_pbx
from callcenter_testkit.webtools import Server, web_settings
from playwright.async_api import Page, expect

from kernel.events import DomainEvent
from kernel.runtime import Runtime
from kernel.settings import Settings
from queueing.actions import AgentActions
from queueing.routing import Routing
from telephony.simulator import Scenario, Simulator
from telephony.simulator.model import Channel
from telephony.simulator.phones import Device
from telephony.simulator.traffic import AgentPhone, Dist, QueueTraffic

pytestmark = [pytest.mark.browser, pytest.mark.timeout(150)]


@pytest.fixture
def settings(prefix: str) -> Settings:
    """Sales needs level 3 for its first 600 s: Chen Jie (sales 2) is ready but the router does
    not offer him its calls yet; a supervisor may."""
    data = web_settings(prefix).model_dump()
    data["queues"][0]["skills"] = {"sales": 3}
    data["queues"][0]["escalation"] = [{"after": 600, "min_level": 1}]
    return Settings.model_validate(data)


@pytest.fixture
async def pbx(web_rt: Runtime) -> AsyncIterator[Simulator]:
    """The simulator in real time, no traffic of its own; agents' phones answer by themselves."""
    scenario = Scenario(
        queues=[
            QueueTraffic(queue="sales", did="5000", talk_s=Dist(kind="fixed", mean=600)),
            QueueTraffic(queue="support", did="5001"),
        ],
        agents=[AgentPhone(agent_id=a, no_answer_p=0, hold_p=0) for a in ("a1", "a2", "a3")],
    )
    async with real_time_pbx(web_rt.settings, web_rt.redis, scenario) as sim:
        yield sim


def call_in(sim: Simulator, number: str) -> Channel:
    return sim.call_in("5000", number, Device(kind="caller", label="sales", patience_s=900))


async def events(web_rt: Runtime, type_: str) -> list[DomainEvent]:
    rows = await web_rt.redis.xrange(web_rt.streams.events)
    return [e for e in (DomainEvent.from_fields(f) for _, f in rows) if e.type == type_]


async def row_of(page: Page, number_tail: str) -> str:
    """The waiting row whose masked caller ends with ``number_tail``: its call id."""
    row = page.locator("#waiting-body tr", has_text=number_tail)
    await expect(row).to_have_count(1)
    return str(await row.get_attribute("data-call"))


async def test_route_call_back_and_move_from_the_waiting_list(
    browser: object,
    server: Server,
    router: Routing,
    pbx: Simulator,
    web_rt: Runtime,
    artifacts: Path,
) -> None:
    actions = AgentActions(router)
    await actions.login("a3", ready=True)  # serves sales only from its second step
    page = await sign_in(browser, server, "sue", "/wallboard")  # type: ignore[arg-type]
    await expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
    agent_row = page.locator('#agents-body tr[data-agent="a3"]')
    await expect(agent_row).to_have_attribute("data-state", "ready")
    await agent_row.evaluate("tr => { window.__a3 = tr; }")

    legs = {n: call_in(pbx, n) for n in ("+8613800000101", "+8613800000202", "+8613800000303")}
    await expect(page.locator("#waiting-body tr")).to_have_count(3)
    first = await row_of(page, "0101")
    await expect(page.locator(f'#waiting-body tr[data-call="{first}"] td.pos')).to_have_text("1")
    await expect(page.locator("#waiting-body tr").first.locator("td.caller")).to_have_text(
        "+86 138****0101"
    )
    await shot(page, artifacts / "wallboard-waiting.png")

    # route without choosing: the error beside the button; then to Chen Jie, who takes it
    row = page.locator(f'#waiting-body tr[data-call="{first}"]')
    await row.locator('button[data-act="route"]').click()
    await expect(row.locator('.w-action[data-act="route"] .w-error')).to_contain_text(
        "choose a ready agent"
    )
    await row.locator("select.route-agent").select_option("a3")
    await row.locator('button[data-act="route"]').click()
    await expect(row).to_have_count(0)
    await expect(agent_row).to_have_attribute("data-state", "on_call")
    leg = legs["+8613800000101"]
    for _ in range(100):  # the simulator bridges the caller with Chen Jie's phone
        if leg.bridge is not None:
            break
        await asyncio.sleep(0.1)
    assert leg.bridge is not None
    assert any(m.name.startswith("PJSIP/a3-") for m in leg.bridge.members)
    [answered] = await events(web_rt, "call.answered")
    assert answered.call_id == first and answered.agent_id == "a3"
    # the same <tr> went from ready to on call: updated in place, not rebuilt
    assert await agent_row.evaluate("tr => tr === window.__a3")

    # call back the second caller at their own number
    second = await row_of(page, "0202")
    row = page.locator(f'#waiting-body tr[data-call="{second}"]')
    await row.locator('button[data-act="callback"]').click()
    dial = page.locator(f'#waiting-body tr[data-call="{second}-cb"]')
    await expect(dial.locator("td.callback")).to_have_text("asked")
    await expect(dial.locator("td.caller")).to_have_text("+86 138****0202")
    [scheduled] = await events(web_rt, "outbound.scheduled")
    assert scheduled.call_id == second and scheduled.payload["number"] == "+8613800000202"

    # move the third to support: it keeps its arrival; a wrong move says why beside its button
    third = await row_of(page, "0303")
    row = page.locator(f'#waiting-body tr[data-call="{third}"]')
    await row.locator('button[data-act="move"]').click()
    await expect(row.locator('.w-action[data-act="move"] .w-error')).to_contain_text(
        "choose a queue"
    )
    await row.locator("select.move-queue").select_option("support")
    await row.locator('button[data-act="move"]').click()
    await expect(row.locator("td.w-queue")).to_have_text("Technical support")
    [moved] = await events(web_rt, "call.moved")
    assert moved.call_id == third and moved.payload["from_queue"] == "sales"
    await shot(page, artifacts / "wallboard-waiting-actions.png")
    no_js_errors(page)


async def spy_legs(sim: Simulator, agent_leg_prefix: str) -> list[Channel]:
    """The live ChanSpy legs on the agent's leg, once the simulator has them (or none)."""
    for _ in range(100):
        legs = [
            c
            for c in sim.engine.channels.values()
            if c.alive and c.spy and c.spy.spyee and c.spy.spyee.name.startswith(agent_leg_prefix)
        ]
        if legs:
            return legs
        await asyncio.sleep(0.1)
    return []


async def test_monitoring_indicator_and_stop(
    browser: object,
    server: Server,
    router: Routing,
    pbx: Simulator,
    web_rt: Runtime,
    artifacts: Path,
) -> None:
    """Listen shows an indicator with Stop; Stop hangs up the supervisor's spy leg in the PBX and
    the indicator clears; a whisper whose leg the supervisor hangs up themselves clears too."""
    actions = AgentActions(router)
    await actions.login("a1", ready=True)
    page = await sign_in(browser, server, "sue", "/wallboard")  # type: ignore[arg-type]
    await expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
    call_in(pbx, "+8613800000404")
    row = page.locator('#agents-body tr[data-agent="a1"]')
    await expect(row).to_have_attribute("data-state", "on_call")
    indicator = page.locator("#monitoring .monitor")

    await row.locator("button.spy-listen").click()
    await expect(indicator).to_have_attribute("data-state", "active")
    await expect(indicator).to_contain_text("listen")
    [spy] = await spy_legs(pbx, "PJSIP/a1-")
    assert spy.spy.options == "qE"
    await shot(page, artifacts / "wallboard-monitoring.png")
    await indicator.locator('button[data-act="stop"]').click()
    await expect(indicator).to_have_count(0)
    assert not spy.alive  # the spy leg ended in the PBX
    assert "Hangup" in [f.action for _, f in pbx.received]

    await row.locator("button.spy-whisper").click()
    await expect(indicator).to_have_attribute("data-state", "active")
    [spy] = await spy_legs(pbx, "PJSIP/a1-")
    pbx.hang_up(spy)  # the supervisor puts the phone down: the indicator follows
    await expect(indicator).to_have_count(0)
    await expect(page.locator("#monitoring")).to_be_hidden()
    [started, _] = await events(web_rt, "call.monitor_started")
    assert started.agent_id == "a1"
    assert len(await events(web_rt, "call.monitor_stopped")) == 2
    no_js_errors(page)
