"""The read-only ``wallboard`` role of a wall screen (API, SQLite and PostgreSQL): it reads the
figures and nothing else, its session does not expire (other roles' keep their expiry), and an
admin's revoke ends it (audited)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from callcenter_testkit.webtools import PASSWORD, Login, Server
from sqlalchemy import select

from store.models.customers import AuditEntry
from store.models.web import WebSession
from web.keys import RUNTIME
from web.session.users import create_user


@pytest.fixture
def web_db(db_url: str) -> str:
    return db_url


@pytest.fixture
async def wally(server: Server) -> str:
    rt = server.app[RUNTIME]
    await create_user(rt.engine, "wally", PASSWORD, "wallboard", now=datetime.now(UTC))
    return "wally"


async def expiries(server: Server) -> dict[str, datetime]:
    async with server.app[RUNTIME].engine.connect() as conn:
        rows = await conn.execute(select(WebSession.username, WebSession.expires_at))
        return {r.username: r.expires_at for r in rows}


async def test_wallboard_reads_figures_only(login: Login, server: Server, wally: str) -> None:
    s = await login(wally)
    for path in ("/api/wallboard/queues", "/api/wallboard/day"):
        async with s.get(path) as r:
            assert r.status == 200, await r.text()
    for method, path, body in (
        ("GET", "/api/wallboard/agents", None),
        ("GET", "/api/wallboard/waiting", None),
        ("GET", "/api/complaints/overdue", None),
        ("POST", "/api/calls/c1/spy", {"mode": "listen"}),
        ("POST", "/api/calls/c1/route-to-agent", {"agent_id": "a1"}),
        ("POST", "/api/messages", {"agent_id": "a1", "text": "hi"}),
        ("POST", "/api/agents/a1/logout", None),
    ):
        async with s.request(method, path, json=body) as r:
            assert r.status == 403, (path, await r.text())
            assert (await r.json())["field"] == "role"


async def test_wallboard_session_does_not_expire_until_revoked(
    login: Login, server: Server, wally: str
) -> None:
    screen = await login(wally)
    await login("sue")
    now = datetime.now(UTC)
    ends = await expiries(server)
    assert ends["wally"] > now + timedelta(days=3000)  # signed in for good
    assert ends["sue"] < now + timedelta(hours=12, minutes=1)  # web.session_ttl_h
    ada = await login("ada")
    async with ada.post("/api/users/wally/sessions/revoke") as r:
        assert r.status == 200, await r.text()
        assert await r.json() == {"username": "wally", "sessions_ended": 1}
    async with screen.get("/api/wallboard/queues") as r:
        assert r.status == 401  # refused from now on
    assert "sue" in await expiries(server)  # nobody else's session ended
    async with server.app[RUNTIME].engine.connect() as conn:
        audit = AuditEntry.__table__
        rows = await conn.execute(select(audit.c.action, audit.c.actor, audit.c.entity_id))
        assert ("user.revoke_sessions", "ada", "wally") in [tuple(r) for r in rows]
    async with ada.post("/api/users/nobody/sessions/revoke") as r:
        assert r.status == 404 and (await r.json())["field"] == "username"
    sue = await login("sue")
    async with sue.post("/api/users/wally/sessions/revoke") as r:
        assert r.status == 403
