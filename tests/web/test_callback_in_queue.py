"""``POST /api/calls/{call_id}/callback-in-queue``: a supervisor asks for a waiting caller to be
called back instead of waiting; the access rules, the number's validation (422 naming
``number``), a call not waiting (404 / 409 naming ``call_id``) and the router's change."""

from __future__ import annotations

import json

import aiohttp
import pytest
from callcenter_testkit.webtools import Login, Server

from web.keys import RUNTIME, SERVICES

PATH = "/api/calls/{}/callback-in-queue"


async def _waiting(server: Server, call_id: str, queue_id: str = "sales") -> str:
    """A call waiting in ``queue_id`` in the router (no agent logged in); returns its domain."""
    routing = server.app[SERVICES].routing
    await routing.setup()
    domain = routing.settings.routing.domain
    now = routing.now_ms()
    op = {"op": "arrive", "call": call_id, "queue": queue_id, "prio": 0, "ts": now}
    await routing.run(domain, "events", [op], now)
    return domain


async def _scheduled(server: Server) -> list[dict[str, object]]:
    rt = server.app[RUNTIME]
    rows = await rt.redis.xrange(rt.streams.events)
    return [
        {**f, "payload": json.loads(f["payload"])}
        for _, f in rows
        if f.get("type") == "outbound.scheduled"
    ]


async def test_no_session_is_401(anon: aiohttp.ClientSession) -> None:
    async with anon.post(PATH.format("c1"), json={"number": "+8613800000000"}) as r:
        assert r.status == 401
        assert (await r.json())["field"] == "session"


@pytest.mark.parametrize("user", ["alice", "pat", "quinn"])
async def test_other_roles_are_403(login: Login, user: str) -> None:
    s = await login(user)
    async with s.post(PATH.format("c1"), json={"number": "+8613800000000"}) as r:
        assert r.status == 403
        assert (await r.json())["field"] == "role"


async def test_missing_csrf_is_403(login: Login, server: Server) -> None:
    await _waiting(server, "c1")
    s = await login("sue")
    s.headers.pop("X-CSRF-Token")
    async with s.post(PATH.format("c1"), json={"number": "+8613800000000"}) as r:
        assert r.status == 403
        assert (await r.json())["field"] == "csrf_token"
    assert await _scheduled(server) == []


@pytest.mark.parametrize(
    "body",
    [
        {"number": "12"},
        {"number": "not a number"},
        {"number": "+999123456"},
        {"number": "+1" + "9" * 44},  # longer than the store's column
        {"number": ""},
        {},
        {"number": 8613800000000},
    ],
)
async def test_bad_number_is_422_naming_number(
    login: Login, server: Server, body: dict[str, object]
) -> None:
    domain = await _waiting(server, "c1")
    s = await login("sue")
    async with s.post(PATH.format("c1"), json=body) as r:
        assert r.status == 422, await r.text()
        assert (await r.json())["field"] == "number"
    routing = server.app[SERVICES].routing
    assert not await routing.client.hget(routing.keys(domain).call("c1"), "number")
    assert await _scheduled(server) == []


async def test_unknown_call_is_404_naming_call_id(login: Login, server: Server) -> None:
    await server.app[SERVICES].routing.setup()
    s = await login("sue")
    async with s.post(PATH.format("no-such-call"), json={"number": "+8613800000000"}) as r:
        assert r.status == 404, await r.text()
        assert (await r.json())["field"] == "call_id"


async def test_supervisor_asks_for_a_callback(login: Login, server: Server) -> None:
    domain = await _waiting(server, "c1", "support")
    s = await login("sue")
    # a national number is read in the default region (CN)
    async with s.post(PATH.format("c1"), json={"number": "138 0000 0000"}) as r:
        assert r.status == 200, await r.text()
        assert await r.json() == {
            "call_id": "c1",
            "number": "+8613800000000",
            "queue_id": "support",
            "queue_name": "Technical support",
            "dial_call_id": "c1-cb",
        }
    routing = server.app[SERVICES].routing
    number = await routing.client.hget(routing.keys(domain).call("c1-cb"), "number")
    assert number == "+8613800000000"  # the dial waits in the caller's place
    [scheduled] = await _scheduled(server)
    assert scheduled["call_id"] == "c1"
    assert scheduled["payload"]["kind"] == "callback_in_queue"  # type: ignore[index]
    assert scheduled["payload"]["number"] == "+8613800000000"  # type: ignore[index]
    # asked twice: the call already has its callback, so it is no longer merely waiting
    async with s.post(PATH.format("c1"), json={"number": "+8613800000001"}) as r:
        assert r.status == 409, await r.text()
        err = await r.json()
        assert err["field"] == "call_id" and "waiting for a callback" in err["message"]
    assert len(await _scheduled(server)) == 1


async def test_admin_may_ask_too(login: Login, server: Server) -> None:
    await _waiting(server, "c2")
    s = await login("ada")
    async with s.post(PATH.format("c2"), json={"number": "+8613800000002"}) as r:
        assert r.status == 200, await r.text()
        assert (await r.json())["queue_id"] == "sales"
