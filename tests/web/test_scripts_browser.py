"""Call scripts in Chromium: a supervisor edits the sales queue's script on /scripts (a refused
part's message beside it, then saved), and the agent sees it beside a sales call, {queue} and
{agent} filled in. Screenshots: tests/artifacts/scripts-*.png."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from callcenter_testkit.browsing import no_js_errors, ready_agent, shot, sign_in
from callcenter_testkit.webtools import Server
from playwright.async_api import Browser, expect

from queueing.routing import Routing
from store.writer import StoreWriter

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

GREETING = "您好，{queue}，{agent}为您服务。\nHello, {queue}, {agent} speaking."


async def test_supervisor_edits_a_script_and_the_agent_sees_it(
    browser: Browser,
    server: Server,
    router: Routing,
    phone: Any,
    store_writer: StoreWriter,
    artifacts: Path,
) -> None:
    sue = await sign_in(browser, server, "sue", "/scripts")
    await expect(sue.locator("#main-nav a.on")).to_have_text("Call scripts")
    await expect(sue.locator("#script-state")).to_contain_text("the defaults")
    form = sue.locator("#script-form")
    await expect(form.locator("[name=greeting]")).to_have_value(
        "您好，{queue}，{agent}为您服务，请问有什么可以帮您？\nHello, {queue}, this is {agent}. How may I help you?"
    )
    await form.locator("[name=closing]").fill("   ")
    await sue.click("#save")
    await expect(form.locator('.part-msg[data-for="closing"]')).to_have_text(
        "closing: must not be empty"
    )
    await form.locator("[name=greeting]").fill(GREETING)
    await form.locator("[name=closing]").fill(
        "感谢您的来电，再见！ / Thank you for calling. Goodbye!"
    )
    await form.locator("[name=phrases]").fill("请稍等。 / One moment please.\n\n让您久等了。")
    await sue.click("#save")
    await expect(sue.locator("#save-msg")).to_have_text("Saved: greeting, closing, phrases")
    await expect(form.locator('.part-msg[data-for="closing"]')).to_have_text("")
    await expect(sue.locator("#script-state")).to_contain_text("last changed by sue")
    await shot(sue, artifacts / "scripts-editor.png")
    no_js_errors(sue, "422")

    alice = await ready_agent(browser, server)
    await expect(alice.locator("#script-card")).to_be_hidden()
    await phone.arrive("s-1", "sales", caller="+8613712345678")
    card = alice.locator("#script-card")
    await expect(card).to_be_visible()
    await expect(alice.locator("#script-greeting")).to_have_text(
        "您好，Sales，Alice Wang为您服务。\nHello, Sales, Alice Wang speaking."
    )
    await expect(alice.locator("#script-phrases li")).to_have_text(
        ["请稍等。 / One moment please.", "让您久等了。"]
    )
    await expect(alice.locator("#script-closing")).to_contain_text("Thank you for calling")
    await shot(alice, artifacts / "scripts-desk.png")
    await phone.wait_command("connect")
    await phone.answer("s-1")
    await expect(alice.locator("#call-state")).to_have_text("talking")
    await expect(card).to_be_visible()
    no_js_errors(alice)
