"""The supervisors' live pages and reports in zh_CN in Chromium (CJK fonts: Debian's
fonts-noto-cjk, installed by scripts/test-prereqs.sh), against the real application, router and
Redis: the wallboard with agents (one ready, two not ready for a reason) and two waiting callers
(one waiting five minutes, one in a queue nobody works: both alerts), the monitoring indicator,
the kiosk view, and the Reports page drawing a known day. The catalog's Chinese, 24-hour times
and 2026年12月7日 dates are asserted; the header stays one line at 1400 px in both languages and
folds on a narrow screen. Screenshots: tests/artifacts/i18n-wall-*.png."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from callcenter_testkit.browsing import chinese_page, no_js_errors, shot, sign_in_on
from callcenter_testkit.report_day import known_day
from callcenter_testkit.webtools import Server, web_settings
from playwright.async_api import Browser, Page, expect

from kernel.runtime import Runtime
from kernel.settings import Settings
from queueing.actions import AgentActions
from queueing.routing import Routing
from store.writer import write_events

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

HH_MM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


@pytest.fixture
def settings(prefix: str) -> Settings:
    """Sales needs level 3 for its first 600 s: Chen Jie (sales 2) is ready, yet its caller waits."""
    data = web_settings(prefix, timezone="Asia/Shanghai").model_dump()
    data["queues"][0]["skills"] = {"sales": 3}
    data["queues"][0]["escalation"] = [{"after": 600, "min_level": 1}]
    return Settings.model_validate(data)


async def _floor(router: Routing) -> None:
    """Alice at lunch, Bob on a break, Chen Jie ready; a caller in sales for five minutes and
    one in support, which nobody works now."""
    actions = AgentActions(router)
    for agent, reason in (("a1", "lunch"), ("a2", "break"), ("a3", None)):
        await actions.login(agent, ready=reason is None)
        if reason:
            await actions.not_ready(agent, reason)
    now = router.now_ms()
    for call, queue, since_ms in (("c-sales", "sales", 300_000), ("c-support", "support", 5_000)):
        op = {"op": "arrive", "call": call, "queue": queue, "prio": 0, "ts": now - since_ms}
        caller = {"caller": "+8613800000101", "tier": "ordinary"}
        await router.run(router.settings.routing.domain, "events", [{**op, **caller}], now)


async def _one_line_header(page: Page) -> None:
    """The bar is one row (the menu folded behind its button below 1600 px): brand, menu button,
    clock, live status, user, sign-out and language switch, none broken over two lines."""
    bar = await page.locator("header.topbar").bounding_box()
    assert bar is not None and bar["height"] < 64, bar
    boxes = await page.evaluate(
        """() => [...document.querySelectorAll('.topbar > *, .topbar-right > *')]
             .filter((e) => e.offsetParent !== null)
             .map((e) => { const r = e.getBoundingClientRect(); return [e.className, r.top, r.height]; })"""
    )
    assert len(boxes) >= 4, boxes
    mids = [top + height / 2 for _, top, height in boxes]
    assert max(mids) - min(mids) < 8, boxes  # one row
    assert all(height < 48 for _, _, height in boxes), boxes  # one line each


async def test_wallboard_in_chinese(
    browser: Browser, server: Server, router: Routing, artifacts: Path
) -> None:
    await _floor(router)
    page = await sign_in_on(await chinese_page(browser, 1400, 900), server, "sue", "/wallboard")
    await expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
    await expect(page.locator("#live-status .label")).to_have_text("实时")
    await expect(page.locator(".total-label")).to_have_text(
        ["排队中", "最长等待", "今日服务水平", "今日放弃率", "示闲", "通话中", "话后处理", "示忙"]
    )
    await expect(page.locator("#t-waiting")).to_have_text("2")
    await expect(page.locator("#t-not_ready")).to_have_text("2")
    # the alerts, worded on the page from their kinds
    alerts = page.locator("#alerts")
    await expect(alerts).to_contain_text("最长等待 5:")
    await expect(alerts).to_contain_text("有来电排队，但无坐席在岗")
    sales = page.locator('article.queue[data-queue="sales"]')
    await expect(sales.locator(".qf-label")).to_contain_text(["排队中", "最长等待"])
    await expect(sales.locator(".chip")).to_have_text(
        ["0 示闲", "0 通话中", "0 话后处理", "1 示忙"]
    )
    # the waiting list
    waiting = page.locator("#waiting-body tr")
    await expect(waiting).to_have_count(2)
    first = waiting.first
    await expect(first.locator("td.w-tier, td.callback")).to_have_text(["普通", "否"])
    await expect(first.locator("button[data-act]")).to_have_text(["回拨", "分配", "转移"])
    await expect(page.locator("#waiting-count")).to_have_text("2 人排队中")
    await first.locator('button[data-act="route"]').click()
    await expect(first.locator('.w-action[data-act="route"] .w-error')).to_have_text(
        "请选择一名示闲坐席"
    )
    # the agents: states and reasons as labels, queue names, buttons
    alice = page.locator('#agents-body tr[data-agent="a1"]')
    await expect(alice.locator(".state-pill")).to_have_text("示忙")
    await expect(alice.locator(".reason")).to_have_text("午餐")
    await expect(page.locator('#agents-body tr[data-agent="a2"] .reason')).to_have_text("小休")
    await expect(page.locator('#agents-body tr[data-agent="a3"] .state-pill')).to_have_text("示闲")
    await expect(alice.locator('button[data-act="logout"]')).to_have_text("强制退出")
    await expect(page.locator("#agent-count")).to_have_text("共 3 名坐席")
    await expect(page.locator(".agents thead th")).to_have_text(
        ["坐席", "状态", "原因", "时长", "通话", "队列", "操作"]
    )
    assert HH_MM.match(await page.locator("#clock").inner_text())
    # the monitoring indicator, as a spy that was asked for shows it
    await page.evaluate(
        """async () => (await import("/static/js/wallboard/monitoring.js"))
             .monitorRequested("call-0000-1234abcd", "a3", "listen")"""
    )
    await expect(page.locator("#monitoring .monitor-text")).to_have_text(
        "正在开始监听：您的话机正在振铃 · 坐席 a3 · 通话 1234abcd"
    )
    await expect(page.locator("#monitoring button")).to_have_text("停止")
    # the day chart: legend and axes from the catalog
    chart = page.locator("#day-chart")
    await expect(chart.locator(".legendtext")).to_have_text(
        ["呼入量", "接听", "放弃", "服务水平 %"]
    )
    await expect(chart.locator(".ytitle").first).to_have_text("通话量")
    await shot(page, artifacts / "i18n-wall-wallboard.png")
    await _one_line_header(page)
    await page.click("#nav-toggle")  # the folded menu opens below the bar
    await expect(page.locator("#main-nav a.on")).to_have_text("监控大屏")
    await page.click("#nav-toggle")
    await expect(page.locator("#main-nav")).to_be_hidden()

    # the same page in English keeps its one-line header; a narrow screen folds the bar
    await page.click("#lang-en")
    await expect(page.locator(".total-label").first).to_have_text("waiting")
    await expect(alerts).to_contain_text("calls waiting, no agent working")
    await _one_line_header(page)
    await shot(page, artifacts / "i18n-wall-wallboard-en.png")
    await page.click("#lang-zh_CN")
    await page.set_viewport_size({"width": 700, "height": 900})
    await expect(page.locator("#nav-toggle")).to_be_visible()
    overflow = await page.evaluate("document.documentElement.scrollWidth - innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than a 700px screen"
    await page.screenshot(path=artifacts / "i18n-wall-wallboard-narrow.png")
    no_js_errors(page)


async def test_kiosk_in_chinese(
    browser: Browser, server: Server, router: Routing, artifacts: Path
) -> None:
    await _floor(router)
    page = await sign_in_on(await chinese_page(browser, 1600, 900), server, "sue", "/kiosk")
    await expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
    await expect(page.locator(".kiosk-totals span")).to_have_text(
        ["排队中", "最长等待", "今日服务水平", "今日放弃率", "当前时间"]
    )
    support = page.locator('.kiosk-queue[data-queue="support"]')
    await expect(support.locator("span")).to_have_text(
        ["排队中", "最长等待", "今日服务水平", "示闲", "通话中"]
    )
    await expect(support.locator(".k-q-alert")).to_have_text("有来电排队，但无坐席在岗")
    assert HH_MM.match(await page.locator("#k-clock").inner_text())
    await expect(page.locator("#kiosk-chart .legendtext")).to_have_count(4)
    await page.wait_for_timeout(500)  # the chart finishes drawing for the screenshot
    await shot(page, artifacts / "i18n-wall-kiosk.png")
    no_js_errors(page)


async def test_reports_in_chinese(
    browser: Browser, server: Server, web_rt: Runtime, artifacts: Path
) -> None:
    async with web_rt.engine.begin() as conn:
        await write_events(conn, known_day())
    page = await sign_in_on(await chinese_page(browser, 1400, 900), server, "sue", "/reports")
    await expect(page.locator("h1")).to_have_text("报表")
    await expect(page.locator(".eyebrow")).to_have_text("客服主管 · 按 Asia/Shanghai 时区计日")
    await expect(page.locator("#kind option")).to_have_text(["分时段", "队列", "坐席", "处理结果"])
    await page.fill("#from", "2026-12-07")
    await page.fill("#to", "2026-12-07")
    await page.select_option("#interval", "60")
    await expect(page.locator("#interval option")).to_have_text(["15 分钟", "30 分钟", "60 分钟"])
    await page.click("#report-form button")
    await expect(page.locator("#table-title")).to_contain_text("2026年12月7日")
    await expect(page.locator("#chart-a-title")).to_have_text("各时段各队列呼入量（阴影：无数据）")
    offered = page.locator('#report-table th[data-col="offered"]')
    await expect(offered).to_have_text("呼入量")
    await expect(offered).to_have_attribute("data-col", "offered")  # the CSV / XLSX column
    row = page.locator("#report-table tr", has_text="2026年12月7日 09:00").filter(has_text="Sales")
    await expect(row.locator("td").nth(2)).to_have_text("6")
    legend = page.locator("#chart-a .legendtext")
    await expect(legend.filter(has_text="Technical support")).to_have_count(1)  # names, not ids
    assert "interval_min=60" in str(await page.locator("#csv").get_attribute("href"))
    await page.wait_for_timeout(500)  # the charts finish drawing for the screenshot
    await _one_line_header(page)
    assert await page.evaluate(
        "document.documentElement.scrollWidth <= innerWidth"
    )  # the table scrolls in its card
    await shot(page, artifacts / "i18n-wall-reports.png")

    await page.select_option("#kind", "agents")
    await expect(page.locator("body")).to_have_attribute("data-report", "agents")
    await expect(page.locator("#chart-a-title")).to_have_text("各状态时长（小时）")
    await expect(page.locator("#report-table td", has_text="午餐").first).to_be_visible()
    await expect(page.locator("#chart-a .legendtext").first).not_to_have_text(re.compile("_"))
    await shot(page, artifacts / "i18n-wall-reports-agents.png")
    no_js_errors(page)
