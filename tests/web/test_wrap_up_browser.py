"""The agent's wrap-up in Chromium (issue 17): an unknown caller's wrap-up creates the customer,
a callback to the caller's number and a complaint; a failed complaint keeps the disposition and
notes, with its message beside it, and the draft survives a reload; the wrap-up time running out
saves what was typed and clears the form; a missed offer says so. Real application, router,
Redis and store writer; ``PhoneLine`` plays the bridge. Screenshots go to tests/artifacts/."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from callcenter_testkit.browsing import no_js_errors, ready_agent, shot
from callcenter_testkit.webtools import Server, web_settings
from playwright.async_api import Browser, Page, expect
from sqlalchemy import select

from kernel.events import DomainEvent
from kernel.runtime import Runtime
from kernel.settings import Settings
from queueing.routing import Routing
from store.models.core import Customer
from store.models.customers import Complaint, OutboundTask
from store.readers import call_parties
from store.writer import StoreWriter

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

CALLER = "+8613712345678"


@pytest.fixture
def settings(prefix: str) -> Settings:
    """Support wraps up in 6 s (the expiry test); complaints rings 2 s (the missed offer)."""
    data = web_settings(prefix).model_dump()
    data["queues"][1]["wrap_up_s"] = 6
    data["queues"][2]["ring_timeout_s"] = 2
    data["agents"][0]["skills"] = {"sales": 5, "support": 3, "complaints": 1}
    return Settings.model_validate(data)


@dataclass
class Desk:
    """Alice ready on her desk, with the runtime and the bridge's stand-in."""

    page: Page
    rt: Runtime
    phone: Any


@pytest.fixture
async def desk(
    browser: Browser,
    server: Server,
    router: Routing,
    phone: Any,
    store_writer: StoreWriter,
    web_rt: Runtime,
) -> Desk:
    return Desk(await ready_agent(browser, server), web_rt, phone)


async def events(rt: Runtime, type_: str, call_id: str) -> list[DomainEvent]:
    found = [DomainEvent.from_fields(f) for _, f in await rt.redis.xrange(rt.streams.events)]
    return [e for e in found if e.type == type_ and e.call_id == call_id]


async def talk_and_hang_up(page: Page, rt: Runtime, phone: Any, call_id: str, queue: str) -> None:
    """A call from the unknown ``CALLER`` (the PBX's ``cust-<number>`` id is no customer),
    answered, a second of talk, hung up by Alice; the store has it (the writer's row)."""
    await phone.arrive(call_id, queue, caller=CALLER, customer_id=f"cust-{CALLER}")
    await expect(page.locator("#cust-name")).to_have_text("Unknown caller")
    await expect(page.locator("#caller-box")).to_be_visible()
    await phone.wait_command("connect")
    await phone.answer(call_id)
    await expect(page.locator("#call-state")).to_have_text("talking")
    await expect(page.locator("#call-timer")).not_to_have_text("0:00")
    await page.click("#btn-hangup")
    await expect(page.locator("#state-pill")).to_have_text("wrap up")
    await expect(page.locator("#wrapup")).to_be_visible()
    async with asyncio.timeout(15):
        while (await call_parties(rt.engine, call_id)) is None:
            await page.wait_for_timeout(50)


async def test_unknown_callers_wrap_up_creates_customer_callback_and_complaint(
    desk: Desk, artifacts: Path
) -> None:
    page, web_rt, phone = desk.page, desk.rt, desk.phone
    await talk_and_hang_up(page, web_rt, phone, "b-1", "sales")
    length = await page.locator("#call-timer").inner_text()
    assert length != "0:00"  # the call's length stays after it ended
    await page.fill("#new-cust-name", "Li Na")
    await page.select_option("#disposition", "follow_up")
    await page.fill("#notes", "Charged twice; call back tomorrow")
    await page.fill("#callback-at", "2099-01-02T10:30")
    await page.check("#open-complaint")
    await page.select_option("#complaint-category", "service")
    await page.fill("#complaint-description", "Charged twice for one order")
    assert await page.locator("#call-timer").inner_text() == length
    await shot(page, artifacts / "wrap-up-unknown-caller.png")
    await page.click("#btn-wrapup")
    await expect(page.locator("#state-pill")).to_have_text("ready")
    await expect(page.locator("#wrapup")).to_be_hidden()
    await expect(page.locator("#message")).to_contain_text(
        "Disposition (follow up) and notes saved"
    )
    await shot(page, artifacts / "wrap-up-unknown-caller-saved.png")

    wrapped = await events(web_rt, "call.wrapped", "b-1")
    assert [(e.payload["disposition"], e.payload["notes"]) for e in wrapped] == [
        ("follow_up", "Charged twice; call back tomorrow")
    ]
    async with web_rt.engine.connect() as conn:
        customers = (await conn.execute(select(Customer.__table__))).mappings().all()
        assert [(c["name"], c["phone"]) for c in customers] == [("Li Na", CALLER)]
        cid = customers[0]["customer_id"]
        complaint = (await conn.execute(select(Complaint.__table__))).mappings().one()
        task = (await conn.execute(select(OutboundTask.__table__))).mappings().one()
    assert complaint["customer_id"] == cid and complaint["call_id"] == "b-1"
    assert (task["customer_id"], task["number"], task["kind"]) == (cid, CALLER, "callback")
    no_js_errors(page)


async def test_failed_complaint_keeps_disposition_notes_and_the_draft(
    desk: Desk, artifacts: Path
) -> None:
    """The complaint has no description: it fails alone, its message beside it; the
    disposition and notes are saved. A reload brings back the draft; then the complaint opens."""
    page, web_rt, phone = desk.page, desk.rt, desk.phone
    await talk_and_hang_up(page, web_rt, phone, "b-2", "sales")
    await page.select_option("#disposition", "complaint")
    await page.fill("#notes", "Parcel a week late")
    await page.check("#open-complaint")
    await page.select_option("#complaint-category", "service")
    await page.click("#btn-wrapup")
    await expect(page.locator("#msg-complaint")).to_have_text("complaint.description: required")
    await expect(page.locator("#msg-wrapup")).to_contain_text(
        "Disposition (complaint) and notes saved; complaint failed"
    )
    await expect(page.locator("#wrapup")).to_be_visible()
    await shot(page, artifacts / "wrap-up-complaint-failed.png")
    wrapped = await events(web_rt, "call.wrapped", "b-2")
    assert [(e.payload["disposition"], e.payload["notes"]) for e in wrapped] == [
        ("complaint", "Parcel a week late")
    ]

    await page.fill("#complaint-description", "The parcel came a week late")
    await expect(page.locator("#draft-state")).to_contain_text("draft kept")
    await page.reload()
    await expect(page.locator("#wrapup")).to_be_visible()
    await expect(page.locator("#draft-state")).to_have_text("draft restored")
    await expect(page.locator("#notes")).to_have_value("Parcel a week late")
    await expect(page.locator("#complaint-description")).to_have_value(
        "The parcel came a week late"
    )
    await expect(page.locator("#disposition")).to_have_value("complaint")
    await expect(page.locator("#complaint-category")).to_have_value("service")
    await shot(page, artifacts / "wrap-up-draft-restored.png")
    await page.click("#btn-wrapup")
    await expect(page.locator("#state-pill")).to_have_text("ready")
    opened = await events(web_rt, "complaint.opened", "b-2")
    assert len(opened) == 1 and opened[0].payload["category"] == "service"
    errors = page.errors  # type: ignore[attr-defined]
    assert errors == [], errors


async def test_wrap_up_time_running_out_saves_what_was_typed(desk: Desk, artifacts: Path) -> None:
    """Support's wrap-up lasts 6 s: Alice types notes but picks no disposition; when the time
    runs out they are saved as ``none_given`` and the form is gone under the next ringing call."""
    page, web_rt, phone = desk.page, desk.rt, desk.phone
    await talk_and_hang_up(page, web_rt, phone, "b-3", "support")
    await page.fill("#notes", "Asked about opening hours")
    await expect(page.locator("#message")).to_contain_text("Wrap-up time ran out")
    await expect(page.locator("#wrapup")).to_be_hidden()
    await expect(page.locator("#state-pill")).to_have_text("ready")
    wrapped = await events(web_rt, "call.wrapped", "b-3")
    assert [(e.payload["disposition"], e.payload["notes"], e.payload["by"]) for e in wrapped] == [
        ("none_given", "Asked about opening hours", "timeout")
    ]
    await phone.arrive("b-4", "sales", caller="+8613800000004")
    await expect(page.locator("#call-card")).to_have_attribute("data-call", "offered")
    await expect(page.locator("#wrapup")).to_be_hidden()
    await expect(page.locator("#notes")).to_have_value("")
    await shot(page, artifacts / "wrap-up-expired-next-call.png")
    no_js_errors(page)


async def test_missed_offer_says_so(
    browser: Browser, server: Server, router: Routing, phone: Any, artifacts: Path
) -> None:
    page = await ready_agent(browser, server)
    await phone.arrive("b-5", "complaints", caller="+8613800000005")
    await expect(page.locator("#call-card")).to_have_attribute("data-call", "offered")
    await expect(page.locator("#message")).to_contain_text("You missed a call from complaints")
    await expect(page.locator("#state-pill")).to_have_text("not ready")
    await expect(page.locator("#call-card")).to_have_attribute("data-call", "none")
    await shot(page, artifacts / "agent-missed-call.png")
    no_js_errors(page)
