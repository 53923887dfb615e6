"""Shift requests over the API on SQLite and PostgreSQL: an agent asks for time off and a swap;
the planner sees the check, refuses one, approves the other (the roster changes, the agent
sees it), and an approval that breaks a labour rule is refused naming it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from callcenter_testkit.webtools import Login

from kernel.runtime import Runtime
from workforce.planner_store import publish_roster, save_planned_roster

pytestmark = pytest.mark.timeout(120)
MON = datetime(2026, 12, 14, tzinfo=UTC)


@pytest.fixture
def web_db(db_url: str) -> str:
    return db_url


def shift(agent: str, d: int, start_h: int) -> list[tuple]:
    s = pd.Timestamp(MON + timedelta(days=d, hours=start_h))
    return [
        (agent, "shift", s, s + pd.Timedelta(hours=8)),
        (agent, "break", s + pd.Timedelta(hours=2), s + pd.Timedelta(hours=2, minutes=15)),
    ]


async def published_roster(rt: Runtime) -> int:
    rows = shift("a1", 0, 8) + shift("a1", 1, 8) + shift("a2", 0, 14) + shift("a2", 2, 8)
    frame = pd.DataFrame(rows, columns=["agent_id", "activity", "start", "end"])
    required = pd.Series(1.0, index=pd.date_range(MON, periods=7 * 48, freq="30min"))
    rid = await save_planned_roster(
        rt.engine,
        frame,
        required,
        by="pat",
        now=MON,
        settings={"weekly_hours_max": 40},
        figures={},
    )
    await publish_roster(rt.engine, rid, MON)
    return rid


async def test_time_off_and_swap_requests(login: Login, web_rt: Runtime) -> None:
    rid = await published_roster(web_rt)
    alice, bob, pat = await login("alice"), await login("bob"), await login("pat")
    tue = (MON + timedelta(days=1, hours=8)).isoformat()
    async with alice.post(
        "/api/agent/shift-requests",
        json={"kind": "time_off", "shift_start_at": tue, "reason": "dentist"},
    ) as r:
        assert r.status == 201, await r.text()
    mon = (MON + timedelta(hours=8)).isoformat()
    async with alice.get("/api/agent/swap-options", params={"shift_start_at": mon}) as r:
        options = await r.json()
    bob_opt = next(c for c in options["colleagues"] if c["agent_id"] == "a2")
    assert len(bob_opt["shifts"]) == 2
    # a2 taking a1's Monday would overlap a2's own Monday shift
    async with alice.post(
        "/api/agent/shift-requests",
        json={"kind": "swap", "shift_start_at": mon, "with_agent_id": "a2"},
    ) as r:
        assert r.status == 201, await r.text()
    async with alice.post(
        "/api/agent/shift-requests", json={"kind": "time_off", "shift_start_at": MON.isoformat()}
    ) as r:
        assert r.status == 422 and (await r.json())["field"] == "shift_start_at"

    async with pat.get("/api/planner/shift-requests") as r:
        reqs = (await r.json())["requests"]
    swap_req, off_req = reqs  # newest first
    assert off_req["check"]["allowed"] and off_req["reason"] == "dentist"
    assert off_req["check"]["short_after_h"] > off_req["check"]["short_before_h"]
    assert not swap_req["check"]["allowed"]
    assert swap_req["check"]["rule_breaks"] == ["a2: shifts overlap at Mon 14 Dec 14:00"]
    async with pat.post(
        f"/api/planner/shift-requests/{swap_req['request_id']}/decision", json={"approve": True}
    ) as r:
        assert r.status == 422
        err = await r.json()
    assert err["field"] == "approve" and "shifts overlap" in err["message"]
    async with pat.post(
        f"/api/planner/shift-requests/{swap_req['request_id']}/decision", json={"approve": False}
    ) as r:
        assert r.status == 200 and (await r.json())["status"] == "refused"
    async with pat.post(
        f"/api/planner/shift-requests/{off_req['request_id']}/decision", json={"approve": True}
    ) as r:
        assert r.status == 200, await r.text()
        done = await r.json()
    assert done["status"] == "approved" and done["check"]["text"].startswith("Labour rules hold")
    async with pat.post(
        f"/api/planner/shift-requests/{off_req['request_id']}/decision", json={"approve": True}
    ) as r:
        assert r.status == 422 and "already approved" in (await r.json())["message"]

    async with pat.get(f"/api/planner/rosters/{rid}") as r:
        roster = await r.json()
    a1 = next(a for a in roster["agents"] if a["agent_id"] == "a1")
    assert [x["start_at"][:10] for x in a1["activities"] if x["activity"] == "shift"] == [
        "2026-12-14"
    ]
    async with alice.get("/api/agent/shifts", params={"week_start": "2026-12-14"}) as r:
        mine = (await r.json())["activities"]
    starts = [datetime.fromisoformat(x["start_at"]) for x in mine if x["activity"] == "shift"]
    assert starts == [MON + timedelta(hours=8)]  # Tuesday's shift is gone
    async with bob.get("/api/agent/shift-requests") as r:
        assert [x["status"] for x in (await r.json())["requests"]] == ["refused"]  # asked of bob
