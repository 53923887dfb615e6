"""The planners' and the administrators' pages in zh_CN in a real browser (Chromium with
locale zh-CN, Debian's CJK fonts): forecast with its charts and a roster solve's progress, a
roster with its shortfall, the rosters, shift requests, adherence, an agent's shifts, users,
agents, queues and teams. Screenshots in tests/artifacts/i18n-plan-*.png; each page shows its
key Chinese texts and none of the catalog's English phrases."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from babel.messages.pofile import read_po
from callcenter_testkit.browsing import no_js_errors, shot, sign_in_chinese
from callcenter_testkit.history import history_csv, opening_hours_only
from callcenter_testkit.webtools import Server, web_settings
from playwright.async_api import Browser, Page, expect

from kernel.runtime import Runtime
from kernel.settings import Settings
from web.i18n.catalog import LOCALE_DIR
from workforce.planner_store import publish_roster, save_planned_roster

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]
TZ = "Asia/Shanghai"


@pytest.fixture
def settings(prefix: str) -> Settings:
    """The web tests' centre with Chinese names for its people and queues, in Shanghai."""
    return web_settings(
        prefix,
        timezone=TZ,
        queues=[
            {"id": "sales", "name": "销售", "skills": {"sales": 1}, "wrap_up_s": 60},
            {"id": "support", "name": "技术支持", "skills": {"support": 1}, "sl_target_s": 30},
            {"id": "complaints", "name": "投诉", "skills": {"complaints": 1}},
        ],
        agents=[
            {"id": "a1", "name": "王丽", "skills": {"sales": 5, "support": 3}, "team": "t1"},
            {"id": "a2", "name": "李波", "skills": {"support": 7}, "team": "t1"},
            {"id": "a3", "name": "陈杰", "skills": {"complaints": 6, "sales": 2}, "team": "t2"},
        ],
    )


async def _chinese_page(browser: Browser, server: Server, username: str, path: str) -> Page:
    """``username`` signed in from a browser that asks for zh-CN, on ``path``."""
    return await sign_in_chinese(browser, server, username, path)


@cache
def _english_phrases() -> tuple[re.Pattern[str], ...]:
    """The catalog's English texts that zh_CN says otherwise (placeholders left out)."""
    with (LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f)
    out = []
    for m in catalog:
        if not isinstance(m.id, str) or not m.id or not m.string or m.string == m.id:
            continue
        for part in re.split(r"%\(\w+\)s|%%", m.id):
            part = part.strip(" .,:;·—…()")
            if len(part) >= 4 and re.search(r"[A-Za-z]{3}", part):
                out.append(re.compile(rf"(?<![\w-]){re.escape(part)}(?![\w-])"))
    return tuple(out)


async def _no_english(page: Page) -> None:
    """No English phrase of the catalog on the page as shown (the audit's field diffs name the
    API's fields and <code> a CSV's columns, machine names: hidden first, so take screenshots before)."""
    await page.evaluate(
        "document.querySelectorAll('.changes li > div, code').forEach((n) => { n.hidden = true; })"
    )
    text = await page.locator("body").inner_text()
    left = [p.pattern for p in _english_phrases() if p.search(text)]
    assert left == [], left


async def _published_roster(rt: Runtime) -> tuple[int, datetime]:
    """Next week's roster, published: a1 three days, a2 two, against a requirement of two
    agents all week (short: the shortfall is explained)."""
    today = datetime.now(ZoneInfo(TZ)).replace(hour=0, minute=0, second=0, microsecond=0)
    mon = today + timedelta(days=7 - today.weekday())  # next Monday, the centre's midnight
    rows = []
    for agent, days in (("a1", (0, 1, 2)), ("a2", (0, 3))):
        for d in days:
            s = pd.Timestamp(mon + timedelta(days=d, hours=9))
            rows.append((agent, "shift", s, s + pd.Timedelta(hours=8)))
            rows.append((agent, "lunch", s + pd.Timedelta(hours=4), s + pd.Timedelta(hours=5)))
    frame = pd.DataFrame(rows, columns=["agent_id", "activity", "start", "end"])
    required = pd.Series(2.0, index=pd.date_range(mon, periods=7 * 48, freq="30min"))
    rid = await save_planned_roster(
        rt.engine,
        frame,
        required,
        by="pat",
        now=mon,
        settings={"weekly_hours_max": 40},
        figures={},
        name="第一周排班",
    )
    await publish_roster(rt.engine, rid, mon)
    return rid, mon


async def test_planner_pages_in_chinese(
    browser: Browser, server: Server, web_rt: Runtime, artifacts: Path, tmp_path: Path
) -> None:
    rid, mon = await _published_roster(web_rt)
    week = mon.date().isoformat()

    agent = await _chinese_page(browser, server, "alice", f"/agent/shifts?week_start={week}")
    await expect(agent.locator("body")).to_have_attribute("data-shifts", "ready")
    await expect(agent.locator("h1")).to_have_text("我的班次")
    await expect(agent.locator("#week-label")).to_have_text(
        f"{mon.year}年{mon.month}月{mon.day}日 当周"
    )
    await expect(agent.locator(".shift-day h3").first).to_contain_text("星期一")
    await expect(agent.locator(".shift-day .off").first).to_have_text("休息")
    tuesday = (mon + timedelta(days=1)).date().isoformat()
    await agent.locator(f'.shift-day[data-day="{tuesday}"] .ask-change').click()
    await expect(agent.locator("#request-dialog h2")).to_have_text("变更此班次")
    await agent.fill("#request-reason", "家里有事")
    await shot(agent, artifacts / "i18n-plan-request-dialog.png")
    await agent.click("#request-send")
    await expect(agent.locator("#toast")).to_have_text("已提交给排班员")
    await expect(agent.locator('#requests tr[data-status="pending"]')).to_contain_text("待审批")
    await shot(agent, artifacts / "i18n-plan-my-shifts.png")
    await _no_english(agent)
    no_js_errors(agent)

    page = await _chinese_page(browser, server, "pat", "/planner/requests")
    await expect(page.locator("body")).to_have_attribute("data-requests", "ready")
    await expect(page.locator("h1")).to_have_text("请假与换班申请")
    row = page.locator('#requests tr[data-status="pending"]')
    await expect(row.locator(".check")).to_contain_text("符合劳动规则")
    await expect(row.locator('button[data-approve="true"]')).to_have_text("批准")
    await expect(row).to_contain_text("请假")
    await shot(page, artifacts / "i18n-plan-requests.png")
    await _no_english(page)

    await page.goto(f"{server.url}/planner/rosters/{rid}")
    await expect(page.locator("body")).to_have_attribute("data-roster", "ready")
    await expect(page.locator("#roster-status")).to_have_text("已发布")
    await expect(page.locator("#shortfall-text")).to_contain_text("排班无法满足人力需求")
    await expect(page.locator("#shortfall-text")).to_contain_text("周一")  # the worst interval
    await expect(page.locator("#roster-grid thead th").nth(1)).to_contain_text("周一")
    await expect(page.locator("#coverage-chart .legend")).to_contain_text("人力需求")
    await shot(page, artifacts / "i18n-plan-roster.png")
    await _no_english(page)

    await page.goto(f"{server.url}/planner/rosters")
    await expect(page.locator("#rosters tr:has-text('第一周排班')")).to_contain_text("已发布")
    await expect(page.locator("table thead")).to_contain_text("排班人")
    await shot(page, artifacts / "i18n-plan-rosters.png")
    await _no_english(page)

    await page.goto(f"{server.url}/planner/adherence?day={week}")
    await expect(page.locator("#adherence-rows .adh-row")).to_have_count(2)
    await expect(page.locator("h1")).to_have_text("排班与实际对比")
    await expect(page.locator("#adherence-rows .agent-sub").first).to_have_text(
        re.compile(r"^a\d · 排班 480 分钟$")
    )
    await shot(page, artifacts / "i18n-plan-adherence.png")
    await _no_english(page)

    csv_path = tmp_path / "历史话务.csv"
    csv_path.write_text(opening_hours_only(history_csv(3)))
    await page.goto(f"{server.url}/planner")
    await expect(page.locator("body")).to_have_attribute("data-wired", "yes")
    await expect(page.locator("h1")).to_have_text("话务预测、人力需求与排班")
    await page.set_input_files("#history-file", str(csv_path))
    await expect(page.locator("#history-status")).to_contain_text("共 21 天")
    await expect(page.locator("body")).to_have_attribute("data-forecast", "ready")
    await expect(page.locator("#week-label")).to_contain_text("当周 · 周一至周日")
    await expect(page.locator("#forecast-chart .legend")).to_contain_text("留出周：实际")
    await expect(page.locator("#requirement-chart .legend")).to_contain_text("需排班坐席")
    await page.fill('#roster-form input[name="time_limit_s"]', "3")
    await page.click("#generate")
    await expect(page.locator("#progress")).to_be_visible()
    await expect(page.locator("#p-title")).to_have_text(
        re.compile("^(排班无法满足人力需求|排班已生成：满足人力需求)$"), timeout=90_000
    )
    await expect(page.locator("#progress .progress-figs")).to_contain_text("最优下界")
    await expect(page.locator("#p-message")).to_contain_text("排班")
    await shot(page, artifacts / "i18n-plan-forecast.png")
    await _no_english(page)
    no_js_errors(page)


async def test_admin_pages_in_chinese(browser: Browser, server: Server, artifacts: Path) -> None:
    page = await _chinese_page(browser, server, "ada", "/admin/users")
    await expect(page.locator("h1")).to_have_text("用户")
    await expect(page.locator("tr[data-user=alice] td").nth(1)).to_have_text("坐席")
    await expect(page.locator("tr[data-user=pat] td").nth(1)).to_have_text("排班员")
    await expect(page.locator("#locked-count")).to_have_text("0 个已锁定")
    await expect(page.locator("#add-user [name=role] option[value=qa]")).to_have_text("质检员")
    await shot(page, artifacts / "i18n-plan-users.png")
    await _no_english(page)

    await page.goto(f"{server.url}/admin/agents")
    await page.locator("tr[data-agent=a1] [data-action=edit]").click()
    await expect(page.locator("#editor-title")).to_have_text("坐席 a1")
    await expect(page.locator("tr[data-agent=a1]")).to_contain_text("启用")
    await expect(page.locator("#agent-form button[type=submit]")).to_have_text("保存坐席")
    await shot(page, artifacts / "i18n-plan-agents.png")
    await _no_english(page)

    await page.goto(f"{server.url}/admin/queues")
    await page.locator("tr[data-queue=support] [data-action=edit]").click()
    await expect(page.locator("#editor-title")).to_have_text("队列 support")
    await expect(page.locator("tr[data-queue=support]")).to_contain_text("30 秒内接起 80%")
    await expect(page.locator("#strategy option[value=longest_idle]")).to_have_text("空闲最久优先")
    await page.click("#add-step")
    await expect(page.locator("#steps input").first).to_have_attribute("placeholder", "秒")
    await shot(page, artifacts / "i18n-plan-queues.png")
    await _no_english(page)

    await page.goto(f"{server.url}/admin/teams")
    await expect(page.locator("tr[data-team=t2]")).to_contain_text("陈杰")  # loaded
    await page.click("#new-team")
    await expect(page.locator("#editor-title")).to_have_text("新建班组")
    await page.locator("#team-form [name=name]").fill("t3")
    await page.locator('#team-form [name=agent][value="a1"]').check()
    await page.locator('#team-form [name=agent][value="a2"]').check()
    await page.locator("#team-form button[type=submit]").click()
    await expect(page.locator("#toast")).to_have_text("已保存班组 t3")
    await expect(page.locator("tr[data-team=t3]")).to_contain_text("王丽, 李波")
    await expect(page.locator("#editor-title")).to_have_text("班组 t3")
    await expect(page.locator("#changes li[data-id=t3]")).to_contain_text("修改班组")
    await shot(page, artifacts / "i18n-plan-teams.png")
    await _no_english(page)
    no_js_errors(page)
