"""``POST /api/qa/samples/draw`` on SQLite and PostgreSQL: a week without calls draws an empty
sample (200, nothing written, no empty bulk insert: warnings are errors), a week with calls
draws them once, and drawing it again reports the calls as already sampled."""

from __future__ import annotations

from datetime import timedelta

import pytest
from callcenter_testkit.webtools import Login, handled_call
from sqlalchemy import func, select

from kernel.runtime import Runtime
from qa.periods import parse_period
from store.models.core import Call
from store.models.qa import QaSample

WEEK = "2026-W40"


@pytest.fixture
def web_db(db_url: str) -> str:
    """The web tests' runtime on the parametrized database (SQLite and PostgreSQL)."""
    return db_url


async def _count_samples(rt: Runtime) -> int:
    async with rt.engine.connect() as conn:
        return (await conn.execute(select(func.count()).select_from(QaSample))).scalar_one()


async def test_empty_week_draws_an_empty_sample(login: Login, web_rt: Runtime) -> None:
    quinn = await login("quinn")
    async with quinn.post("/api/qa/samples/draw", json={"week": WEEK}) as r:
        assert r.status == 200, await r.text()
        assert await r.json() == {"week": WEEK, "drawn": 0, "candidates": 0, "excluded": 0}
    assert await _count_samples(web_rt) == 0
    async with quinn.get("/api/qa/samples", params={"week": WEEK}) as r:
        assert r.status == 200 and (await r.json())["samples"] == []


async def test_week_with_calls_draws_once(login: Login, web_rt: Runtime) -> None:
    start_at = parse_period(WEEK, web_rt.settings.timezone).start_at
    at = start_at + timedelta(days=1, hours=9)
    rows = [
        handled_call(f"c-draw-{i}", agent_id, at + timedelta(hours=i))
        for i, agent_id in enumerate(["a1", "a1", "a2"])
    ]
    async with web_rt.engine.begin() as conn:
        await conn.execute(Call.__table__.insert(), rows)
    quinn = await login("quinn")
    async with quinn.post("/api/qa/samples/draw", json={"week": WEEK, "per_agent": 5}) as r:
        assert r.status == 200, await r.text()
        assert await r.json() == {"week": WEEK, "drawn": 3, "candidates": 3, "excluded": 0}
    async with quinn.post("/api/qa/samples/draw", json={"week": WEEK, "per_agent": 5}) as r:
        assert r.status == 200, await r.text()
        assert await r.json() == {"week": WEEK, "drawn": 0, "candidates": 3, "excluded": 3}
    assert await _count_samples(web_rt) == 3
