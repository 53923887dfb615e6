"""Web tests: a real Redis and database, the application on a loopback port, signed-in clients.

``web_rt`` is a Runtime on the test's Redis prefix and a migrated SQLite file (the store's own
tests cover PostgreSQL; the users table is checked on both in test_users.py). ``server`` serves
``create_app`` on port 0; ``login`` returns an aiohttp client session signed in as a user.
"""

from __future__ import annotations

import sys
from pathlib import Path

# tests/web would shadow the web package as a namespace package (tests/ is on sys.path).
_ROOT = str(Path(__file__).resolve().parents[2])
if sys.path[0] != _ROOT:
    sys.path.insert(0, _ROOT)
if getattr(sys.modules.get("web"), "__file__", "") is None:
    del sys.modules["web"]

import functools  # noqa: E402
import shutil  # noqa: E402
from collections.abc import AsyncIterator, Awaitable, Callable  # noqa: E402
from datetime import UTC, datetime  # noqa: E402

import aiohttp  # noqa: E402
import pytest  # noqa: E402
import redis.asyncio as aioredis  # noqa: E402
from aiohttp import web  # noqa: E402

from config.runtime import Runtime  # noqa: E402
from config.settings import Settings  # noqa: E402
from store.db import create_engine  # noqa: E402
from store.models.web import User  # noqa: E402
from store.seed import seed_from_settings  # noqa: E402
from web.app import create_app  # noqa: E402
from web.keys import LIVE  # noqa: E402
from web.passwords import hash_password  # noqa: E402

PASSWORD = "correct horse battery"

USERS = [
    # username, role, agent id
    ("alice", "agent", "a1"),
    ("bob", "agent", "a2"),
    ("sue", "supervisor", None),
    ("pat", "planner", None),
    ("quinn", "qa", None),
    ("ada", "admin", None),
]


@functools.cache
def password_hash() -> str:
    return hash_password(PASSWORD)


def web_settings(prefix: str, **overrides: object) -> Settings:
    data: dict[str, object] = {
        "redis_prefix": prefix,
        "skills": [{"id": "sales"}, {"id": "support"}, {"id": "complaints"}],
        "queues": [
            {"id": "sales", "name": "Sales", "skills": {"sales": 1}, "wrap_up_s": 60},
            {
                "id": "support",
                "name": "Technical support",
                "skills": {"support": 1},
                "sl_target_s": 30,
            },
            {"id": "complaints", "name": "Complaints", "skills": {"complaints": 1}},
        ],
        "agents": [
            {"id": "a1", "name": "Alice Wang", "skills": {"sales": 5, "support": 3}},
            {"id": "a2", "name": "Bob Li", "skills": {"support": 7}},
            {"id": "a3", "name": "Chen Jie", "skills": {"complaints": 6, "sales": 2}},
        ],
        "web": {
            "login_failures_per_user": 3,
            "login_failures_per_address": 6,
            "stats_every_ms": 200,
        },
    }
    data.update(overrides)
    return Settings.model_validate(data)


@pytest.fixture
async def web_db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    template: Path = request.getfixturevalue("sqlite_template")
    path = tmp_path / "web.sqlite3"
    shutil.copyfile(template, path)
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture
def settings(prefix: str) -> Settings:
    return web_settings(prefix)


@pytest.fixture
async def web_rt(
    settings: Settings, redis: aioredis.Redis, redis_url: str, web_db: str
) -> AsyncIterator[Runtime]:
    engine = create_engine(web_db)
    await seed_from_settings(engine, settings)
    now = datetime.now(UTC)
    async with engine.begin() as conn:  # one argon2 hash for every test user: hashing is slow
        await conn.execute(
            User.__table__.insert(),
            [
                {
                    "username": u,
                    "password_hash": password_hash(),
                    "role": role,
                    "agent_id": agent_id,
                    "display_name": u.title(),
                    "active": True,
                    "created_at": now,
                }
                for u, role, agent_id in USERS
            ],
        )
    try:
        yield Runtime(settings=settings, redis=redis, engine=engine, redis_url=redis_url)
    finally:
        await engine.dispose()


class Server:
    def __init__(self, app: web.Application, runner: web.AppRunner, url: str) -> None:
        self.app = app
        self.runner = runner
        self.url = url


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


Login = Callable[[str], Awaitable[aiohttp.ClientSession]]


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
