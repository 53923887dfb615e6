"""Every endpoint of the planner, QA and complaint pages checks the session (401) and the role
(403) before anything else; bad input is a 4xx naming the field. Pages check roles too."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
from callcenter_testkit.webtools import Login

from complaints.lifecycle import ComplaintConfig
from complaints.tickets import open_complaint
from kernel.runtime import Runtime
from store.models.core import Call
from web.routes import endpoints

MINE = (
    "/api/planner/",
    "/api/qa/",
    "/api/complaints/",
    "/api/agent/shifts",
    "/api/agent/shift-requests",
    "/api/agent/swap-options",
)
USERS = {"agent": "alice", "supervisor": "sue", "planner": "pat", "qa": "quinn"}


def my_endpoints() -> list:
    return [ep for ep in endpoints() if ep.path.startswith(MINE)]


def concrete(path: str) -> str:
    return (
        path.replace("{roster_id}", "1")
        .replace("{job_id}", "j1")
        .replace("{evaluation_id}", "1")
        .replace("{calibration_id}", "1")
        .replace("{call_id}", "c1")
        .replace("{complaint_id}", "CMP-1")
        .replace("{request_id}", "1")
    )


def test_every_new_endpoint_is_listed() -> None:
    eps = my_endpoints()
    assert len(eps) >= 30
    assert all(ep.roles or ep.path.startswith("/api/qa/forms") for ep in eps)


async def test_anonymous_gets_401_everywhere(anon: aiohttp.ClientSession) -> None:
    for ep in my_endpoints():
        async with anon.request(ep.method, concrete(ep.path), json={}) as r:
            assert r.status == 401, (ep.method, ep.path, r.status)
            assert (await r.json())["field"] == "session"


async def test_wrong_role_gets_403_everywhere(login: Login) -> None:
    sessions = {role: await login(user) for role, user in USERS.items()}
    checked = 0
    for ep in my_endpoints():
        for role, s in sessions.items():
            if role in ep.roles:
                continue
            async with s.request(ep.method, concrete(ep.path), json={}) as r:
                assert r.status == 403, (role, ep.method, ep.path, r.status, await r.text())
                assert (await r.json())["field"] == "role"
                checked += 1
    assert checked >= 60


@pytest.mark.parametrize(
    "path, allowed, denied",
    [
        ("/planner", "pat", "sue"),
        ("/planner/rosters", "pat", "quinn"),
        ("/planner/requests", "pat", "alice"),
        ("/planner/adherence", "sue", "alice"),
        ("/agent/shifts", "alice", "pat"),
        ("/qa", "quinn", "sue"),
        ("/qa/evaluations", "alice", "pat"),
        ("/qa/calibrations", "quinn", "alice"),
        ("/qa/scorecards", "sue", "pat"),
        ("/qa/forms", "ada", "quinn"),
        ("/complaints", "sue", "quinn"),
        ("/complaints/reports", "sue", "alice"),
    ],
)
async def test_pages_check_roles(
    login: Login, anon: aiohttp.ClientSession, path: str, allowed: str, denied: str
) -> None:
    async with anon.get(path, allow_redirects=False) as r:
        assert r.status == 303 and r.headers["Location"].startswith("/login")
    s = await login(allowed)
    async with s.get(path) as r:
        assert r.status == 200
        assert '<nav class="main-nav"' in await r.text()
    s2 = await login(denied)
    async with s2.get(path) as r:
        assert r.status == 403


async def _seed_call(rt: Runtime) -> None:
    now = datetime.now(UTC)
    async with rt.engine.begin() as conn:
        await conn.execute(
            Call.__table__.insert(),
            [
                {
                    "call_id": "c1",
                    "direction": "inbound",
                    "queue_id": "support",
                    "agent_id": "a1",
                    "arrived_at": now - timedelta(hours=1),
                    "talk_s": 100.0,
                    "hold_s": 0.0,
                    "outcome": "answered",
                    "transferred": False,
                    "offers": 1,
                }
            ],
        )


async def test_qa_bad_input_names_the_field(login: Login, web_rt: Runtime) -> None:
    await _seed_call(web_rt)
    quinn, sue, alice = await login("quinn"), await login("sue"), await login("alice")
    async with quinn.get("/api/qa/calls/c1") as r:
        work = await r.json()
    fv = work["form"]["form_version_id"]
    async with quinn.post(
        "/api/qa/evaluations",
        json={"call_id": "c1", "form_version_id": fv, "answers": {"nope": "yes"}},
    ) as r:
        assert r.status == 422
        assert (await r.json())["field"].startswith("answers.")
    async with quinn.post(
        "/api/qa/evaluations",
        json={"call_id": "c1", "form_version_id": fv, "answers": {"x": "maybe"}},
    ) as r:
        assert r.status == 422
        assert (await r.json())["field"].startswith("answers")
    async with quinn.post(
        "/api/qa/evaluations", json={"call_id": "zzz", "form_version_id": fv, "answers": {}}
    ) as r:
        assert r.status == 422 and (await r.json())["field"] == "call_id"
    async with quinn.post("/api/qa/samples/draw", json={"week": "2026-W99"}) as r:
        assert r.status == 422 and (await r.json())["field"] == "week"
    async with sue.get("/api/qa/scorecards", params={"period": "2026-13"}) as r:
        assert r.status == 422 and (await r.json())["field"] == "period"
    async with alice.post("/api/qa/evaluations/1/dispute", json={"comment": ""}) as r:
        assert r.status == 422 and (await r.json())["field"] == "comment"
    async with alice.post("/api/qa/evaluations/999/acknowledge", json={}) as r:
        assert r.status == 404
    async with sue.post("/api/qa/evaluations/1/resolve", json={"resolution": "maybe"}) as r:
        assert r.status == 422 and (await r.json())["field"] == "resolution"


async def test_complaint_bad_input_names_the_field(login: Login, web_rt: Runtime) -> None:
    cid = await open_complaint(
        web_rt.engine,
        category="service",
        severity="low",
        description="x",
        now=datetime.now(UTC),
        config=ComplaintConfig.from_settings(web_rt.settings),
    )
    sue = await login("sue")
    async with sue.post(f"/api/complaints/tickets/{cid}/status", json={"status": "done"}) as r:
        assert r.status == 422 and (await r.json())["field"] == "status"
    async with sue.post(f"/api/complaints/tickets/{cid}/status", json={"status": "closed"}) as r:
        assert r.status == 409 and (await r.json())["field"] == "status"
    async with sue.post(f"/api/complaints/tickets/{cid}/assign", json={"assignee": "zz"}) as r:
        assert r.status == 422 and (await r.json())["field"] == "assignee"
    async with sue.get("/api/complaints/tickets", params={"status": "lost"}) as r:
        assert r.status == 422 and (await r.json())["field"] == "status"
    async with sue.get("/api/complaints/tickets/CMP-none") as r:
        assert r.status == 404 and (await r.json())["field"] == "complaint_id"
