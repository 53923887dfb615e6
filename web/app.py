"""The web application: one aiohttp app for the JSON API, the live feed and the pages.

``create_app(rt)`` builds it (resources hang off typed ``web.AppKey``s); ``run_web`` is the piece
``callcenter serve`` runs.
"""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web
from sqlalchemy import text

from config.runtime import Runtime

log = logging.getLogger(__name__)

RUNTIME = web.AppKey("runtime", Runtime)


async def healthz(request: web.Request) -> web.Response:
    """Each dependency reported on its own; 503 when any is down."""
    rt = request.app[RUNTIME]
    checks: dict[str, dict[str, object]] = {}
    try:
        await asyncio.wait_for(rt.redis.ping(), 2)
        checks["redis"] = {"ok": True}
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        checks["redis"] = {"ok": False, "error": str(exc)}
    try:
        async with rt.engine.connect() as conn:
            await asyncio.wait_for(conn.execute(text("SELECT 1")), 2)
        checks["database"] = {"ok": True}
    except Exception as exc:  # noqa: BLE001
        checks["database"] = {"ok": False, "error": str(exc)}
    if rt.settings.ami.host:
        state = await rt.redis.hget(f"{rt.settings.redis_prefix}:bridge", "connected")
        checks["ami"] = {"ok": state == "1", "host": rt.settings.ami.host}
    ok = all(c["ok"] for c in checks.values())
    return web.json_response({"ok": ok, "checks": checks}, status=200 if ok else 503)


def create_app(rt: Runtime) -> web.Application:
    app = web.Application()
    app[RUNTIME] = rt
    app.router.add_get("/healthz", healthz)
    return app


async def run_web(rt: Runtime) -> None:
    """Serve the web application until cancelled."""
    app = create_app(rt)
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, rt.settings.web.host, rt.settings.web.port)
    await site.start()
    log.info("web listening on http://%s:%d/", rt.settings.web.host, rt.settings.web.port)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
