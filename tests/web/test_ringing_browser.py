"""Ringing an agent cannot miss, in Chromium (issue 17): while an offer rings the desk plays its
ring tone (Web Audio; the page marks when the oscillators start and counts the bursts played to
their end), shows one desktop notification and flashes the tab title; all stop when the call is
answered, or when the offer rings out at the queue's ring timeout (then "you missed a call" and
not ready for ``rona``). Without the autoplay flag the audio stays locked, with a banner, until
the first click. Real application, router and Redis; ``PhoneLine`` plays the bridge.
Screenshots go to tests/artifacts/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from callcenter_testkit.browsing import no_js_errors, ready_agent, shot
from callcenter_testkit.webtools import Server, web_settings
from playwright.async_api import Browser, Page, expect

from kernel.settings import Settings
from queueing.routing import Routing

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

DESK_TITLE = "Softphone · Call center"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]

# Counts the page's notifications and their closing; the real Notification does the rest.
COUNT_NOTIFICATIONS = """
(() => {
  const Real = window.Notification;
  const shown = (window.__notifications = []);
  class Counted extends Real {
    constructor(title, options) {
      super(title, options);
      this.__seen = { title, body: options?.body ?? null, closed: false };
      shown.push(this.__seen);
    }
    close() { this.__seen.closed = true; super.close(); }
  }
  Object.defineProperty(Counted, "permission", { get: () => Real.permission });
  Counted.requestPermission = (...a) => Real.requestPermission(...a);
  window.Notification = Counted;
})();
"""


@pytest.fixture
def settings(prefix: str) -> Settings:
    """Complaints rings 2 s, and Alice takes its calls (the offer that rings out)."""
    data = web_settings(prefix).model_dump()
    data["queues"][2]["ring_timeout_s"] = 2
    data["agents"][0]["skills"] = {"sales": 5, "support": 3, "complaints": 1}
    return Settings.model_validate(data)


@pytest.fixture
def chromium_args() -> list[str]:
    """Chromium plays sound without a click first (the tests' stand-in for the agent's click)."""
    return [*FLAGS, "--autoplay-policy=no-user-gesture-required"]


async def ringing_desk(browser: Browser, server: Server) -> Page:
    return await ready_agent(
        browser, server, permissions=["notifications"], init_script=COUNT_NOTIFICATIONS
    )


async def notifications(page: Page) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = await page.evaluate("window.__notifications")
    return found


async def expect_ringing(page: Page, queue: str) -> None:
    """The tone started and played, the title flashes (both ways), one notification shown."""
    body = page.locator("body")
    await expect(body).to_have_attribute("data-ringing", "1")
    await expect(body).not_to_have_attribute("data-ring-bursts", "0")
    flashed = f"☎ Incoming call — {queue}"
    await page.wait_for_function("t => document.title === t", arg=flashed)
    await page.wait_for_function("t => document.title === t", arg=DESK_TITLE)
    await page.wait_for_function("t => document.title === t", arg=flashed)
    shown = await notifications(page)
    assert [(n["title"], n["closed"]) for n in shown] == [(flashed, False)]


async def expect_silent(page: Page, shown: int) -> None:
    """Tone, title and notification all stopped."""
    await expect(page.locator("body")).to_have_attribute("data-ringing", "0")
    await expect(page).to_have_title(DESK_TITLE)
    found = await notifications(page)
    assert len(found) == shown and all(n["closed"] for n in found), found


async def test_offer_rings_until_answered(
    browser: Browser, server: Server, router: Routing, phone: Any, artifacts: Path
) -> None:
    page = await ringing_desk(browser, server)
    await expect(page.locator("body")).to_have_attribute("data-audio", "on")
    await expect(page.locator("#ring-banner")).to_be_hidden()
    assert await page.evaluate("Notification.permission") == "granted"
    await phone.arrive("r-1", "sales", caller="+8613800000001")
    await expect(page.locator("#call-card")).to_have_attribute("data-call", "offered")
    await expect_ringing(page, "Sales")
    await shot(page, artifacts / "agent-ringing.png")
    await phone.wait_command("connect")
    await page.click("#btn-answer")
    await phone.wait_command("answer")
    await phone.answer("r-1")
    await expect(page.locator("#call-state")).to_have_text("talking")
    await expect_silent(page, shown=1)
    await shot(page, artifacts / "agent-ringing-answered.png")
    no_js_errors(page)


async def test_offer_rings_out_and_the_ring_stops(
    browser: Browser, server: Server, router: Routing, phone: Any, artifacts: Path
) -> None:
    """Complaints' ring timeout (2 s) passes unanswered: the ringing stops, the page says the
    call was missed and the agent is not ready for ``rona``, as the queue rules give."""
    page = await ringing_desk(browser, server)
    await phone.arrive("r-2", "complaints", caller="+8613800000002")
    await expect(page.locator("body")).to_have_attribute("data-ringing", "1")
    await expect(page).to_have_title("☎ Incoming call — Complaints")
    await expect(page.locator("#message")).to_contain_text("You missed a call from complaints")
    await expect_silent(page, shown=1)
    await expect(page.locator("#state-pill")).to_have_text("not ready")
    await expect(page.locator("#state-reason")).to_have_text("reason: rona")
    await shot(page, artifacts / "agent-rang-out.png")
    no_js_errors(page)


@pytest.mark.parametrize("chromium_args", [FLAGS])
async def test_audio_locked_until_the_first_click(
    browser: Browser, server: Server, router: Routing, phone: Any, artifacts: Path
) -> None:
    """Chromium's own autoplay rule: the tone cannot start before a click, and the banner says
    so; the first click anywhere unlocks it, and the next offer rings aloud."""
    page = await ringing_desk(browser, server)
    await page.reload()  # a fresh page: the clicks of signing in and going ready do not count
    await page.wait_for_load_state("networkidle")
    await expect(page.locator("body")).to_have_attribute("data-audio", "locked")
    banner = page.locator("#ring-banner")
    await expect(banner).to_have_text("☎ Click anywhere to enable the ring tone")
    await shot(page, artifacts / "agent-ring-banner.png")
    await page.click("#ring-banner")
    await expect(page.locator("body")).to_have_attribute("data-audio", "on")
    await expect(banner).to_be_hidden()
    await phone.arrive("r-3", "sales", caller="+8613800000003")
    await expect(page.locator("body")).to_have_attribute("data-ringing", "1")
    await expect(page.locator("body")).not_to_have_attribute("data-ring-bursts", "0")
    no_js_errors(page)
