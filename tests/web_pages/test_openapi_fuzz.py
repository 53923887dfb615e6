"""The planner, QA and complaint endpoints are in the one OpenAPI document, and schemathesis,
fed with it, finds no 5xx on them (signed in as an admin, who passes every role check, and as an
agent for the agent's own endpoints)."""

from __future__ import annotations

import asyncio

import pytest
import schemathesis
from callcenter_testkit.history import history_csv
from callcenter_testkit.schema_fuzz import find_5xx
from callcenter_testkit.webtools import Login, Server

MINE = ("/api/planner/", "/api/qa/", "/api/complaints/", "/api/agent/shifts")


async def test_document_has_the_workspace_endpoints(anon, server: Server) -> None:
    async with anon.get("/api/openapi.json") as r:
        doc = await r.json()
    paths = doc["paths"]
    for path in (
        "/api/planner/forecast",
        "/api/planner/rosters",
        "/api/planner/jobs/{job_id}/cancel",
        "/api/qa/evaluations",
        "/api/qa/scorecards",
        "/api/complaints/tickets",
        "/api/agent/shifts",
    ):
        assert path in paths, path
    upload = paths["/api/planner/history"]["put"]
    assert "text/csv" in upload["requestBody"]["content"]
    move = paths["/api/planner/rosters/{roster_id}/moves"]["post"]
    ref = move["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert ref.endswith("/MoveBody")
    assert move["x-roles"] == ["admin", "planner"]


def _mine(path: str, method: str) -> bool:
    return path.startswith(MINE)


def _short_solves(case: schemathesis.Case) -> None:
    op = case.operation
    if op.path == "/api/planner/rosters" and op.method.upper() == "POST":
        if isinstance(case.body, dict):
            case.body["time_limit_s"] = 3  # keep the machine free


@pytest.mark.slow
@pytest.mark.timeout(600)
@pytest.mark.parametrize("user", ["ada", "alice"])
async def test_schemathesis_finds_no_5xx(login: Login, server: Server, user: str) -> None:
    s = await login(user)
    if user == "ada":
        await (
            await s.put(
                "/api/planner/history",
                data=history_csv(2).encode(),
                headers={"Content-Type": "text/csv"},
            )
        ).release()
    cookies = {c.key: c.value for c in s.cookie_jar}
    seen: dict[int, int] = {}
    failures = await asyncio.to_thread(
        find_5xx,
        server.url,
        cookies,
        s.headers["X-CSRF-Token"],
        max_examples=12,
        seen=seen,
        keep=_mine,
        prepare=_short_solves,
        timeout_s=30,
    )
    assert failures == [], "\n".join(failures[:20])
    assert sum(seen.values()) > 100
