"""Pandas readers over the ``calls`` read model: per-interval statistics for reports, Erlang
inputs and the wallboard's day chart.

``interval_stats`` reads the rows (and the telephony gaps, ``store.gaps``) with SQL and hands
them to the pure ``summarise_intervals``, which is what the tests check against hand-computed
values. An interval a gap touches has ``no_data`` set: its figures are what the CDR could tell
(or nothing), not a quiet quarter of an hour.

``agent_names`` is the agents' directory the planner and the complaint desk both show;
``call_parties`` says who was on one call (the agent pages' checks and cards).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from store.gaps import TelephonyGap, no_data, read_gaps
from store.models.core import Agent, Call

COLUMNS = ["offered", "answered", "abandoned", "aht_s", "asa_s", "service_level", "no_data"]


def summarise_intervals(
    calls: pd.DataFrame,
    *,
    start_at: datetime,
    end_at: datetime,
    interval_min: int = 15,
    sl_target_s: float = 20.0,
    short_abandon_s: float = 0.0,
    gaps: list[TelephonyGap] | None = None,
) -> pd.DataFrame:
    """Per-interval figures for inbound calls, indexed by interval start (UTC), every interval
    in ``[start_at, end_at)`` present (zeros where no call arrived).

    - offered: calls that arrived in the interval (minus abandons shorter than
      ``short_abandon_s``, which most centres do not count);
    - answered / abandoned: of those, by outcome;
    - aht_s: mean of talk + hold + wrap-up over answered calls; asa_s: mean wait of answered;
    - service_level: answered within ``sl_target_s`` / offered (NaN when nothing was offered);
    - no_data: one of ``gaps`` (telephony gaps) overlaps the interval.
    """
    if interval_min not in (15, 30, 60):
        raise ValueError(f"interval_min: must be 15, 30 or 60, got {interval_min}")
    freq = f"{interval_min}min"
    index = pd.date_range(
        pd.Timestamp(start_at).floor(freq),
        end_at,
        freq=freq,
        inclusive="left",
        tz="UTC",
        name="interval_start",
    )
    flags = no_data(index, pd.Timedelta(minutes=interval_min), gaps or [])
    if calls.empty:
        out = pd.DataFrame(0, index=index, columns=COLUMNS[:-1], dtype=float)
        out[["aht_s", "asa_s", "service_level"]] = np.nan
        out["no_data"] = flags
        return out
    df = calls.copy()
    df["arrived_at"] = pd.to_datetime(df["arrived_at"], utc=True)
    df = df[
        (df["arrived_at"] >= pd.Timestamp(start_at)) & (df["arrived_at"] < pd.Timestamp(end_at))
    ]
    df = df[df["direction"] == "inbound"]
    short = (df["outcome"] == "abandoned") & (df["wait_s"].fillna(0) < short_abandon_s)
    df = df[~short]
    df["interval_start"] = df["arrived_at"].dt.floor(freq)
    answered = df["outcome"] == "answered"
    df["is_answered"] = answered.astype(float)
    df["is_abandoned"] = (df["outcome"] == "abandoned").astype(float)
    df["handle_s"] = np.where(
        answered,
        df["talk_s"].fillna(0) + df["hold_s"].fillna(0) + df["wrap_s"].fillna(0),
        np.nan,
    )
    df["answered_wait_s"] = np.where(answered, df["wait_s"], np.nan)
    df["in_sl"] = (answered & (df["wait_s"].fillna(np.inf) <= sl_target_s)).astype(float)
    g = df.groupby("interval_start")
    out = pd.DataFrame(
        {
            "offered": g.size().astype(float),
            "answered": g["is_answered"].sum(),
            "abandoned": g["is_abandoned"].sum(),
            "aht_s": g["handle_s"].mean(),
            "asa_s": g["answered_wait_s"].mean(),
            "in_sl": g["in_sl"].sum(),
        }
    ).reindex(index)
    out[["offered", "answered", "abandoned", "in_sl"]] = out[
        ["offered", "answered", "abandoned", "in_sl"]
    ].fillna(0.0)
    out["service_level"] = np.where(out["offered"] > 0, out["in_sl"] / out["offered"], np.nan)
    out["no_data"] = flags
    return out[COLUMNS]


async def read_calls(
    engine: AsyncEngine, start_at: datetime, end_at: datetime, queue_id: str | None = None
) -> pd.DataFrame:
    """The ``calls`` rows that arrived in ``[start_at, end_at)`` as a DataFrame."""
    t = Call.__table__
    stmt = select(t).where(t.c.arrived_at >= start_at, t.c.arrived_at < end_at)
    if queue_id is not None:
        stmt = stmt.where(t.c.queue_id == queue_id)
    async with engine.connect() as conn:
        result = await conn.execute(stmt)
        rows = result.mappings().all()
    return pd.DataFrame(rows, columns=[c.name for c in t.columns])


async def interval_stats(
    engine: AsyncEngine,
    start_at: datetime,
    end_at: datetime,
    *,
    interval_min: int = 15,
    queue_id: str | None = None,
    sl_target_s: float = 20.0,
    short_abandon_s: float = 0.0,
) -> pd.DataFrame:
    calls = await read_calls(engine, start_at, end_at, queue_id)
    gaps = await read_gaps(engine, start_at, end_at)
    return summarise_intervals(
        calls,
        start_at=start_at,
        end_at=end_at,
        interval_min=interval_min,
        sl_target_s=sl_target_s,
        short_abandon_s=short_abandon_s,
        gaps=gaps,
    )


async def agent_names(engine: AsyncEngine, *, active_only: bool = False) -> dict[str, str]:
    """Agent id -> name, by agent id; only the agents still active when ``active_only``."""
    stmt = select(Agent.agent_id, Agent.name).order_by(Agent.agent_id)
    if active_only:
        stmt = stmt.where(Agent.active.is_(True))
    async with engine.connect() as conn:
        return {r.agent_id: r.name for r in await conn.execute(stmt)}


@dataclass(frozen=True, slots=True)
class CallParties:
    agent_id: str | None
    customer_id: str | None
    caller: str | None
    direction: str | None


async def call_parties(engine: AsyncEngine, call_id: str) -> CallParties | None:
    """Who was on the call according to the ``calls`` read model; None before the store has it."""
    c = Call.__table__
    stmt = select(c.c.agent_id, c.c.customer_id, c.c.caller, c.c.direction).where(
        c.c.call_id == call_id
    )
    async with engine.connect() as conn:
        row = (await conn.execute(stmt)).first()
    return CallParties(*row) if row else None
