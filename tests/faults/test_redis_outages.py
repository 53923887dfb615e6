"""Redis stopped and started again five times (1 to 10 s) while 300+ calls come in.

``callcenter serve`` (store writer, router, bridge, web) runs in its own process against a
redis-server of the test's own (append-only file), which the test stops (SIGTERM, by pid) and
starts again with its data; the PBX simulator runs in the test's process over TCP at real speed.
No piece may exit or restart; once the traffic has drained every call the simulator completed
is in ``calls`` once, none is open, and no agent is on a call or offered one without a channel.
"""

from __future__ import annotations

import asyncio
import time

import pytest
import redis.asyncio as aioredis
from cli_run import free_port
from fault_rig import (
    SECRET,
    USER,
    Calls,
    Serve,
    busy_agents,
    drained,
    load,
    log_in_agents,
    scenario,
    settings_toml,
    stored,
)
from sqlalchemy import func, select

from config.embedded_redis import EmbeddedRedis
from store.db import create_engine
from store.models.core import CallEvent
from telephony.simulator import start_simulator

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

WINDOW_S = 150.0  # inbound traffic, then none
CALLS_PER_HOUR = 8000.0  # about 330 calls in the window
OUTAGES = [(15.0, 1.0), (38.0, 4.0), (62.0, 10.0), (92.0, 2.0), (115.0, 6.0)]  # (at, for) s


async def test_redis_outages_during_traffic_lose_nothing_and_strand_no_one(tmp_path) -> None:
    redis_server = EmbeddedRedis(tmp_path / "redis", persist=True).start()
    ami_port, web_port = free_port(), free_port()
    config = tmp_path / "callcenter.toml"
    config.write_text(
        settings_toml(
            redis_url=redis_server.url,
            prefix="fault",
            var_dir=tmp_path / "var",
            ami_port=ami_port,
            web_port=web_port,
        )
    )
    settings = load(config)
    client = aioredis.from_url(redis_server.url, decode_responses=True)
    serve = Serve.start(config, ["store-writer", "router", "bridge", "web"], web_port)
    try:
        await serve.until(lambda b: b["ok"], "serve up")
        await log_in_agents(client, settings)
        async with start_simulator(
            scenario=scenario(WINDOW_S, CALLS_PER_HOUR),
            username=USER,
            secret=SECRET,
            port=ami_port,
            speed=1.0,
        ) as sim:
            calls = Calls().attach(sim.engine)
            started = time.monotonic()
            for at_s, for_s in OUTAGES:
                await asyncio.sleep(max(0.0, started + at_s - time.monotonic()))
                redis_server.stop()
                await asyncio.sleep(for_s)
                await asyncio.to_thread(redis_server.start)
                assert serve.proc.poll() is None, serve.tail()
            # the traffic ends by itself; then every caller hangs up and the store catches up
            await asyncio.sleep(max(0.0, started + WINDOW_S - time.monotonic()))
            async with asyncio.timeout(240):
                await drained(sim, client, settings)

        status, body = await serve.answer()
        assert serve.proc.poll() is None, serve.tail()
        assert status == 200, body
        pieces = body["pieces"]
        assert set(pieces) == {"store-writer", "router", "bridge", "web", "live-feed"}
        assert {name: p["restarts"] for name, p in pieces.items()} == dict.fromkeys(pieces, 0)
        assert {p["state"] for p in pieces.values()} == {"up"}, pieces

        completed = calls.completed
        assert len(completed) >= 300
        engine = create_engine(settings.effective_db_url)
        try:
            rows, open_states = await stored(engine)
            async with engine.connect() as conn:
                arrived = dict(
                    (
                        await conn.execute(
                            select(CallEvent.call_id, func.count())
                            .where(CallEvent.type == "call.arrived")
                            .group_by(CallEvent.call_id)
                        )
                    ).all()
                )
        finally:
            await engine.dispose()
        assert set(rows) == completed  # none lost, none made up
        assert set(arrived) == completed and set(arrived.values()) == {1}
        assert [c for c, r in rows.items() if r.ended_at is None] == []  # none left open
        assert [s for s in open_states if s.state in ("on_call", "offered")] == []
        assert await busy_agents(client, settings) == {}
        answered = sum(1 for r in rows.values() if r.answered_at is not None)
        assert answered > len(completed) // 2  # routing went on between the outages
    finally:
        code = serve.stop()
        await client.aclose()
        redis_server.stop()
    assert code == 0, serve.tail()
