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
from callcenter_testkit.fault_rig import Calls, busy_agents, drained, platform, stored
from sqlalchemy import func, select

from store.db import create_engine
from store.models.core import CallEvent

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

WINDOW_S = 150.0  # inbound traffic, then none
CALLS_PER_HOUR = 8000.0  # about 330 calls in the window
OUTAGES = [(15.0, 1.0), (38.0, 4.0), (62.0, 10.0), (92.0, 2.0), (115.0, 6.0)]  # (at, for) s


async def test_redis_outages_during_traffic_lose_nothing_and_strand_no_one(tmp_path) -> None:
    async with platform(tmp_path, "fault", persist_redis=True) as p:
        async with p.traffic(WINDOW_S, CALLS_PER_HOUR) as sim:
            calls = Calls().attach(sim.engine)
            started = time.monotonic()
            for at_s, for_s in OUTAGES:
                await asyncio.sleep(max(0.0, started + at_s - time.monotonic()))
                p.redis_server.stop()
                await asyncio.sleep(for_s)
                await asyncio.to_thread(p.redis_server.start)
                assert p.serve.proc.poll() is None, p.serve.tail()
            # the traffic ends by itself; then every caller hangs up and the store catches up
            await asyncio.sleep(max(0.0, started + WINDOW_S - time.monotonic()))
            async with asyncio.timeout(240):
                await drained(sim, p.client, p.settings)

        status, body = await p.serve.answer()
        assert p.serve.proc.poll() is None, p.serve.tail()
        assert status == 200, body
        pieces = body["pieces"]
        assert set(pieces) == {"store-writer", "router", "bridge", "web", "live-feed"}
        assert {n: piece["restarts"] for n, piece in pieces.items()} == dict.fromkeys(pieces, 0)
        assert {piece["state"] for piece in pieces.values()} == {"up"}, pieces

        completed = calls.completed
        assert len(completed) >= 300
        engine = create_engine(p.settings.effective_db_url)
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
        assert await busy_agents(p.client, p.settings) == {}
        answered = sum(1 for r in rows.values() if r.answered_at is not None)
        assert answered > len(completed) // 2  # routing went on between the outages
        assert p.serve.stop() == 0, p.serve.tail()
