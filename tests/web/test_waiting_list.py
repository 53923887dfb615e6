"""The wallboard's waiting list and the supervisor's actions on a waiting caller (API, SQLite and
PostgreSQL): positions in the router's order with masked callers, call back at the caller's
number, route to a chosen ready agent (atomically, in the router's script), move to another
queue keeping the caller's arrival and its offered count."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest
from callcenter_testkit.webtools import Login, Server, web_settings

from kernel.settings import Settings
from web.keys import RUNTIME, SERVICES

# sales needs level 3 until a call has waited 600 s: Chen Jie (sales 2) serves it from step 1
# only, so a call can wait while he is ready; that is who a supervisor routes it to
SALES = {
    "id": "sales",
    "name": "Sales",
    "skills": {"sales": 3},
    "wrap_up_s": 60,
    "escalation": [{"after": 600, "min_level": 1}],
}


@pytest.fixture
def settings(prefix: str) -> Settings:
    base = web_settings(prefix)
    queues = [SALES, *(q.model_dump() for q in base.queues if q.id != "sales")]
    return web_settings(prefix, queues=queues)


@pytest.fixture
def web_db(db_url: str) -> str:
    return db_url


async def arrive(server: Server, call_id: str, queue: str, caller: str, **extra: Any) -> None:
    routing = server.app[SERVICES].routing
    await routing.setup()
    now = routing.now_ms()
    op = {"op": "arrive", "call": call_id, "queue": queue, "prio": 0, "ts": now, "tier": "ordinary"}
    await routing.run(
        routing.settings.routing.domain, "events", [{**op, "caller": caller, **extra}], now
    )


async def waiting(s: aiohttp.ClientSession, queue: str | None = None) -> list[dict[str, Any]]:
    url = "/api/wallboard/waiting" + (f"?queue={queue}" if queue else "")
    async with s.get(url) as r:
        assert r.status == 200, await r.text()
        calls: list[dict[str, Any]] = (await r.json())["calls"]
        return calls


async def events(server: Server, type_: str) -> list[dict[str, Any]]:
    rt = server.app[RUNTIME]
    rows = await rt.redis.xrange(rt.streams.events)
    return [{**f, "payload": json.loads(f["payload"])} for _, f in rows if f["type"] == type_]


async def test_waiting_list_in_order_with_masked_callers(login: Login, server: Server) -> None:
    await arrive(server, "c1", "sales", "+8613812345678")
    await arrive(server, "c2", "sales", "+8613912345679", tier="vip", prio=2)  # served first
    await arrive(server, "c3", "support", "+8615012345670")
    s = await login("sue")
    rows = await waiting(s, "sales")
    assert [(r["call_id"], r["position"], r["tier"]) for r in rows] == [
        ("c2", 1, "vip"),
        ("c1", 2, "ordinary"),
    ]
    rows.reverse()
    assert rows[0]["caller"] == "+86 138****5678"
    assert not rows[0]["callback"] and rows[0]["state"] == "waiting"
    assert {r["call_id"] for r in await waiting(s)} == {"c1", "c2", "c3"}
    async with s.get("/api/wallboard/waiting?queue=nope") as r:
        assert r.status == 422 and (await r.json())["field"] == "queue"
    agent = await login("alice")
    async with agent.get("/api/wallboard/waiting") as r:
        assert r.status == 403


async def test_call_back_at_the_callers_number(login: Login, server: Server) -> None:
    await arrive(server, "c1", "sales", "+8613812345678")
    s = await login("sue")
    async with s.post("/api/calls/c1/callback-in-queue", json={"caller_number": True}) as r:
        assert r.status == 200, await r.text()
        assert (await r.json())["number"] == "+8613812345678"
    [row] = await waiting(s, "sales")
    assert row["call_id"] == "c1-cb" and row["callback"] and row["position"] == 1
    assert row["caller"] == "+86 138****5678"
    await arrive(server, "c9", "sales", "")
    async with s.post("/api/calls/c9/callback-in-queue", json={"caller_number": True}) as r:
        assert r.status == 422 and (await r.json())["field"] == "number"


async def test_route_to_a_chosen_ready_agent(login: Login, server: Server) -> None:
    actions = server.app[SERVICES].actions
    await actions.login("a3", ready=True)  # serves sales from step 1 only
    await actions.login("a2", ready=True)  # no sales skill
    await arrive(server, "c1", "sales", "+8613812345678")
    s = await login("sue")
    assert [r["state"] for r in await waiting(s, "sales")] == ["waiting"]  # nobody took it
    async with s.post("/api/calls/c1/route-to-agent", json={"agent_id": "a2"}) as r:
        assert r.status == 409, await r.text()
        err = await r.json()
        assert err["field"] == "agent_id" and "sales" in err["message"]
    async with s.post("/api/calls/c1/route-to-agent", json={"agent_id": "nobody"}) as r:
        assert r.status == 404 and (await r.json())["field"] == "agent_id"
    async with s.post("/api/calls/c1/route-to-agent", json={"agent_id": "a3"}) as r:
        assert r.status == 200, await r.text()
        assert await r.json() == {"call_id": "c1", "agent_id": "a3", "queue_id": "sales"}
    [offered] = await events(server, "call.offered")
    assert offered["call_id"] == "c1" and offered["agent_id"] == "a3"
    assert offered["payload"]["trigger"] == "supervisor"
    rt = server.app[RUNTIME]
    connects = [f for _, f in await rt.redis.xrange(rt.streams.commands) if f["kind"] == "connect"]
    assert [json.loads(c["args"])["agent_id"] for c in connects] == ["a3"]
    assert (await actions.state("a3"))["state"] == "offered"
    # the call is offered now, no longer waiting; a busy agent is refused too
    await arrive(server, "c2", "sales", "+8613812345679")
    async with s.post("/api/calls/c1/route-to-agent", json={"agent_id": "a3"}) as r:
        assert r.status == 409 and (await r.json())["field"] == "state"


async def test_move_keeps_arrival_and_the_offered_count(login: Login, server: Server) -> None:
    await arrive(server, "c1", "sales", "+8613812345678")
    s = await login("sue")
    [before] = await waiting(s, "sales")
    async with s.post("/api/calls/c1/move", json={"queue_id": "support"}) as r:
        assert r.status == 200, await r.text()
        assert await r.json() == {"call_id": "c1", "queue_id": "support"}
    assert await waiting(s, "sales") == []
    [after] = await waiting(s, "support")
    assert after["call_id"] == "c1" and after["arrived_ms"] == before["arrived_ms"]
    [moved] = await events(server, "call.moved")
    assert moved["payload"]["from_queue"] == "sales" and moved["payload"]["queue"] == "support"
    async with s.get("/api/wallboard/queues") as r:
        figures = {q["queue_id"]: q for q in (await r.json())["queues"]}
    assert figures["sales"]["day"]["offered"] == 0 and figures["sales"]["waiting"] == 0
    assert figures["support"]["day"]["offered"] == 1 and figures["support"]["waiting"] == 1
    for body, field in (({"queue_id": "support"}, "queue_id"), ({"queue_id": "x"}, "queue_id")):
        async with s.post("/api/calls/c1/move", json=body) as r:
            assert r.status == 422 and (await r.json())["field"] == field
    async with s.post("/api/calls/gone/move", json={"queue_id": "sales"}) as r:
        assert r.status == 404 and (await r.json())["field"] == "call_id"
