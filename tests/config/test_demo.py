"""The demo's start-up function: the URL answers, seeded people can sign in, and calls from the
simulated PBX reach the supervisor's wallboard (through bridge, router and store)."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest
from sqlalchemy import func, select

from config.demo import start_demo
from config.demo_data import DEMO_PASSWORD
from kernel.settings import load_settings
from store.models.core import Call

# The URL must answer within 60 s (asserted); the calls then arrive at the simulated morning's
# pace, so the whole test may take a few minutes on a loaded machine.
pytestmark = pytest.mark.timeout(300)


async def sign_in(http: aiohttp.ClientSession, base: str, user: str) -> dict[str, str]:
    async with http.get(f"{base}api/session") as r:
        token = (await r.json())["csrf_token"]
    async with http.post(
        f"{base}api/session",
        json={"username": user, "password": DEMO_PASSWORD},
        headers={"X-CSRF-Token": token},
    ) as r:
        assert r.status == 200, await r.text()
        return {"X-CSRF-Token": (await r.json())["csrf_token"]}


async def test_demo_starts_and_calls_reach_the_wallboard(tmp_path, redis_url, prefix):
    settings = load_settings(
        {
            "CALLCENTER_VAR_DIR": str(tmp_path / "var"),
            "CALLCENTER_REDIS_URL": redis_url,
            "CALLCENTER_REDIS_PREFIX": prefix,
        }
    )
    started = time.monotonic()
    async with start_demo(settings, web_port=0) as demo:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            async with http.get(f"{demo.url}healthz") as r:
                assert r.status == 200
            assert time.monotonic() - started < 60
            await sign_in(http, demo.url, "supervisor")
            offered = 0
            for _ in range(180):  # calls arrive at ~10 a minute in the simulated morning
                async with http.get(f"{demo.url}api/wallboard/queues") as r:
                    assert r.status == 200
                    queues = (await r.json())["queues"]
                offered = sum(q["day"]["offered"] for q in queues)
                if offered >= 2:
                    break
                await asyncio.sleep(1)
            assert {q["queue_id"] for q in queues} == {"sales", "support", "complaints"}
            assert offered >= 2
            async with http.get(f"{demo.url}api/wallboard/agents") as r:
                agents = await r.json()
            assert agents["total"] >= 26
        async with demo.rt.engine.connect() as conn:
            stored = (await conn.execute(select(func.count()).select_from(Call))).scalar_one()
        assert stored >= 1
