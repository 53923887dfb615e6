"""Roster solves run outside the event loop: while a 200-agent roster is being solved the
application keeps answering, and cancelling stops the solver's process."""

from __future__ import annotations

import asyncio

import psutil
import pytest
from callcenter_testkit.history import history_csv
from callcenter_testkit.webtools import Login, Server

pytestmark = pytest.mark.timeout(240)


def solver_processes() -> list[psutil.Process]:
    """Children of this process that run the spawned solver."""
    out = []
    for p in psutil.Process().children(recursive=True):
        try:
            if any("spawn_main" in part for part in p.cmdline()):
                out.append(p)
        except psutil.NoSuchProcess:
            continue
    return out


@pytest.mark.agents(200)
async def test_page_answers_while_200_agents_are_solved_and_cancel_stops_the_solver(
    login: Login, server: Server
) -> None:
    pat = await login("pat")
    await (
        await pat.put(
            "/api/planner/history",
            data=history_csv(3, scale=3.3).encode(),
            headers={"Content-Type": "text/csv"},
        )
    ).release()
    async with pat.post("/api/planner/rosters", json={"time_limit_s": 300}) as r:
        assert r.status == 202, await r.text()
        job = await r.json()
    assert job["agents"] == 200
    # wait until HiGHS is working in its own process
    while not solver_processes():  # noqa: ASYNC110 - polling another process
        await asyncio.sleep(0.1)
    while True:  # until HiGHS reports progress: the solver is really working
        async with pat.get(f"/api/planner/jobs/{job['job_id']}") as r:
            if (await r.json())["best_objective"] is not None:
                break
        await asyncio.sleep(0.1)
    procs = solver_processes()

    # the event loop is free: pages, the forecast and the job's progress all answer meanwhile
    answered = 0
    for _ in range(10):
        for path in ("/planner", f"/api/planner/jobs/{job['job_id']}", "/api/planner/rosters"):
            async with pat.get(path) as r:
                assert r.status == 200
                answered += 1
    async with pat.get("/api/planner/forecast") as r:
        assert r.status == 200
    async with pat.get(f"/api/planner/jobs/{job['job_id']}") as r:
        state = await r.json()
    assert state["status"] == "running", "all requests were answered while the solver ran"
    assert answered == 30

    # a second solve is refused while one runs (the machine has few cores)
    async with pat.post("/api/planner/rosters", json={"time_limit_s": 10}) as r:
        assert r.status == 409
        assert (await r.json())["field"] == "job"

    async with pat.post(f"/api/planner/jobs/{job['job_id']}/cancel") as r:
        assert r.status == 200
    while True:
        async with pat.get(f"/api/planner/jobs/{job['job_id']}") as r:
            state = await r.json()
        if state["status"] != "running" and not any(
            p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in procs
        ):
            break
        await asyncio.sleep(0.2)
    assert state["status"] == "cancelled"
    assert state["roster_id"] is None
    for p in procs:
        assert not p.is_running() or p.status() == psutil.STATUS_ZOMBIE
    assert solver_processes() == []
