"""The database stopped for a while under ``callcenter serve`` on PostgreSQL.

A throwaway PostgreSQL cluster of the test's own is stopped (``pg_ctl stop``) while calls come
in, then started again. Meanwhile routing goes on (calls are offered and answered: the router
needs only Redis), the web answers, and ``/healthz`` shows the store writer ``retrying``; once
the database is back the writer catches up: every call the simulator completed is in ``calls``,
none open, and no piece restarted.
"""

from __future__ import annotations

import asyncio
import time

import pytest
import redis.asyncio as aioredis
from callcenter_testkit.fault_rig import Calls, drained, platform, stored

from kernel.keys import StreamNames
from store.db import create_engine
from store.throwaway_pg import ThrowawayPostgres

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

WINDOW_S = 100.0
CALLS_PER_HOUR = 3600.0
DOWN_AT_S, DOWN_FOR_S = 20.0, 35.0


async def offers(client: aioredis.Redis, stream: str) -> int:
    return sum(1 for _, f in await client.xrange(stream) if f.get("type") == "call.offered")


def writer_state(body: dict) -> str:
    return body["pieces"]["store-writer"]["state"]


async def test_serve_keeps_routing_while_postgresql_is_down_and_the_writer_catches_up(tmp_path):
    pg = ThrowawayPostgres().start()
    try:
        async with platform(tmp_path, "dbfault", persist_redis=False, db_url=pg.url) as p:
            stream = StreamNames(p.settings.redis_prefix).events
            serve = p.serve
            async with p.traffic(WINDOW_S, CALLS_PER_HOUR, seed=11) as sim:
                calls = Calls().attach(sim.engine)
                started = time.monotonic()
                await asyncio.sleep(DOWN_AT_S)
                await asyncio.to_thread(pg.stop_server)
                offered_at_stop = await offers(p.client, stream)
                body = await serve.until(
                    lambda b: writer_state(b) == "retrying", "writer retrying", timeout_s=60
                )
                assert not body["checks"]["database"]["ok"]
                assert body["pieces"]["router"]["state"] == "up"
                await asyncio.sleep(max(0.0, started + DOWN_AT_S + DOWN_FOR_S - time.monotonic()))
                status, body = await serve.answer()  # the web is still up
                assert status == 200 and writer_state(body) == "retrying", body
                assert await offers(p.client, stream) > offered_at_stop  # routing went on
                await asyncio.to_thread(pg.start_server)
                await serve.until(lambda b: writer_state(b) == "up", "writer back", timeout_s=60)
                await asyncio.sleep(max(0.0, started + WINDOW_S - time.monotonic()))
                async with asyncio.timeout(240):
                    await drained(sim, p.client, p.settings)

            status, body = await serve.answer()
            assert status == 200 and body["checks"]["database"]["ok"], body
            restarts = {n: piece["restarts"] for n, piece in body["pieces"].items()}
            assert restarts == dict.fromkeys(restarts, 0)
            engine = create_engine(pg.url)
            try:
                rows, open_states = await stored(engine)
            finally:
                await engine.dispose()
            completed = calls.completed
            assert len(completed) > 50
            assert set(rows) == completed  # the writer caught up with the outage's calls
            assert [c for c, r in rows.items() if r.ended_at is None] == []
            assert [s for s in open_states if s.state in ("on_call", "offered")] == []
            assert serve.stop() == 0, serve.tail()
    finally:
        pg.stop()
