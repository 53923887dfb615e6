"""Publishing a roster supersedes the published one for the same week (pure rule, and on
SQLite and PostgreSQL: the agent sees one set of shifts, also when the demo starts again)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd

from workforce.planner_store import agent_shifts, list_rosters, publish_roster
from workforce.publishing import Period, superseded
from workforce.store_io import save_roster

MON = datetime(2026, 12, 14, tzinfo=UTC)


def test_superseded_are_the_overlapping_published_rosters() -> None:
    week = Period(9, MON, MON + timedelta(days=7))
    published = [
        Period(1, MON, MON + timedelta(days=7)),  # the same week
        Period(2, MON - timedelta(days=7), MON),  # the week before: touches, no overlap
        Period(3, MON + timedelta(days=6), MON + timedelta(days=13)),  # overlaps Sunday
        Period(9, MON, MON + timedelta(days=7)),  # itself (published again)
    ]
    assert superseded(published, week) == [1, 3]
    assert superseded([], week) == []


def _shift(agent: str, day: int) -> tuple[str, str, pd.Timestamp, pd.Timestamp]:
    start = pd.Timestamp(MON + timedelta(days=day, hours=1))
    return (agent, "shift", start, start + pd.Timedelta(hours=8))


async def test_publishing_the_same_week_twice_shows_one_set(engine) -> None:
    frame = pd.DataFrame(
        [_shift("a1", 0), _shift("a1", 1)], columns=["agent_id", "activity", "start", "end"]
    )
    ids = []
    for i in range(2):  # e.g. the demo started twice
        rid = await save_roster(
            engine,
            frame,
            name="Demo week",
            period_start_at=MON,
            period_end_at=MON + timedelta(days=7),
            created_at=MON,
        )
        withdrawn = await publish_roster(engine, rid, MON + timedelta(minutes=i))
        assert withdrawn == ids[-1:]
        ids.append(rid)
    mine = await agent_shifts(engine, "a1", MON, MON + timedelta(days=7))
    assert len(mine) == 2  # not four
    published = {r["roster_id"]: r["published"] for r in await list_rosters(engine)}
    assert published == {ids[0]: False, ids[1]: True}
