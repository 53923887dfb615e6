"""Opening and closing what the pieces share: Redis (embedded or by URL) and the database.

Connection problems at start-up are reported as ``SettingsError`` naming the setting, so a wrong
URL stops ``callcenter`` with exit code 2 and one line. Once started, the pieces wait out
outages of either by themselves (``kernel.supervisor``). Without ``redis_url`` the directory's
embedded redis-server is used when one is running (a command started beside ``serve`` or
``demo``: it is left running) or started (and stopped at the end).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import redis.asyncio as aioredis
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from config.embedded_redis import EmbeddedRedis, EmbeddedRedisError
from kernel.runtime import Runtime
from kernel.settings import Settings, SettingsError
from store.db import create_engine
from store.migrate import current_heads, upgrade

log = logging.getLogger(__name__)


async def open_redis(
    settings: Settings, stack: AsyncExitStack
) -> tuple[aioredis.Redis, str, EmbeddedRedis | None]:
    server = None
    if settings.redis_url:
        url = settings.redis_url
    else:
        server = EmbeddedRedis(settings.var_dir)
        stack.callback(server.stop)  # only if this process started it (even if still starting)
        try:
            await server.start_async()
        except EmbeddedRedisError as exc:
            raise SettingsError("redis_url", None, f"embedded redis-server failed: {exc}") from None
        url = server.url
    client = aioredis.from_url(url, decode_responses=True, socket_connect_timeout=5)
    stack.push_async_callback(client.aclose)
    try:
        await client.ping()
    except (RedisError, OSError) as exc:
        raise SettingsError("redis_url", url, f"cannot connect: {exc}") from None
    return client, url, server


async def open_database(settings: Settings, stack: AsyncExitStack, *, migrate: bool) -> AsyncEngine:
    url = settings.effective_db_url
    if not settings.db_url:
        settings.var_dir.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)
    stack.push_async_callback(engine.dispose)
    shown = settings.db_url or url
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        if migrate or not settings.db_url:
            await upgrade(engine)  # the embedded SQLite file is always kept current
        elif not await current_heads(engine):
            raise SettingsError(
                "db_url", shown, "database not migrated: run `callcenter db upgrade`"
            )
    except (SQLAlchemyError, OSError) as exc:
        raise SettingsError("db_url", shown, f"cannot connect: {exc}") from None
    return engine


@asynccontextmanager
async def open_runtime(settings: Settings, *, migrate: bool = False) -> AsyncIterator[Runtime]:
    async with AsyncExitStack() as stack:
        settings.var_dir.mkdir(parents=True, exist_ok=True)
        client, url, server = await open_redis(settings, stack)
        engine = await open_database(settings, stack, migrate=migrate)
        yield Runtime(
            settings=settings, redis=client, engine=engine, redis_url=url, embedded=server
        )
