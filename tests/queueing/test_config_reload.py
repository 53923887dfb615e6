"""The router's configuration reloads when the store cannot be read: a loop of their own with
back-off, logged once per outage, the timers going on meanwhile; the store's configuration taken
once it can be read again."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from callcenter_testkit.queueing_helpers import eventually, make_settings, running

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
