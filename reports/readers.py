"""The store's rows the reports are made of: SQLAlchemy Core over the ``calls`` and
``agent_states`` read models and the event log (RONA), on SQLite and PostgreSQL.

Only the columns the definitions use are read. Times come out of SQL as seconds since 1970
(no per-row datetime parsing), and agent states are summed in SQL per agent, state and reason,
clipped to the range: a month of a large centre (600,000 calls, nearly two million state rows)
stays a matter of seconds (``bench/reports.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, Float, cast, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine

from reports.definitions import CALL_INPUT, STATE_SECONDS
from store.models.core import AgentState, Call, CallEvent

# a RONA is dated when the ring timed out: at most this long after the call arrived
RONA_AFTER_ARRIVAL = timedelta(days=1)


def epoch_s(col: Any, dialect: str) -> ColumnElement[float]:
    """Seconds since 1970 of a UTC datetime column, to the microsecond on both backends (SQLite
    keeps ``YYYY-MM-DD HH:MM:SS.ffffff`` text: whole seconds, plus the fraction after them)."""
    if dialect == "sqlite":
        whole = cast(func.strftime("%s", col), Float)
        return whole + func.coalesce(cast(func.substr(col, 20), Float), 0.0)
    return cast(func.extract("epoch", col), Float)


def _frame(rows: Sequence[Any], names: Sequence[str]) -> pd.DataFrame:
    # plain tuples take pandas' fast path; SQLAlchemy's Row objects are probed one by one
    return pd.DataFrame.from_records([tuple(r) for r in rows], columns=list(names))


def _utc(seconds: pd.Series) -> pd.Series:
    """Seconds since 1970 (a float: off by a fraction of a microsecond) back to exact UTC
    microseconds, so a call at 09:15:00 falls in 09:15, not 09:00."""
    micros = (seconds.astype(float) * 1e6).round().astype("int64")
    return pd.to_datetime(micros, unit="us", utc=True)


async def read_calls(
    engine: AsyncEngine,
    start_at: datetime,
    end_at: datetime,
    queues: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Inbound calls that arrived in ``[start_at, end_at)`` (``CALL_INPUT`` columns), with the
    number of RONAs (``agent.rona`` events) each had."""
    c = Call.__table__.c
    plain = [n for n in CALL_INPUT if n not in ("arrived_at", "rona")]
    stmt = select(
        c.call_id, epoch_s(c.arrived_at, engine.dialect.name), *(c[n] for n in plain)
    ).where(c.arrived_at >= start_at, c.arrived_at < end_at, c.direction == "inbound")
    if queues:
        stmt = stmt.where(c.queue_id.in_(list(queues)))
    e = CallEvent.__table__.c
    rona = (
        select(e.call_id, func.count())
        .where(e.type == "agent.rona", e.ts >= start_at, e.ts < end_at + RONA_AFTER_ARRIVAL)
        .group_by(e.call_id)
    )
    async with engine.connect() as conn:
        rows = (await conn.execute(stmt)).all()
        ronas: dict[str, int] = {r[0]: r[1] for r in (await conn.execute(rona)).all()}
    df = _frame(rows, ["call_id", "arrived_at", *plain])
    df["arrived_at"] = _utc(df["arrived_at"])
    df["rona"] = df["call_id"].map(ronas).fillna(0).astype(int) if ronas else 0
    return df


async def read_state_seconds(
    engine: AsyncEngine,
    start_at: datetime,
    end_at: datetime,
    agents: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Seconds per agent, state and reason inside ``[start_at, end_at)`` (``STATE_SECONDS``
    columns): each state row clipped to the range, a state still open counted to its end."""
    s = AgentState.__table__.c
    dialect = engine.dialect.name
    lo, hi = start_at.timestamp(), end_at.timestamp()
    begin = epoch_s(s.start_at, dialect)
    finish = func.coalesce(epoch_s(s.end_at, dialect), literal(hi))
    if dialect == "sqlite":  # SQLite's two-argument max/min are scalar
        clipped = func.min(finish, literal(hi)) - func.max(begin, literal(lo))
    else:
        clipped = func.least(finish, literal(hi)) - func.greatest(begin, literal(lo))
    stmt = (
        select(s.agent_id, s.state, s.reason, func.sum(clipped))
        .where(s.start_at < end_at, or_(s.end_at.is_(None), s.end_at > start_at))
        .group_by(s.agent_id, s.state, s.reason)
    )
    if agents:
        stmt = stmt.where(s.agent_id.in_(list(agents)))
    async with engine.connect() as conn:
        rows = (await conn.execute(stmt)).all()
    df = _frame(rows, list(STATE_SECONDS))
    df["state_s"] = np.maximum(df["state_s"].astype(float), 0.0)
    return df
