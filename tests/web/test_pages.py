"""Pages in a real browser (Debian's Chromium driven by Playwright) against the real application,
router and Redis; the telephony side of each call is played by ``phone_line.PhoneLine``.

Screenshots of each page go to tests/artifacts/.
"""

from __future__ import annotations

import asyncio
import random
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis.asyncio as aioredis
from callcenter_testkit.pbx_rig import real_time_pbx
from callcenter_testkit.phone_line import PhoneLine
from callcenter_testkit.return_visits import return_visit_due
from callcenter_testkit.webtools import PASSWORD, Server, watch_csp, web_settings
from playwright.async_api import Browser, Page, expect

from customers.caller_index import rebuild_caller_index
from customers.records import CustomerRecord
from customers.records_store import save_customer
from kernel.events import DomainEvent
from kernel.keys import StreamNames
from kernel.runtime import Runtime
from queueing.actions import AgentActions
from queueing.routing import Routing
from store.models.core import Call
from store.models.customers import OutboundTask
from store.models.workforce import Roster, Shift
from telephony.simulator import Scenario, Simulator
from telephony.simulator.phones import Device
from telephony.simulator.traffic import AgentPhone, Dist, QueueTraffic
from web.keys import LIVE

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

VIP_PHONE = "+8613812345678"


@pytest.fixture
async def vip_customer(web_rt: Runtime) -> str:
    record = CustomerRecord(
        customer_id="cust-vip-1", name="Zhang Wei", phones=(VIP_PHONE,), tier="vip"
    )
    await save_customer(web_rt.engine, record, now=datetime.now(UTC), default_tz="UTC")
    return record.customer_id


async def publish_week(web_rt: Runtime, agent_id: str) -> None:
    """A published roster with this agent's shifts (09:00-17:30, a break and lunch) this week."""
    now = datetime.now(UTC)
    monday = (now - timedelta(days=now.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    async with web_rt.engine.begin() as conn:
        roster_id = (
            await conn.execute(
                Roster.__table__.insert().values(
                    name="this week",
                    period_start_at=monday,
                    period_end_at=monday + timedelta(days=7),
                    created_at=now,
                    published=True,
                )
            )
        ).inserted_primary_key[0]
        rows = []
        for d in range(5):
            day = monday + timedelta(days=d)
            for activity, h0, h1 in (
                ("shift", 9, 17.5),
                ("break", 11, 11.25),
                ("lunch", 12.5, 13.5),
            ):
                rows.append(
                    {
                        "roster_id": roster_id,
                        "agent_id": agent_id,
                        "activity": activity,
                        "start_at": day + timedelta(hours=h0),
                        "end_at": day + timedelta(hours=h1),
                    }
                )
        await conn.execute(Shift.__table__.insert(), rows)


async def sign_in(browser: Browser, server: Server, username: str) -> Page:
    ctx = await browser.new_context(viewport={"width": 1600, "height": 1000})
    csp: list[str] = []
    await watch_csp(ctx, csp)
    page = await ctx.new_page()
    page.csp = csp  # type: ignore[attr-defined]
    page.set_default_timeout(15_000)
    page.on("pageerror", lambda exc: print(f"page error: {exc}"))
    page.on(
        "console", lambda m: print(f"console {m.type}: {m.text}") if m.type == "error" else None
    )
    await page.goto(f"{server.url}/login")
    await page.fill("#username", username)
    await page.fill("#password", PASSWORD)
    await page.click("#sign-in")
    await page.wait_for_load_state("networkidle")
    return page


async def live(page: Page) -> None:
    await expect(page.locator("#live-status")).to_have_attribute("data-state", "live")


async def events_of(redis: aioredis.Redis, prefix: str, type_: str) -> list[DomainEvent]:
    entries = await redis.xrange(StreamNames(prefix).events)
    out = [DomainEvent.from_fields(f) for _, f in entries]
    return [e for e in out if e.type == type_]


async def test_sign_in_page(browser: Browser, server: Server, artifacts: Path) -> None:
    ctx = await browser.new_context(viewport={"width": 1280, "height": 800})
    page = await ctx.new_page()
    await page.goto(f"{server.url}/wallboard")
    await expect(page).to_have_url(re.compile(r"/login\?next=/wallboard"))
    await page.fill("#username", "sue")
    await page.fill("#password", "wrong password")
    await page.click("#sign-in")
    await expect(page.locator("#login-error")).to_contain_text("Wrong user name or password")
    await page.screenshot(path=artifacts / "login.png")
    await page.fill("#password", PASSWORD)
    await page.click("#sign-in")
    await expect(page).to_have_url(re.compile(r"/wallboard$"))


async def test_agent_takes_a_call(
    browser: Browser,
    server: Server,
    router: Routing,
    phone: PhoneLine,
    vip_customer: str,
    redis: aioredis.Redis,
    prefix: str,
    artifacts: Path,
    web_rt: Runtime,
) -> None:
    await publish_week(web_rt, "a1")
    page = await sign_in(browser, server, "alice")
    await expect(page).to_have_url(re.compile(r"/agent$"))
    await live(page)
    pill = page.locator("#state-pill")
    await expect(pill).to_have_text("logged out")
    await expect(page.locator("#week li")).to_have_count(5)
    await page.screenshot(path=artifacts / "agent-logged-out.png")
    await page.click("#btn-login")
    await expect(pill).not_to_have_text("logged out")
    await page.click("#btn-ready")
    await expect(pill).to_have_text("ready")

    await phone.arrive("call-1", "sales", caller=VIP_PHONE, customer_id=vip_customer, tier="vip")
    # Screen pop: the card is there while the phone still rings.
    await expect(page.locator("#call-card")).to_have_attribute("data-call", "offered")
    await expect(page.locator("#cust-name")).to_have_text("Zhang Wei")
    await expect(page.locator("#cust-tier")).to_have_text("vip")
    await expect(page.locator("#btn-answer")).to_be_visible()
    phone_text = await page.locator("#cust-phone").inner_text()
    assert phone_text.endswith("5678") and "1234" not in phone_text
    assert VIP_PHONE not in await page.content()
    await page.screenshot(path=artifacts / "agent-offered.png")

    await phone.wait_command("connect")
    await phone.answer("call-1")
    await expect(page.locator("#call-state")).to_have_text("talking")
    await expect(pill).to_have_text("on call")

    await page.click("#btn-hold")
    await expect(page.locator("#call-state")).to_have_text("held")
    await page.screenshot(path=artifacts / "agent-on-hold.png")
    await page.click("#btn-resume")
    await expect(page.locator("#call-state")).to_have_text("talking")
    await page.screenshot(path=artifacts / "agent-on-call.png")

    await page.click("#btn-hangup")
    await expect(pill).to_have_text("wrap up")
    await expect(page.locator("#wrapup")).to_be_visible()
    await page.select_option("#disposition", "follow_up")
    await page.fill("#notes", "Wants a call back about the invoice")
    await page.fill("#callback-at", "2099-01-02T10:30")
    await page.check("#open-complaint")
    await page.select_option("#complaint-category", "service")
    await page.fill("#complaint-description", "Charged twice for the same order")
    await page.screenshot(path=artifacts / "agent-wrap-up.png")
    await page.click("#btn-wrapup")
    await expect(pill).to_have_text("ready")
    await expect(page.locator("#wrapup")).to_be_hidden()

    kinds = [c.kind for c in phone.commands]
    assert kinds[:1] == ["connect"] and {"hold", "unhold", "hangup"} <= set(kinds)
    wrapped = await events_of(redis, prefix, "call.wrapped")
    assert [(e.call_id, e.payload["disposition"]) for e in wrapped] == [("call-1", "follow_up")]
    scheduled = await events_of(redis, prefix, "outbound.scheduled")
    assert len(scheduled) == 1 and scheduled[0].payload["kind"] == "callback"
    assert scheduled[0].payload["customer_id"] == vip_customer
    assert scheduled[0].payload["source_id"] == "call-1"
    opened = await events_of(redis, prefix, "complaint.opened")
    assert len(opened) == 1 and opened[0].payload.get("category") == "service"


async def test_offer_that_ends_unanswered_leaves_the_dashboard(
    browser: Browser,
    server: Server,
    router: Routing,
    phone: PhoneLine,
    artifacts: Path,
) -> None:
    """The caller hangs up while Alice's phone rings: the ringing call goes from her page and she
    is ready again. Then her phone cannot be reached at all (CHANUNAVAIL): the offer goes at
    once, she is not ready for ``unreachable`` and the page says why. Neither ``rona`` nor
    ``unreachable`` is a reason she can pick."""
    page = await sign_in(browser, server, "alice")
    await live(page)
    pill = page.locator("#state-pill")
    await page.click("#btn-login")
    await expect(pill).not_to_have_text("logged out")
    reasons = await page.locator("#reason option").all_inner_texts()
    assert reasons and not {"rona", "unreachable"} & set(reasons)
    await page.click("#btn-ready")
    await expect(pill).to_have_text("ready")

    await phone.arrive("call-2", "sales", caller="+8613800000002")
    card = page.locator("#call-card")
    await expect(card).to_have_attribute("data-call", "offered")
    await phone.wait_command("connect")
    await phone.publish("call.abandoned", "call-2", queue="sales", wait_s=3.0)
    await phone.publish("call.ended", "call-2", who="customer", answered=False)
    await expect(card).to_have_attribute("data-call", "none")
    await expect(page.locator("#call-panel")).to_be_hidden()
    await expect(pill).to_have_text("ready")
    await page.screenshot(path=artifacts / "agent-offer-abandoned.png")

    await phone.arrive("call-3", "sales", caller="+8613800000003")
    await expect(card).to_have_attribute("data-call", "offered")
    await phone.publish("call.connect_failed", "call-3", "a1", dial_status="CHANUNAVAIL")
    await expect(pill).to_have_text("not ready")
    await expect(page.locator("#state-reason")).to_have_text("reason: unreachable")
    await expect(card).to_have_attribute("data-call", "none")
    await expect(page.locator("#message")).to_contain_text("could not be reached")
    await page.screenshot(path=artifacts / "agent-unreachable.png")


async def seed_history(web_rt: Runtime, n_per_interval: int = 12) -> None:
    """Calls earlier today in the ``calls`` read model, so the day chart has something to draw."""
    now = datetime.now(UTC)
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    rng = random.Random(7)
    rows = []
    t = start
    while t < now - timedelta(minutes=30):
        for i in range(rng.randint(n_per_interval // 2, n_per_interval)):
            arrived = t + timedelta(seconds=rng.randint(0, 1799))
            wait = rng.expovariate(1 / 15)
            abandoned = rng.random() < 0.08
            rows.append(
                {
                    "call_id": f"h-{arrived.timestamp():.0f}-{i}",
                    "direction": "inbound",
                    "queue_id": rng.choice(["sales", "support", "complaints"]),
                    "arrived_at": arrived,
                    "queued_at": arrived,
                    "wait_s": wait,
                    "answered_at": None if abandoned else arrived + timedelta(seconds=wait),
                    "ended_at": arrived + timedelta(seconds=wait + 200),
                    "talk_s": None if abandoned else 180.0,
                    "hold_s": 0.0,
                    "wrap_s": 20.0,
                    "outcome": "abandoned" if abandoned else "answered",
                    "transferred": False,
                    "offers": 1,
                }
            )
        t += timedelta(minutes=30)
    if rows:
        async with web_rt.engine.begin() as conn:
            await conn.execute(Call.__table__.insert(), rows)


async def test_supervisor_watches_and_whispers(
    browser: Browser,
    server: Server,
    router: Routing,
    phone: PhoneLine,
    web_rt: Runtime,
    redis: aioredis.Redis,
    prefix: str,
    artifacts: Path,
) -> None:
    await seed_history(web_rt)
    actions = AgentActions(router)
    for agent_id in ("a2", "a3"):
        await actions.login(agent_id)
    await actions.not_ready("a3", "lunch")
    page = await sign_in(browser, server, "sue")
    await expect(page).to_have_url(re.compile(r"/wallboard$"))
    await live(page)
    support = page.locator('article.queue[data-queue="support"]')
    await expect(support.locator(".big")).to_have_text("0")

    # Two callers wait in support while nobody is ready: the tile follows live.
    await phone.arrive("w-1", "support", caller="+8613900000001")
    await phone.arrive("w-2", "support", caller="+8613900000002")
    await expect(support.locator(".big")).to_have_text("2")
    await expect(support).to_have_attribute("data-alert", "yes")
    await expect(page.locator("#t-waiting")).to_have_text("2")

    # Bob goes ready, takes the first call, and is on it.
    await actions.ready("a2")
    await phone.wait_command("connect")
    await phone.answer("w-1")
    await expect(support.locator(".big")).to_have_text("1")
    row = page.locator('tr[data-agent="a2"]')
    await expect(row).to_have_attribute("data-state", "on_call")
    await expect(page.locator('tr[data-agent="a3"] td.reason')).to_have_text("lunch")
    await expect(page.locator("#day-chart .main-svg").first).to_be_visible()
    await page.wait_for_timeout(600)  # let the chart finish drawing for the screenshot
    await page.screenshot(path=artifacts / "wallboard.png", full_page=True)
    assert page.csp == []  # type: ignore[attr-defined]  # plotly drew without eval

    await row.locator("button.spy-whisper").click()
    await expect(page.locator("#toast")).to_contain_text("whisper started")
    spy = await phone.wait_command("spy")
    assert spy.args == {
        "call_id": "w-1",
        "agent_id": "a2",
        "mode": "whisper",
        "supervisor": web_rt.settings.ami.supervisor_endpoint,
    }


async def test_agent_cannot_open_the_wallboard(
    browser: Browser, server: Server, artifacts: Path
) -> None:
    page = await sign_in(browser, server, "bob")
    resp = await page.goto(f"{server.url}/wallboard")
    assert resp is not None and resp.status == 403
    await expect(page.locator("#error-message")).to_contain_text("supervisor")
    await page.screenshot(path=artifacts / "agent-403.png")


async def test_page_shows_that_its_session_ended(
    browser: Browser, server: Server, artifacts: Path
) -> None:
    """Signed out in another tab: the live feed closes (4401) and the page says so, offering to
    sign in again instead of reconnecting."""
    page = await sign_in(browser, server, "sue")
    await live(page)
    await page.wait_for_load_state("networkidle")  # the state loaded on connect is in
    await page.evaluate(
        """() => fetch("/api/session", {method: "DELETE", headers: {"X-CSRF-Token":
            document.querySelector('meta[name="csrf-token"]').content}})"""
    )
    # the check now, not in up to 5 s: the wallboard's next API poll would meet the 401 first
    # and go to the sign-in page itself
    await server.app[LIVE].check_sessions()
    await expect(page.locator("#live-status")).to_have_attribute("data-state", "ended")
    await expect(page.locator("#live-status .label")).to_have_text("signed out")
    banner = page.locator("#session-ended")
    await expect(banner).to_contain_text("Live feed stopped: signed out.")
    await expect(banner.locator("a")).to_have_attribute("href", "/login?next=%2Fwallboard")
    await page.screenshot(path=artifacts / "wallboard-session-ended.png")


async def test_page_reconnects_and_reloads_after_restart(
    browser: Browser, server: Server, router: Routing, web_rt: Runtime
) -> None:
    page = await sign_in(browser, server, "alice")
    await live(page)
    # The server goes away and comes back on the same port (a restart).
    from aiohttp import web as aioweb

    from web.app import create_app

    port = int(server.url.rsplit(":", 1)[1])
    await server.runner.cleanup()
    await expect(page.locator("#live-status")).to_have_attribute("data-state", "down")
    await AgentActions(router).login("a1")  # changed while the page was cut off
    app = create_app(web_rt)
    runner = aioweb.AppRunner(app, handle_signals=False, access_log=None)
    await runner.setup()
    await aioweb.TCPSite(runner, "127.0.0.1", port).start()
    server.runner = runner  # the fixture cleans this one up
    await live(page)
    await expect(page.locator("#state-pill")).to_have_text("not ready")


async def test_wallboard_at_scale(
    browser: Browser,
    redis: aioredis.Redis,
    prefix: str,
    redis_url: str,
    web_db: str,
    artifacts: Path,
) -> None:
    """50 queues and 500 logged-in agents: queue tiles and the agents table are paged."""
    from aiohttp import web as aioweb

    from store.db import create_engine
    from store.models.web import User
    from web.app import create_app
    from web.session.passwords import hash_password

    skills = [f"s{i}" for i in range(10)]
    settings = web_settings(
        prefix,
        skills=[{"id": s} for s in skills],
        queues=[
            {"id": f"q{i:02d}", "name": f"Queue {i:02d}", "skills": {skills[i % 10]: 1}}
            for i in range(50)
        ],
        agents=[
            {
                "id": f"ag{i:03d}",
                "name": f"Agent {i:03d}",
                "skills": {skills[i % 10]: 5, skills[(i + 3) % 10]: 3},
            }
            for i in range(500)
        ],
    )
    engine = create_engine(web_db)
    async with engine.begin() as conn:
        await conn.execute(
            User.__table__.insert(),
            [
                {
                    "username": "sue",
                    "password_hash": hash_password(PASSWORD),
                    "role": "supervisor",
                    "agent_id": None,
                    "display_name": "Sue",
                    "active": True,
                    "created_at": datetime.now(UTC),
                }
            ],
        )
    rt = Runtime(settings=settings, redis=redis, engine=engine, redis_url=redis_url)
    routing = Routing(redis, settings)
    await routing.setup()
    actions = AgentActions(routing)
    rng = random.Random(3)
    for i in range(500):
        agent_id = f"ag{i:03d}"
        await actions.login(agent_id)
        if rng.random() < 0.7:
            await actions.ready(agent_id)
        else:
            await actions.not_ready(agent_id, rng.choice(["break", "lunch", "training"]))
    app = create_app(rt)
    runner = aioweb.AppRunner(app, handle_signals=False, access_log=None)
    await runner.setup()
    site = aioweb.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        server = Server(app, runner, f"http://127.0.0.1:{port}")
        page = await sign_in(browser, server, "sue")
        await live(page)
        await expect(page.locator("article.queue")).to_have_count(8)
        await expect(page.locator("#queue-pager")).to_contain_text("of 50")
        await expect(page.locator("#agents-page")).to_have_text("1 / 25")
        await expect(page.locator("#agents-body tr")).to_have_count(20)
        await page.screenshot(path=artifacts / "wallboard-500-agents.png")
        await page.click("#agents-next")
        await expect(page.locator("#agents-page")).to_have_text("2 / 25")
    finally:
        await runner.cleanup()
        await engine.dispose()


@pytest.fixture
async def pbx(web_rt: Runtime) -> AsyncIterator[Simulator]:
    """The PBX simulator in real time (no traffic of its own) and the AMI bridge against it over
    TCP. Alice's phone (a1) rings until she presses Answer, as a person's would; the
    supervisor's (PJSIP/9000) answers by itself."""
    scenario = Scenario(
        queues=[
            QueueTraffic(queue="sales", did="5000", talk_s=Dist(kind="fixed", mean=600)),
            QueueTraffic(queue="support", did="5001"),
        ],
        agents=[
            AgentPhone(agent_id="a1", auto_answer=False),
            AgentPhone(agent_id="a2", no_answer_p=0, hold_p=0),
        ],
        unknown_endpoints_answer=False,
    )
    async with real_time_pbx(web_rt.settings, web_rt.redis, scenario) as sim:
        yield sim


def pbx_actions(sim: Simulator) -> list[str]:
    """The AMI actions the PBX received, in order (the bridge's own housekeeping left out)."""
    housekeeping = {"Login", "Ping", "Events", "CoreShowChannels", "Status"}
    return [f.action or "" for _, f in sim.received if f.action not in housekeeping]


async def test_agent_answers_a_pbx_call_from_the_dashboard(
    browser: Browser,
    server: Server,
    router: Routing,
    pbx: Simulator,
    vip_customer: str,
    web_rt: Runtime,
    redis: aioredis.Redis,
    prefix: str,
    artifacts: Path,
) -> None:
    """No stand-in for telephony: a VIP calls the sales line of the simulated Asterisk; the
    bridge names the customer, the router offers the call to Alice, her phone rings and her
    dashboard shows the card; she answers, holds, resumes and hangs up from the page while the
    supervisor watches the queue and whispers; the wrap-up schedules a callback."""
    await rebuild_caller_index(web_rt.engine, web_rt.redis, prefix)
    agent = await sign_in(browser, server, "alice")
    await live(agent)
    await agent.click("#btn-login")
    pill = agent.locator("#state-pill")
    await expect(pill).to_have_text("not ready")
    boss = await sign_in(browser, server, "sue")
    await live(boss)
    sales = boss.locator('article.queue[data-queue="sales"]')
    await expect(sales.locator(".big")).to_have_text("0")

    caller = Device(kind="caller", label="sales", cid_name="Zhang Wei", patience_s=900)
    pbx.call_in("5000", VIP_PHONE, caller)
    await expect(sales.locator(".big")).to_have_text("1")  # waits: nobody is ready

    await agent.click("#btn-ready")
    await expect(agent.locator("#call-card")).to_have_attribute("data-call", "offered")
    await expect(agent.locator("#cust-name")).to_have_text("Zhang Wei")
    await expect(agent.locator("#cust-tier")).to_have_text("vip")
    (leg,) = [c for c in pbx.engine.channels.values() if c.name.startswith("PJSIP/a1-")]
    await asyncio.sleep(1.5)  # it rings on: only Alice can answer it
    assert leg.state == 5 and leg.bridge is None
    await agent.screenshot(path=artifacts / "agent-pbx-ringing.png")

    await agent.click("#btn-answer")
    await expect(agent.locator("#call-state")).to_have_text("talking")
    await expect(pill).to_have_text("on call")
    assert leg.state == 6 and leg.bridge is not None
    await expect(sales.locator(".big")).to_have_text("0")  # the caller no longer waits

    row = boss.locator('tr[data-agent="a1"]')
    await expect(row).to_have_attribute("data-state", "on_call")
    await row.locator("button.spy-whisper").click()
    await expect(boss.locator("#toast")).to_contain_text("whisper started")
    await boss.screenshot(path=artifacts / "wallboard-pbx-whisper.png", full_page=True)
    for _ in range(100):  # the supervisor's phone rings, answers, then ChanSpy attaches
        spying = [c for c in pbx.engine.channels.values() if c.spy and c.spy.spyee is leg]
        if spying:
            break
        await asyncio.sleep(0.1)
    assert spying and spying[0].spy.options == "qwE"

    await agent.click("#btn-hold")
    await expect(agent.locator("#call-state")).to_have_text("held")
    await agent.click("#btn-resume")
    await expect(agent.locator("#call-state")).to_have_text("talking")
    await agent.click("#btn-hangup")
    await expect(pill).to_have_text("wrap up")
    await agent.select_option("#disposition", "follow_up")
    await agent.fill("#callback-at", "2099-01-02T10:30")
    await agent.screenshot(path=artifacts / "agent-pbx-wrap-up.png")
    await agent.click("#btn-wrapup")
    await expect(pill).to_have_text("ready")

    spies = [c for c in pbx.engine.channels.values() if c.name.startswith("PJSIP/9000-")]
    assert not leg.alive and not spies  # the hang-up ended the call and the whisper with it
    assert pbx_actions(pbx) == [
        "Setvar",  # CC_AGENT_ENDPOINT
        "Setvar",  # CC_RING_TIMEOUT_S: the Dial rings as long as the offer lasts
        "Redirect",  # to cc-connect: Alice's phone rings
        "PJSIPNotify",  # Answer
        "Originate",  # the whisper: PJSIP/9000 into ChanSpy
        "Redirect",  # hold: both parties to cc-onhold
        "Bridge",  # resume
        "Hangup",
    ]
    answered = await events_of(redis, prefix, "call.answered")
    assert [e.agent_id for e in answered] == ["a1"]
    scheduled = await events_of(redis, prefix, "outbound.scheduled")
    assert [e.payload["customer_id"] for e in scheduled] == [vip_customer]


async def test_agent_takes_a_return_visit_with_its_preview_and_form(
    browser: Browser,
    server: Server,
    router: Routing,
    phone: PhoneLine,
    web_rt: Runtime,
    artifacts: Path,
) -> None:
    """A sale makes a return visit; the scheduler queues it, the router reserves Alice and asks
    telephony to dial; her card says why the customer is called, and after the call she records
    the customer's satisfaction with the wrap-up."""
    async with return_visit_due(
        web_rt,
        router,
        customer_id="cust-rv-1",
        name="Li Na",
        number="+8613900001111",
        sale_id="S-1001",
        product="Broadband 300M",
    ) as task_id:
        page = await sign_in(browser, server, "alice")
        await live(page)
        await page.click("#btn-login")
        await page.click("#btn-ready")
        originate = await phone.wait_command("originate")
        assert originate.args["agent_id"] == "a1" and originate.args["number"] == "+8613900001111"
        await expect(page.locator("#task-banner")).to_be_visible()
        await expect(page.locator("#task-kind")).to_have_text("Return visit")
        await expect(page.locator("#task-reason")).to_contain_text(
            "After the sale of Broadband 300M"
        )
        await expect(page.locator("#task-attempt")).to_have_text("· attempt 1 of 3")
        # the return-visit form of the centre's locale (en here): what to ask, by answer id
        await expect(page.locator("#task-form li")).to_have_count(3)
        await expect(page.locator('#task-form li[data-field="satisfied"]')).to_have_text(
            "Are you satisfied with our product and service?"
        )
        await expect(page.locator("#cust-name")).to_have_text("Li Na")
        await page.screenshot(path=artifacts / "agent-return-visit-preview.png")

        call_id = originate.args["call_id"]
        await phone.answer(call_id)
        await expect(page.locator("#call-state")).to_have_text("talking")
        await page.click("#btn-hangup")
        await expect(page.locator("#rv-fields")).to_be_visible()
        await page.select_option("#rv-outcome", "reached")
        await page.check("#rv-yes")
        await page.select_option("#rv-score", "5")
        await page.fill("#rv-comment", "Fast line, installer was on time")
        await page.select_option("#disposition", "resolved")
        await page.screenshot(path=artifacts / "agent-return-visit-form.png")
        await page.click("#btn-wrapup")
        await expect(page.locator("#state-pill")).to_have_text("ready")
    t = OutboundTask.__table__
    async with web_rt.engine.connect() as conn:
        row = (await conn.execute(t.select().where(t.c.task_id == task_id))).mappings().one()
    assert (row["status"], row["outcome"], row["agent_id"]) == ("done", "reached", "a1")
    assert row["answers"] == {
        "satisfied": True,
        "score": 5,
        "comment": "Fast line, installer was on time",
    }
