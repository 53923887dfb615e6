"""Pausing a call's recording over the API: the agent on their own call, a supervisor on any
live call; another agent is refused (403) and a call that is not live is a 404 for a
supervisor. The command reaches the bridge's stream as ``recording_pause`` / ``_resume``
(the bridge turns it into ``MixMonitorMute``: ``tests/telephony/test_recording.py``); the
desk's "Pause recording" button and the wallboard's "pause rec" send it."""

from __future__ import annotations

from pathlib import Path

import pytest
from callcenter_testkit.browsing import no_js_errors, ready_agent, shot, sign_in
from callcenter_testkit.phone_line import PhoneLine
from callcenter_testkit.webtools import Login, Server
from playwright.async_api import Browser, expect

from queueing.routing import Routing

pytestmark = pytest.mark.timeout(60)


async def test_agent_and_supervisor_pause_and_resume(
    login: Login, router: Routing, phone: PhoneLine
) -> None:
    alice = await login("alice")
    for path in ("/api/agent/login", "/api/agent/ready"):
        async with alice.post(path) as r:
            assert r.status == 200, await r.text()
    await phone.arrive("rec-1", "sales", caller="+8613800000007")
    await phone.wait_command("connect")
    await phone.answer("rec-1")

    async with alice.post("/api/calls/rec-1/recording", json={"paused": True}) as r:
        assert r.status == 200, await r.text()
    pause = await phone.wait_command("recording_pause")
    assert pause.args == {"call_id": "rec-1"}

    bob = await login("bob")
    async with bob.post("/api/calls/rec-1/recording", json={"paused": False}) as r:
        assert r.status == 403  # not his call
    async with alice.post("/api/calls/rec-1/recording", json={"paused": "maybe"}) as r:
        assert r.status == 422 and (await r.json())["field"] == "paused"

    sue = await login("sue")
    async with sue.post("/api/calls/rec-1/recording", json={"paused": False}) as r:
        assert r.status == 200, await r.text()
    resume = await phone.wait_command("recording_resume")
    assert resume.args == {"call_id": "rec-1"}
    async with sue.post("/api/calls/nope/recording", json={"paused": True}) as r:
        assert r.status == 404
    pat = await login("pat")
    async with pat.post("/api/calls/rec-1/recording", json={"paused": True}) as r:
        assert r.status == 403  # a planner


async def test_desk_button_pauses_and_resumes(
    browser: Browser, server: Server, router: Routing, phone: PhoneLine, artifacts: Path
) -> None:
    page = await ready_agent(browser, server)
    await phone.arrive("rec-2", "sales", caller="+8613800000008")
    await phone.wait_command("connect")
    await phone.answer("rec-2")
    await expect(page.locator("#call-state")).to_have_text("talking")
    button = page.locator("#btn-rec-pause")
    await expect(button).to_have_text("Pause recording")
    await button.click()
    assert (await phone.wait_command("recording_pause")).args == {"call_id": "rec-2"}
    await expect(button).to_have_text("Resume recording")
    await shot(page, artifacts / "desk-recording-paused.png")
    await button.click()
    assert (await phone.wait_command("recording_resume")).args == {"call_id": "rec-2"}
    await expect(button).to_have_text("Pause recording")
    no_js_errors(page)


async def test_wallboard_button_pauses_and_resumes(
    browser: Browser, server: Server, router: Routing, phone: PhoneLine, login: Login
) -> None:
    alice = await login("alice")
    for path in ("/api/agent/login", "/api/agent/ready"):
        async with alice.post(path) as r:
            assert r.status == 200, await r.text()
    await phone.arrive("rec-3", "sales", caller="+8613800000006")
    await phone.wait_command("connect")
    await phone.answer("rec-3")
    page = await sign_in(browser, server, "sue", "/wallboard")
    button = page.locator(".rec-pause")
    await expect(button).to_have_text("pause rec")
    await button.click()
    assert (await phone.wait_command("recording_pause")).args == {"call_id": "rec-3"}
    await expect(page.locator(".rec-pause")).to_have_text("resume rec")
    await page.locator(".rec-pause").click()
    assert (await phone.wait_command("recording_resume")).args == {"call_id": "rec-3"}
    await expect(page.locator(".rec-pause")).to_have_text("pause rec")
    no_js_errors(page)
