"""The planner's API end to end: upload a history, forecast for a target, solve a roster in a
child process with progress, move a shift (coverage follows), export, publish, and the agent's
published shifts; bad input names the field."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import datetime, timedelta

import aiohttp
import pytest
from callcenter_testkit.history import history_csv
from callcenter_testkit.webtools import Login

pytestmark = pytest.mark.timeout(180)


async def upload(s: aiohttp.ClientSession, text: str) -> aiohttp.ClientResponse:
    return await s.put(
        "/api/planner/history", data=text.encode(), headers={"Content-Type": "text/csv"}
    )


async def wait_job(s: aiohttp.ClientSession, job_id: str) -> dict:
    while True:
        async with s.get(f"/api/planner/jobs/{job_id}") as r:
            job = await r.json()
        if job["status"] != "running":
            return job
        await asyncio.sleep(0.5)


async def test_upload_forecast_and_target(login: Login) -> None:
    pat = await login("pat")
    async with await upload(pat, history_csv(3)) as r:
        assert r.status == 200, await r.text()
        info = await r.json()
    assert info["interval_min"] == 30 and info["days"] == 21
    async with pat.get("/api/planner/forecast", params={"service_level_pct": "80"}) as r:
        assert r.status == 200, await r.text()
        low = await r.json()
    async with pat.get(
        "/api/planner/forecast", params={"service_level_pct": "95", "shrinkage_pct": "40"}
    ) as r:
        high = await r.json()
    assert len(low["starts"]) == 7 * 48
    assert low["wape_pct"] is not None and low["wape_pct"] < 15
    # a stricter target and more shrinkage never need fewer agents, and here need more
    assert all(
        h >= lo for h, lo in zip(high["scheduled_agents"], low["scheduled_agents"], strict=True)
    )
    assert sum(high["scheduled_agents"]) > sum(low["scheduled_agents"])
    # the forecast week starts at a local midnight right after the history
    assert datetime.fromisoformat(low["starts"][0]).hour == 0


@pytest.mark.parametrize(
    "text, field",
    [
        ("interval_start,calls,aht_s\n2026-11-02T00:00:00+08:00,x,300\n", "calls"),
        ("interval_start,calls\n", "aht_s"),
        ("interval_start,calls,aht_s\n2026-11-02T00:00:00,1,300\n", "interval_start"),
    ],
)
async def test_bad_history_names_the_field(login: Login, text: str, field: str) -> None:
    pat = await login("pat")
    async with await upload(pat, text) as r:
        assert r.status == 422
        assert (await r.json())["field"] == field


async def test_short_history_names_the_field(login: Login) -> None:
    pat = await login("pat")
    async with await upload(pat, history_csv(1)) as r:
        assert r.status == 422
        assert (await r.json())["field"] == "interval_start"


async def test_bad_target_names_the_field(login: Login) -> None:
    pat = await login("pat")
    await (await upload(pat, history_csv(3))).release()
    async with pat.get("/api/planner/forecast", params={"shrinkage_pct": "95"}) as r:
        assert r.status == 422
        assert (await r.json())["field"] == "shrinkage_pct"


async def test_roster_solve_move_publish_and_agent_sees_shifts(login: Login) -> None:
    pat, alice = await login("pat"), await login("alice")
    await (await upload(pat, history_csv(3))).release()
    async with pat.post("/api/planner/rosters", json={"time_limit_s": 8}) as r:
        assert r.status == 202, await r.text()
        job = await r.json()
    job = await wait_job(pat, job["job_id"])
    assert job["status"] == "done", job
    rid = job["roster_id"]
    async with pat.get(f"/api/planner/rosters/{rid}") as r:
        roster = await r.json()
    assert len(roster["agents"]) >= 40
    assert len(roster["coverage"]) == len(roster["required"]) == 7 * 48
    agent = next(a for a in roster["agents"] if a["agent_id"] == "a1")
    shift = next(x for x in agent["activities"] if x["activity"] == "shift")
    start = datetime.fromisoformat(shift["start_at"])
    end = datetime.fromisoformat(shift["end_at"])

    move = {
        "agent_id": "a1",
        "shift_start_at": shift["start_at"],
        "start_at": (start + timedelta(hours=1)).isoformat(),
        "end_at": (end + timedelta(hours=1)).isoformat(),
    }
    async with pat.post(f"/api/planner/rosters/{rid}/moves", json=move) as r:
        assert r.status == 200, await r.text()
        moved = await r.json()
    i0 = int((start - datetime.fromisoformat(roster["first_interval_at"])).total_seconds() // 1800)
    # the first slot lost this agent, the slot after the old end gained one
    assert moved["coverage"][i0] == pytest.approx(roster["coverage"][i0] - 1)
    i1 = i0 + int((end - start).total_seconds() // 1800)
    assert moved["coverage"][i1] == pytest.approx(roster["coverage"][i1] + 1)

    async with pat.get(f"/api/planner/rosters/{rid}/export") as r:
        rows = list(csv.DictReader(io.StringIO(await r.text())))
    assert {"agent_id", "activity", "start", "end"} <= rows[0].keys()
    assert any(
        x["agent_id"] == "a1" and datetime.fromisoformat(x["start"]) == start + timedelta(hours=1)
        for x in rows
    )
    assert rows[0]["start"].endswith("+00:00")  # the centre's time zone (settings: UTC)

    async with alice.get(
        "/api/agent/shifts",
        params={"week_start": str(start.date() - timedelta(days=start.weekday()))},
    ) as r:
        assert (await r.json())["activities"] == []  # not published yet
    async with pat.post(f"/api/planner/rosters/{rid}/publish") as r:
        assert r.status == 200 and (await r.json())["published"] is True
    async with alice.get(
        "/api/agent/shifts",
        params={"week_start": str(start.date() - timedelta(days=start.weekday()))},
    ) as r:
        mine = (await r.json())["activities"]
    assert any(
        x["activity"] == "shift"
        and datetime.fromisoformat(x["start_at"]) == start + timedelta(hours=1)
        for x in mine
    )


async def test_bad_move_names_the_field(login: Login) -> None:
    pat = await login("pat")
    await (await upload(pat, history_csv(3))).release()
    async with pat.post("/api/planner/rosters", json={"time_limit_s": 5}) as r:
        job = await r.json()
    job = await wait_job(pat, job["job_id"])
    rid = job["roster_id"]
    async with pat.get(f"/api/planner/rosters/{rid}") as r:
        roster = await r.json()
    a = roster["agents"][0]
    shift = next(x for x in a["activities"] if x["activity"] == "shift")
    body = {
        "agent_id": a["agent_id"],
        "shift_start_at": shift["start_at"],
        "start_at": shift["end_at"],
        "end_at": shift["start_at"],
    }
    async with pat.post(f"/api/planner/rosters/{rid}/moves", json=body) as r:
        assert r.status == 422
        assert (await r.json())["field"] == "end"
    body = {**body, "start_at": "2026-11-16T08:00:00", "end_at": "2026-11-16T16:00:00"}
    async with pat.post(f"/api/planner/rosters/{rid}/moves", json=body) as r:
        assert r.status == 422
        assert (await r.json())["field"] == "start_at"
