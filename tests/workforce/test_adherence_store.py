"""``agent_adherence_pct``: percent adherence per agent over a period, read from the store (the
QA scorecard's source), checked against minutes counted by hand."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest

from store.db import session_factory
from store.models.core import AgentState
from workforce.adherence import period_adherence
from workforce.store_io import agent_adherence_pct, save_roster


def at(day: int, hh: int, mm: int = 0) -> datetime:
    return datetime(2025, 3, day, hh, mm, tzinfo=UTC)


ROSTER = pd.DataFrame(
    [
        ("a1", "shift", at(3, 9), at(3, 13)),
        ("a1", "break", at(3, 11), at(3, 11, 15)),
        ("a2", "shift", at(4, 9), at(4, 10)),
    ],
    columns=["agent_id", "activity", "start", "end"],
)
STATES = [
    ("a1", "ready", None, at(3, 9, 10), at(3, 10)),  # 10 min late
    ("a1", "on_call", None, at(3, 10), at(3, 11)),
    ("a1", "not_ready", "break", at(3, 11), at(3, 11, 30)),  # break 15 min too long
    ("a1", "wrap_up", None, at(3, 11, 30), at(3, 13)),
    ("a2", "on_call", None, at(4, 9, 30), at(4, 10, 30)),  # half the shift
    ("a3", "ready", None, at(4, 8), at(4, 9)),  # not rostered: no figure
]


async def test_agent_adherence_pct_from_the_store(engine) -> None:
    await save_roster(
        engine,
        ROSTER,
        name="week 10",
        period_start_at=at(3, 0),
        period_end_at=at(10, 0),
        created_at=at(1, 0),
        published=True,
    )
    async with session_factory(engine)() as session, session.begin():
        session.add_all(
            AgentState(agent_id=a, state=s, reason=r, start_at=s_at, end_at=e_at)
            for a, s, r, s_at, e_at in STATES
        )
    pct = await agent_adherence_pct(engine, at(3, 0), at(5, 0))
    # a1: 9:10-11:00 phones (110) + 11:00-11:15 break (15) + 11:30-13:00 phones (90) of 240.
    assert pct == {"a1": pytest.approx(100 * 215 / 240), "a2": pytest.approx(50.0)}
    # A period that holds only a1's day.
    assert await agent_adherence_pct(engine, at(3, 0), at(4, 0)) == {
        "a1": pytest.approx(100 * 215 / 240)
    }


def test_period_adherence_counts_minutes_inside_the_period_only() -> None:
    states = pd.DataFrame(STATES, columns=["agent_id", "state", "reason", "start_at", "end_at"])
    df = period_adherence(ROSTER, states, at(3, 10), at(3, 12), at(5, 0))
    assert df.loc["a1", "scheduled_min"] == 120
    # 10:00-11:00 phones + 11:00-11:15 break + 11:30-12:00 phones.
    assert df.loc["a1", "in_adherence_min"] == 60 + 15 + 30
