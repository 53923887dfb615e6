"""Web tests: the test kit's web fixtures (``callcenter_testkit.web_fixtures``) with the web
tests' settings (three agents, the test's Redis prefix), and Debian's Chromium for the page
tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from callcenter_testkit.webtools import web_settings
from playwright.async_api import Browser, async_playwright

from kernel.settings import Settings


@pytest.fixture
def settings(prefix: str) -> Settings:
    return web_settings(prefix)


CHROMIUM = "/usr/bin/chromium"
HAVE_CHROMIUM = Path(CHROMIUM).exists()


@pytest.fixture
def chromium_args() -> list[str]:
    """Chromium's command line; a test module overrides it (e.g. the autoplay policy)."""
    return ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture
async def browser(chromium_args: list[str]) -> AsyncIterator[Browser]:
    if not HAVE_CHROMIUM:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    async with async_playwright() as pw:
        b = await pw.chromium.launch(executable_path=CHROMIUM, args=chromium_args)
        try:
            yield b
        finally:
            await b.close()
