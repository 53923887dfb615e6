"""Web fixtures (a pytest plugin): a real Redis and database, the application on a loopback port,
signed-in clients. Each test directory that uses them provides ``settings`` (its conftest).

``web_rt`` is a Runtime on the test's Redis prefix and a migrated SQLite file (the store's own
tests cover PostgreSQL; the users table is checked on both in test_users.py). ``server`` serves
``create_app`` on port 0; ``login`` returns an aiohttp client session signed in as a user;
``router`` runs the real router on the test's Redis, ``store_writer`` the store writer,
``phone`` plays the bridge
(``phone_line.PhoneLine``).
Fixtures only: the helpers (users, password, settings, ``Server``, ``Login``) are in
``callcenter_testkit.webtools``.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import redis.asyncio as aioredis
from aiohttp import web

from callcenter_testkit.phone_line import PhoneLine
from callcenter_testkit.webtools import PASSWORD, USERS, Login, Server, add_users
from kernel.runtime import Runtime
from kernel.settings import Settings
from queueing.routing import Routing
from queueing.service import Router, runtime_routing
from store.db import create_engine
from store.seed import seed_from_settings
from store.writer import StoreWriter
from web.app import create_app
from web.keys import LIVE


@pytest.fixture
async def web_db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    template: Path = request.getfixturevalue("sqlite_template")
    path = tmp_path / "web.sqlite3"
    shutil.copyfile(template, path)
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture
async def web_rt(
    settings: Settings, redis: aioredis.Redis, redis_url: str, web_db: str
) -> AsyncIterator[Runtime]:
    engine = create_engine(web_db)
    await seed_from_settings(engine, settings)
    await add_users(engine, [(u, role, agent_id, u.title()) for u, role, agent_id in USERS])
    try:
        yield Runtime(settings=settings, redis=redis, engine=engine, redis_url=redis_url)
    finally:
        await engine.dispose()


@pytest.fixture
async def server(web_rt: Runtime) -> AsyncIterator[Server]:
    app = create_app(web_rt)
    runner = web.AppRunner(app, handle_signals=False, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    await app[LIVE].started.wait()
    try:
        yield Server(app, runner, f"http://127.0.0.1:{port}")
    finally:
        await runner.cleanup()


@pytest.fixture
async def anon(server: Server) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(
        base_url=server.url, cookie_jar=aiohttp.CookieJar(unsafe=True)
    ) as s:
        yield s


@pytest.fixture
async def login(server: Server) -> AsyncIterator[Login]:
    sessions: list[aiohttp.ClientSession] = []

    async def go(username: str) -> aiohttp.ClientSession:
        s = aiohttp.ClientSession(base_url=server.url, cookie_jar=aiohttp.CookieJar(unsafe=True))
        sessions.append(s)
        async with s.get("/api/session") as r:
            token = (await r.json())["csrf_token"]
        async with s.post(
            "/api/session",
            json={"username": username, "password": PASSWORD},
            headers={"X-CSRF-Token": token},
        ) as r:
            assert r.status == 200, await r.text()
            s.headers["X-CSRF-Token"] = (await r.json())["csrf_token"]
        return s

    yield go
    for s in sessions:
        await s.close()


@pytest.fixture
async def router(web_rt: Runtime) -> AsyncIterator[Routing]:
    routing = runtime_routing(web_rt)  # the store's queues and agents, as the piece has them
    r = Router(routing, block_ms=50)
    task = asyncio.create_task(r.run())
    await asyncio.wait_for(r.started.wait(), 10)
    try:
        yield routing
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


@pytest.fixture
async def store_writer(web_rt: Runtime) -> AsyncIterator[StoreWriter]:
    """The real store writer on the test's stream and database (the ``calls`` read model)."""
    writer = StoreWriter(web_rt.redis, web_rt.engine, web_rt.streams, block_ms=50)
    task = asyncio.create_task(writer.run())
    try:
        yield writer
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


@pytest.fixture
async def phone(web_rt: Runtime) -> AsyncIterator[Any]:
    async with PhoneLine(web_rt.redis, web_rt.streams) as line:
        yield line
