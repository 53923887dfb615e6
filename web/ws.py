"""``GET /ws``: the live feed for one signed-in browser.

A sender task drains the client's bounded queue and sends what is there as one JSON array per
frame; the receiving side only watches for the close. The first message, ``hello``, carries the
server's id: a page that sees a new id after reconnecting knows the server restarted and reloads
its state (it does so after any reconnect anyway).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time

from aiohttp import WSMsgType, web

from web.errors import UnauthorizedError
from web.keys import LIVE, PRINCIPAL
from web.live import LiveClient

log = logging.getLogger(__name__)


async def _send(ws: web.WebSocketResponse, client: LiveClient) -> None:
    while True:
        batch = await client.next_batch()
        await ws.send_str("[" + ",".join(batch) + "]")


async def live_socket(request: web.Request) -> web.StreamResponse:
    principal = request.get(PRINCIPAL)
    if principal is None:
        raise UnauthorizedError("sign in first", field="session")
    hub = request.app[LIVE]
    ws = web.WebSocketResponse(heartbeat=20, max_msg_size=4096)
    await ws.prepare(request)
    client = hub.add(principal.role, principal.agent_id)
    client.push(
        json.dumps({"t": "hello", "server_id": hub.server_id, "server_ms": int(time.time() * 1000)})
    )
    log.info(
        "live feed: client %s (%s %s) connected", client.id, principal.role, principal.username
    )
    sender = asyncio.create_task(_send(ws, client), name=f"ws-send-{client.id}")
    try:
        async for msg in ws:
            if msg.type in (WSMsgType.ERROR, WSMsgType.CLOSE):
                break
            if sender.done():
                break
    finally:
        hub.remove(client)
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError, ConnectionResetError):
            await sender
        log.info("live feed: client %s disconnected", client.id)
    return ws
