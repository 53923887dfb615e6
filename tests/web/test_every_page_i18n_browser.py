"""Every page in zh_CN and in en (issue 21, "What must be shown"), in Chromium with Debian's
CJK fonts, on the demo's data (its Chinese people, queues and customers, seeded by
``config.demo.seed_demo``) plus calls, evaluations, a dispute, a calibration and a message: each
role signs in and opens every page of its navigation (``web.navigation``), then the pages outside
it (sign-in, home, customer card, the evaluation of a call, a 404). Screenshots:
tests/artifacts/i18n-all-<locale>-<page>.png; the texts that fail:
tests/artifacts/i18n-all-<locale>-failures.txt.

On a zh_CN page no visible text (nor placeholder, title, ARIA label, button value, option, window
title) is an English catalog msgid or holds a run of English words
(``callcenter_testkit.page_language``); on an en page none is a zh_CN translation; no page has a
JavaScript error."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from callcenter_testkit.browsing import new_page, no_js_errors, shot, sign_in
from callcenter_testkit.page_language import (
    COLLECT_TEXTS,
    Catalogs,
    chinese_leaked,
    english_left,
    load_catalogs,
)
from callcenter_testkit.webtools import (
    USERS,
    Login,
    Server,
    add_users,
    agent_ready,
    handled_call,
)
from playwright.async_api import Browser, Page

from config.demo import seed_demo
from config.demo_data import (
    HUMAN_AGENTS,
    SIMULATED_AGENTS,
    demo_customers,
    demo_scenario,
    demo_settings_overrides,
    demo_users,
)
from kernel.runtime import Runtime
from kernel.settings import Settings
from qa.periods import week_label
from store.models.core import AgentState, Call
from web.navigation import ENTRIES

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(900)]

AGENT = f"agent{HUMAN_AGENTS[0]}"
WALL = "wall"  # a wall screen's user (role wallboard): the kiosk
# who signs in, in this order; each opens the pages of its navigation not opened yet
ROLES = [(AGENT, "agent"), ("supervisor", "supervisor"), ("planner", "planner"), ("qa", "qa")]
ROLES += [("admin", "admin"), (WALL, "wallboard")]
CALL = "c-i18n-0"  # evaluated, disputed and calibrated; not recorded
CUSTOMER = "demo-0001"
QUEUE_IDS = ("sales", "support", "complaints")  # ids shown as data, like usernames
AGENT_IDS = (*SIMULATED_AGENTS, *HUMAN_AGENTS)
BROWSER_LOCALE = {"zh_CN": "zh-CN", "en": "en-US"}
LIVE = "#live-status[data-state=live]"
READY = {"wallboard": (LIVE, "#agents-body tr"), "kiosk": (".kiosk-queue",), "agent": (LIVE,)}


@pytest.fixture
def settings(prefix: str) -> Settings:
    """The demo's call center (Chinese names, locale zh_CN) on the test's Redis prefix."""
    data: dict[str, Any] = demo_settings_overrides(5038)
    data |= {"redis_prefix": prefix, "web": {"stats_every_ms": 200}}
    return Settings.model_validate(data)


def _answers(definition: dict[str, Any], good: bool) -> dict[str, object]:
    """Every item of the form answered: all well, or the scales at half and a non-critical no."""
    out: dict[str, object] = {}
    for section in definition["sections"]:
        for item in section["items"]:
            if item["kind"] == "scale":
                out[item["id"]] = item["max"] if good else item["max"] // 2
            else:
                out[item["id"]] = "yes" if good or item.get("critical") else "no"
    return out


async def _ok(resp: Any) -> Any:
    body = await resp.json()
    assert resp.status in (200, 201), body
    return body


@pytest.fixture
async def demo_day(web_rt: Runtime, server: Server, login: Login) -> None:
    """The demo's seed, and a morning of work: handled calls, the agent's states, a week's QA
    sample with evaluations (one disputed), a calibration, a message; the agent ready."""
    now = datetime.now(UTC)
    users = [(u.username, u.role, u.agent_id, u.display_name) for u in demo_users()]
    # the demo's users with the tests' password (seed_demo keeps them)
    await add_users(web_rt.engine, [*users, (WALL, "wallboard", None, "大厅一号屏")])
    await seed_demo(web_rt, demo_customers(demo_scenario(9.5)))
    agents = [HUMAN_AGENTS[0], *SIMULATED_AGENTS[:5]]
    start = now - timedelta(hours=3)
    calls = [
        handled_call(
            f"c-i18n-{i}",
            agents[i % len(agents)],
            start + timedelta(minutes=7 * i),
            queue_id=("sales", "support", "complaints")[i % 3],
            customer_id=f"demo-{1 + i % 10:04d}",
            notes="客户咨询套餐变更，已说明资费并发送短信确认。",
            disposition=("resolved", "information", "follow_up")[i % 3],
        )
        for i in range(24)
    ]
    states = [
        {"agent_id": HUMAN_AGENTS[0], "state": s, "reason": r, "start_at": a, "end_at": b}
        for s, r, a, b in (
            ("ready", None, start, start + timedelta(minutes=50)),
            ("not_ready", "break", start + timedelta(minutes=50), start + timedelta(minutes=65)),
            ("on_call", None, start + timedelta(minutes=65), start + timedelta(minutes=90)),
        )
    ]
    async with web_rt.engine.begin() as conn:
        await conn.execute(Call.__table__.insert(), calls)
        await conn.execute(AgentState.__table__.insert(), states)

    qa = await login("qa")
    await _ok(
        await qa.post(
            "/api/qa/samples/draw", json={"week": week_label(now, web_rt.settings.timezone)}
        )
    )
    evaluations = []
    for i, good in ((0, False), (1, True), (2, True)):
        work = await _ok(await qa.get(f"/api/qa/calls/c-i18n-{i}"))
        form = work["form"]
        first_item = form["definition"]["sections"][0]["items"][0]["id"]
        evaluations.append(
            await _ok(
                await qa.post(
                    "/api/qa/evaluations",
                    json={
                        "call_id": f"c-i18n-{i}",
                        "form_version_id": form["form_version_id"],
                        "answers": _answers(form["definition"], good),
                        "comments": {} if good else {first_item: "开场白不规范，请注意。"},
                    },
                )
            )
        )
    calibration = await _ok(await qa.post("/api/qa/calibrations", json={"call_id": CALL}))
    await _ok(
        await qa.put(
            f"/api/qa/calibrations/{calibration['calibration_id']}/score",
            json={"answers": _answers(form["definition"], True)},
        )
    )
    agent = await agent_ready(login, AGENT)
    await _ok(
        await agent.post(
            f"/api/qa/evaluations/{evaluations[0]['evaluation_id']}/dispute",
            json={"comment": "通话中已按流程核实身份，请复核。"},
        )
    )
    supervisor = await login("supervisor")
    await _ok(
        await supervisor.post("/api/messages", json={"team": "一组", "text": "下午两点开班前会。"})
    )


@dataclass(frozen=True)
class Visit:
    name: str  # of the screenshot and in the failure list
    username: str | None  # None: signed out
    path: str
    expected_errors: tuple[str, ...] = ()  # substrings of JS/HTTP errors the page may show
    ready: tuple[str, ...] = ()  # what the page shows once its live data arrived


def visits() -> list[Visit]:
    """Each role's navigation (a page opened by an earlier role is not opened again, except the
    agent's own evaluations, which are a different page), then the pages outside it."""
    out: list[Visit] = []
    seen: set[tuple[str, bool]] = set()
    for username, role in ROLES:
        for e in ENTRIES:
            key = (e.href, role == "agent")
            if role not in e.roles or key in seen:
                continue
            seen.add(key)
            name = f"{e.page}-agent" if role == "agent" else e.page
            out.append(Visit(name, username, e.href, ready=READY.get(e.page, ())))
    return out + [
        Visit("login", None, "/login"),
        Visit("home", "planner", "/home"),
        Visit("customer-card", "supervisor", f"/customers/{CUSTOMER}"),
        # the call was not recorded: its recording's 404 is the page's expected answer
        Visit("qa-evaluate", "qa", f"/qa/calls/{CALL}", (f"/api/recordings/{CALL}", "of 404")),
        Visit("error-404", "supervisor", "/no-such-page", ("/no-such-page", "of 404")),
    ]


def _language_failures(
    locale: str, texts: list[str], catalogs: Catalogs, data: frozenset[str]
) -> list[str]:
    if locale == "zh_CN":
        return english_left(texts, catalogs, data)
    return chinese_leaked(texts, catalogs)


@pytest.mark.usefixtures("demo_day")
@pytest.mark.parametrize("locale", ["zh_CN", "en"])
async def test_every_page_speaks_the_users_language(
    browser: Browser, server: Server, artifacts: Path, locale: str
) -> None:
    catalogs = load_catalogs()
    # shown as they are in every language: usernames (the web fixtures' too: users page), ids
    usernames = {u for u, _ in ROLES} | {u for u, *_ in USERS} | {u.title() for u, *_ in USERS}
    data = frozenset(usernames | {CALL, CUSTOMER, *QUEUE_IDS, *AGENT_IDS})
    pages: dict[str | None, Page] = {}
    failures: list[tuple[str, str, str]] = []  # page, where, text
    js_failures: list[tuple[str, str]] = []
    for visit in visits():
        page = pages.get(visit.username)
        if page is None:
            page = await _open(browser, server, visit, BROWSER_LOCALE[locale])
            pages[visit.username] = page
        else:
            await page.goto(f"{server.url}{visit.path}")
        await page.wait_for_load_state("networkidle")
        for selector in visit.ready:
            await page.locator(selector).first.wait_for()
        await shot(page, artifacts / f"i18n-all-{locale}-{visit.name}.png")
        found = await page.evaluate(COLLECT_TEXTS)
        bad = set(_language_failures(locale, [f["text"] for f in found], catalogs, data))
        failures += [(visit.name, f["where"], f["text"]) for f in found if f["text"] in bad]
        try:
            no_js_errors(page, *visit.expected_errors)
        except AssertionError as exc:
            js_failures.append((visit.name, str(exc)))
        page.errors.clear()  # type: ignore[attr-defined]
    report = "\n".join(f"{name}\t{where}\t{text}" for name, where, text in failures)
    (artifacts / f"i18n-all-{locale}-failures.txt").write_text(report + "\n", encoding="utf-8")
    assert (js_failures, failures) == ([], []), (
        f"JavaScript errors: {js_failures}\n{len(failures)} texts in the wrong language:\n{report}"
    )


async def _open(browser: Browser, server: Server, visit: Visit, browser_locale: str) -> Page:
    """A new browser context: signed in as the visit's user, or signed out (the sign-in page)."""
    if visit.username is not None:
        return await sign_in(browser, server, visit.username, visit.path, locale=browser_locale)
    page = await new_page(browser, locale=browser_locale)
    await page.goto(f"{server.url}{visit.path}")
    return page
