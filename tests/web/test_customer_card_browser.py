"""The customer card in Chromium: from the agent's screen pop a link opens the card (its own tab)
with the history (an earlier call, a complaint); the agent edits the notes (the numbers are
read-only for agents, masked), an error shows beside its field, the save is audited; a
supervisor edits the numbers. Screenshots: tests/artifacts/customer-card-*.png."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from callcenter_testkit.browsing import no_js_errors, ready_agent, shot, sign_in
from callcenter_testkit.customer_history import customer_with_history
from callcenter_testkit.webtools import Server
from playwright.async_api import Browser, expect

from customers.audit import audit_rows
from customers.records import CustomerRecord
from kernel.runtime import Runtime
from queueing.routing import Routing
from store.writer import StoreWriter

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

PHONE = "+8613812345678"


async def known_customer(rt: Runtime) -> None:
    record = CustomerRecord("C-7", "Zhang Wei", (PHONE,), tier="vip", notes="prefers mornings")
    await customer_with_history(
        rt, record, call_id="old-1", disposition="resolved", complaint="charged twice"
    )


async def test_card_from_the_screen_pop_edit_and_history(
    browser: Browser,
    server: Server,
    router: Routing,
    phone: Any,
    store_writer: StoreWriter,
    web_rt: Runtime,
    artifacts: Path,
) -> None:
    await known_customer(web_rt)
    alice = await ready_agent(browser, server)
    await phone.arrive("cc-1", "sales", caller=PHONE, customer_id="C-7", tier="vip")
    await expect(alice.locator("#cust-name")).to_have_text("Zhang Wei")
    link = alice.locator("#cust-link")
    await expect(link).to_be_visible()
    async with alice.context.expect_page() as opened:
        await link.click()
    card = await opened.value
    card.errors = alice.errors  # type: ignore[attr-defined]
    await expect(card.locator("#c-name")).to_have_text("Zhang Wei")
    await expect(card.locator("#h-calls tr")).to_have_count(2)  # this call and the earlier one
    await expect(card.locator("#h-calls")).to_contain_text("resolved")
    await expect(card.locator("#h-complaints")).to_contain_text("service")
    await expect(card.locator("#main-nav a")).to_have_text(["Desk", "My shifts", "My evaluations"])
    phones = card.locator("[name=phones]")
    await expect(phones).to_have_value("+86 138****5678")
    assert await phones.get_attribute("readonly") is not None
    await card.fill("[name=name]", " ")
    await card.click("#save")
    await expect(card.locator('.part-msg[data-for="name"]')).to_have_text("name: required")
    await card.fill("[name=name]", "Zhang Wei")
    await card.fill("[name=notes]", "prefers mornings; speaks Cantonese")
    await card.click("#save")
    await expect(card.locator("#save-msg")).to_have_text("Saved: notes")
    await expect(card.locator('.part-msg[data-for="name"]')).to_have_text("")
    await shot(card, artifacts / "customer-card-agent.png")
    async with web_rt.engine.connect() as conn:
        rows = await audit_rows(conn, entity_id="C-7")
    assert [(r["actor"], r["fields"]) for r in rows if r["action"] == "updated"] == [
        ("alice", "notes")
    ]

    sue = await sign_in(browser, server, "sue", "/customers/C-7")
    await expect(sue.locator("[name=phones]")).to_have_value(PHONE)
    await sue.fill("[name=phones]", f"{PHONE}\n+8613912345678")
    await sue.click("#save")
    await expect(sue.locator("#save-msg")).to_have_text("Saved: phones")
    await expect(sue.locator("[name=notes]")).to_have_value("prefers mornings; speaks Cantonese")
    await shot(sue, artifacts / "customer-card-supervisor.png")
    no_js_errors(alice, "422")
    no_js_errors(sue)
