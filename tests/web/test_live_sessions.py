"""The live feed lives no longer than its session: sign-out, a disabled or deleted user and an
expired session each close an open WebSocket with code 4401 and the reason; the role is re-read
on each check; a handshake from a foreign ``Origin`` is refused."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
import redis.asyncio as aioredis
from callcenter_testkit.webtools import Login, Server, web_settings
from sqlalchemy import delete, update

from kernel.events import DomainEvent, make_event_id
from kernel.keys import StreamNames
from kernel.runtime import Runtime
from kernel.settings import Settings
from store.models.web import User, WebSession
from web.keys import LIVE
from web.live.hub import CLOSE_SESSION_ENDED
from web.live.socket import origin_allowed

PROXY_ORIGIN = "https://cc.example.com"


@pytest.fixture
def settings(prefix: str) -> Settings:
    return web_settings(
        prefix,
        web={"ws_session_check_s": 0.2, "stats_every_ms": 200, "allowed_origins": [PROXY_ORIGIN]},
    )


async def _closed(ws: aiohttp.ClientWebSocketResponse) -> tuple[int | None, str]:
    """Read until the server closes; returns the close code and reason."""
    while True:
        msg = await asyncio.wait_for(ws.receive(), 10)
        if msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
            return ws.close_code, str(msg.extra or "")


async def _sign_out(s: aiohttp.ClientSession, rt: Runtime) -> None:
    async with s.delete("/api/session") as r:
        assert r.status == 200


async def _disable(s: aiohttp.ClientSession, rt: Runtime) -> None:
    async with rt.engine.begin() as conn:
        await conn.execute(update(User).where(User.username == "sue").values(active=False))


async def _delete(s: aiohttp.ClientSession, rt: Runtime) -> None:
    async with rt.engine.begin() as conn:
        await conn.execute(delete(User).where(User.username == "sue"))


async def _expire(s: aiohttp.ClientSession, rt: Runtime) -> None:
    past = datetime.now(UTC) - timedelta(seconds=1)
    async with rt.engine.begin() as conn:
        await conn.execute(
            update(WebSession).where(WebSession.username == "sue").values(expires_at=past)
        )


Ending = Callable[[aiohttp.ClientSession, Runtime], Awaitable[None]]


@pytest.mark.parametrize(
    ("end", "reason"),
    [
        (_sign_out, "signed out"),
        (_disable, "account disabled"),
        (_delete, "signed out"),
        (_expire, "session expired"),
    ],
    ids=["sign-out", "disabled", "deleted", "expired"],
)
async def test_ended_session_closes_the_websocket(
    login: Login, server: Server, web_rt: Runtime, end: Ending, reason: str
) -> None:
    sue = await login("sue")
    async with sue.ws_connect("/ws") as ws:
        first = json.loads((await asyncio.wait_for(ws.receive(), 10)).data)
        assert first[0]["t"] == "hello"
        await end(sue, web_rt)
        code, said = await _closed(ws)
    assert code == CLOSE_SESSION_ENDED
    assert said == reason


async def test_role_is_read_again(
    login: Login, server: Server, web_rt: Runtime, redis: aioredis.Redis, prefix: str
) -> None:
    """An agent made supervisor sees other agents' events from the next check on; made agent
    again, it no longer does."""
    alice = await login("alice")
    stream = StreamNames(prefix).events

    def state(agent_id: str, n: int) -> dict[str, str]:
        payload = json.dumps({"state": "ready", "n": n})
        ev = DomainEvent(
            make_event_id("agent.state", None, agent_id, payload),
            datetime.now(UTC),
            "agent.state",
            None,
            agent_id,
            {"state": "ready", "n": n},
        )
        return ev.to_fields()

    async def set_role(role: str, agent_id: str | None) -> None:
        async with web_rt.engine.begin() as conn:
            await conn.execute(
                update(User).where(User.username == "alice").values(role=role, agent_id=agent_id)
            )

    async def receives_bob(ws: aiohttp.ClientWebSocketResponse, n: int) -> bool:
        """Bob's event n and then alice's own marker are written; True when bob's arrived."""
        await redis.xadd(stream, state("a2", n))
        await redis.xadd(stream, state("a1", n))
        got_bob = False
        while True:
            msg = await asyncio.wait_for(ws.receive(), 10)
            for m in json.loads(msg.data):
                if m["t"] != "event" or m["payload"].get("n") != n:
                    continue
                if m["agent_id"] == "a2":
                    got_bob = True
                if m["agent_id"] == "a1":
                    return got_bob

    hub = server.app[LIVE]
    async with alice.ws_connect("/ws") as ws:
        assert not await receives_bob(ws, 1)
        await set_role("supervisor", "a1")
        await hub.check_sessions()
        assert await receives_bob(ws, 2)
        await set_role("agent", "a1")
        await hub.check_sessions()
        assert not await receives_bob(ws, 3)


async def test_foreign_origin_is_refused(login: Login, server: Server) -> None:
    sue = await login("sue")
    with pytest.raises(aiohttp.WSServerHandshakeError) as err:
        async with sue.ws_connect("/ws", origin="http://evil.example"):
            pass
    assert err.value.status == 403
    for origin in (server.url, PROXY_ORIGIN):
        async with sue.ws_connect("/ws", origin=origin) as ws:
            hello = json.loads((await asyncio.wait_for(ws.receive(), 10)).data)
            assert hello[0]["t"] == "hello"


@pytest.mark.parametrize(
    ("origin", "host", "allowed", "ok"),
    [
        (None, "cc.local:8080", [], True),  # not a browser
        ("http://cc.local:8080", "cc.local:8080", [], True),
        ("https://CC.local:8080", "cc.local:8080", [], True),
        ("http://cc.local:8081", "cc.local:8080", [], False),
        ("http://evil.example", "cc.local:8080", [], False),
        ("null", "cc.local:8080", [], False),  # sandboxed frames, file:// pages
        ("https://cc.example.com", "127.0.0.1:8080", ["https://cc.example.com/"], True),
        ("https://cc.example.com.evil", "127.0.0.1:8080", ["https://cc.example.com"], False),
    ],
)
def test_origin_rule(origin: str | None, host: str, allowed: list[str], ok: bool) -> None:
    assert origin_allowed(origin, host, allowed) is ok
