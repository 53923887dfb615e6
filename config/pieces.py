"""The pieces ``callcenter serve`` can run, by name.

Each is ``async def run(rt: Runtime) -> None`` running until cancelled; the same functions back
the single-piece commands (``callcenter router``, ``callcenter bridge``, ...). ``supervised``
gives what ``rt.supervisor`` runs: the named pieces plus, with an embedded Redis, its keeper
(``embedded-redis``: a server that dies is started again, with its data).
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable

from complaints.watch import run_complaint_watch
from kernel import liveness
from kernel.runtime import Piece, Runtime
from kernel.settings import Settings
from outbound.scheduler import run_outbound
from qa.recordings_store import run_recordings_purge
from queueing.service import run_router
from store.writer import run_store_writer
from telephony.bridge import run_bridge
from telephony.simulator.server import run_simulator
from web.app import run_web

PIECES: dict[str, Piece] = {
    "store-writer": run_store_writer,
    "router": run_router,
    "bridge": run_bridge,
    "web": run_web,
    "simulator": run_simulator,
    "outbound": run_outbound,
    "complaint-watch": run_complaint_watch,
    "recordings-purge": run_recordings_purge,
}


def default_pieces(settings: Settings) -> list[str]:
    names = ["store-writer", "router", "web", "complaint-watch"]
    if settings.queues:  # outbound work is served by a queue's agents
        names.append("outbound")
    if settings.ami.host:
        names.append("bridge")
    if any(q.record for q in settings.queues) and not settings.recording.url_template:
        names.append("recordings-purge")  # files on the PBX host are purged there
    return names


def supervised(rt: Runtime, names: list[str]) -> dict[str, Callable[[], Awaitable[None]]]:
    """The named pieces bound to ``rt``, the embedded redis-server's keeper first."""
    pieces: dict[str, Callable[[], Awaitable[None]]] = {}
    if rt.embedded is not None:
        server = rt.embedded

        async def keep_redis() -> None:
            await server.keep_running(liveness.current())

        pieces["embedded-redis"] = keep_redis
    for name in names:
        pieces[name] = functools.partial(PIECES[name], rt)
    return pieces
