"""Workforce services the command line (and the planner pages) share: a day's adherence from the
store, a solved roster saved with its figures."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy.ext.asyncio import AsyncEngine

from workforce.adherence import adherence
from workforce.roster import RosterResult
from workforce.store_io import read_agent_states, read_shifts, save_roster, utc_now


async def day_adherence(engine: AsyncEngine, start_at: datetime, now_at: datetime) -> pd.DataFrame:
    """Adherence and occupancy per agent for the 24 h from ``start_at`` (``workforce.adherence``),
    from the published rosters and the agent state intervals; states still open end at
    ``now_at``."""
    end_at = start_at + timedelta(days=1)
    shifts = await read_shifts(engine, start_at, end_at)
    states = await read_agent_states(engine, start_at, end_at)
    return adherence(shifts, states, start_at, now_at)


async def save_solved_roster(
    engine: AsyncEngine,
    result: RosterResult,
    *,
    name: str,
    requirements_index: pd.DatetimeIndex,
    published: bool,
) -> int:
    """Store a solved roster over the requirements' period (one interval past the last start),
    with its staffing figures; returns its roster id."""
    idx = requirements_index
    return await save_roster(
        engine,
        result.roster,
        name=name,
        period_start_at=idx[0].to_pydatetime(),
        period_end_at=(idx[-1] + (idx[1] - idx[0])).to_pydatetime(),
        created_at=utc_now(),
        published=published,
        figures={
            "under_staffing": result.under_staffing,
            "over_staffing": result.over_staffing,
            "lower_bound": result.lower_bound,
            "gap": result.gap,
        },
    )
