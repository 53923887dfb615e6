"""A supervisor's message reaches the agent's desk live, in Chromium, and leaves it when the
agent acknowledges it. Screenshots go to tests/artifacts/."""

from __future__ import annotations

from pathlib import Path

import pytest
from callcenter_testkit.browsing import no_js_errors, shot, sign_in
from callcenter_testkit.webtools import Server, web_settings
from playwright.async_api import Browser, expect

from kernel.settings import Settings

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]


@pytest.fixture
def settings(prefix: str) -> Settings:
    data = web_settings(prefix).model_dump()
    data["agents"][0]["team"] = "north"  # Alice (a1)
    return Settings.model_validate(data)


async def test_a_team_message_shows_on_the_desk_until_acknowledged(
    browser: Browser, server: Server, artifacts: Path
) -> None:
    desk = await sign_in(browser, server, "alice", "/agent")
    await expect(desk.locator("#live-status")).to_have_attribute("data-state", "live")
    wall = await sign_in(browser, server, "sue", "/wallboard")
    await expect(wall.locator("#live-status")).to_have_attribute("data-state", "live")  # scripts in
    form = wall.locator("#message-form")
    await form.locator("button").click()  # nothing typed: the error beside Send
    await expect(wall.locator("#message-error")).to_contain_text("text")
    await form.locator('select[name="to"]').select_option("team:north")
    await form.locator('input[name="text"]').fill("Sales queue is long: please delay breaks")
    await form.locator("button").click()
    await expect(wall.locator("#message-sent")).to_have_text("sent to a1")

    message = desk.locator("#desk-messages .desk-message")
    await expect(message).to_contain_text("Sales queue is long: please delay breaks")
    await expect(message).to_contain_text("sue → north")
    await shot(desk, artifacts / "desk-message.png")
    await message.locator('button[data-act="ack"]').click()
    await expect(message).to_have_count(0)
    await expect(desk.locator("#desk-messages")).to_be_hidden()
    await desk.reload()  # acknowledged: it does not come back
    await expect(desk.locator("#live-status")).to_have_attribute("data-state", "live")
    await expect(desk.locator("#desk-messages .desk-message")).to_have_count(0)
    no_js_errors(desk)
    no_js_errors(wall, "422")
