"""API access rules: no session 401, wrong role 403, missing CSRF 403, bad input 4xx naming the
field, an agent acting only on its own agent and calls, sign-in throttling."""

from __future__ import annotations

import aiohttp
import pytest
from callcenter_testkit.webtools import PASSWORD, Login, Server


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/agent"),
        ("POST", "/api/agent/ready"),
        ("GET", "/api/wallboard/queues"),
        ("GET", "/api/wallboard/agents"),
        ("POST", "/api/calls/c1/hold"),
        ("POST", "/api/agents/a1/logout"),
    ],
)
async def test_no_session_is_401(anon: aiohttp.ClientSession, method: str, path: str) -> None:
    async with anon.request(method, path) as r:
        assert r.status == 401
        body = await r.json()
        assert body["field"] == "session"


@pytest.mark.parametrize(
    ("user", "method", "path"),
    [
        ("alice", "GET", "/api/wallboard/queues"),
        ("alice", "POST", "/api/agents/a2/logout"),
        ("alice", "POST", "/api/calls/c1/spy"),
        ("pat", "GET", "/api/agent"),
        ("quinn", "GET", "/api/wallboard/agents"),
        ("sue", "POST", "/api/agent/ready"),
    ],
)
async def test_wrong_role_is_403(login: Login, user: str, method: str, path: str) -> None:
    s = await login(user)
    async with s.request(method, path, json={"mode": "listen"}) as r:
        assert r.status == 403
        assert (await r.json())["field"] == "role"


async def test_admin_passes_role_checks(login: Login) -> None:
    s = await login("ada")
    async with s.get("/api/wallboard/queues") as r:
        assert r.status == 200


async def test_missing_csrf_is_403(login: Login) -> None:
    s = await login("alice")
    token = s.headers.pop("X-CSRF-Token")
    async with s.post("/api/agent/login") as r:
        assert r.status == 403
        assert (await r.json())["field"] == "csrf_token"
    async with s.post("/api/agent/login", headers={"X-CSRF-Token": "wrong"}) as r:
        assert r.status == 403
    async with s.post("/api/agent/login", headers={"X-CSRF-Token": token}) as r:
        assert r.status == 200, await r.text()


async def test_login_needs_double_submit_token(anon: aiohttp.ClientSession) -> None:
    async with anon.post("/api/session", json={"username": "alice", "password": PASSWORD}) as r:
        assert r.status == 403
        assert (await r.json())["field"] == "csrf_token"


@pytest.mark.parametrize(
    ("path", "body", "status", "field"),
    [
        ("/api/agent/not-ready", {"reason": "nap"}, 422, "reason"),
        ("/api/agent/not-ready", {}, 422, "reason"),
        ("/api/agent/not-ready", {"reason": 5}, 422, "reason"),
        ("/api/agent/not-ready", {"reason": "break", "extra": 1}, 422, "extra"),
        ("/api/agent/wrap-up/extend", {"extra_s": -5}, 422, "extra_s"),
        ("/api/agent/wrap-up/extend", {"extra_s": "soon"}, 422, "extra_s"),
        ("/api/calls/x/return-visit", {"outcome": "maybe"}, 422, "outcome"),
        ("/api/calls/x/return-visit", {"outcome": "reached", "score": 9}, 422, "score"),
        ("/api/agent/not-ready", "not json", 400, "body"),
        ("/api/agent/not-ready", [1, 2], 400, "body"),
    ],
)
async def test_bad_input_names_the_field(
    login: Login, path: str, body: object, status: int, field: str
) -> None:
    s = await login("alice")
    async with s.post("/api/agent/login") as r:
        assert r.status == 200
    kwargs = {"data": body} if isinstance(body, str) else {"json": body}
    async with s.post(path, **kwargs) as r:
        assert r.status == status, await r.text()
        data = await r.json()
        assert data["field"] == field


async def test_bad_query_names_the_field(login: Login) -> None:
    s = await login("sue")
    async with s.get("/api/wallboard/agents", params={"size": "9999"}) as r:
        assert r.status == 422
        assert (await r.json())["field"] == "size"
    async with s.get("/api/wallboard/agents", params={"state": "asleep"}) as r:
        assert r.status == 422
        assert (await r.json())["field"] == "state"
    async with s.get("/api/wallboard/day", params={"queue": "nope"}) as r:
        assert r.status == 422
        assert (await r.json())["field"] == "queue"


async def test_agent_state_conflict_is_409(login: Login) -> None:
    s = await login("alice")
    async with s.post("/api/agent/ready") as r:  # logged out: not allowed
        assert r.status == 409
        assert (await r.json())["field"] == "state"


async def test_agent_acts_on_its_own_calls_only(login: Login, server: Server) -> None:
    alice = await login("alice")
    async with alice.post("/api/agent/login") as r:
        assert r.status == 200
    async with alice.post("/api/calls/someone-elses-call/hangup") as r:
        assert r.status == 403
        assert (await r.json())["field"] == "call_id"
    async with alice.post("/api/calls/x/wrap-up", json={"disposition": "resolved"}) as r:
        assert r.status == 403
    async with alice.post("/api/calls/ob-x-1/return-visit", json={"outcome": "reached"}) as r:
        assert r.status == 403


async def test_in_call_controls_need_the_agent_on_the_call(login: Login, server: Server) -> None:
    """After handing a call on (a transfer) the agent is in wrap-up while its record still names
    the call: mute, keypad, hold, hang-up and transfer are refused (409 naming ``state``) and
    reach no PBX; on the call they are sent."""
    from web.keys import SERVICES

    alice = await login("alice")
    async with alice.post("/api/agent/login") as r:
        assert r.status == 200
    routing = server.app[SERVICES].live_state.routing
    key = routing.keys(routing.agent_domain("a1")).agent("a1")
    await routing.client.hset(key, mapping={"call": "c9", "state": "wrap_up"})
    controls = [
        ("mute", {"muted": True}),
        ("dtmf", {"digits": "12"}),
        ("hold", None),
        ("hangup", None),
        ("transfer", {"target_kind": "number", "target": "+8613800138000"}),
    ]
    for path, body in controls:
        async with alice.post(f"/api/calls/c9/{path}", json=body) as r:
            assert r.status == 409, (path, await r.text())
            assert (await r.json())["field"] == "state"
    await routing.client.hset(key, mapping={"state": "on_call"})
    async with alice.post("/api/calls/c9/mute", json={"muted": True}) as r:
        assert r.status == 200, await r.text()


async def test_sign_in_is_throttled_per_user(anon: aiohttp.ClientSession) -> None:
    async with anon.get("/api/session") as r:
        token = (await r.json())["csrf_token"]
    h = {"X-CSRF-Token": token}
    for _ in range(3):
        async with anon.post(
            "/api/session", json={"username": "bob", "password": "nope-nope"}, headers=h
        ) as r:
            assert r.status == 401
            assert (await r.json())["field"] == "password"
    async with anon.post(
        "/api/session", json={"username": "bob", "password": PASSWORD}, headers=h
    ) as r:
        assert r.status == 429
        assert (await r.json())["field"] == "username"
        assert int(r.headers["Retry-After"]) > 0


async def test_sign_in_is_throttled_per_address(anon: aiohttp.ClientSession) -> None:
    async with anon.get("/api/session") as r:
        h = {"X-CSRF-Token": (await r.json())["csrf_token"]}
    for i in range(6):
        async with anon.post(
            "/api/session", json={"username": f"ghost{i}", "password": "x"}, headers=h
        ) as r:
            assert r.status == 401
    async with anon.post(
        "/api/session", json={"username": "alice", "password": PASSWORD}, headers=h
    ) as r:
        assert r.status == 429
        assert (await r.json())["field"] == "address"


async def test_session_cookie_flags(anon: aiohttp.ClientSession) -> None:
    async with anon.get("/api/session") as r:
        h = {"X-CSRF-Token": (await r.json())["csrf_token"]}
    async with anon.post(
        "/api/session", json={"username": "alice", "password": PASSWORD}, headers=h
    ) as r:
        assert r.status == 200
        raw = r.headers.getall("Set-Cookie")
    cookie = next(c for c in raw if c.startswith("cc_session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # served over plain HTTP, no trusted proxy said otherwise


async def test_sign_out_ends_the_session(login: Login) -> None:
    s = await login("sue")
    async with s.delete("/api/session") as r:
        assert r.status == 200
    async with s.get("/api/wallboard/queues") as r:
        assert r.status == 401


async def test_overdue_complaints_for_the_wallboard(login: Login, server: Server) -> None:
    from datetime import UTC, datetime, timedelta

    from complaints.lifecycle import ComplaintConfig
    from complaints.tickets import open_complaint
    from web.keys import RUNTIME

    rt = server.app[RUNTIME]
    complaint_id = await open_complaint(
        rt.engine,
        category="service",
        severity="critical",
        description="charged twice",
        now=datetime.now(UTC) - timedelta(days=10),
        config=ComplaintConfig.from_settings(rt.settings),
    )
    sue = await login("sue")
    async with sue.get("/api/complaints/overdue") as r:
        assert r.status == 200
        rows = (await r.json())["complaints"]
    assert [c["complaint_id"] for c in rows] == [complaint_id]
    assert rows[0]["category"] == "service" and rows[0]["overdue"]
    alice = await login("alice")
    async with alice.get("/api/complaints/overdue") as r:
        assert r.status == 403
