"""``GET /ws``: the live feed for one signed-in browser.

A sender task drains the client's bounded queue and sends what is there as one JSON array per
frame; the receiving side only watches for the close. The first message, ``hello``, carries the
server's id: a page that sees a new id after reconnecting knows the server restarted and reloads
its state (it does so after any reconnect anyway). When the hub ends the client (its session
ended) the WebSocket is closed with the hub's close code and reason.

The handshake is refused (403) when the browser's ``Origin`` is not the site's own: its host
must be the request's ``Host`` (the check of gorilla/websocket's default ``CheckOrigin``), or the
origin must be listed in ``web.allowed_origins`` (a reverse proxy that rewrites ``Host``).
Without a session cookie no page of another site can open the feed, but a cookie is sent with a
cross-site WebSocket handshake: the ``Origin`` check is what stops a foreign page from reading
a signed-in user's feed. Clients that are not browsers send no ``Origin`` and are let through.

On shutdown ``close_sockets`` closes every open feed with 1001 (going away).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Collection
from datetime import UTC, datetime
from urllib.parse import urlsplit

from aiohttp import WSCloseCode, WSMsgType, web
from sqlalchemy.ext.asyncio import AsyncEngine

from web.errors import ForbiddenError, UnauthorizedError
from web.i18n.catalog import N_
from web.keys import LIVE, PRINCIPAL, RUNTIME, SOCKETS
from web.live.hub import LiveClient, SessionSource
from web.session.users import session_states

log = logging.getLogger(__name__)

routes = web.RouteTableDef()


def origin_allowed(origin: str | None, host: str | None, allowed: Collection[str]) -> bool:
    """True when a handshake with this ``Origin`` may open the feed served at ``host``."""
    if origin is None:
        return True
    if origin.rstrip("/").lower() in {a.rstrip("/").lower() for a in allowed}:
        return True
    netloc = urlsplit(origin).netloc.lower()
    return bool(netloc) and host is not None and netloc == host.lower()


def live_sessions(engine: AsyncEngine) -> SessionSource:
    """The hub's session check: token hashes -> (role, agent id) now, or why the session ended."""

    async def read(hashes: set[str]) -> dict[str, tuple[str, str | None] | str]:
        states = await session_states(engine, hashes, now=datetime.now(UTC))
        return {h: s if isinstance(s, str) else (s.role, s.agent_id) for h, s in states.items()}

    return read


async def _send(ws: web.WebSocketResponse, client: LiveClient) -> None:
    while True:
        batch = await client.next_batch()
        await ws.send_str("[" + ",".join(batch) + "]")


async def _close_when_ended(ws: web.WebSocketResponse, client: LiveClient) -> None:
    code, reason = await client.wait_ended()
    await ws.close(code=code, message=reason.encode()[:120])


async def close_sockets(app: web.Application) -> None:
    """On shutdown, close the open feeds with 1001 (going away): an open WebSocket would
    otherwise hold the server's shutdown until its timeout (aiohttp's advice). The pages
    reconnect to the server that comes back."""
    sockets = app[SOCKETS]
    for ws in list(sockets):
        await ws.close(code=WSCloseCode.GOING_AWAY, message=b"server shutdown")


@routes.get("/ws")
async def live_socket(request: web.Request) -> web.StreamResponse:
    principal = request.get(PRINCIPAL)
    if principal is None:
        raise UnauthorizedError(N_("sign in first"), field="session")
    origin = request.headers.get("Origin")
    allowed = request.app[RUNTIME].settings.web.allowed_origins
    if not origin_allowed(origin, request.host, allowed):
        log.warning("live feed: handshake from origin %r refused (host %s)", origin, request.host)
        raise ForbiddenError(
            N_("origin %(origin)r is not this site's"), field="origin", params={"origin": origin}
        )
    hub = request.app[LIVE]
    ws = web.WebSocketResponse(heartbeat=20, max_msg_size=4096)
    await ws.prepare(request)
    request.app[SOCKETS].add(ws)
    client = hub.add(principal.role, principal.agent_id, principal.token_hash)
    client.push(
        json.dumps({"t": "hello", "server_id": hub.server_id, "server_ms": int(time.time() * 1000)})
    )
    log.info(
        "live feed: client %s (%s %s) connected", client.id, principal.role, principal.username
    )
    sender = asyncio.create_task(_send(ws, client), name=f"ws-send-{client.id}")
    closer = asyncio.create_task(_close_when_ended(ws, client), name=f"ws-end-{client.id}")
    try:
        async for msg in ws:
            if msg.type in (WSMsgType.ERROR, WSMsgType.CLOSE):
                break
            if sender.done():
                break
    finally:
        hub.remove(client)
        for task in (sender, closer):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, ConnectionResetError):
                await task
        log.info("live feed: client %s disconnected", client.id)
    return ws
