"""``/healthz`` and ``/metrics``: for the people and machines that watch the platform, behind the
``web.monitoring`` guard (``web.ops.monitoring``)."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web
from sqlalchemy import text

from web.keys import LIVE, METRICS, RUNTIME, SERVICES

log = logging.getLogger(__name__)

routes = web.RouteTableDef()


@routes.get("/healthz")
async def healthz(request: web.Request) -> web.Response:
    """Each dependency and each supervised piece of this process reported on its own; 503 only
    when a piece is stopped or has been retrying (waiting for Redis or the database) for over a
    minute: a short outage is waited out, not an alarm."""
    rt = request.app[RUNTIME]
    checks: dict[str, dict[str, object]] = {}
    try:
        async with asyncio.timeout(2):
            await rt.redis.ping()
        checks["redis"] = {"ok": True}
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        checks["redis"] = {"ok": False, "error": str(exc) or type(exc).__name__}
    try:
        async with asyncio.timeout(2), rt.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        checks["database"] = {"ok": True}
    except Exception as exc:  # noqa: BLE001
        checks["database"] = {"ok": False, "error": str(exc) or type(exc).__name__}
    if rt.settings.ami.host:
        try:
            async with asyncio.timeout(2):
                state = await rt.redis.hget(rt.streams.bridge_status, "connected")
            checks["ami"] = {"ok": state == "1", "host": rt.settings.ami.host}
        except Exception as exc:  # noqa: BLE001
            checks["ami"] = {"ok": False, "host": rt.settings.ami.host, "error": str(exc)}
    board = rt.supervisor.board
    failing = board.failing()
    body = {"ok": not failing, "failing": failing, "pieces": board.snapshot(), "checks": checks}
    return web.json_response(body, status=503 if failing else 200)


@routes.get("/metrics")
async def metrics(request: web.Request) -> web.Response:
    app = request.app
    rt, m, hub = app[RUNTIME], app[METRICS], app[LIVE]
    m.ws_clients.set(len(hub.clients))
    try:
        for q in await app[SERVICES].live_state.queues():
            m.queue_waiting.labels(q["queue_id"]).set(q["waiting"])
            m.queue_longest.labels(q["queue_id"]).set(q["longest_wait_s"])
        counts: dict[str, int] = {}
        for a in await app[SERVICES].live_state.agents():
            counts[a["state"]] = counts.get(a["state"], 0) + 1
        for state in ("ready", "not_ready", "offered", "on_call", "wrap_up"):
            m.agents.labels(state).set(counts.get(state, 0))
        connected, written = await asyncio.gather(
            rt.redis.hget(rt.streams.bridge_status, "connected"),
            rt.redis.get(rt.streams.events_written),
        )
        m.ami_connected.set(1 if connected == "1" else 0)
        m.events_written.set(int(written or 0))
    except Exception as exc:  # noqa: BLE001 - a scrape reports what it can
        log.warning("metrics: live figures unavailable: %s", exc)
    return web.Response(
        body=m.render(),
        content_type="text/plain",
        charset="utf-8",
        headers={"X-Content-Type-Options": "nosniff"},
    )
