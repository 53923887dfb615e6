"""The agent's desk in Chromium shows today's post-call survey figure ("caller survey 4-5") beside
its other figures: 2 of 3 scored calls scored 4 or 5. Screenshot in tests/artifacts/."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from callcenter_testkit.browsing import no_js_errors, shot, sign_in
from callcenter_testkit.webtools import Server, handled_call
from playwright.async_api import Browser, expect

from kernel.runtime import Runtime
from store.models.core import Call

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]


async def test_desk_shows_the_callers_survey_apart(
    browser: Browser, server: Server, web_rt: Runtime, artifacts: Path
) -> None:
    arrived = datetime.now(UTC) - timedelta(seconds=60)
    rows = [
        handled_call(f"d-{i}", "a1", arrived, survey_score=score, survey_reason="answered")
        for i, score in enumerate((5, 4, 1))
    ]
    async with web_rt.engine.begin() as conn:
        await conn.execute(Call.__table__.insert(), rows)
    page = await sign_in(browser, server, "alice", "/agent")
    await expect(page.locator("#fig-csat")).to_have_text("67%")
    await expect(page.locator("#fig-csat-label")).to_have_text("caller survey 4-5 (3)")
    await expect(page.locator("#fig-calls")).to_have_text("3")
    await shot(page, artifacts / "agent-desk-survey.png")
    no_js_errors(page)
