"""The pieces ``callcenter serve`` can run, by name, resolved lazily ("module:function").

Each is ``async def run(rt: Runtime) -> None`` running until cancelled; the same functions back
the single-piece commands (``callcenter router``, ``callcenter bridge``, ...). ``supervised``
gives what ``rt.supervisor`` runs: the named pieces plus, with an embedded Redis, its keeper
(``embedded-redis``: a server that dies is started again, with its data).
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Awaitable, Callable

from kernel import liveness
from kernel.runtime import Piece, Runtime
from kernel.settings import Settings

PIECES: dict[str, str] = {
    "store-writer": "store.writer:run_store_writer",
    "router": "queueing.service:run_router",
    "bridge": "telephony.bridge:run_bridge",
    "web": "web.app:run_web",
    "simulator": "telephony.simulator.server:run_simulator",
    "outbound": "outbound.scheduler:run_outbound",
    "complaint-watch": "complaints.watch:run_complaint_watch",
}


def resolve(name: str) -> Piece:
    module, _, attr = PIECES[name].partition(":")
    fn: Piece = getattr(importlib.import_module(module), attr)
    return fn


def available(name: str) -> bool:
    """A piece whose module is not part of this build yet is skipped, not an error."""
    module = PIECES[name].partition(":")[0]
    return importlib.util.find_spec(module) is not None


def default_pieces(settings: Settings) -> list[str]:
    names = ["store-writer", "router", "web", "complaint-watch"]
    if settings.queues:  # outbound work is served by a queue's agents
        names.append("outbound")
    if settings.ami.host:
        names.append("bridge")
    return [n for n in names if available(n)]


def supervised(rt: Runtime, names: list[str]) -> dict[str, Callable[[], Awaitable[None]]]:
    """The named pieces bound to ``rt``, the embedded redis-server's keeper first."""
    pieces: dict[str, Callable[[], Awaitable[None]]] = {}
    if rt.embedded is not None:
        server = rt.embedded

        async def keep_redis() -> None:
            await server.keep_running(liveness.current())

        pieces["embedded-redis"] = keep_redis
    for name in names:
        pieces[name] = functools.partial(resolve(name), rt)
    return pieces
