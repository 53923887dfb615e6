"""The agent's desk shows today's post-call survey apart from the return visits' form, on SQLite
and PostgreSQL: ``today.surveyed`` and ``today.csat_pct`` of ``GET /api/agent``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from callcenter_testkit.webtools import Login, handled_call

from kernel.runtime import Runtime
from store.models.core import Call


@pytest.fixture
def web_db(db_url: str) -> str:
    """The web tests' runtime on the parametrized database (SQLite and PostgreSQL)."""
    return db_url


async def test_today_shows_the_share_of_surveyed_calls_scored_4_or_5(
    login: Login, web_rt: Runtime
) -> None:
    now = datetime.now(UTC)
    today = now - timedelta(seconds=60)
    rows = [
        # a1 today: 5 and 2 count; no key pressed is no score
        handled_call("s-1", "a1", today, survey_score=5, survey_reason="answered"),
        handled_call("s-2", "a1", today, survey_score=2, survey_reason="answered"),
        handled_call("s-3", "a1", today, survey_score=None, survey_reason="no_answer"),
        handled_call("s-4", "a1", today, survey_score=None, survey_reason=None),  # not surveyed
        # not a1's today: yesterday's, another agent's
        handled_call(
            "s-5", "a1", now - timedelta(days=2), survey_score=1, survey_reason="answered"
        ),
        handled_call("s-6", "a2", today, survey_score=1, survey_reason="answered"),
    ]
    async with web_rt.engine.begin() as conn:
        await conn.execute(Call.__table__.insert(), rows)
    alice = await login("alice")
    async with alice.get("/api/agent") as r:
        assert r.status == 200, await r.text()
        figures = (await r.json())["today"]
    assert figures["calls"] == 4
    assert (figures["surveyed"], figures["csat_pct"]) == (2, 50.0)


async def test_no_survey_today_is_no_figure(login: Login, web_rt: Runtime) -> None:
    alice = await login("alice")
    async with alice.get("/api/agent") as r:
        figures = (await r.json())["today"]
    assert (figures["surveyed"], figures["csat_pct"]) == (0, None)
