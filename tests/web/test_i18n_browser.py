"""The sign-in page and the navigation in zh_CN in a real browser (CJK fonts: Debian's
fonts-noto-cjk, installed by scripts/test-prereqs.sh): screenshots in
tests/artifacts/i18n-*.png; the header's switch turns the page to English and back; the pages'
JavaScript loads the same catalog (``t``) and formats in the centre's time zone (``Intl``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from callcenter_testkit.browsing import chinese_page, no_js_errors, shot
from callcenter_testkit.webtools import PASSWORD, Server
from playwright.async_api import Browser, expect

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]


async def test_sign_in_and_navigation_in_chinese(
    browser: Browser, server: Server, artifacts: Path
) -> None:
    page = await chinese_page(browser)
    await page.goto(f"{server.url}/login?next=/wallboard")
    await expect(page.locator("h1")).to_have_text("登录")
    await expect(page.locator("#sign-in")).to_have_text("登录")
    await expect(page.locator("#lang-en")).to_have_text("English")
    await shot(page, artifacts / "i18n-login-zh_CN.png")
    await page.fill("#username", "sue")
    await page.fill("#password", "wrong password")
    await page.click("#sign-in")
    await expect(page.locator("#login-error")).to_have_text("用户名或密码错误。")
    await page.fill("#password", PASSWORD)
    await page.click("#sign-in")
    await expect(page).to_have_url(re.compile(r"/wallboard$"))
    nav = page.locator("#main-nav")
    await expect(nav.locator(".nav-group-label")).to_have_text(["现场管理", "排班管理", "质检"])
    await expect(nav.locator("a.on")).to_have_text(["监控大屏"])
    await expect(page.locator(".topbar-right button[type=submit]").first).to_have_text("退出登录")
    await page.wait_for_load_state("networkidle")
    await shot(page, artifacts / "i18n-nav-zh_CN.png")
    # the pages' JavaScript: the same catalog and the centre's time zone, 24-hour
    got = await page.evaluate(
        """async () => {
          const { t } = await import("/static/js/i18n.js");
          const f = await import("/static/js/format.js");
          const at = "2026-12-07T06:05:00Z";
          return [t("Sign out"), t("Input should be less than %(lt)s", {lt: 5}),
                  f.date(at), f.time(at), f.pct(80)];
        }"""
    )
    assert got == [
        "退出登录",
        "应小于 5",
        "2026年12月7日",
        "06:05",
        "80%",
    ]  # the tests' centre: UTC
    await page.click("#lang-en")
    await expect(nav.locator("a.on")).to_have_text(["Wallboard"])
    await expect(page.locator("#lang-zh_CN")).to_have_text("中文")
    await page.click("#lang-zh_CN")
    await expect(nav.locator("a.on")).to_have_text(["监控大屏"])
    no_js_errors(page, "status of 401")  # the wrong password, on purpose
