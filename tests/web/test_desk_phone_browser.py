"""The agent's desk on a phone-size screen (390 x 844) in Chromium: while a call rings and while
it is talked, Answer and Hang up are on screen (a bar fixed to the bottom), nothing is wider than
the screen, and a call control's outcome (the API's error, the phone system's refusal) shows
beside the controls; the call's length stays after it ends. Screenshots:
tests/artifacts/desk-phone-*.png."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from callcenter_testkit.browsing import no_js_errors, ready_agent
from callcenter_testkit.webtools import Server
from playwright.async_api import Browser, Page, expect

from queueing.routing import Routing
from store.writer import StoreWriter

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

PHONE = {"width": 390, "height": 844}


async def assert_fits(page: Page) -> None:
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width


async def test_answer_and_hang_up_always_visible_on_a_phone(
    browser: Browser,
    server: Server,
    router: Routing,
    phone: Any,
    store_writer: StoreWriter,
    artifacts: Path,
) -> None:
    page = await ready_agent(browser, server)
    await page.set_viewport_size(PHONE)
    await assert_fits(page)
    await page.screenshot(path=artifacts / "desk-phone-idle.png")

    await phone.arrive("m-1", "sales", caller="+8613712345678")
    answer = page.locator("#btn-answer")
    await expect(answer).to_be_visible()
    await expect(answer).to_be_in_viewport(ratio=1)
    await expect(page.locator("#btn-hangup")).to_be_in_viewport(ratio=1)
    await assert_fits(page)
    await page.screenshot(path=artifacts / "desk-phone-ringing.png")

    await answer.click()
    await phone.wait_command("answer")
    await phone.wait_command("connect")
    await phone.answer("m-1")
    await expect(page.locator("#call-state")).to_have_text("talking")
    await expect(answer).to_be_hidden()
    await page.mouse.wheel(0, 2000)  # scrolled down to the wrap-up side: the bar stays
    await expect(page.locator("#btn-hangup")).to_be_in_viewport(ratio=1)
    await expect(page.locator("#btn-hold")).to_be_in_viewport(ratio=1)
    await assert_fits(page)

    # an error shows beside the control that caused it, not in the state card
    await page.evaluate(
        """() => { const s = document.getElementById("transfer-target");
                   s.add(new Option("nowhere", "queue:nowhere")); s.value = "queue:nowhere"; }"""
    )
    await page.click("#btn-transfer")
    msg = page.locator("#msg-call")
    await expect(msg).to_have_attribute("data-kind", "bad")
    await expect(msg).to_have_text("target: no such queue")
    await expect(msg).to_be_in_viewport()
    await page.screenshot(path=artifacts / "desk-phone-talking.png")

    # the phone system refusing a control's command says so beside the controls too
    await page.click("#btn-hold")
    hold = await phone.wait_command("hold")
    await expect(msg).to_have_text("hold sent")
    await phone.publish(
        "command.failed",
        "m-1",
        "a1",
        command_id=hold.id,
        kind="hold",
        error="Channel not found",
    )
    await expect(msg).to_have_text("the phone system refused: Channel not found")
    await expect(msg).to_have_attribute("data-kind", "bad")

    await expect(page.locator("#call-timer")).not_to_have_text("0:00")
    await page.click("#btn-hangup")
    await expect(page.locator("#state-pill")).to_have_text("wrap up")
    await expect(page.locator("#btn-hangup")).to_be_hidden()
    talked = await page.locator("#call-timer").inner_text()
    assert talked != "0:00"
    await page.wait_for_timeout(2100)  # the call's length stays: it does not run on, nor reset
    await expect(page.locator("#call-timer")).to_have_text(talked)
    await assert_fits(page)
    no_js_errors(page, "422", "404", "400")
