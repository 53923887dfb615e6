"""The planner's computations (pure): the forecast with its held-out week, the requirement per
interval, the coverage of a roster, a shift moved by hand.

Values in, values out: no clock, no I/O. Forecasting, staffing, rostering and adherence maths
live in the other ``workforce`` modules; this one shapes them into what the planner works with
(the web's planner pages are its callers: ``web/planner/http.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from kernel.messages import N_, FieldValueError
from workforce.errors import InputError
from workforce.forecast import forecast_calls, holdout_error
from workforce.roster import RosterRules
from workforce.staffing import Target, interval_length_s, staffing_table


@dataclass(frozen=True)
class Forecast:
    history: pd.DataFrame  # whole days used, calls and aht_s by interval start
    holdout_actual: pd.Series  # the last week's calls
    holdout_forecast: pd.Series  # the same week forecast from the weeks before it
    forecast: pd.DataFrame  # the coming week: calls, aht_s
    interval_s: int
    wape: float | None  # Σ|actual − forecast| / Σ actual over the held-out week
    mape: float | None  # mean |error| / actual over intervals with calls


def whole_days(history: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The history cut to whole local days (so the forecast starts at a midnight) and the
    interval length; at least two whole weeks are needed for the held-out week."""
    if not isinstance(history.index, pd.DatetimeIndex) or history.index.tz is None:
        raise InputError("interval_start", None, "needs timezone-aware interval starts")
    interval_s = interval_length_s(history.index)
    if 86400 % interval_s:
        raise InputError("interval_start", interval_s, "interval length must divide a day")
    per_day = 86400 // interval_s
    minutes = history.index.hour * 60 + history.index.minute
    starts = np.flatnonzero(minutes == 0)
    if starts.size == 0:
        raise InputError("interval_start", str(history.index[0]), "no interval starts at midnight")
    first = int(starts[0])
    days = (len(history) - first) // per_day
    if days < 14:
        raise InputError(
            "interval_start",
            f"{days} whole days",
            "need at least two whole weeks (14 days from a midnight)",
        )
    return history.iloc[first : first + days * per_day], interval_s


def target_week(today: date, chosen: date | None = None) -> date:
    """The Monday of the week to plan: ``chosen``'s week, by default the next week from
    ``today`` (both local dates in the centre's time zone)."""
    day = chosen or today + timedelta(days=7)
    return day - timedelta(days=day.weekday())


def local_midnight(day: date, timezone: str) -> pd.Timestamp:
    """``day``'s midnight in the centre's time zone (a zone name such as Asia/Shanghai)."""
    return pd.Timestamp(day).tz_localize(ZoneInfo(timezone))


def forecast_week(
    history: pd.DataFrame, alpha: float = 0.3, start: pd.Timestamp | None = None
) -> Forecast:
    """The week from ``start`` (``workforce.forecast``; default: right after the history) and
    the forecast's error on the history's held-out last week."""
    hist, interval_s = whole_days(history)
    per_week = 7 * 86400 // interval_s
    err = holdout_error(hist, alpha=alpha)
    n_weeks = len(hist) // per_week
    weeks = hist.iloc[len(hist) - n_weeks * per_week :]
    train, test = weeks.iloc[:-per_week], weeks.iloc[-per_week:]
    predicted = forecast_calls(train, 7, alpha=alpha)["calls"].to_numpy()
    return Forecast(
        history=hist,
        holdout_actual=test["calls"].astype(float),
        holdout_forecast=pd.Series(predicted, index=test.index),
        forecast=forecast_calls(hist, 7, alpha=alpha, start=start),
        interval_s=interval_s,
        wape=None if err is None or np.isnan(err.wape) else err.wape,
        mape=None if err is None or np.isnan(err.mape) else err.mape,
    )


def requirement(
    forecast: pd.DataFrame, interval_s: int, target: Target, shrinkage: float
) -> pd.DataFrame:
    """Agents on the phones (``agents``) and to schedule (``scheduled_agents``) per interval."""
    return staffing_table(
        forecast["calls"].to_numpy(),
        forecast["aht_s"].to_numpy(),
        interval_s,
        target,
        shrinkage=shrinkage,
        index=forecast.index,
    )


# ---- rosters -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Activity:
    agent_id: str
    activity: str  # shift | break | lunch
    start_at: datetime
    end_at: datetime


def coverage(
    activities: list[Activity], first_at: datetime, slot_min: int, n_slots: int
) -> np.ndarray:
    """Agents on the phones per slot: shift time minus break and lunch time, in slot fractions."""
    out = np.zeros(n_slots)
    slot_s = slot_min * 60
    for a in activities:
        sign = 1.0 if a.activity == "shift" else -1.0
        s = (a.start_at - first_at).total_seconds() / slot_s
        e = (a.end_at - first_at).total_seconds() / slot_s
        s, e = max(s, 0.0), min(e, float(n_slots))
        k = int(np.floor(s))
        while k < e and k < n_slots:
            part = min(e, k + 1) - max(s, k)
            if part > 0:
                out[k] += sign * part
            k += 1
    return out


def find_shift(
    activities: list[Activity], agent_id: str, start_at: datetime, field: str = "shift_start_at"
) -> Activity:
    """The agent's shift starting at ``start_at``; ``ValueError`` naming ``field`` if none."""
    for a in activities:
        if a.agent_id == agent_id and a.activity == "shift" and a.start_at == start_at:
            return a
    raise ValueError(f"{field}: agent {agent_id} has no shift starting {start_at.isoformat()}")


def move_shift(
    activities: list[Activity],
    agent_id: str,
    shift_start_at: datetime,
    new_start_at: datetime,
    new_end_at: datetime,
    min_rest_h: float = RosterRules.min_rest_h,
) -> list[Activity]:
    """The roster with one shift moved (its breaks keep their offsets from the shift start,
    clipped into the new shift). ``ValueError`` naming the field when the move is not allowed:
    the same rest between shifts as the roster generator keeps (``RosterRules.min_rest_h``)."""
    if new_end_at <= new_start_at:
        raise FieldValueError("end", N_("must be after start"))
    if new_end_at - new_start_at > timedelta(hours=12):
        raise FieldValueError("end", N_("a shift lasts at most 12 h"))
    shift = find_shift(activities, agent_id, shift_start_at)
    others = [
        a for a in activities if a.agent_id == agent_id and a.activity == "shift" and a is not shift
    ]
    rest = timedelta(hours=min_rest_h)
    for o in others:
        if o.start_at < new_end_at and new_start_at < o.end_at:
            raise FieldValueError(
                "start",
                N_("overlaps the agent's shift at %(start_at)s"),
                {"start_at": o.start_at.isoformat()},
            )
        if o.end_at <= new_start_at < o.end_at + rest:
            raise ValueError(
                f"start: less than {min_rest_h:g} h rest after the shift ending "
                f"{o.end_at.isoformat()}"
            )
        if new_end_at <= o.start_at < new_end_at + rest:
            raise ValueError(
                f"end: less than {min_rest_h:g} h rest before the shift starting "
                f"{o.start_at.isoformat()}"
            )
    delta = new_start_at - shift.start_at
    out: list[Activity] = []
    for a in activities:
        if a is shift:
            out.append(Activity(agent_id, "shift", new_start_at, new_end_at))
        elif (
            a.agent_id == agent_id
            and a.activity != "shift"
            and shift.start_at <= a.start_at < shift.end_at
        ):
            length = a.end_at - a.start_at
            start = min(max(a.start_at + delta, new_start_at), new_end_at - length)
            if start >= new_start_at:
                out.append(Activity(agent_id, a.activity, start, start + length))
        else:
            out.append(a)
    return out


def empty_history_reason(history: pd.DataFrame) -> str | None:
    """Why a history cannot be forecast from although it was read (None when it can): no
    intervals, every interval inside a telephony gap, or no calls at all."""
    if history.empty:
        return "the store has no intervals in the range"
    span = f"between {history.index[0]:%Y-%m-%d} and {history.index[-1]:%Y-%m-%d}"
    calls = history["calls"].to_numpy(dtype=float)
    unknown = int(np.isnan(calls).sum())
    if unknown == calls.size:
        return f"every interval {span} lies in a telephony gap (nobody heard Asterisk)"
    if np.nansum(calls) <= 0:
        gaps = f"; {unknown} intervals lie in telephony gaps" if unknown else ""
        return f"no inbound calls were recorded {span}{gaps}"
    return None
