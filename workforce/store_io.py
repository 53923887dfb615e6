"""The workforce package's edge to the store: save rosters, read rosters and agent states."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from store.db import session_factory
from store.models.core import AgentState
from store.models.workforce import Roster, Shift
from workforce.adherence import adherence_pct, period_adherence

log = logging.getLogger(__name__)


async def save_roster(
    engine: AsyncEngine,
    roster: pd.DataFrame,
    *,
    name: str,
    period_start_at: datetime,
    period_end_at: datetime,
    created_at: datetime,
    published: bool = False,
    figures: dict[str, float | None] | None = None,
) -> int:
    """Store a roster (agent_id, activity, start, end rows); returns its roster_id."""
    figures = figures or {}
    async with session_factory(engine)() as session, session.begin():
        row = Roster(
            name=name,
            period_start_at=period_start_at,
            period_end_at=period_end_at,
            created_at=created_at,
            published=published,
            under_staffing=figures.get("under_staffing"),
            over_staffing=figures.get("over_staffing"),
            lower_bound=figures.get("lower_bound"),
            gap=figures.get("gap"),
        )
        session.add(row)
        await session.flush()
        session.add_all(
            Shift(
                roster_id=row.roster_id,
                agent_id=r.agent_id,
                activity=r.activity,
                start_at=pd.Timestamp(r.start).to_pydatetime(),
                end_at=pd.Timestamp(r.end).to_pydatetime(),
            )
            for r in roster.itertuples(index=False)
        )
        roster_id = row.roster_id
    log.info("roster %s saved: %d activities, published=%s", roster_id, len(roster), published)
    return roster_id


async def read_shifts(
    engine: AsyncEngine, start_at: datetime, end_at: datetime, *, published_only: bool = True
) -> pd.DataFrame:
    """Activities overlapping [start_at, end_at) from (published) rosters."""
    stmt = (
        select(Shift.agent_id, Shift.activity, Shift.start_at, Shift.end_at)
        .join(Roster, Roster.roster_id == Shift.roster_id)
        .where(Shift.start_at < end_at, Shift.end_at > start_at)
    )
    if published_only:
        stmt = stmt.where(Roster.published.is_(True))
    async with engine.connect() as conn:
        rows = (await conn.execute(stmt)).all()
    return pd.DataFrame(rows, columns=["agent_id", "activity", "start", "end"])


async def read_agent_states(
    engine: AsyncEngine, start_at: datetime, end_at: datetime
) -> pd.DataFrame:
    """agent_states rows overlapping [start_at, end_at)."""
    t = AgentState
    stmt = select(t.agent_id, t.state, t.reason, t.start_at, t.end_at).where(
        t.start_at < end_at, (t.end_at.is_(None)) | (t.end_at > start_at)
    )
    async with engine.connect() as conn:
        rows = (await conn.execute(stmt)).all()
    return pd.DataFrame(rows, columns=["agent_id", "state", "reason", "start_at", "end_at"])


def utc_now() -> datetime:
    return datetime.now(UTC)


async def agent_adherence_pct(
    engine: AsyncEngine, start_at: datetime, end_at: datetime
) -> dict[str, float]:
    """Percent adherence per agent over [start_at, end_at) from the published rosters and the
    ``agent_states`` intervals: the QA scorecard's source."""
    roster = await read_shifts(engine, start_at, end_at)
    states = await read_agent_states(engine, start_at, end_at)
    now_at = min(utc_now(), end_at)
    return adherence_pct(period_adherence(roster, states, start_at, end_at, now_at))
