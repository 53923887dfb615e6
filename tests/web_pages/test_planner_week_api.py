"""The planner's API on SQLite and PostgreSQL: the week to plan (default next week, in the
centre's time zone), an opening-hours-only history, an empty store history explained, and a
roster that cannot meet the requirement explained."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from callcenter_testkit.history import history_csv, opening_hours_only
from callcenter_testkit.webtools import Login, web_settings

from kernel.settings import Settings

pytestmark = pytest.mark.timeout(180)
TZ = "Asia/Shanghai"


@pytest.fixture
def web_db(db_url: str) -> str:
    return db_url


@pytest.fixture
def settings(prefix: str) -> Settings:
    from tests.web_pages.conftest import agent_configs

    return web_settings(prefix, agents=agent_configs(6), timezone=TZ)


async def upload(s: aiohttp.ClientSession, text: str) -> dict:
    async with s.put(
        "/api/planner/history", data=text.encode(), headers={"Content-Type": "text/csv"}
    ) as r:
        assert r.status == 200, await r.text()
        return await r.json()


async def test_week_choice_and_opening_hours_history(login: Login) -> None:
    pat = await login("pat")
    info = await upload(pat, opening_hours_only(history_csv(3)))
    assert info["days"] == 21 and info["interval_min"] == 30
    async with pat.get("/api/planner/forecast") as r:
        assert r.status == 200, await r.text()
        default = await r.json()
    today = datetime.now(UTC).astimezone(ZoneInfo(TZ)).date()
    monday = today + timedelta(days=7 - today.weekday())
    assert default["week_start"] == monday.isoformat() and default["timezone"] == TZ
    first = datetime.fromisoformat(default["starts"][0])
    assert first.date() == monday and first.hour == 0 and first.utcoffset() == timedelta(hours=8)
    async with pat.get("/api/planner/forecast", params={"week_start": "2027-01-01"}) as r:
        chosen = await r.json()
    assert chosen["week_start"] == "2026-12-28" and chosen["starts"][0].startswith("2026-12-28T00")
    assert chosen["calls"] == default["calls"]  # same weekly profile, another week
    # closed time needs nobody
    night = [a for s, a in zip(chosen["starts"], chosen["agents"], strict=True) if s[11:13] < "08"]
    assert night and not any(night)


async def test_empty_store_history_says_why(login: Login) -> None:
    pat = await login("pat")
    async with pat.get("/api/planner/forecast", params={"source": "store"}) as r:
        assert r.status == 422
        err = await r.json()
    assert err["field"] == "source" and "no inbound calls were recorded" in err["message"], err


async def test_infeasible_roster_is_explained(login: Login) -> None:
    pat = await login("pat")
    await upload(pat, opening_hours_only(history_csv(3)))
    async with pat.post(
        "/api/planner/rosters", json={"time_limit_s": 5, "week_start": "2026-12-14"}
    ) as r:
        assert r.status == 202, await r.text()
        job = await r.json()
    seen = [job]
    while job["status"] == "running":
        await asyncio.sleep(0.3)
        async with pat.get(f"/api/planner/jobs/{job['job_id']}") as r:
            job = await r.json()
        seen.append(job)
    assert job["status"] == "done", job
    # a bound is shown only when proven, and the progress is the closed gap, not the time
    assert all(j["best_bound"] is None or j["best_bound"] > 0 for j in seen)
    assert all((j["gap"] is None) == (j["progress"] is None) for j in seen)
    assert job["short_agent_h"] > 0 and "cannot meet the requirement" in job["message"]
    assert "6 agents at most 40 h each" in job["message"]
    async with pat.get(f"/api/planner/rosters/{job['roster_id']}") as r:
        roster = await r.json()
    assert roster["name"] == "Week of 2026-12-14" and roster["timezone"] == TZ
    assert roster["first_interval_at"].startswith("2026-12-14T00:00:00+08:00")
    assert not roster["meets_requirement"] and roster["short_intervals"]
    assert roster["explanation"] == job["message"]
    short_h = sum(x["short"] for x in roster["short_intervals"]) * 0.5
    assert short_h == pytest.approx(roster["under_agent_h"], abs=0.1)
    assert job["short_agent_h"] == pytest.approx(roster["under_agent_h"], abs=0.1)
