"""The live feed: events reach the WebSocket clients that may see them (masked), supervisors get
queue figures, a slow client is told to resync without holding up the others; /metrics."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

import aiohttp
import redis.asyncio as aioredis
from callcenter_testkit.webtools import Login, Server

from kernel.events import DomainEvent, make_event_id
from kernel.keys import StreamNames
from web.keys import LIVE, RUNTIME
from web.live.hub import LiveHub


def _event(
    type_: str, *, call_id: str | None = None, agent_id: str | None = None, **payload: object
) -> DomainEvent:
    return DomainEvent(
        id=make_event_id(type_, call_id, agent_id, json.dumps(payload)),
        ts=datetime.now(UTC),
        type=type_,
        call_id=call_id,
        agent_id=agent_id,
        payload=dict(payload),
    )


async def _next(ws: aiohttp.ClientWebSocketResponse, want: str, **match: object) -> dict:
    """The next message of type ``want`` (an event type or t), skipping others."""
    while True:
        msg = await asyncio.wait_for(ws.receive(), 10)
        assert msg.type == aiohttp.WSMsgType.TEXT, msg
        for m in json.loads(msg.data):
            kind = m.get("type") if m["t"] == "event" else m["t"]
            if kind == want and all(m.get(k) == v for k, v in match.items()):
                return m


async def test_events_fan_out_by_role_and_masked(
    login: Login, server: Server, redis: aioredis.Redis, prefix: str
) -> None:
    sue, alice = await login("sue"), await login("alice")
    stream = StreamNames(prefix).events
    async with sue.ws_connect("/ws") as sws, alice.ws_connect("/ws") as aws:
        await _next(sws, "hello")
        await _next(aws, "hello")
        others = _event("call.arrived", call_id="c-bob", caller="+8613812345678", queue="support")
        await redis.xadd(stream, others.to_fields())
        mine = _event("call.offered", call_id="c-al", agent_id="a1", queue="sales")
        await redis.xadd(stream, mine.to_fields())
        follow = _event("call.arrived", call_id="c-al", caller="+8613900001111")
        await redis.xadd(stream, follow.to_fields())

        seen = await _next(sws, "call.arrived", call_id="c-bob")
        assert seen["payload"]["caller"] != "+8613812345678"
        assert seen["payload"]["caller"].endswith("5678")
        assert "1234" not in seen["payload"]["caller"]

        got = await _next(aws, "call.offered")
        assert got["call_id"] == "c-al"
        # the agent's own call is followed; another agent's call never reached it
        nxt = await _next(aws, "call.arrived")
        assert nxt["call_id"] == "c-al"
        assert nxt["payload"]["caller"].endswith("1111") and "13900" not in nxt["payload"]["caller"]


async def test_supervisors_get_queue_figures(login: Login, server: Server) -> None:
    sue = await login("sue")
    async with sue.ws_connect("/ws") as ws:
        stats = await _next(ws, "stats")
    ids = [q["queue_id"] for q in stats["queues"]]
    assert ids == ["sales", "support", "complaints"]
    assert {"waiting", "longest_wait_s", "alerts", "day", "last_30m"} <= stats["queues"][0].keys()


async def test_ws_needs_a_session(anon: aiohttp.ClientSession) -> None:
    async with anon.get("/ws") as r:
        assert r.status == 401


async def test_slow_client_gets_resync_and_others_everything(
    redis: aioredis.Redis, prefix: str
) -> None:
    hub = LiveHub(redis, StreamNames(prefix), queue_size=10)
    slow = hub.add("supervisor", None)
    fast = hub.add("supervisor", None)
    received: list[str] = []
    for i in range(25):
        hub.dispatch(_event("agent.state", agent_id=f"x{i}", state="ready"), i)
        while not fast.queue.empty():  # the fast browser keeps up
            received.append(fast.queue.get_nowait())
    assert len(received) == 25
    assert slow.resyncs >= 1
    left = [slow.queue.get_nowait() for _ in range(slow.queue.qsize())]
    assert json.loads(left[0]) == {"t": "resync"}
    assert slow.queue.qsize() == 0 and len(left) <= 10


async def test_metrics(
    login: Login, server: Server, redis: aioredis.Redis, prefix: str, anon: aiohttp.ClientSession
) -> None:
    stream = StreamNames(prefix).events
    await redis.xadd(stream, _event("call.queued", call_id="m1", queue="sales").to_fields())
    await redis.xadd(
        stream,
        _event("call.offered", call_id="m1", agent_id="a1", trigger="call_queued").to_fields(),
    )
    sue = await login("sue")
    async with sue.ws_connect("/ws") as ws:
        await _next(ws, "hello")
        async with anon.get("/metrics") as r:
            assert r.status == 200
            text = await r.text()
    for name in (
        "cc_queue_waiting_calls",
        "cc_routing_latency_seconds_bucket",
        "cc_ami_connected",
        "cc_websocket_clients 1.0",
        "cc_events_written",
        'cc_piece_restarts_total{piece="live-feed"} 0.0',
        'cc_piece_state{piece="live-feed",state="up"} 1.0',
    ):
        assert name in text, name


async def test_healthz_reports_each_piece_and_fails_only_after_a_minute_of_retrying(
    server: Server, anon: aiohttp.ClientSession
) -> None:
    async with anon.get("/healthz") as r:
        body = await r.json()
    assert r.status == 200 and body["ok"] and body["failing"] == []
    assert body["pieces"]["live-feed"]["state"] == "up"  # the feed is a piece of its own
    assert body["checks"]["redis"]["ok"] and body["checks"]["database"]["ok"]
    writer = server.app[RUNTIME].supervisor.board.add("store-writer")
    writer.retrying("cc:events (group store-writer)", ConnectionRefusedError("refused"))
    async with anon.get("/healthz") as r:
        body = await r.json()
    assert r.status == 200 and body["pieces"]["store-writer"]["state"] == "retrying"
    writer.since -= 61  # retrying for over a minute
    async with anon.get("/healthz") as r:
        body = await r.json()
    assert r.status == 503 and body["failing"] == ["store-writer"] and not body["ok"]
    assert "refused" in body["pieces"]["store-writer"]["last_error"]


async def test_no_client_receives_an_event_twice(
    login: Login, server: Server, redis: aioredis.Redis, prefix: str
) -> None:
    """Every event reaches each client that may see it exactly once, also when the stream holds
    it twice (a second bridge on the same Asterisk writes the same event ids)."""
    stream = StreamNames(prefix).events
    sue, alice = await login("sue"), await login("alice")
    events = [
        _event("agent.state", agent_id="a1" if i % 2 else "a2", state="ready", n=i)
        for i in range(40)
    ]
    marker = _event("agent.state", agent_id="a1", state="not_ready", reason="lunch")
    got: dict[str, list[str]] = {"sue": [], "alice": []}
    async with sue.ws_connect("/ws") as sws, alice.ws_connect("/ws") as aws:
        await _next(sws, "hello")
        await _next(aws, "hello")
        for i, ev in enumerate(events):
            await redis.xadd(stream, ev.to_fields())
            if i % 3 == 0:  # the copy another bridge writes
                await redis.xadd(stream, ev.to_fields())
        await redis.xadd(stream, marker.to_fields())
        for name, ws in (("sue", sws), ("alice", aws)):
            while marker.id not in got[name]:
                msg = await asyncio.wait_for(ws.receive(), 10)
                got[name] += [m["id"] for m in json.loads(msg.data) if m["t"] == "event"]
    assert got["sue"] == [e.id for e in events] + [marker.id]
    assert got["alice"] == [e.id for e in events if e.agent_id == "a1"] + [marker.id]
    assert server.app[LIVE].repeats == 14


async def test_shutdown_closes_open_feeds_with_going_away(login: Login, server: Server) -> None:
    """An open feed would hold the server's shutdown until its timeout: it is closed with 1001."""
    sue = await login("sue")
    async with sue.ws_connect("/ws") as ws:
        await _next(ws, "hello")
        await server.app.shutdown()
        msg = await asyncio.wait_for(ws.receive(), 10)
        while msg.type == aiohttp.WSMsgType.TEXT:  # what was queued before the close
            msg = await asyncio.wait_for(ws.receive(), 10)
        assert msg.type == aiohttp.WSMsgType.CLOSE
        assert msg.data == aiohttp.WSCloseCode.GOING_AWAY
