"""How responsive the web application stays while a 200-agent roster is solved.

Starts the real application (embedded Redis, a migrated SQLite file, 200 agents), uploads a
synthetic 3-week history, starts a roster solve through the API and, while it runs, measures
request latency of the roster endpoints and the event loop's lag; then cancels the solve and
measures how long the solver's process takes to go away.

    .venv/bin/python bench/roster_page.py
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import psutil
from aiohttp import web

from config.embedded_redis import EmbeddedRedis
from kernel.runtime import Runtime
from kernel.settings import Settings
from store.db import create_engine
from store.migrate import upgrade
from store.models.web import User
from store.seed import seed_from_settings
from web.app import create_app
from web.session.passwords import hash_password

ROOT = Path(__file__).resolve().parents[1]
# the planner tests' history generator, from the test kit (not part of the installed platform)
sys.path.insert(0, str(ROOT / "tests" / "support"))

from callcenter_testkit.history import history_csv  # noqa: E402

AGENTS = 200
REQUESTS = 60


def solver_children() -> list[psutil.Process]:
    return [
        p
        for p in psutil.Process().children(recursive=True)
        if any("spawn_main" in c for c in p.cmdline())
    ]


async def loop_lag(stop: asyncio.Event, out: list[float]) -> None:
    while not stop.is_set():
        t = time.perf_counter()
        await asyncio.sleep(0.01)
        out.append((time.perf_counter() - t - 0.01) * 1000)


async def main() -> None:
    tmp = Path(tempfile.mkdtemp())
    redis_server = EmbeddedRedis(tmp, persist=False).start()
    import redis.asyncio as aioredis

    settings = Settings.model_validate(
        {
            "redis_prefix": "benchroster",
            "skills": [{"id": "support"}],
            "queues": [{"id": "support", "name": "Support", "skills": {"support": 1}}],
            "agents": [
                {"id": f"a{i}", "name": f"Agent {i}", "skills": {"support": 1}}
                for i in range(1, AGENTS + 1)
            ],
        }
    )
    engine = create_engine(f"sqlite+aiosqlite:///{tmp / 'bench.sqlite3'}")
    await upgrade(engine)
    await seed_from_settings(engine, settings)
    async with engine.begin() as conn:
        await conn.execute(
            User.__table__.insert(),
            [
                {
                    "username": "pat",
                    "password_hash": hash_password("bench password"),
                    "role": "planner",
                    "agent_id": None,
                    "display_name": "Pat",
                    "active": True,
                    "created_at": datetime.now(UTC),
                }
            ],
        )
    redis = aioredis.from_url(redis_server.url, decode_responses=True)
    rt = Runtime(settings=settings, redis=redis, engine=engine, redis_url=redis_server.url)
    app = create_app(rt)
    runner = web.AppRunner(app, handle_signals=False, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]
    try:
        async with aiohttp.ClientSession(
            base_url=url, cookie_jar=aiohttp.CookieJar(unsafe=True)
        ) as s:
            token = (await (await s.get("/api/session")).json())["csrf_token"]
            r = await s.post(
                "/api/session",
                json={"username": "pat", "password": "bench password"},
                headers={"X-CSRF-Token": token},
            )
            s.headers["X-CSRF-Token"] = (await r.json())["csrf_token"]
            await s.put(
                "/api/planner/history",
                data=history_csv(3, scale=3.3).encode(),
                headers={"Content-Type": "text/csv"},
            )
            job = await (await s.post("/api/planner/rosters", json={"time_limit_s": 300})).json()
            while True:  # until HiGHS reports progress: the solver is really working
                st = await (await s.get(f"/api/planner/jobs/{job['job_id']}")).json()
                if st["best_objective"] is not None:
                    break
                await asyncio.sleep(0.1)
            stop, lags = asyncio.Event(), []
            lag_task = asyncio.create_task(loop_lag(stop, lags))
            latencies = []
            for i in range(REQUESTS):
                path = ("/planner", f"/api/planner/jobs/{job['job_id']}", "/api/planner/rosters")[
                    i % 3
                ]
                t = time.perf_counter()
                async with s.get(path) as resp:
                    await resp.read()
                latencies.append((time.perf_counter() - t) * 1000)
            state = await (await s.get(f"/api/planner/jobs/{job['job_id']}")).json()
            stop.set()
            await lag_task
            procs = solver_children()
            t = time.perf_counter()
            await s.post(f"/api/planner/jobs/{job['job_id']}/cancel")
            while any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in procs):  # noqa: ASYNC110
                await asyncio.sleep(0.01)
            cancel_ms = (time.perf_counter() - t) * 1000
    finally:
        await runner.cleanup()
        await redis.aclose()
        await engine.dispose()
        redis_server.stop()
    lat = sorted(latencies)
    p95 = lat[int(0.95 * (len(lat) - 1))]
    print(f"agents {AGENTS}, requests while solving {REQUESTS} (job still {state['status']})")
    print(
        f"request latency: median {statistics.median(lat):.1f} ms, p95 {p95:.1f} ms, "
        f"max {lat[-1]:.1f} ms"
    )
    print(f"event loop lag: median {statistics.median(lags):.2f} ms, max {max(lags):.1f} ms")
    print(f"cancel to solver process gone: {cancel_ms:.0f} ms")
    print(f"cores: {os.cpu_count()}")
    print(
        json.dumps(
            {
                "bench": "roster_page",
                "agents": AGENTS,
                "request_p50_ms": round(statistics.median(lat), 1),
                "request_p95_ms": round(p95, 1),
                "loop_lag_max_ms": round(max(lags), 1),
                "cancel_ms": round(cancel_ms),
                "cores": os.cpu_count(),
            }
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
