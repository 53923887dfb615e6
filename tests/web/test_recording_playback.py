"""Playback beside the QA form, end to end: a call recorded by the PBX simulator (MixMonitor
started by the bridge, the WAV written by the simulator into the platform's folder, the
recording's row made by the store writer) is played on the QA page in Chromium: the audio
element knows the duration and its time advances, the waveform is drawn, a comment at a time
position is saved with the evaluation, the playback session wrote one audit row (not one per
range request). An agent cannot play another agent's recording (403) and plays their own
evaluated call from the evaluations (dispute) page."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import redis.asyncio as aioredis
from callcenter_testkit.browsing import no_js_errors, shot, sign_in
from callcenter_testkit.pbx_rig import Rig, manual_pbx, running_bridge
from callcenter_testkit.webtools import Login, Server, web_settings
from playwright.async_api import Browser, expect
from sqlalchemy import select

from kernel.recording_files import file_name
from kernel.runtime import Runtime
from kernel.settings import QueueConfig, Settings
from store.models.customers import AuditEntry
from store.models.recordings import RecordingComment
from store.writer import StoreWriter
from telephony.simulator import Scenario
from telephony.simulator.phones import Device
from telephony.simulator.traffic import AgentPhone, Dist, QueueTraffic

pytestmark = [pytest.mark.timeout(120), pytest.mark.slow]
ASTERISK_DIR = "/var/spool/asterisk/monitor/callcenter"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "recordings"


@pytest.fixture
def settings(prefix: str, folder: Path) -> Settings:
    base = web_settings(prefix)
    queues = [q.model_dump() | {"record": q.id == "sales"} for q in base.queues]
    return web_settings(prefix, queues=queues, recording={"folder": str(folder)})


@pytest.fixture
def chromium_args() -> list[str]:
    return [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--autoplay-policy=no-user-gesture-required",
    ]


@pytest.fixture
async def rig(redis: aioredis.Redis, prefix: str, folder: Path) -> AsyncIterator[Rig]:
    fixed = Dist(kind="fixed", mean=1)
    scenario = Scenario(
        queues=[QueueTraffic(queue="sales", did="5000", record=True)],
        agents=[AgentPhone(agent_id="a1", answer_delay_s=fixed, no_answer_p=0, hold_p=0)],
        unknown_endpoints_answer=False,
    )
    async with (
        manual_pbx(scenario, recordings=(ASTERISK_DIR, folder)) as sim,
        running_bridge(sim, redis, prefix, ["a1"], [QueueConfig(id="sales", record=True)]) as r,
    ):
        yield r


async def recorded_call(rig: Rig, web_rt: Runtime) -> str:
    """A caller of the sales queue talks 8 s with agent a1 and hangs up; the store has it."""
    device = Device(kind="caller", label="sales", cid_name="Wei", patience_s=1000)
    caller = rig.sim.engine.inbound_call("5000", "+8613800000009", "Wei", device)
    for _ in range(4):
        await rig.step(1.0)
    await rig.command("connect", call_id=caller.linkedid, agent_id="a1", ring_timeout_s=15)
    for _ in range(10):
        await rig.step(1.0)
    await rig.command("hangup", call_id=caller.linkedid)
    await rig.step(1.0)
    writer = StoreWriter(web_rt.redis, web_rt.engine, web_rt.streams, block_ms=50)
    await writer.ensure_group()
    assert await writer.run_once() > 0
    return caller.linkedid


async def audit_rows(web_rt: Runtime, call_id: str) -> list[tuple[str, str]]:
    t = AuditEntry.__table__
    async with web_rt.engine.connect() as conn:
        res = await conn.execute(
            select(t.c.actor, t.c.action).where(t.c.entity == "recording", t.c.entity_id == call_id)
        )
        return [tuple(r) for r in res]


async def test_qa_plays_comments_and_agents_are_kept_to_their_own(
    browser: Browser,
    server: Server,
    web_rt: Runtime,
    rig: Rig,
    folder: Path,
    login: Login,
    artifacts: Path,
) -> None:
    call_id = await recorded_call(rig, web_rt)
    assert (folder / file_name(call_id)).stat().st_size > 8000 * 2 * 5  # over 5 s of audio

    qa = await sign_in(browser, server, "quinn", f"/qa/calls/{call_id}")
    audio = qa.locator("#rec-audio")
    await expect(audio).to_be_attached()
    await qa.wait_for_function("() => document.getElementById('rec-audio').duration > 0")
    assert await audio.evaluate("a => a.duration") > 5
    await qa.select_option("#rec-speed", "1.5")
    assert await audio.evaluate("a => a.playbackRate") == 1.5
    await audio.evaluate("a => a.play()")
    await qa.wait_for_function("() => document.getElementById('rec-audio').currentTime > 0.5")
    await audio.evaluate("a => { a.pause(); a.currentTime = 3.2; }")  # a seek: a range request
    await expect(qa.locator("#rec-wave .main-svg").first).to_be_visible()
    await qa.fill("#rec-comment-text", "Greeting missing the company name")
    await qa.click("#rec-comment-add")
    await expect(qa.locator("#rec-comments .rec-comment.new")).to_contain_text("0:03")
    for label in await qa.locator(
        '.qa-item label:has(input[value="yes"]), .qa-item label.scale:last-of-type'
    ).all():
        await label.click()
    await qa.click("#submit")
    await expect(qa.locator("#submit")).to_have_text("Submitted")
    await shot(qa, artifacts / "qa-recording-playback.png")
    no_js_errors(qa)

    t = RecordingComment.__table__
    async with web_rt.engine.connect() as conn:
        saved = (await conn.execute(select(t.c.at_s, t.c.text, t.c.author))).all()
    assert [(round(a, 1), text, who) for a, text, who in saved] == [
        (3.2, "Greeting missing the company name", "quinn")
    ]
    assert await audit_rows(web_rt, call_id) == [("quinn", "recording.play")]

    bob = await login("bob")  # agent a2: not his call
    for method, path in (
        ("GET", f"/api/recordings/{call_id}"),
        ("POST", f"/api/recordings/{call_id}/plays"),
        ("GET", f"/api/recordings/{call_id}/download"),
    ):
        async with bob.request(method, path) as r:
            assert r.status == 403, (path, await r.text())
    async with bob.get(f"/api/recordings/{call_id}/audio?play=notatokenatall") as r:
        assert r.status == 403

    alice = await sign_in(browser, server, "alice", "/qa/evaluations")  # a1: her evaluated call
    card = alice.locator(".eval-card").first
    await card.locator(".listen").click()
    await alice.wait_for_function("() => document.getElementById('rec-audio')?.duration > 0")
    await expect(alice.locator("#rec-comments")).to_contain_text("Greeting missing")
    await shot(alice, artifacts / "qa-agent-plays-own-call.png")
    no_js_errors(alice)
    assert await audit_rows(web_rt, call_id) == [
        ("quinn", "recording.play"),
        ("alice", "recording.play"),
    ]
