"""Runtime: the shared resources a running piece needs (settings, Redis, database, streams).

A *piece* is ``async def run(rt: Runtime) -> None`` that runs until cancelled (store writer,
router, bridge, web, simulator...). ``config.commands.serve`` starts the configured pieces in one
TaskGroup; each can also run alone in its own process (``callcenter router`` etc.).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import redis.asyncio as aioredis
from sqlalchemy.ext.asyncio import AsyncEngine

from config.settings import Settings
from store.events import StreamNames


@dataclass
class Runtime:
    settings: Settings
    redis: aioredis.Redis  # decode_responses=True
    engine: AsyncEngine
    redis_url: str  # the effective URL (embedded server's socket when none is configured)

    @property
    def streams(self) -> StreamNames:
        return StreamNames(self.settings.redis_prefix)


Piece = Callable[[Runtime], Awaitable[None]]
