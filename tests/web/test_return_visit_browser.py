"""A return visit on the desk of an agent who reads zh_CN: the task banner shows the
Chinese return-visit form (客户回访记录表: opening, the three questions by answer id, closing);
screenshot in tests/artifacts/. The English form is checked in test_pages.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from callcenter_testkit.browsing import shot, sign_in
from callcenter_testkit.phone_line import PhoneLine
from callcenter_testkit.return_visits import return_visit_due
from callcenter_testkit.webtools import Server, web_settings
from playwright.async_api import Browser, expect

from kernel.runtime import Runtime
from kernel.settings import Settings
from queueing.routing import Routing


@pytest.fixture
def settings(prefix: str) -> Settings:
    return web_settings(prefix).model_copy(update={"locale": "zh_CN"})


async def test_the_desk_shows_the_chinese_return_visit_form(
    browser: Browser,
    server: Server,
    router: Routing,
    phone: PhoneLine,
    web_rt: Runtime,
    artifacts: Path,
) -> None:
    async with return_visit_due(
        web_rt,
        router,
        customer_id="cust-rv-zh",
        name="李娜",
        number="+8613900002222",
        sale_id="S-2001",
        product="宽带 300M",
    ):
        page = await sign_in(browser, server, "alice", "/agent", locale="zh-CN")
        await expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
        await page.click("#btn-login")
        await page.click("#btn-ready")
        await phone.wait_command("originate")
        form = page.locator("#task-form")
        await expect(form).to_be_visible()
        await expect(form.locator("strong")).to_have_text("客户回访记录表")
        await expect(form.locator("li")).to_have_text(
            [
                "您对我们的产品和服务是否满意？",
                "请您为我们的服务打个分：1分最低，5分最高。",
                "您对我们的产品或服务还有哪些意见和建议？我们会认真改进。",
            ]
        )
        fields = await form.locator("li").evaluate_all("els => els.map((e) => e.dataset.field)")
        assert fields == ["satisfied", "score", "comment"]
        await shot(page, artifacts / "agent-return-visit-form-zh_CN.png")
