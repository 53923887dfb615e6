"""The agent's desk in zh_CN in Chromium (issue 21): idle, a call ringing, connected, the wrap-up,
the customer card opened from the screen pop, and the supervisors' scripts editor. Each page's
labels come from the catalog (templates and JavaScript), the machine ids stay (``data-state``),
and no English catalog string is left on the page. ``PhoneLine`` plays the bridge; the router,
Redis and the application are real. Screenshots: tests/artifacts/i18n-desk-*.png."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po
from callcenter_testkit.browsing import no_js_errors, shot, sign_in
from callcenter_testkit.customer_history import customer_with_history
from callcenter_testkit.webtools import Server, web_settings
from playwright.async_api import Browser, Page, expect

from customers.records import CustomerRecord
from kernel.runtime import Runtime
from kernel.settings import Settings
from queueing.routing import Routing
from store.writer import StoreWriter
from web.i18n.catalog import LOCALE_DIR

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

PHONE = "+8613812345678"


@pytest.fixture
def settings(prefix: str) -> Settings:
    """The web tests' centre with Chinese names, and Alice on the browser phone (its panel is
    part of her desk; no PBX here, so it says so and the desk's own Answer button answers)."""
    data = web_settings(prefix).model_dump()
    for queue, name in zip(data["queues"], ["销售热线", "技术支持", "投诉热线"], strict=True):
        queue["name"] = name
    for agent, name in zip(data["agents"], ["王丽", "李博", "陈杰"], strict=True):
        agent["name"] = name
    data["agents"][0]["phone"] = "webrtc"
    return Settings.model_validate(data)


def english_msgids() -> list[re.Pattern[str]]:
    """The catalog's English texts whose Chinese differs, as whole words: none may show on a
    zh_CN page (short ids such as "no" or "vip" are left out: they match names and numbers)."""
    with (LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f)
    texts = {
        re.sub(r"%\(\w+\)s", "", str(m.id)).strip(" .·:…")
        for m in catalog
        if m.id and m.string and m.string != m.id and isinstance(m.id, str)
    }
    words = (t for t in texts if len(re.sub(r"[^A-Za-z]", "", t)) >= 4)
    return [re.compile(rf"(?<![A-Za-z]){re.escape(w)}(?![A-Za-z])") for w in words]


ENGLISH = english_msgids()


async def assert_no_english(page: Page) -> None:
    """No English catalog text in what the page shows, nor in its titles, placeholders and
    accessible names. Left out: the call script's own text, what the agent says to the customer
    (data a supervisor writes; the defaults are bilingual), and ``<code>`` (a setting's name, a
    placeholder such as ``{agent}``)."""
    shown: str = await page.evaluate(
        """() => [document.title,
                  [...document.querySelectorAll("#script-card dd, #script-card li, code")]
                    .reduce((text, e) => text.replace(e.innerText, ""), document.body.innerText),
                  ...[...document.querySelectorAll("[title],[placeholder],[aria-label]")]
                    .filter((e) => e.offsetParent !== null)
                    .flatMap((e) => [e.title, e.placeholder ?? "", e.getAttribute("aria-label") ?? ""])
                 ].join("\\n")"""
    )
    left = sorted({p.pattern for p in ENGLISH if p.search(shown)})
    assert left == [], left


async def key_account(rt: Runtime) -> None:
    """张伟, a key account with an earlier call and an open service complaint."""
    record = CustomerRecord("C-8", "张伟", (PHONE,), tier="key_account", notes="上午方便接电话")
    await customer_with_history(
        rt, record, call_id="zh-old", disposition="follow_up", complaint="重复扣费"
    )


async def test_the_desk_in_chinese_idle_ringing_connected_wrap_up_and_card(
    browser: Browser,
    server: Server,
    router: Routing,
    phone: Any,
    store_writer: StoreWriter,
    web_rt: Runtime,
    artifacts: Path,
) -> None:
    await key_account(web_rt)
    page = await sign_in(browser, server, "alice", "/agent", locale="zh-CN")
    pill = page.locator("#state-pill")
    await expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
    await expect(pill).to_have_text("未签入")
    await expect(pill).to_have_attribute("data-state", "logged_out")
    await expect(page.locator("#btn-login")).to_have_text("签入")
    await page.click("#btn-login")
    await expect(pill).to_have_text("示忙")
    await expect(page.locator("#reason option")).to_have_text(["小休", "午餐", "培训", "会议"])
    await page.click("#btn-ready")
    await expect(pill).to_have_text("示闲")
    await expect(pill).to_have_attribute("data-state", "ready")
    await expect(page.locator("#message")).to_have_text("已示闲，等待来电")
    await expect(page.locator("#btn-not-ready")).to_have_text("示忙")
    await expect(page.locator("#call-empty")).to_have_text(
        "☎ 当前没有通话。点击示闲接听下一通电话。"
    )
    await expect(page.locator("#phone-state")).to_have_text("未连接交换机")
    await expect(page.locator("#btn-dial")).to_have_text("拨打")
    await shot(page, artifacts / "i18n-desk-idle.png")
    await assert_no_english(page)

    await phone.arrive("zh-1", "sales", caller=PHONE, customer_id="C-8", tier="key_account")
    await expect(page.locator("#call-card")).to_have_attribute("data-call", "offered")
    await expect(page.locator("#call-state")).to_have_text("振铃中")
    await expect(page.locator("#btn-answer")).to_have_text("接听")
    await expect(page.locator("#cust-name")).to_have_text("张伟")
    await expect(page.locator("#cust-tier")).to_have_text("大客户")
    await expect(page.locator("#call-direction")).to_have_text("来电")
    await expect(page.locator("#cust-calls")).to_contain_text("待跟进")
    await page.wait_for_function("() => document.title === '☎ 来电：销售热线'")
    await shot(page, artifacts / "i18n-desk-ringing.png")
    await assert_no_english(page)

    await phone.wait_command("connect")
    await page.click("#btn-answer")
    await phone.wait_command("answer")
    await phone.answer("zh-1")
    await expect(page.locator("#call-state")).to_have_text("通话中")
    await expect(pill).to_have_text("通话中")
    await expect(pill).to_have_attribute("data-state", "on_call")
    await expect(page.locator("#btn-hangup")).to_have_text("挂断")
    await expect(page.locator("#btn-hold")).to_have_text("保持")
    await expect(page.locator("#btn-mute")).to_have_text("静音")
    await expect(page.locator("#script-card dt")).to_have_text(["开场白", "身份核实", "结束语"])
    await expect(page.locator("#log")).to_contain_text("通话已接听")
    await page.wait_for_load_state("networkidle")
    await shot(page, artifacts / "i18n-desk-connected.png")
    await assert_no_english(page)

    async with page.context.expect_page() as opened:
        await page.click("#cust-link")
    card = await opened.value
    card.errors = page.errors  # type: ignore[attr-defined]
    await expect(card.locator("#c-name")).to_have_text("张伟")
    await expect(card.locator("#c-tier")).to_have_text("大客户")
    await expect(card.locator("#h-calls tr")).to_have_count(2)
    await expect(card.locator("#h-calls")).to_contain_text("呼入")
    await expect(card.locator("#h-calls tr").last).to_contain_text("销售热线")
    await expect(card.locator("#h-calls tr").last).to_contain_text("1:35")
    await expect(card.locator("#h-calls tr").last).to_contain_text("李博")
    await expect(card.locator("#h-calls")).to_contain_text("待跟进")
    await expect(card.locator("#h-complaints")).to_contain_text("服务投诉")
    await expect(card.locator("#h-complaints")).to_contain_text("高")
    await expect(card.locator("#h-tasks")).to_have_text("暂无回访或回拨")
    await expect(card.locator("#edit-note")).to_contain_text("您可以修改：姓名、备注。")
    await card.fill("[name=notes]", "上午方便接电话；说粤语")
    await card.click("#save")
    await expect(card.locator("#save-msg")).to_have_text("已保存：备注")
    await shot(card, artifacts / "i18n-desk-customer-card.png")
    await assert_no_english(card)

    await page.click("#btn-hangup")
    await expect(pill).to_have_text("话后处理")
    await expect(page.locator("#wrapup")).to_be_visible()
    await expect(page.locator("#call-direction")).to_have_text("通话已结束")
    await page.select_option("#disposition", "resolved")
    await page.fill("#notes", "客户咨询账单，已解释清楚")
    await page.check("#open-complaint")
    await expect(page.locator("#complaint-severity option:checked")).to_have_text("中")
    await shot(page, artifacts / "i18n-desk-wrap-up.png")
    await assert_no_english(page)
    await page.uncheck("#open-complaint")
    await page.click("#btn-wrapup")
    await expect(page.locator("#message")).to_have_text("通话小结（已解决）和备注已保存。")
    await expect(pill).to_have_text("示闲")
    await expect(page.locator("#log")).to_contain_text("话后处理已保存：已解决")
    no_js_errors(page)


async def test_the_scripts_editor_in_chinese(
    browser: Browser, server: Server, store_writer: StoreWriter, artifacts: Path
) -> None:
    sue = await sign_in(browser, server, "sue", "/scripts", locale="zh-CN")
    await expect(sue.locator("label").filter(has=sue.locator("[name=greeting]"))).to_contain_text(
        "开场白"
    )
    await expect(sue.locator("#script-state")).to_have_text("销售热线：默认话术，尚未修改过。")
    await expect(sue.locator("#save")).to_have_text("保存话术")
    await sue.locator("[name=closing]").fill("感谢您的来电，再见。")
    await sue.click("#save")
    await expect(sue.locator("#save-msg")).to_have_text("已保存：结束语")
    await expect(sue.locator("#script-state")).to_contain_text("最近由 sue 于 ")
    await shot(sue, artifacts / "i18n-desk-scripts.png")
    await assert_no_english(sue)
    no_js_errors(sue)
