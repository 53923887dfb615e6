"""Telephony gaps: the stretches of time no bridge heard its Asterisk (``telephony.gap`` events,
kept in the event log like every event). Reports show the intervals they touch as "no data"
rather than as quiet minutes with no calls."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from store.models.core import CallEvent


@dataclass(frozen=True, slots=True)
class TelephonyGap:
    source: str
    from_at: datetime
    to_at: datetime


def gap_of(payload: dict[str, object]) -> TelephonyGap | None:
    """The gap a ``telephony.gap`` payload describes (None when it does not parse)."""
    try:
        from_at = pd.Timestamp(str(payload["from_at"])).tz_convert("UTC").to_pydatetime()
        to_at = pd.Timestamp(str(payload["to_at"])).tz_convert("UTC").to_pydatetime()
    except (KeyError, ValueError, TypeError):
        return None
    return TelephonyGap(str(payload.get("source") or ""), from_at, to_at)


async def read_gaps(
    engine: AsyncEngine, start_at: datetime, end_at: datetime
) -> list[TelephonyGap]:
    """Gaps that overlap ``[start_at, end_at)``, oldest first. A gap event is dated at the
    gap's end, so the read starts at ``start_at`` on the ``ts`` index."""
    t = CallEvent.__table__
    stmt = select(t.c.payload).where(t.c.type == "telephony.gap", t.c.ts >= start_at)
    async with engine.connect() as conn:
        payloads = (await conn.execute(stmt)).scalars().all()
    gaps = [g for g in (gap_of(p or {}) for p in payloads) if g is not None]
    return sorted(
        (g for g in gaps if g.from_at < end_at and g.to_at > start_at), key=lambda g: g.from_at
    )


def no_data(index: pd.DatetimeIndex, interval: pd.Timedelta, gaps: list[TelephonyGap]) -> pd.Series:
    """Per interval start in ``index``: True when a gap overlaps ``[start, start + interval)``."""
    flags = pd.Series(False, index=index, name="no_data")
    for gap in gaps:
        start, end = pd.Timestamp(gap.from_at), pd.Timestamp(gap.to_at)
        flags |= (index < end) & (index + interval > start)
    return flags
