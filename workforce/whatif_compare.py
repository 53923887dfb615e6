"""What the formulas predict for a roster against a forecast, next to what the simulation did.

Pure module. Per interval: the forecast (calls, AHT), the agents on the phones by the roster
(time-averaged, so possibly fractional: the formulas are evaluated at the two neighbouring whole
numbers and interpolated linearly), Erlang C (service level, ASA, probability of waiting) and
Erlang A (service level, abandon rate; callers' mean patience ``patience_s``), and the
simulated figures from the store's interval statistics (offered, service level, ASA of answered
calls, abandon rate, AHT). Service levels count calls answered within the threshold out of all
offered calls, in the model and in the store alike. The ``*_realised`` columns evaluate the
formulas at the calls and AHT the simulation actually had, which separates the model's error
from the forecast's Poisson noise. ``poisson_range`` says how far the simulated
offered calls may stray from the forecast by chance alone.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats

from workforce.erlang import erlang_a_metrics, erlang_c_metrics
from workforce.errors import InputError

COLUMNS = [
    "calls",
    "sim_offered",
    "aht_s",
    "sim_aht_s",
    "agents",
    "sl_erlang_c",
    "sl_erlang_a",
    "sl_sim",
    "asa_erlang_c_s",
    "asa_sim_s",
    "abandon_erlang_a",
    "abandon_sim",
    "sl_erlang_c_realised",
    "sl_erlang_a_realised",
]


def _interpolated(
    agents: np.ndarray, fn: Callable[[np.ndarray], dict[str, np.ndarray]]
) -> dict[str, np.ndarray]:
    """``fn(n)`` (a dict of arrays) at floor and ceil of ``agents``, interpolated linearly
    (an infinite ASA on either side stays infinite)."""
    lo = np.floor(agents)
    frac = agents - lo
    at_lo, at_hi = fn(lo), fn(lo + 1)
    out = {}
    for key, v_lo in at_lo.items():
        with np.errstate(invalid="ignore"):
            out[key] = np.where(frac > 0, (1 - frac) * v_lo + frac * at_hi[key], v_lo)
    return out


def predictions(
    calls: ArrayLike,
    aht_s: ArrayLike,
    agents: ArrayLike,
    interval_s: float,
    *,
    answer_within_s: float,
    patience_s: float | None,
) -> pd.DataFrame:
    """Erlang C and Erlang A figures per interval for the given (possibly fractional) agents.

    Without ``patience_s`` (callers never hang up) Erlang A is Erlang C: its columns repeat
    Erlang C's service level and give a zero abandon rate."""
    if interval_s <= 0:
        raise InputError("interval_s", interval_s, "must be > 0")
    c, aht, n = (np.asarray(x, dtype=float).ravel() for x in (calls, aht_s, agents))
    if not c.size == aht.size == n.size:
        raise InputError(
            "agents", n.size, f"calls, aht_s and agents need one value per interval ({c.size})"
        )
    if (n < 0).any():
        raise InputError("agents", float(n.min()), "must be >= 0")
    rate = c / interval_s
    traffic = rate * np.where(c > 0, aht, 0.0)

    def erlang_c(k: np.ndarray) -> dict[str, np.ndarray]:
        m = erlang_c_metrics(k, traffic, np.where(aht > 0, aht, 1.0), answer_within_s)
        return {"sl": m.service_level, "asa": m.asa_s}

    def erlang_a(k: np.ndarray) -> dict[str, np.ndarray]:
        if patience_s is None:
            m = erlang_c(k)
            return {"sl": m["sl"], "abandon": np.zeros_like(k)}
        ma = erlang_a_metrics(k, rate, np.where(aht > 0, aht, 1.0), patience_s, answer_within_s)
        return {"sl": ma.service_level, "abandon": ma.abandon_rate}

    ec = _interpolated(n, erlang_c)
    ea = _interpolated(n, erlang_a)
    return pd.DataFrame(
        {
            "sl_erlang_c": ec["sl"],
            "asa_erlang_c_s": ec["asa"],
            "sl_erlang_a": ea["sl"],
            "abandon_erlang_a": ea["abandon"],
        }
    )


def simulated_frame(figures: pd.DataFrame) -> pd.DataFrame:
    """The intervals report of the simulated queue (``reports.definitions``) as ``compare``
    takes it: indexed by interval start, with ``service_level`` the fraction of *offered* calls
    answered within target, as Erlang's models state it (the reports' ``sl_pct`` leaves short
    abandons out), built from the reports' own counts."""
    out = figures.set_index("interval_start")[
        ["offered", "answered", "abandoned", "aht_s", "asa_s"]
    ].astype(float)
    offered = out["offered"].to_numpy()
    in_sl = figures["answered_in_sl"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["service_level"] = np.where(
            offered > 0, in_sl / np.where(offered > 0, offered, 1), np.nan
        )
    return out


def compare(
    forecast: pd.DataFrame,
    agents: pd.Series,
    simulated: pd.DataFrame,
    interval_s: float,
    *,
    answer_within_s: float,
    patience_s: float | None,
) -> pd.DataFrame:
    """One row per forecast interval (index: interval start, UTC): forecast, agents, predictions
    and simulated figures (``COLUMNS``). ``simulated`` is ``simulated_frame`` of the intervals
    report (offered, answered, abandoned, aht_s, asa_s, service_level); a missing interval
    counts as nothing offered."""
    index = pd.DatetimeIndex(forecast.index).tz_convert("UTC")
    sim = simulated.copy()
    sim.index = pd.DatetimeIndex(sim.index).tz_convert("UTC")
    sim = sim.reindex(index)
    offered = sim["offered"].fillna(0.0).to_numpy(dtype=float)
    abandoned = sim["abandoned"].fillna(0.0).to_numpy(dtype=float)
    pred = predictions(
        forecast["calls"].to_numpy(dtype=float),
        forecast["aht_s"].fillna(0.0).to_numpy(dtype=float),
        agents.to_numpy(dtype=float),
        interval_s,
        answer_within_s=answer_within_s,
        patience_s=patience_s,
    )
    sim_aht = sim["aht_s"].to_numpy(dtype=float)
    realised = predictions(
        offered,
        np.where(np.isnan(sim_aht), forecast["aht_s"].fillna(0.0).to_numpy(dtype=float), sim_aht),
        agents.to_numpy(dtype=float),
        interval_s,
        answer_within_s=answer_within_s,
        patience_s=patience_s,
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        abandon_sim = np.where(offered > 0, abandoned / np.where(offered > 0, offered, 1.0), np.nan)
    out = pd.DataFrame(
        {
            "calls": forecast["calls"].to_numpy(dtype=float),
            "sim_offered": offered,
            "aht_s": forecast["aht_s"].to_numpy(dtype=float),
            "sim_aht_s": sim["aht_s"].to_numpy(dtype=float),
            "agents": agents.to_numpy(dtype=float),
            "sl_erlang_c": pred["sl_erlang_c"].to_numpy(),
            "sl_erlang_a": pred["sl_erlang_a"].to_numpy(),
            "sl_sim": sim["service_level"].to_numpy(dtype=float),
            "asa_erlang_c_s": pred["asa_erlang_c_s"].to_numpy(),
            "asa_sim_s": sim["asa_s"].to_numpy(dtype=float),
            "abandon_erlang_a": pred["abandon_erlang_a"].to_numpy(),
            "abandon_sim": abandon_sim,
            "sl_erlang_c_realised": realised["sl_erlang_c"].to_numpy(),
            "sl_erlang_a_realised": realised["sl_erlang_a"].to_numpy(),
        },
        index=pd.DatetimeIndex(index, name="interval_start"),
    )
    return out[COLUMNS]


def summary(comparison: pd.DataFrame) -> dict[str, float]:
    """The whole period: predicted figures weighted by forecast calls, simulated ones by offered
    calls (a service level over the period is answered-in-time over offered, not a mean of
    interval service levels)."""
    calls = comparison["calls"].to_numpy(dtype=float)
    offered = comparison["sim_offered"].to_numpy(dtype=float)

    def weighted(col: str, w: np.ndarray) -> float:
        v = comparison[col].to_numpy(dtype=float)
        ok = (w > 0) & ~np.isnan(v)
        if not ok.any():
            return math.nan
        if np.isinf(v[ok]).any():
            return math.inf
        return float((v[ok] * w[ok]).sum() / w[ok].sum())

    answered = offered * (1 - np.nan_to_num(comparison["abandon_sim"].to_numpy(dtype=float)))
    return {
        "calls": float(calls.sum()),
        "sim_offered": float(offered.sum()),
        "sl_erlang_c": weighted("sl_erlang_c", calls),
        "sl_erlang_a": weighted("sl_erlang_a", calls),
        "sl_sim": weighted("sl_sim", offered),
        "asa_erlang_c_s": weighted("asa_erlang_c_s", calls),
        "asa_sim_s": weighted("asa_sim_s", answered),
        "abandon_erlang_a": weighted("abandon_erlang_a", calls),
        "abandon_sim": weighted("abandon_sim", offered),
        "sl_erlang_c_realised": weighted("sl_erlang_c_realised", offered),
        "sl_erlang_a_realised": weighted("sl_erlang_a_realised", offered),
    }


def poisson_range(mean: ArrayLike, coverage: float = 0.999) -> tuple[np.ndarray, np.ndarray]:
    """The central ``coverage`` range of a Poisson count with the given mean(s): (low, high)."""
    if not 0 < coverage < 1:
        raise InputError("coverage", coverage, "must be in (0, 1)")
    m = np.asarray(mean, dtype=float)
    tail = (1 - coverage) / 2
    lo = np.where(m > 0, stats.poisson.ppf(tail, np.where(m > 0, m, 1.0)), 0.0)
    hi = np.where(m > 0, stats.poisson.ppf(1 - tail, np.where(m > 0, m, 1.0)), 0.0)
    return lo, hi
