"""The Queues and Agents administration pages in Chromium, against the running router (real Redis,
the store, ``PhoneLine`` playing the bridge): an admin's refused values are shown beside their
fields with everything typed kept; the saved escalation step routes the next call to an agent who
could not take it before, and a skill given on the Agents page has the agent take a waiting call,
both without a restart. Screenshots go to tests/artifacts/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from callcenter_testkit.browsing import no_js_errors, shot, sign_in
from callcenter_testkit.webtools import Login, Server, agent_ready
from playwright.async_api import Browser, Locator, expect

from queueing.routing import Routing

DOMAIN = "default"  # web_settings: one routing domain

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]


def _msg(form: Locator, field: str) -> Locator:
    return form.locator(f'.part-msg[data-for="{field}"]')


async def test_queue_escalation_and_agent_skills_reach_the_router(
    browser: Browser, server: Server, login: Login, router: Routing, phone: Any, artifacts: Path
) -> None:
    await agent_ready(login, "bob")  # support 7: not a complaints agent
    await phone.arrive("c1", "complaints", caller="+8613800000001")
    await phone.routed_state(router.keys(DOMAIN), "c1", "waiting")  # nobody may take it
    await phone.publish("call.abandoned", "c1", wait_s=4)

    admin = await sign_in(browser, server, "ada", "/admin/queues")
    await expect(admin.locator("nav.main-nav a.on")).to_have_text("Queues")
    row = admin.locator("tr[data-queue=complaints]")
    await expect(row.locator("td.escalation")).to_have_text("—")
    await row.locator("[data-action=edit]").click()
    form = admin.locator("#queue-form")
    await expect(form.locator("[name=ring_timeout_s]")).to_have_value("15")
    await form.locator("[name=ring_timeout_s]").fill("0")
    await admin.click("#add-step")
    await form.locator('[name="escalation.0.after"]').fill("-5")
    await form.locator('[name="escalation.0.extra_skills"]').fill("support:5")
    await form.locator("button[type=submit]").click()
    await expect(_msg(form, "ring_timeout_s")).to_contain_text("greater than or equal to 1")
    await expect(_msg(form, "escalation.0.after")).to_contain_text("greater than or equal to 0")
    await expect(form.locator('[name="escalation.0.extra_skills"]')).to_have_value("support:5")
    await expect(row.locator("td.escalation")).to_have_text("—")  # nothing saved
    await shot(admin, artifacts / "admin-queue-refused.png")

    await form.locator("[name=ring_timeout_s]").fill("15")
    await form.locator('[name="escalation.0.after"]').fill("0")
    await form.locator("button[type=submit]").click()
    await expect(admin.locator("#toast")).to_have_text("queue complaints saved")
    await expect(_msg(form, "ring_timeout_s")).to_have_text("")
    await expect(row.locator("td.escalation")).to_have_text("after 0 s: + support:5")
    await expect(admin.locator("#changes li[data-id=complaints]")).to_contain_text(
        'escalation: [] → [{"after":0,"extra_skills":{"support":5}'
    )
    await shot(admin, artifacts / "admin-queue-saved.png")

    await phone.arrive("c2", "complaints", caller="+8613800000002")
    assert await phone.connected_agent("c2") == "a2"  # the next call follows the new step

    await agent_ready(login, "alice")  # support 3: below the step's level 5
    await phone.arrive("c3", "complaints", caller="+8613800000003")
    await phone.routed_state(router.keys(DOMAIN), "c3", "waiting")
    agents = await sign_in(browser, server, "ada", "/admin/agents")
    arow = agents.locator("tr[data-agent=a1]")
    await arow.locator("[data-action=edit]").click()
    aform = agents.locator("#agent-form")
    await expect(aform.locator("[name=skills]")).to_have_value("sales:5, support:3")
    await aform.locator("[name=skills]").fill("sales:5, support:3, complaints:high")
    await aform.locator("[name=team]").fill("north")
    await aform.locator("button[type=submit]").click()
    await expect(_msg(aform, "skills")).to_contain_text(
        "complaints: Input should be a valid integer"
    )
    await expect(aform.locator("[name=team]")).to_have_value("north")
    await aform.locator("[name=skills]").fill("sales:5, support:3, complaints:2")
    await aform.locator("button[type=submit]").click()
    await expect(agents.locator("#toast")).to_have_text("agent a1 saved")
    await expect(arow.locator("td.skills")).to_have_text("complaints:2, sales:5, support:3")
    assert await phone.connected_agent("c3") == "a1"  # indexed anew: takes the waiting call
    await expect(agents.locator("#changes li[data-id=a1]")).to_contain_text(
        "skills: sales:5, support:3 → complaints:2, sales:5, support:3"
    )
    await shot(agents, artifacts / "admin-agent-saved.png")
    no_js_errors(admin, "422 ")
    no_js_errors(agents, "422 ")


async def test_teams_page_sets_a_teams_agents(
    browser: Browser, server: Server, artifacts: Path
) -> None:
    page = await sign_in(browser, server, "ada", "/admin/teams")
    await page.click("#new-team")
    form = page.locator("#team-form")
    await form.locator('[name=agent][value="a1"]').check()
    await form.locator('[name=agent][value="a3"]').check()
    await form.locator("[name=name]").fill("north team")
    await form.locator("button[type=submit]").click()
    await expect(_msg(form, "name")).to_contain_text("String should match pattern")
    await expect(form.locator('[name=agent][value="a3"]')).to_be_checked()  # kept as chosen
    await form.locator("[name=name]").fill("north")
    await form.locator("button[type=submit]").click()
    await expect(page.locator("#toast")).to_have_text("team north saved")
    await expect(page.locator("tr[data-team=north]")).to_contain_text("Alice Wang, Chen Jie")
    await expect(page.locator("#changes li[data-id=north]")).to_contain_text(
        'agents: [] → ["a1","a3"]'
    )
    await shot(page, artifacts / "admin-teams.png")
    no_js_errors(page, "422 ")
