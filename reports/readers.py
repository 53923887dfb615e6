"""The store's rows the reports are made of: SQLAlchemy Core over the ``calls`` and
``agent_states`` read models and the event log (RONA, telephony gaps), on SQLite and PostgreSQL.

Only the columns the definitions use are read, in one query per table, so a month of a large
centre (600,000 calls) is a few hundred thousand short rows (``bench/reports.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine

from reports.definitions import CALL_INPUT, STATE_INPUT
from store.models.core import AgentState, Call, CallEvent

# a RONA is dated when the ring timed out: at most this long after the call arrived
RONA_AFTER_ARRIVAL = timedelta(days=1)


async def read_calls(
    engine: AsyncEngine,
    start_at: datetime,
    end_at: datetime,
    queues: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Inbound calls that arrived in ``[start_at, end_at)`` (``CALL_INPUT`` columns), with the
    number of RONAs (``agent.rona`` events) each had."""
    c = Call.__table__.c
    cols = [c.call_id, *(c[name] for name in CALL_INPUT if name != "rona")]
    stmt = select(*cols).where(
        c.arrived_at >= start_at, c.arrived_at < end_at, c.direction == "inbound"
    )
    e = CallEvent.__table__.c
    rona = (
        select(e.call_id, func.count().label("rona"))
        .where(
            e.type == "agent.rona",
            e.ts >= start_at,
            e.ts < end_at + RONA_AFTER_ARRIVAL,
        )
        .group_by(e.call_id)
    )
    if queues:
        stmt = stmt.where(c.queue_id.in_(list(queues)))
    async with engine.connect() as conn:
        rows = (await conn.execute(stmt)).all()
        ronas: dict[str, int] = {r[0]: r[1] for r in (await conn.execute(rona)).all()}
    df = pd.DataFrame(rows, columns=["call_id", *(n for n in CALL_INPUT if n != "rona")])
    df["arrived_at"] = pd.to_datetime(df["arrived_at"], utc=True)
    df["rona"] = df["call_id"].map(ronas).fillna(0).astype(int) if ronas else 0
    return df


async def read_states(
    engine: AsyncEngine,
    start_at: datetime,
    end_at: datetime,
    agents: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Agent state rows overlapping ``[start_at, end_at)`` (``STATE_INPUT`` columns); a state
    still open has ``end_at`` None."""
    s = AgentState.__table__.c
    stmt = select(*(s[name] for name in STATE_INPUT)).where(
        s.start_at < end_at, or_(s.end_at.is_(None), s.end_at > start_at)
    )
    if agents:
        stmt = stmt.where(s.agent_id.in_(list(agents)))
    async with engine.connect() as conn:
        rows = (await conn.execute(stmt)).all()
    df = pd.DataFrame(rows, columns=list(STATE_INPUT))
    df["start_at"] = pd.to_datetime(df["start_at"], utc=True)
    df["end_at"] = pd.to_datetime(df["end_at"], utc=True)
    return df
