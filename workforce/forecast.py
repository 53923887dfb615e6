"""Forecast of offered calls and AHT per interval: a weekly profile times an exponentially
weighted weekly level, with hand overrides for holidays and special days (pure).

The profile is the share of a week's calls in each (day of week, time of day) interval, averaged
over the history's complete weeks; the level is an exponentially weighted mean of the weekly
totals (``alpha`` on the newest week). AHT per (day, time) is the call-weighted mean.

An interval whose calls are unknown (NaN: a telephony gap in the store's history, when nobody
heard Asterisk) is left out of the training rather than read as zero calls: it counts as the
mean of the same (day, time) interval in the weeks that have it, so a gap neither lowers the
weekly level nor carves a hole in the profile. A closed interval is 0, not NaN.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from workforce.errors import InputError


@dataclass(frozen=True)
class ForecastError:
    mape: float  # mean absolute percentage error over intervals with calls
    wape: float  # Σ|error| / Σ actual
    holdout_start: pd.Timestamp


def _weeks(history: pd.DataFrame) -> tuple[pd.DataFrame, int, int]:
    if not {"calls", "aht_s"} <= set(history.columns):
        raise InputError("history", list(history.columns), "needs columns calls and aht_s")
    idx = pd.DatetimeIndex(history.index)
    if len(idx) < 2:
        raise InputError("history", len(idx), "needs at least two intervals")
    step_s = int((idx[1] - idx[0]).total_seconds())
    per_week = 7 * 86400 // step_s
    full = len(history) // per_week
    if full < 1:
        raise InputError(
            "history", len(history), f"needs at least one full week ({per_week} intervals)"
        )
    return history.iloc[len(history) - full * per_week :], per_week, full


def fill_unknown(calls: np.ndarray) -> np.ndarray:
    """``calls`` (weeks x intervals of a week) with each NaN replaced by the mean of the same
    interval in the other weeks (0 when no week has it)."""
    unknown = np.isnan(calls)
    if not unknown.any():
        return calls
    known = ~unknown
    counts = known.sum(axis=0)
    sums = np.where(known, calls, 0.0).sum(axis=0)
    means = np.divide(sums, counts, out=np.zeros_like(sums), where=counts > 0)
    return np.where(unknown, means[None, :], calls)


def forecast_calls(
    history: pd.DataFrame,
    horizon_days: int = 7,
    *,
    alpha: float = 0.3,
    overrides: dict[date, float] | None = None,
    start: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Calls and AHT per interval for the ``horizon_days`` from ``start`` (a tz-aware time on
    the history's interval grid; default: right after the history).

    ``overrides`` multiply a whole day's calls (0 for a closed holiday, 1.4 for a campaign day).
    """
    if not 0 < alpha <= 1:
        raise InputError("alpha", alpha, "must be in (0, 1]")
    if horizon_days < 1:
        raise InputError("horizon_days", horizon_days, "must be >= 1")
    hist, per_week, n_weeks = _weeks(history)
    calls = fill_unknown(hist["calls"].to_numpy(dtype=float).reshape(n_weeks, per_week))
    aht = hist["aht_s"].to_numpy(dtype=float).reshape(n_weeks, per_week)
    totals = calls.sum(axis=1)
    shares = np.divide(calls, totals[:, None], out=np.zeros_like(calls), where=totals[:, None] > 0)
    profile = shares.mean(axis=0)
    level = totals[0]
    for t in totals[1:]:
        level = alpha * t + (1 - alpha) * level
    weights = np.where(np.isnan(aht), 0.0, calls)
    aht_profile = np.divide(
        np.nansum(np.where(np.isnan(aht), 0.0, aht) * weights, axis=0),
        weights.sum(axis=0),
        out=np.full(per_week, np.nan),
        where=weights.sum(axis=0) > 0,
    )
    mean_aht = np.nansum(np.where(np.isnan(aht), 0, aht) * weights) / max(weights.sum(), 1e-12)
    aht_profile = np.where(np.isnan(aht_profile), mean_aht, aht_profile)

    idx = pd.DatetimeIndex(hist.index)
    step = idx[1] - idx[0]
    n = horizon_days * per_week // 7
    first = idx[-1] + step if start is None else pd.Timestamp(start)
    if first.tz is None:
        raise InputError("start", str(first), "needs a time zone")
    shift = (first - idx[0]) / step  # the history starts a week-aligned cycle
    if shift != int(shift):
        raise InputError("start", first.isoformat(), f"must lie on the history's {step} grid")
    future = pd.date_range(first, periods=n, freq=step, name="interval_start")
    pos = (int(shift) + np.arange(n)) % per_week
    out = pd.DataFrame({"calls": level * profile[pos], "aht_s": aht_profile[pos]}, index=future)
    for day, factor in (overrides or {}).items():
        if factor < 0:
            raise InputError(f"overrides[{day}]", factor, "must be >= 0")
        out.loc[np.asarray(future.date) == day, "calls"] *= factor
    return out


def holdout_error(history: pd.DataFrame, *, alpha: float = 0.3) -> ForecastError | None:
    """Forecast the last complete week from the weeks before it; None with under two weeks."""
    hist, per_week, n_weeks = _weeks(history)
    if n_weeks < 2:
        return None
    train, test = hist.iloc[:-per_week], hist.iloc[-per_week:]
    pred = forecast_calls(train, 7, alpha=alpha)["calls"].to_numpy()
    actual = test["calls"].to_numpy(dtype=float)
    heard = ~np.isnan(actual)  # a gap's intervals are not scored
    pred, actual = pred[heard], actual[heard]
    err = np.abs(pred - actual)
    nz = actual > 0
    mape = float(np.mean(err[nz] / actual[nz])) if nz.any() else float("nan")
    wape = float(err.sum() / actual.sum()) if actual.sum() > 0 else float("nan")
    return ForecastError(mape, wape, pd.Timestamp(test.index[0]))
