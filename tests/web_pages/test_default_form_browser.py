"""The QA page of a zh_CN centre scores with the Chinese default form (呼叫中心质量控制): its
sections are shown, and failing the critical item 泄露客户信息 (``compliance.privacy``) makes the
evaluation 0; screenshot in tests/artifacts/ (a zh-CN browser)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from callcenter_testkit.browsing import shot, sign_in
from callcenter_testkit.webtools import Server, handled_call, web_settings
from playwright.async_api import Browser, expect

from kernel.runtime import Runtime
from kernel.settings import Settings
from qa.periods import parse_period
from store.models.core import Call


@pytest.fixture
def settings(prefix: str) -> Settings:
    return web_settings(prefix).model_copy(update={"locale": "zh_CN"})


async def test_a_chinese_centre_evaluates_with_the_chinese_form(
    browser: Browser, server: Server, web_rt: Runtime, artifacts: Path
) -> None:
    qa = await sign_in(browser, server, "quinn", "/qa", locale="zh-CN")
    week = await qa.input_value('#filters input[name="week"]')
    period = parse_period(week, web_rt.settings.timezone)
    at = (
        period.start_at
        + max(min(datetime.now(UTC), period.end_at) - period.start_at, timedelta(0)) / 2
    )
    async with web_rt.engine.begin() as conn:
        await conn.execute(Call.__table__.insert(), [handled_call("c-zh-1", "a1", at)])
    await qa.click("#draw")
    row = qa.locator("#samples tr[data-call]").first
    await expect(row).to_be_visible()
    await row.click()
    await expect(qa.locator(".qa-item").first).to_be_visible()
    page_text = await qa.locator("body").inner_text()
    for section in ("开场白与问候", "身份核实", "倾听与理解", "解决方案", "服务用语规范", "结束语"):
        assert section in page_text, section
    privacy = qa.locator('.qa-item[data-item="compliance.privacy"]')
    await expect(privacy).to_contain_text("泄露客户信息")
    for label in await qa.locator(
        '.qa-item label:has(input[value="yes"]), .qa-item label.scale:last-of-type'
    ).all():
        await label.click()
    await privacy.locator('label:has(input[value="no"])').click()
    await qa.fill("#comment", "向未核实身份的来电者透露了客户的手机号码。")
    await shot(qa, artifacts / "qa-evaluate-default-form-zh_CN.png")
    await qa.click("#submit")
    await expect(qa.locator("#score")).to_have_text("0")
    await expect(qa.locator("#critical")).to_contain_text("未泄露客户信息")
