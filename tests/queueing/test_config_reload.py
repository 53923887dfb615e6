"""The router's configuration reloads when the store cannot be read: a loop of their own with
back-off, logged once per outage, the timers going on meanwhile; the store's configuration taken
once it can be read again."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
from callcenter_testkit.queueing_helpers import eventually, make_settings, running

from kernel.settings import AgentConfig
from queueing.actions import AgentActions
from queueing.routing import Routing
from queueing.service import Router
from store.db import create_engine
from store.routing_config import RoutingConfig, store_loader

QUEUES = [{"id": "sales", "skills": {"sales": 1}, "ring_timeout_s": 5, "wrap_up_s": 0}]

pytestmark = pytest.mark.timeout(60)


async def test_a_store_outage_is_logged_once_and_leaves_the_timers_running(
    redis: Any, prefix: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    s = make_settings(prefix, QUEUES, tick_ms=20)
    engine = create_engine(f"sqlite:///{tmp_path / 'no-such-dir' / 'store.db'}")  # cannot open
    down = store_loader(engine, s)
    attempts: list[str] = []
    up = False

    async def loader() -> RoutingConfig | None:
        attempts.append("load")
        return None if up else await down()  # None: a store never seeded, the file applies

    routing = Routing(redis, s, config=loader)
    router = Router(routing, block_ms=20, config_check_s=0.01)
    caplog.set_level(logging.INFO, logger="queueing")
    try:
        async with running(router):
            await redis.set(routing.streams.config_version, "v2")
            await eventually(lambda: _true(len(attempts) >= 4))
            errors = [r for r in caplog.records if "not reloaded" in r.getMessage()]
            assert len(errors) == 1  # once per outage, not once per attempt
            assert routing.loaded_version != "v2"
            up = True
            await eventually(lambda: _true(routing.loaded_version == "v2"))
            await eventually(
                lambda: _true(any("reloads again" in r.getMessage() for r in caplog.records))
            )
    finally:
        await engine.dispose()


async def _true(value: bool) -> bool:
    return value


async def test_a_router_started_during_a_store_outage_keeps_the_admin_edits(
    redis: Any, prefix: str, tmp_path: Path
) -> None:
    """Alice was given complaints on the admin pages (her hash says so); the settings file still
    has her without it. A router that starts while the store cannot be read neither re-indexes
    her nor writes the file's queue settings; once the store answers it applies the store's."""
    queues = [*QUEUES, {"id": "complaints", "skills": {"complaints": 1}, "wrap_up_s": 0}]
    s = make_settings(prefix, queues, tick_ms=20).model_copy(
        update={"agents": [AgentConfig(id="a1", name="Alice", skills={"sales": 3})]}
    )
    edited = {"sales": 3, "complaints": 2}
    before = Routing(redis, s)
    await before.setup()
    await AgentActions(before).login("a1", edited)
    key = before.keys("default").agent("a1")
    await redis.hdel(before.keys("default").queue_config, "sales")
    engine = create_engine(f"sqlite:///{tmp_path / 'no-such-dir' / 'store.db'}")  # cannot open
    down = store_loader(engine, s)
    stored = RoutingConfig(queues=s.queues, agents=[AgentConfig(id="a1", skills=edited)])
    up = False

    async def loader() -> RoutingConfig | None:
        return stored if up else await down()

    routing = Routing(redis, s, config=loader)
    router = Router(routing, block_ms=20, config_check_s=0.01)
    try:
        async with running(router):
            assert json.loads(await redis.hget(key, "skills")) == edited
            assert await redis.hget(routing.keys("default").queue_config, "sales") is None
            up = True
            await eventually(lambda: _present(redis, routing.keys("default").queue_config, "sales"))
            assert json.loads(await redis.hget(key, "skills")) == edited
    finally:
        await engine.dispose()


async def _present(redis: Any, key: str, field: str) -> bool:
    return bool(await redis.hexists(key, field))


async def test_one_bad_agent_record_does_not_stop_the_others_reindex(
    redis: Any, prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A logged-in agent whose record holds skills that are no JSON is logged and skipped; the
    other agents are indexed anew under the new configuration all the same."""
    s = make_settings(prefix, QUEUES)
    routing = Routing(redis, s)
    await routing.setup()
    actions = AgentActions(routing)
    await actions.login("a1", {"sales": 3})
    await actions.login("a2", {"sales": 3})
    keys = routing.keys("default")
    await redis.hset(keys.agent("a1"), "skills", "{not json")
    routing.agents = {"a2": AgentConfig(id="a2", skills={})}  # a2 lost sales
    with caplog.at_level(logging.ERROR, logger="queueing"):
        assert await actions.reindex_all() == ["a2"]
    assert any("a1" in r.getMessage() for r in caplog.records)
    assert json.loads(await redis.hget(keys.agent("a2"), "skills")) == {}
