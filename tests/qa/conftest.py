"""QA test data: a small hand-computable month of calls (November 2026, UTC)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from store.models.core import Agent, Call


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    year = 2026
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def call(
    call_id: str,
    arrived_at: datetime,
    agent_id: str | None,
    *,
    customer_id: str | None = None,
    caller: str | None = None,
    direction: str = "inbound",
    outcome: str = "answered",
    talk_s: float = 0.0,
    hold_s: float = 0.0,
    wrap_s: float = 0.0,
    transferred: bool = False,
    disposition: str | None = "resolved",
    queue_id: str = "support",
) -> dict[str, Any]:
    answered = arrived_at + timedelta(seconds=10) if outcome == "answered" else None
    return {
        "call_id": call_id,
        "direction": direction,
        "queue_id": queue_id,
        "caller": caller,
        "customer_id": customer_id,
        "agent_id": agent_id,
        "arrived_at": arrived_at,
        "answered_at": answered,
        "ended_at": (answered or arrived_at) + timedelta(seconds=talk_s + hold_s),
        "wait_s": 10.0,
        "talk_s": talk_s if outcome == "answered" else None,
        "hold_s": hold_s,
        "wrap_s": wrap_s if outcome == "answered" else None,
        "outcome": outcome,
        "disposition": disposition if outcome == "answered" else None,
        "transferred": transferred,
        "offers": 1,
    }


# See test_qa_scorecard_store.py for the figures each agent should get.
CALLS = [
    call("c1", at(2, 9), "a1", customer_id="C1", talk_s=200, hold_s=20, wrap_s=30),
    call(
        "c2",
        at(2, 10),
        "a1",
        customer_id="C2",
        talk_s=300,
        wrap_s=60,
        transferred=True,
        disposition="follow_up",
    ),
    call("c3", at(3, 9), "a1", customer_id="C3", talk_s=100, hold_s=10, wrap_s=20),
    call(
        "c4",
        at(5, 9),
        "a2",
        customer_id="C1",
        talk_s=400,
        hold_s=40,
        wrap_s=40,
        disposition="complaint",
    ),
    call("c5", at(20, 12), "a2", customer_id="C4", talk_s=250, wrap_s=50),
    call(
        "c6",
        at(28, 9),
        "a2",
        customer_id="C5",
        talk_s=350,
        hold_s=30,
        wrap_s=20,
        disposition="follow_up",
    ),
    call(
        "c7",
        at(29, 8),
        "a2",
        customer_id="C5",
        direction="outbound",
        talk_s=60,
        wrap_s=10,
        queue_id="outbound",
    ),
    call("c8", at(3, 9, month=12), "b1", customer_id="C5", talk_s=100, wrap_s=10),
    call("c9", at(10, 9), "b1", caller="+8613800000001", talk_s=500, wrap_s=100),
    call("c10", at(10, 9, 30), None, caller="+8613800000001", outcome="abandoned"),
    call("c11", at(31, 23, month=10), "b1", customer_id="C9", talk_s=100, wrap_s=10),
]
AGENTS = [
    {"agent_id": "a1", "name": "Ann", "endpoint": "PJSIP/a1", "team": "red", "active": True},
    {"agent_id": "a2", "name": "Bo", "endpoint": "PJSIP/a2", "team": "red", "active": True},
    {"agent_id": "b1", "name": "Cy", "endpoint": "PJSIP/b1", "team": "blue", "active": True},
]


async def fill_month(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(insert(Agent), AGENTS)
        await conn.execute(insert(Call), CALLS)


@pytest.fixture
async def month(engine: AsyncEngine) -> AsyncEngine:
    await fill_month(engine)
    return engine
