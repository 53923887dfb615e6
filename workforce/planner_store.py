"""The planner's edge to Redis and the store: the uploaded history, stored rosters with the
requirement they were solved against, hand edits, publishing, an agent's published shifts.

Rosters and their activities are the workforce tables (``workforce.store_io``); the requirement,
target and solver figures live beside them in ``roster_requirements``.

``agent_shifts(engine, agent_id, start_at, end_at)`` is what an agent's dashboard calls to show
the published shifts of a week (also served as ``GET /api/agent/shifts``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import redis.asyncio as aioredis
from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from kernel.keys import planner_history
from reports.service import interval_figures
from store.models.workforce import Roster, Shift
from store.models.workspaces import RosterRequirement
from workforce.planner import Activity, coverage, move_shift
from workforce.publishing import Period, superseded
from workforce.store_io import save_roster

log = logging.getLogger(__name__)


def _table(model: type[Any]) -> Table:
    """A model's table, typed as the ``Table`` it is (the declarative base says ``FromClause``)."""
    return cast(Table, model.__table__)


HISTORY_TTL_S = 7 * 86400
MAX_HISTORY_BYTES = 4 * 1024 * 1024
STORE_HISTORY_DAYS = 28
DEFAULT_INTERVAL_MIN = 30


async def save_history(redis: aioredis.Redis, prefix: str, username: str, csv_text: str) -> None:
    await redis.set(planner_history(prefix, username), csv_text, ex=HISTORY_TTL_S)


async def load_history(redis: aioredis.Redis, prefix: str, username: str) -> str | None:
    # the client decodes responses (str); redis-py types the value as bytes | str
    return cast("str | None", await redis.get(planner_history(prefix, username)))


async def store_history(
    engine: AsyncEngine, timezone: str, now: datetime, interval_min: int = 30
) -> pd.DataFrame:
    """The last four whole local weeks of inbound calls from the ``calls`` read model; the
    intervals of a telephony gap have unknown (NaN) calls, which the forecast leaves out."""
    tz = ZoneInfo(timezone)
    today = now.astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0)
    start = (today - timedelta(days=STORE_HISTORY_DAYS)).astimezone(UTC)
    df = await interval_figures(
        engine,
        start,
        today.astimezone(UTC),
        interval_min=interval_min,
        timezone=timezone,
        queues=None,
        rules={},
        by_queue=False,
    )
    gap = df["no_data"].to_numpy(dtype=bool)  # nobody heard Asterisk: unknown, not zero
    out = pd.DataFrame(
        {
            "calls": np.where(gap, np.nan, df["offered"].to_numpy(dtype=float)),
            "aht_s": np.where(gap, np.nan, df["aht_s"].to_numpy(dtype=float)),
        },
        index=pd.DatetimeIndex(df["interval_start"]).tz_convert(tz),
    )
    out.index.name = "interval_start"
    return out


# ---- rosters -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredRoster:
    roster_id: int
    name: str
    published: bool
    created_at: datetime
    published_at: datetime | None
    first_interval_at: datetime
    utc_offset_min: int
    interval_min: int
    required: list[float]
    settings: dict[str, Any]
    activities: list[Activity]
    gap: float | None = None  # the solver's (objective − bound) / objective
    lower_bound: float | None = None  # the solver's bound on the objective

    @property
    def objective(self) -> float | None:
        value = self.settings.get("objective")
        return None if value is None else float(value)

    @property
    def tz(self) -> Any:
        from datetime import timezone

        return timezone(timedelta(minutes=self.utc_offset_min))

    def coverage(self) -> list[float]:
        cov = coverage(
            self.activities, self.first_interval_at, self.interval_min, len(self.required)
        )
        return [round(float(v), 3) for v in cov]


async def save_planned_roster(
    engine: AsyncEngine,
    roster: pd.DataFrame,
    required: pd.Series,
    *,
    by: str,
    now: datetime,
    settings: dict[str, Any],
    figures: dict[str, float | None],
    name: str | None = None,
) -> int:
    """Save a solved roster with its requirement; ``name`` defaults to ``Week of <first day>``
    (the planner's page names it in the planner's language)."""
    idx = pd.DatetimeIndex(required.index)
    first = idx[0]
    interval_min = int((idx[1] - idx[0]).total_seconds() // 60)
    end = idx[-1] + (idx[1] - idx[0])
    offset = first.utcoffset() or timedelta(0)
    name = name or f"Week of {first.date().isoformat()}"
    roster_id = await save_roster(
        engine,
        roster,
        name=name,
        period_start_at=first.to_pydatetime().astimezone(UTC),
        period_end_at=end.to_pydatetime().astimezone(UTC),
        created_at=now,
        figures=figures,
    )
    async with engine.begin() as conn:
        await conn.execute(
            insert(RosterRequirement).values(
                roster_id=roster_id,
                first_interval_at=first.to_pydatetime().astimezone(UTC),
                utc_offset_min=int(offset.total_seconds() // 60),
                interval_min=interval_min,
                required=[float(v) for v in required.to_numpy()],
                settings=settings,
                created_by=by,
            )
        )
    log.info("roster %s planned by %s: %d activities", roster_id, by, len(roster))
    return roster_id


async def list_rosters(engine: AsyncEngine, limit: int = 50) -> list[dict[str, Any]]:
    r, q = _table(Roster), _table(RosterRequirement)
    stmt = (
        select(
            r.c.roster_id,
            r.c.name,
            r.c.published,
            r.c.created_at,
            r.c.period_start_at,
            r.c.period_end_at,
            r.c.under_staffing,
            r.c.over_staffing,
            r.c.gap,
            q.c.created_by,
            q.c.published_at,
        )
        .outerjoin(q, q.c.roster_id == r.c.roster_id)
        .order_by(r.c.roster_id.desc())
        .limit(limit)
    )
    async with engine.connect() as conn:
        return [dict(row) for row in (await conn.execute(stmt)).mappings()]


async def get_roster(engine: AsyncEngine, roster_id: int) -> StoredRoster | None:
    r, q, s = _table(Roster), _table(RosterRequirement), _table(Shift)
    async with engine.connect() as conn:
        row = (
            (
                await conn.execute(
                    select(
                        r,
                        q.c.first_interval_at,
                        q.c.utc_offset_min,
                        q.c.interval_min,
                        q.c.required,
                        q.c.settings,
                        q.c.published_at,
                    )
                    .outerjoin(q, q.c.roster_id == r.c.roster_id)
                    .where(r.c.roster_id == roster_id)
                )
            )
            .mappings()
            .first()
        )
        if row is None:
            return None
        acts = (
            await conn.execute(
                select(s.c.agent_id, s.c.activity, s.c.start_at, s.c.end_at)
                .where(s.c.roster_id == roster_id)
                .order_by(s.c.agent_id, s.c.start_at)
            )
        ).all()
    first_at = row["first_interval_at"] or row["period_start_at"]
    interval_min = row["interval_min"] or DEFAULT_INTERVAL_MIN
    required = row["required"]
    if required is None:  # stored without a requirement (e.g. by ``callcenter roster``)
        span_s = (row["period_end_at"] - first_at).total_seconds()
        required = [0.0] * max(1, int(span_s // (interval_min * 60)))
    return StoredRoster(
        roster_id=row["roster_id"],
        name=row["name"],
        published=bool(row["published"]),
        created_at=row["created_at"],
        published_at=row["published_at"],
        first_interval_at=first_at,
        utc_offset_min=row["utc_offset_min"] or 0,
        interval_min=interval_min,
        required=list(required),
        settings=dict(row["settings"] or {}),
        activities=[Activity(a.agent_id, a.activity, a.start_at, a.end_at) for a in acts],
        gap=row["gap"],
        lower_bound=row["lower_bound"],
    )


async def rewrite_agents(
    conn: AsyncConnection, roster_id: int, activities: list[Activity], agent_ids: list[str]
) -> None:
    """Replace the roster's activities of ``agent_ids`` with theirs in ``activities``."""
    s = _table(Shift)
    await conn.execute(delete(s).where(s.c.roster_id == roster_id, s.c.agent_id.in_(agent_ids)))
    rows = [
        {
            "roster_id": roster_id,
            "agent_id": a.agent_id,
            "activity": a.activity,
            "start_at": a.start_at,
            "end_at": a.end_at,
        }
        for a in activities
        if a.agent_id in agent_ids
    ]
    if rows:
        await conn.execute(insert(s), rows)


async def move_agent_shift(
    engine: AsyncEngine,
    roster: StoredRoster,
    agent_id: str,
    shift_start_at: datetime,
    start_at: datetime,
    end_at: datetime,
) -> None:
    """Move one shift by hand (its breaks move with it); rewrites that agent's activities."""
    moved = move_shift(roster.activities, agent_id, shift_start_at, start_at, end_at)
    async with engine.begin() as conn:
        await rewrite_agents(conn, roster.roster_id, moved, [agent_id])
    log.info(
        "roster %s: shift of %s at %s moved to %s-%s",
        roster.roster_id,
        agent_id,
        shift_start_at.isoformat(),
        start_at.isoformat(),
        end_at.isoformat(),
    )


async def publish_roster(engine: AsyncEngine, roster_id: int, now: datetime) -> list[int]:
    """Publish ``roster_id``; the published rosters it supersedes (``workforce.publishing``:
    overlapping its period) are withdrawn and returned, so agents see one set of shifts."""
    r, q = _table(Roster), _table(RosterRequirement)
    async with engine.begin() as conn:
        period = (
            await conn.execute(
                select(r.c.period_start_at, r.c.period_end_at).where(r.c.roster_id == roster_id)
            )
        ).first()
        if period is None:
            return []
        rows = await conn.execute(
            select(r.c.roster_id, r.c.period_start_at, r.c.period_end_at).where(
                r.c.published.is_(True)
            )
        )
        withdrawn = superseded(
            [Period(*row) for row in rows.all()],
            Period(roster_id, period.period_start_at, period.period_end_at),
        )
        if withdrawn:
            await conn.execute(
                update(r).where(r.c.roster_id.in_(withdrawn)).values(published=False)
            )
        await conn.execute(update(r).where(r.c.roster_id == roster_id).values(published=True))
        await conn.execute(update(q).where(q.c.roster_id == roster_id).values(published_at=now))
    log.info("roster %s published (withdrawn: %s)", roster_id, withdrawn or "none")
    return withdrawn


async def agent_shifts(
    engine: AsyncEngine, agent_id: str, start_at: datetime, end_at: datetime
) -> list[Activity]:
    """The agent's published activities (shifts, breaks, lunches) overlapping [start_at, end_at)."""
    r, s = _table(Roster), _table(Shift)
    stmt = (
        select(s.c.agent_id, s.c.activity, s.c.start_at, s.c.end_at)
        .join(r, r.c.roster_id == s.c.roster_id)
        .where(
            r.c.published.is_(True),
            s.c.agent_id == agent_id,
            s.c.start_at < end_at,
            s.c.end_at > start_at,
        )
        .order_by(s.c.start_at)
    )
    async with engine.connect() as conn:
        return [
            Activity(a.agent_id, a.activity, a.start_at, a.end_at)
            for a in (await conn.execute(stmt)).all()
        ]
