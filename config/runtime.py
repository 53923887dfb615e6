"""Runtime: the shared resources a running piece needs (settings, Redis, database, streams).

A *piece* is ``async def run(rt: Runtime) -> None`` that runs until cancelled (store writer,
router, bridge, web, simulator...). ``config.commands.serve`` runs the configured pieces under
``rt.supervisor`` (``config.supervisor``); each can also run alone in its own process
(``callcenter router`` etc.).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import redis.asyncio as aioredis
from sqlalchemy.ext.asyncio import AsyncEngine

from config.embedded_redis import EmbeddedRedis
from config.settings import Settings
from config.supervisor import Supervisor
from store.events import StreamNames


@dataclass
class Runtime:
    settings: Settings
    redis: aioredis.Redis  # decode_responses=True
    engine: AsyncEngine
    redis_url: str  # the effective URL (embedded server's socket when none is configured)
    embedded: EmbeddedRedis | None = None  # the embedded redis-server, when no URL is set
    supervisor: Supervisor = field(default_factory=Supervisor)  # its board feeds /healthz

    @property
    def streams(self) -> StreamNames:
        return StreamNames(self.settings.redis_prefix)


Piece = Callable[[Runtime], Awaitable[None]]
