"""Adherence and conformance per agent and day from the roster and the agent state intervals.

Minute by minute: scheduled to be on the phones (shift minus breaks), on a break or lunch, or off;
actually logged in (any state but ``logged_out``), available or busy (ready, offered, on_call,
wrap_up), or on a not-ready break. Adherence = minutes in the scheduled activity / scheduled
minutes; occupancy = (on_call + wrap_up) / (ready + offered + on_call + wrap_up). Pure: the store
is read by ``workforce.store_io`` (``agent_adherence_pct``, the QA scorecard's source).
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd

from workforce.errors import InputError

PHONE_STATES = ("ready", "offered", "on_call", "wrap_up")
BUSY_STATES = ("on_call", "wrap_up")
BREAK_REASONS = ("break", "lunch")
COLUMNS = ["scheduled_min", "logged_in_min", "in_adherence_min", "adherence", "occupancy"]


def _minutes(
    start: pd.Series, end: pd.Series, day_start: pd.Timestamp, n: int
) -> tuple[np.ndarray, np.ndarray]:
    s = ((pd.to_datetime(start, utc=True) - day_start).dt.total_seconds() // 60).to_numpy()
    e = ((pd.to_datetime(end, utc=True) - day_start).dt.total_seconds() // 60).to_numpy()
    return np.clip(s, 0, n).astype(int), np.clip(e, 0, n).astype(int)


def adherence(
    roster: pd.DataFrame, states: pd.DataFrame, day_start_at: datetime, now_at: datetime
) -> pd.DataFrame:
    """Per agent for the 24 h from ``day_start_at``: scheduled and logged-in minutes, adherence,
    occupancy. ``roster``: agent_id, activity, start, end; ``states``: agent_id, state, reason,
    start_at, end_at (None while it lasts: ends at ``now_at``)."""
    if day_start_at.tzinfo is None or now_at.tzinfo is None:
        raise InputError("day_start_at", day_start_at, "needs a timezone")
    return _adherence(roster, states, day_start_at, 1440, now_at)


def period_adherence(
    roster: pd.DataFrame,
    states: pd.DataFrame,
    start_at: datetime,
    end_at: datetime,
    now_at: datetime,
) -> pd.DataFrame:
    """As ``adherence``, over [start_at, end_at) (whole minutes) instead of one day."""
    for name, value in (("start_at", start_at), ("end_at", end_at), ("now_at", now_at)):
        if value.tzinfo is None:
            raise InputError(name, value, "needs a timezone")
    n = int((end_at - start_at).total_seconds() // 60)
    if n <= 0:
        raise InputError("end_at", end_at, "must be after start_at")
    return _adherence(roster, states, start_at, n, now_at)


def adherence_pct(frame: pd.DataFrame) -> dict[str, float]:
    """Adherence in percent per agent with scheduled time (others are left out: no figure)."""
    rows = frame[frame["scheduled_min"] > 0]
    return {str(a): float(100 * v) for a, v in rows["adherence"].items()}


def _groups(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    return {str(k): g for k, g in frame.groupby("agent_id")} if len(frame) else {}


def _adherence(
    roster: pd.DataFrame, states: pd.DataFrame, start_at: datetime, n: int, now_at: datetime
) -> pd.DataFrame:
    t0 = pd.Timestamp(start_at).tz_convert("UTC")
    by_roster, by_states = _groups(roster), _groups(states)
    agents = sorted(set(by_roster) | set(by_states))
    rows = []
    for agent_id in agents:
        plan = np.zeros(n, dtype=np.int8)  # 0 off, 1 phones, 2 break/lunch
        r = by_roster.get(agent_id, roster.iloc[:0])
        for kind, code in (("shift", 1), ("break", 2), ("lunch", 2)):
            part = r[r["activity"] == kind]
            if len(part):
                s, e = _minutes(part["start"], part["end"], t0, n)
                for a, b in zip(s, e, strict=True):
                    plan[a:b] = code
        actual = np.zeros(n, dtype=np.int8)  # 0 logged out, 1 phone, 2 break, 3 other not ready
        busy = np.zeros(n, dtype=bool)
        st = by_states.get(agent_id, states.iloc[:0])
        if len(st):
            end = st["end_at"].where(st["end_at"].notna(), pd.Timestamp(now_at))
            s, e = _minutes(st["start_at"], end, t0, n)
            for a, b, state, reason in zip(s, e, st["state"], st["reason"], strict=True):
                if state in PHONE_STATES:
                    actual[a:b] = 1
                    busy[a:b] = state in BUSY_STATES
                elif state == "not_ready":
                    actual[a:b] = 2 if reason in BREAK_REASONS else 3
        scheduled = plan > 0
        in_adh = (plan == 1) & (actual == 1) | (plan == 2) & (actual == 2)
        phone = actual == 1
        rows.append(
            {
                "agent_id": agent_id,
                "scheduled_min": int(scheduled.sum()),
                "logged_in_min": int((actual > 0).sum()),
                "in_adherence_min": int(in_adh.sum()),
                "adherence": float(in_adh.sum() / scheduled.sum()) if scheduled.any() else np.nan,
                "occupancy": float(busy.sum() / phone.sum()) if phone.any() else np.nan,
            }
        )
    return pd.DataFrame(rows, columns=["agent_id", *COLUMNS]).set_index("agent_id")
