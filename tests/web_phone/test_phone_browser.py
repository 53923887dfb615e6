"""The browser phone in the agent's desk, against a real SIP server over WebSocket (Debian's
Kamailio on loopback) and a real browser (Debian's Chromium with a fake microphone).

A "customer" page on another origin calls the agent with the same phone module: the desk rings,
Answer, audio flows both ways (bytes, and decoded samples: ``totalAudioEnergy``), hold (SIP
re-INVITE), mute, the keypad, hang-up; Kamailio stopped shows "registration lost" and the phone
registers again when it returns; a reloaded desk registers afresh, rings, and the desk's own
Answer button answers in the browser. A refused
registration and a blocked microphone say so. The SIP password is in no page source, URL,
storage, console message or log line. Screenshots go to tests/artifacts/.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from callcenter_testkit.kamailio import Kamailio
from callcenter_testkit.phone_setup import DOMAIN, SECRET, phone_settings
from callcenter_testkit.webtools import PASSWORD, Server
from playwright.async_api import Browser, BrowserContext, Page, expect

from kernel.settings import Settings
from web.phone.credentials import sip_password

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]
expect.set_options(timeout=20_000)  # the machine is shared: be patient, never flaky


class Watch:
    """Everything a browser context shows of itself: URLs requested, console messages."""

    def __init__(self) -> None:
        self.urls: list[str] = []
        self.console: list[str] = []
        self.errors: list[str] = []

    def attach(self, ctx: BrowserContext) -> None:
        ctx.on("request", lambda r: self.urls.append(r.url))
        ctx.on("console", lambda m: self.console.append(m.text))
        ctx.on("weberror", lambda e: self.errors.append(str(e.error)))


async def desk(browser: Browser, server: Server, username: str, watch: Watch) -> Page:
    """The agent's desk, signed in through the form."""
    ctx = await browser.new_context(viewport={"width": 1400, "height": 1000})
    watch.attach(ctx)
    page = await ctx.new_page()
    await page.goto(f"{server.url}/login?next=/agent")
    await page.fill("#username", username)
    await page.fill("#password", PASSWORD)
    await page.click("#sign-in")
    await expect(page).to_have_url(re.compile(r"/agent$"))
    return page


async def customer(browser: Browser, site: str, kamailio: Kamailio, watch: Watch) -> Page:
    ctx = await browser.new_context()
    watch.attach(ctx)
    page = await ctx.new_page()
    await page.goto(f"{site}/customer.html")
    await expect(page.locator("body")).to_have_attribute("data-ready", "yes")
    config = {
        "ws_url": kamailio.ws_url,
        "sip_uri": f"sip:customer@{DOMAIN}",
        "sip_user": "customer",
        "display_name": "Customer",
        "ice_servers": [],
        "codecs": ["PCMU", "PCMA"],
        "dtmf": "info",
        "register_expires_s": 120,
        "reconnect_min_s": 1,
        "reconnect_max_s": 2,
    }
    await page.evaluate("(c) => window.customer.start(c)", config)
    await expect(page.locator("#state")).to_have_text("ready")
    return page


async def eventually(check: Callable[[], Awaitable[Any]], what: str, wait_s: float = 20) -> Any:
    """Poll ``check`` until it returns something truthy; fail naming ``what``."""
    deadline = asyncio.get_running_loop().time() + wait_s
    while True:
        if value := await check():
            return value
        assert asyncio.get_running_loop().time() < deadline, f"{what}: not seen in {wait_s} s"
        await asyncio.sleep(0.2)


async def desk_quality(page: Page) -> dict[str, str]:
    return await page.locator("#phone-quality").evaluate("(el) => ({...el.dataset})")


async def flowing(page: Page, key: str, before: float) -> bool:
    q = await desk_quality(page)
    return float(q.get(key) or 0) > before


async def customer_quality(page: Page) -> dict[str, Any]:
    return await page.evaluate("() => window.customer.quality()") or {}


async def energy_growth(read: Callable[[], Awaitable[float]], wait_s: float = 1.5) -> float:
    """How much decoded audio energy arrives in ``wait_s`` (the jitter buffer settled first)."""
    await asyncio.sleep(0.5)
    first = await read()
    await asyncio.sleep(wait_s)
    return await read() - first


async def test_call_answer_audio_hold_mute_hangup_and_recovery(
    browser: Browser,
    server: Server,
    kamailio: Kamailio,
    customer_site: str,
    artifacts: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    password = sip_password(SECRET, "a1")
    watch = Watch()
    agent = await desk(browser, server, "alice", watch)
    panel = agent.locator("#phone-panel")
    pill = agent.locator("#phone-state")
    await expect(pill).to_have_text("registered")
    await expect(panel.locator(".phone-id")).to_have_text("a1")
    sources = [await agent.content()]

    caller = await customer(browser, customer_site, kamailio, watch)
    await caller.evaluate(f"() => window.customer.call('sip:a1@{DOMAIN}')")
    await expect(pill).to_have_text("ringing")
    await expect(agent.locator("#phone-remote")).to_have_text("Customer")
    await expect(agent.locator("#phone-answer")).to_be_visible()
    await agent.screenshot(path=artifacts / "phone-ringing.png", full_page=True)

    await agent.click("#phone-answer")
    await expect(pill).to_have_text("in call")
    await expect(caller.locator("#state")).to_have_text("in_call")
    # audio both ways: bytes, and samples decoded (played into the <audio> element)
    await eventually(lambda: flowing(agent, "energyIn", 0), "the desk hears the customer")
    await eventually(
        lambda: _positive(customer_quality(caller), "audio_energy"), "the customer hears the desk"
    )
    desk_q = await desk_quality(agent)
    cust_q = await customer_quality(caller)
    assert int(desk_q["bytesIn"]) > 0 and int(desk_q["bytesOut"]) > 0, desk_q
    assert cust_q["bytes_received"] > 0 and cust_q["bytes_sent"] > 0, cust_q
    assert desk_q["codec"] == "PCMU" and cust_q["codec"] == "PCMU"  # [webrtc] codecs
    quality = agent.locator("#phone-quality")
    await expect(quality).to_be_visible()
    await expect(quality).to_have_attribute("data-grade", "good")
    await expect(agent.locator("#phone-quality-text")).to_contain_text("round trip")
    level = agent.locator("#phone-level")
    await eventually(
        lambda: _above(level.get_attribute("data-level"), 0), "the microphone meter moves"
    )
    await agent.screenshot(path=artifacts / "phone-in-call.png", full_page=True)
    sources.append(await agent.content())

    # hold: a re-INVITE the customer's phone sees as held by the other side
    await agent.click("#phone-hold")
    await expect(pill).to_have_text("on hold")
    await eventually(
        lambda: caller.evaluate("() => window.customer.state().call?.remote_held"),
        "the customer is held",
    )
    await agent.click("#phone-unhold")
    await expect(pill).to_have_text("in call")
    await eventually(
        lambda: caller.evaluate("() => !window.customer.state().call?.remote_held"),
        "the customer is resumed",
    )

    # mute: the customer receives silence (no energy), then the desk's voice again
    async def heard() -> float:
        return float((await customer_quality(caller))["audio_energy"])

    speaking = await energy_growth(heard)
    await agent.click("#phone-mute")
    await expect(agent.locator("#phone-unmute")).to_be_visible()
    await expect(agent.locator("#phone-message")).to_have_text("Your microphone is muted.")
    muted = await energy_growth(heard)
    await agent.click("#phone-unmute")
    resumed = await energy_growth(heard)
    assert speaking > 0 and resumed > 0 and muted < speaking / 100, (speaking, muted, resumed)

    # the keypad sends DTMF ([webrtc] dtmf = "info" here: SIP INFO the customer's phone reports)
    await agent.click("#phone-keypad [data-tone='5']")
    await agent.click("#phone-keypad [data-tone='#']")
    await eventually(
        lambda: caller.evaluate("() => window.customer.tones() === '5#'"), "the customer gets 5#"
    )

    await agent.click("#phone-hangup")
    await expect(pill).to_have_text("registered")
    await expect(caller.locator("#state")).to_have_text("ready")
    await expect(agent.locator("#phone-message")).to_contain_text("Last call ended")

    # the SIP server goes away: the desk says so, and registers again when it is back
    kamailio.stop()
    await expect(pill).to_have_text("registration lost")
    await expect(agent.locator("#phone-message")).to_contain_text("Registration lost")
    await agent.screenshot(path=artifacts / "phone-registration-lost.png", full_page=True)
    kamailio.start()
    await expect(pill).to_have_text("registered")

    # a browser restart (the page loaded afresh) registers again, and the phone rings
    await agent.reload()
    await expect(pill).to_have_text("registered")
    await expect(caller.locator("#state")).to_have_text("ready")
    await caller.evaluate(f"() => window.customer.call('sip:a1@{DOMAIN}')")
    await expect(pill).to_have_text("ringing")
    # the desk's own Answer button (shown when the router offers a call) answers in the browser
    await agent.evaluate("() => document.getElementById('btn-answer').click()")
    await expect(pill).to_have_text("in call")
    await expect(agent.locator("#msg-call")).to_have_text("Answered")
    await caller.evaluate("() => window.customer.hangup()")  # the customer hangs up
    await expect(pill).to_have_text("registered")
    sources.append(await agent.content())

    # the password went to the phone and nowhere else
    storage = await agent.evaluate(
        "() => JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage),"
        " document.cookie])"
    )
    logs = caplog.text + kamailio.log_text()
    for where, text in [
        ("page source", "\n".join(sources)),
        ("URLs", "\n".join(watch.urls)),
        ("console", "\n".join(watch.console)),
        ("storage", storage),
        ("logs", logs),
    ]:
        assert password not in text, where
    assert any("/api/agent/phone" in u for u in watch.urls)
    assert any("browser phone credentials handed to agent a1" in r.message for r in caplog.records)
    assert watch.errors == []


async def _positive(q: Awaitable[dict[str, Any]], key: str) -> bool:
    return float((await q).get(key) or 0) > 0


async def _above(value: Awaitable[str | None], floor: float) -> bool:
    return float(await value or 0) > floor


async def test_refused_registration_says_so(
    browser: Browser, server: Server, artifacts: Path
) -> None:
    watch = Watch()
    agent = await desk(browser, server, "bob", watch)  # Kamailio knows another password for a2
    await expect(agent.locator("#phone-state")).to_have_text("registration refused")
    await expect(agent.locator("#phone-message")).to_contain_text("Registration refused")
    await agent.screenshot(path=artifacts / "phone-registration-refused.png")


async def test_blocked_microphone_says_so(
    strict_browser: Browser, server: Server, artifacts: Path
) -> None:
    watch = Watch()
    agent = await desk(strict_browser, server, "alice", watch)
    await expect(agent.locator("#phone-state")).to_have_text("microphone blocked")
    await expect(agent.locator("#phone-message")).to_contain_text("Microphone blocked")
    await agent.screenshot(path=artifacts / "phone-microphone-blocked.png")


class TestWithoutPbx:
    @pytest.fixture
    def settings(self, prefix: str) -> Settings:
        """A browser-phone agent on a platform with no PBX (the demo's simulated phones)."""
        return phone_settings(prefix, None)

    async def test_the_desk_says_a_real_pbx_is_needed(
        self, browser: Browser, server: Server, artifacts: Path
    ) -> None:
        watch = Watch()
        agent = await desk(browser, server, "alice", watch)
        await expect(agent.locator("#phone-state")).to_have_text("no PBX")
        await expect(agent.locator("#phone-message")).to_contain_text(
            "The browser phone needs a real PBX"
        )
        await expect(agent.locator("#phone-answer")).to_have_count(0)
        await agent.screenshot(path=artifacts / "phone-no-pbx.png")
        assert not any("/api/agent/phone" in u for u in watch.urls)
        assert watch.errors == []
