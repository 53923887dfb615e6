"""Test services (a pytest plugin): a real Redis and real SQLite / PostgreSQL databases, started
here and stopped after the run (no server needs to be running on the machine).

- Redis: ``CALLCENTER_TEST_REDIS_URL`` if set, else the embedded redis-server on a temporary
  unix socket. Each test gets its own key ``prefix``; its keys are deleted afterwards.
- PostgreSQL: ``CALLCENTER_TEST_PG_URL`` if set, else a throwaway cluster (initdb/pg_ctl, as the
  ``postgres`` user when root). Each test gets a fresh database cloned from a migrated template.
- SQLite: a migrated template file copied per test.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import asyncpg
import pytest
import redis.asyncio as aioredis
from sqlalchemy.ext.asyncio import AsyncEngine

from config.embedded_redis import EmbeddedRedis
from store.db import create_engine
from store.migrate import upgrade
from store.throwaway_pg import ThrowawayPostgres

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"  # tests/artifacts


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = os.environ.get("CALLCENTER_TEST_REDIS_URL")
    if url:
        yield url
        return
    server = EmbeddedRedis(tmp_path_factory.mktemp("redis"), persist=False).start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def prefix() -> str:
    return f"cct{uuid.uuid4().hex[:10]}"


@pytest.fixture
async def redis(redis_url: str, prefix: str) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.from_url(redis_url, decode_responses=True)
    try:
        yield client
    finally:
        keys = [k async for k in client.scan_iter(match=f"{prefix}*", count=1000)]
        for i in range(0, len(keys), 500):
            await client.delete(*keys[i : i + 500])
        await client.aclose()


def _run_sync(coro_fn) -> None:
    """Run a coroutine to completion on its own loop in a thread (callable from any fixture)."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(lambda: asyncio.run(coro_fn())).result()


def _migrate(url: str) -> None:
    async def go() -> None:
        engine = create_engine(url)
        try:
            await upgrade(engine)
        finally:
            await engine.dispose()

    _run_sync(go)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite") / "template.sqlite3"
    _migrate(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[str]:
    url = os.environ.get("CALLCENTER_TEST_PG_URL")
    if url:
        yield url
        return
    with ThrowawayPostgres() as pg:
        yield pg.url


def _plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


def _with_db(url: str, name: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/{name}"


@pytest.fixture(scope="session")
def pg_template(pg_server_url: str) -> str:
    name = f"cc_tmpl_{uuid.uuid4().hex[:8]}"

    async def create() -> None:
        conn = await asyncpg.connect(_plain(pg_server_url))
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    _run_sync(create)
    _migrate(_with_db(pg_server_url, name))
    return name


@pytest.fixture(params=["sqlite", "postgresql"])
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A migrated, empty database: on SQLite and on PostgreSQL (every test runs on both)."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "store.sqlite3"
        shutil.copyfile(template, path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    server: str = request.getfixturevalue("pg_server_url")
    template_name: str = request.getfixturevalue("pg_template")
    name = f"cc_test_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(_plain(server))
    try:
        await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template_name}"')
    finally:
        await conn.close()
    try:
        yield _with_db(server, name).replace("postgresql://", "postgresql+asyncpg://")
    finally:
        conn = await asyncpg.connect(_plain(server))
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    eng = create_engine(db_url)
    try:
        yield eng
    finally:
        await eng.dispose()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
