"""Staffing: the fewest agents per interval that meet a queue's target, then shrinkage.

A target is a service level (fraction of calls answered within ``answer_within_s``) and/or an
average speed of answer, a maximum occupancy and, for Erlang A, a maximum abandon rate. The
search is a vectorised bisection over all intervals at once; it relies on each measure being
monotone in the number of agents. With Erlang A callers hang up, so fewer agents than the offered
load can meet a target: the search starts at one agent, not at the load.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from workforce.erlang import (
    MIN_RATE_PER_S,
    ErlangAMetrics,
    ErlangCMetrics,
    erlang_a_metrics,
    erlang_c_metrics,
)
from workforce.errors import InputError

IntArray = NDArray[np.int64]
Model = Literal["erlang_c", "erlang_a"]

_MAX_DOUBLINGS = 64


@dataclass(frozen=True)
class Target:
    """What a queue promises; ``None`` switches a criterion off."""

    service_level: float | None = 0.8  # fraction answered within answer_within_s
    answer_within_s: float = 20.0
    asa_s: float | None = None
    max_occupancy: float = 1.0
    max_abandon_rate: float | None = None  # Erlang A only

    def __post_init__(self) -> None:
        if self.service_level is not None and not 0 <= self.service_level < 1:
            raise InputError("service_level", self.service_level, "must be in [0, 1)")
        if self.answer_within_s < 0:
            raise InputError("answer_within_s", self.answer_within_s, "must be >= 0")
        if self.asa_s is not None and self.asa_s <= 0:
            raise InputError("asa_s", self.asa_s, "must be > 0")
        if not 0 < self.max_occupancy <= 1:
            raise InputError("max_occupancy", self.max_occupancy, "must be in (0, 1]")
        if self.max_abandon_rate is not None and not 0 < self.max_abandon_rate <= 1:
            raise InputError("max_abandon_rate", self.max_abandon_rate, "must be in (0, 1]")
        if self.service_level is None and self.asa_s is None and self.max_abandon_rate is None:
            raise InputError("target", None, "needs a service level, an ASA or an abandon rate")


def parse_target(text: str) -> tuple[float, float]:
    """``"80/20"`` → (0.8, 20.0): percent answered within seconds."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*/\s*(\d+(?:\.\d+)?)\s*", text)
    if not m:
        raise InputError("target", text, "expected PERCENT/SECONDS, e.g. 80/20")
    pct, secs = float(m.group(1)), float(m.group(2))
    if not 0 <= pct < 100:
        raise InputError("target", text, "percent must be in [0, 100)")
    return pct / 100.0, secs


_UNITS = {"s": 1, "m": 60, "min": 60, "h": 3600}


def parse_duration_s(text: str) -> int:
    """``"30m"``, ``"1h"``, ``"900s"`` or ``"900"`` → seconds."""
    m = re.fullmatch(r"\s*(\d+)\s*(s|m|min|h)?\s*", text)
    if not m or int(m.group(1)) <= 0:
        raise InputError("interval", text, "expected a positive duration such as 15m, 30m, 1h")
    return int(m.group(1)) * _UNITS[m.group(2) or "s"]


def scheduled_agents(agents: ArrayLike, shrinkage: float) -> IntArray:
    """Agents to schedule so that ``agents`` remain on the phones after ``shrinkage``."""
    if not 0 <= shrinkage < 1:
        raise InputError("shrinkage", shrinkage, "must be in [0, 1)")
    need = np.asarray(agents, dtype=float) / (1.0 - shrinkage)
    return np.ceil(need - 1e-9).astype(np.int64)


def _bisect_min(
    meets: Callable[[IntArray, IntArray], NDArray[np.bool_]], lo: IntArray, width: IntArray
) -> IntArray:
    """Smallest n >= lo with meets(n) per element; meets must be monotone in n."""
    lo = lo.copy()
    idx_all = np.arange(lo.size)
    hi = lo + width
    for _ in range(_MAX_DOUBLINGS):
        bad = ~meets(hi, idx_all)
        if not bad.any():
            break
        hi = np.where(bad, lo + 2 * (hi - lo) + 1, hi)
    else:  # pragma: no cover - only for absurd targets
        raise InputError("target", None, "cannot be met by any number of agents")
    active = np.flatnonzero(hi > lo)
    while active.size:
        mid = (lo[active] + hi[active]) // 2
        ok = meets(mid, active)
        hi[active] = np.where(ok, mid, hi[active])
        lo[active] = np.where(ok, lo[active], mid + 1)
        active = active[hi[active] > lo[active]]
    return hi


def meets_target_c(m: ErlangCMetrics, target: Target) -> NDArray[np.bool_]:
    ok = m.occupancy <= target.max_occupancy
    if target.service_level is not None:
        ok &= m.service_level >= target.service_level
    if target.asa_s is not None:
        ok &= m.asa_s <= target.asa_s
    return ok


def meets_target_a(m: ErlangAMetrics, target: Target) -> NDArray[np.bool_]:
    ok = m.occupancy <= target.max_occupancy
    if target.service_level is not None:
        ok &= m.service_level >= target.service_level
    if target.asa_s is not None:
        ok &= m.asa_s <= target.asa_s
    if target.max_abandon_rate is not None:
        ok &= m.abandon_rate <= target.max_abandon_rate
    return ok


def _flat(name: str, values: ArrayLike, size: int | None = None) -> NDArray[np.float64]:
    arr = np.atleast_1d(np.asarray(values, dtype=float)).ravel()
    if size is not None and arr.size == 1:
        arr = np.full(size, arr[0])
    bad = ~np.isfinite(arr) | (arr < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(f"{name}[{i}]", float(arr[i]), "must be a finite number >= 0")
    return arr


def required_agents_c(traffic_erlangs: ArrayLike, aht_s: ArrayLike, target: Target) -> IntArray:
    """Fewest agents per interval meeting ``target`` under Erlang C (0 where there is no traffic)."""
    a = _flat("traffic_erlangs", traffic_erlangs)
    aht = _flat("aht_s", aht_s, a.size)
    if a.size != aht.size:
        raise InputError("aht_s", aht.size, f"needs {a.size} values")
    if target.max_abandon_rate is not None:
        raise InputError("max_abandon_rate", target.max_abandon_rate, "needs Erlang A")
    t = target.answer_within_s
    lo = np.where(a > 0, np.floor(a).astype(np.int64) + 1, 0)
    lo = np.maximum(lo, np.ceil(a / target.max_occupancy - 1e-9).astype(np.int64))

    def meets(n: IntArray, idx: IntArray) -> NDArray[np.bool_]:
        return meets_target_c(erlang_c_metrics(n, a[idx], aht[idx], t), target)

    width = np.ceil(3 * np.sqrt(a)).astype(np.int64) + 3
    return _bisect_min(meets, lo, width)


def required_agents_a(
    calls_per_s: ArrayLike, aht_s: ArrayLike, patience_s: ArrayLike, target: Target
) -> IntArray:
    """Fewest agents per interval meeting ``target`` under Erlang A (callers abandon)."""
    lam = _flat("calls_per_s", calls_per_s)
    lam = np.where(lam > MIN_RATE_PER_S, lam, 0.0)  # negligible traffic is no traffic
    aht = _flat("aht_s", aht_s, lam.size)
    pat = _flat("patience_s", patience_s, lam.size)
    if (pat <= 0).any():
        raise InputError("patience_s", float(pat.min()), "must be > 0")
    t = target.answer_within_s
    lo = np.where(lam > 0, 1, 0).astype(np.int64)
    load = lam * aht

    def meets(n: IntArray, idx: IntArray) -> NDArray[np.bool_]:
        m = erlang_a_metrics(n, lam[idx], aht[idx], pat[idx], t)
        return meets_target_a(m, target)

    width = np.ceil(load + 3 * np.sqrt(load)).astype(np.int64) + 3
    return _bisect_min(meets, lo, width)


def staffing_table(
    calls: ArrayLike,
    aht_s: ArrayLike,
    interval_s: float,
    target: Target,
    *,
    shrinkage: float = 0.0,
    model: Model = "erlang_c",
    patience_s: float | None = None,
    index: pd.Index | None = None,
) -> pd.DataFrame:
    """Per-interval requirement with the resulting service level, ASA, occupancy and P(wait).

    ``calls`` are offered calls per interval of ``interval_s`` seconds. Columns: calls, aht_s,
    traffic_erlangs, agents, service_level, asa_s, occupancy, probability_of_waiting,
    (abandon_rate with Erlang A), scheduled_agents.
    """
    if interval_s <= 0:
        raise InputError("interval_s", interval_s, "must be > 0")
    c = _flat("calls", calls)
    aht = _flat("aht_s", aht_s, c.size)
    if aht.size != c.size:
        raise InputError("aht_s", aht.size, f"needs {c.size} values")
    if ((aht <= 0) & (c > 0)).any():
        raise InputError("aht_s", float(aht.min()), "must be > 0 where there are calls")
    rate = c / interval_s
    traffic = rate * aht
    cols: dict[str, ArrayLike] = {"calls": c, "aht_s": aht, "traffic_erlangs": traffic}
    if model == "erlang_c":
        agents = required_agents_c(traffic, aht, target)
        mc = erlang_c_metrics(agents, traffic, aht, target.answer_within_s)
        cols |= {
            "agents": agents,
            "service_level": mc.service_level,
            "asa_s": mc.asa_s,
            "occupancy": mc.occupancy,
            "probability_of_waiting": mc.probability_of_waiting,
        }
    elif model == "erlang_a":
        if patience_s is None or not patience_s > 0:
            raise InputError("patience_s", patience_s, "Erlang A needs a mean patience > 0")
        agents = required_agents_a(rate, aht, patience_s, target)
        ma = erlang_a_metrics(agents, rate, aht, patience_s, target.answer_within_s)
        cols |= {
            "agents": agents,
            "service_level": ma.service_level,
            "asa_s": ma.asa_s,
            "occupancy": ma.occupancy,
            "probability_of_waiting": ma.probability_of_waiting,
            "abandon_rate": ma.abandon_rate,
        }
    else:
        raise InputError("model", model, "must be erlang_c or erlang_a")
    cols["scheduled_agents"] = scheduled_agents(agents, shrinkage)
    return pd.DataFrame(cols, index=index)


def interval_length_s(starts: pd.Series | pd.DatetimeIndex) -> int:
    """The uniform spacing of interval starts, in seconds (InputError when not uniform)."""
    idx = pd.DatetimeIndex(starts)
    if len(idx) < 2:
        raise InputError("interval_start", len(idx), "need at least two intervals to infer length")
    steps = np.asarray((idx[1:] - idx[:-1]).total_seconds())
    if (steps <= 0).any() or (steps != steps[0]).any():
        i = int(np.flatnonzero((steps <= 0) | (steps != steps[0]))[0]) + 1
        raise InputError("interval_start", str(idx[i]), "intervals must be uniform and ascending")
    return int(round(steps[0]))
