"""Runtime: the shared resources a running piece needs (settings, Redis, database, streams).

A *piece* is ``async def run(rt: Runtime) -> None`` that runs until cancelled (store writer,
router, bridge, web, simulator...). The composition root (``config``) opens the runtime and runs
the configured pieces under ``rt.supervisor`` (``kernel.supervisor``); each can also run alone in
its own process (``callcenter router`` etc.). The pieces live in the feature packages and know
the runtime only through this module.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

import redis.asyncio as aioredis
from sqlalchemy.ext.asyncio import AsyncEngine

from kernel.keys import StreamNames
from kernel.liveness import PieceStatus
from kernel.settings import Settings
from kernel.supervisor import Supervisor


class RedisKeeper(Protocol):
    """The embedded redis-server as the runtime holds it (``config.embedded_redis``)."""

    async def keep_running(self, health: PieceStatus) -> None: ...


@dataclass
class Runtime:
    settings: Settings
    redis: aioredis.Redis  # decode_responses=True
    engine: AsyncEngine
    redis_url: str  # the effective URL (embedded server's socket when none is configured)
    embedded: RedisKeeper | None = None  # the embedded redis-server, when no URL is set
    supervisor: Supervisor = field(default_factory=Supervisor)  # its board feeds /healthz

    @property
    def streams(self) -> StreamNames:
        return StreamNames(self.settings.redis_prefix)


Piece = Callable[[Runtime], Awaitable[None]]
