"""What a what-if run feeds the simulation: the calls of a forecast and the steps of a roster.

Pure module (values in, values out; the random draws come from a seed):

- ``arrival_plan``: per interval a Poisson number of calls (mean = the forecast's calls), spread
  uniformly over the interval (together a Poisson process whose rate is constant within each
  interval), each with an exponential talk time (mean = the interval's AHT minus the fixed
  wrap-up, so that talk + wrap-up averages the AHT) and an exponential patience (Erlang A's
  caller); times are seconds from the first interval's start.
- ``roster_segments`` / ``roster_steps``: what each agent should be doing (on the phones, on a
  break or lunch, off) and the agent actions that get them there (log in, not ready with the
  reason, ready, log out).
- ``agents_on_phones``: the time-averaged number of agents on the phones per interval (what the
  Erlang formulas get; fractional when a break covers part of an interval).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from workforce.errors import InputError

Status = Literal["off", "ready", "break", "lunch"]
Action = Literal["login", "ready", "not_ready", "logout"]


@dataclass(frozen=True)
class Arrival:
    """One simulated caller: arrives ``at_s`` after the first interval starts."""

    at_s: float
    interval: int  # index of the forecast interval it belongs to
    talk_s: float
    patience_s: float | None  # None: waits until answered


@dataclass(frozen=True)
class RosterStep:
    """An agent action due at ``at`` (tz-aware UTC)."""

    at: pd.Timestamp
    agent_id: str
    action: Action
    reason: str | None = None  # not_ready: "break" or "lunch"


def arrival_plan(
    calls: ArrayLike,
    aht_s: ArrayLike,
    interval_s: float,
    *,
    wrap_s: float,
    patience_s: float | None,
    seed: int,
) -> list[Arrival]:
    """Simulated callers for a forecast (``calls`` and ``aht_s`` per interval), in time order."""
    c = np.asarray(calls, dtype=float).ravel()
    aht = np.asarray(aht_s, dtype=float).ravel()
    if aht.size != c.size:
        raise InputError("aht_s", aht.size, f"needs {c.size} values, one per interval")
    if interval_s <= 0:
        raise InputError("interval_s", interval_s, "must be > 0")
    if (c < 0).any() or not np.isfinite(c).all():
        raise InputError("calls", float(c[~(c >= 0)][0]), "must be finite and >= 0")
    if wrap_s < 0:
        raise InputError("wrap_s", wrap_s, "must be >= 0")
    if patience_s is not None and not patience_s > 0:
        raise InputError("patience_s", patience_s, "must be > 0 (or None: callers never hang up)")
    talk_mean = aht - wrap_s
    bad = (c > 0) & ~(talk_mean > 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(
            "aht_s", float(aht[i]), f"interval {i}: must exceed the wrap-up {wrap_s} s"
        )
    rng = np.random.default_rng(seed)
    out: list[Arrival] = []
    for i, (mean_calls, talk) in enumerate(zip(c, talk_mean, strict=True)):
        n = int(rng.poisson(mean_calls))
        at = np.sort(rng.uniform(0.0, interval_s, n)) + i * interval_s
        talks = rng.exponential(talk, n) if n else np.empty(0)
        pats = rng.exponential(patience_s, n) if n and patience_s is not None else None
        for k in range(n):
            out.append(
                Arrival(
                    at_s=float(at[k]),
                    interval=i,
                    talk_s=float(talks[k]),
                    patience_s=None if pats is None else float(pats[k]),
                )
            )
    return out


def _utc(ts: object, field: str) -> pd.Timestamp:
    t = pd.Timestamp(ts)
    if t.tzinfo is None:
        raise InputError(field, str(t), "needs a UTC offset")
    return t.tz_convert("UTC")


def roster_segments(
    roster: pd.DataFrame,
) -> dict[str, list[tuple[pd.Timestamp, pd.Timestamp, Status]]]:
    """Per agent, the consecutive pieces of time with one status, in order (``off`` between
    shifts is left out). A break or lunch only counts inside a shift; where both a break and a
    lunch cover a moment, lunch wins."""
    missing = {"agent_id", "activity", "start", "end"} - set(roster.columns)
    if missing:
        raise InputError("roster", sorted(missing), "missing columns")
    out: dict[str, list[tuple[pd.Timestamp, pd.Timestamp, Status]]] = {}
    for agent_id, rows in roster.groupby("agent_id", sort=True):
        spans = [
            (_utc(r.start, "start"), _utc(r.end, "end"), str(r.activity))
            for r in rows.itertuples(index=False)
        ]
        for s, e, activity in spans:
            if e <= s:
                raise InputError(
                    "end", str(e), f"agent {agent_id}: {activity} ends before it starts"
                )
        cuts = sorted({t for s, e, _ in spans for t in (s, e)})
        segs: list[tuple[pd.Timestamp, pd.Timestamp, Status]] = []
        for a, b in zip(cuts, cuts[1:], strict=False):
            covering = {act for s, e, act in spans if s <= a and b <= e}
            status: Status
            if "shift" not in covering:
                continue
            status = "lunch" if "lunch" in covering else "break" if "break" in covering else "ready"
            if segs and segs[-1][1] == a and segs[-1][2] == status:
                segs[-1] = (segs[-1][0], b, status)
            else:
                segs.append((a, b, status))
        out[str(agent_id)] = segs
    return out


def _status_at(segs: list[tuple[pd.Timestamp, pd.Timestamp, Status]], t: pd.Timestamp) -> Status:
    for s, e, status in segs:
        if s <= t < e:
            return status
    return "off"


def _transition(at: pd.Timestamp, agent_id: str, old: Status, new: Status) -> list[RosterStep]:
    if old == new:
        return []
    if new == "off":
        return [RosterStep(at, agent_id, "logout")]
    steps = [RosterStep(at, agent_id, "login")] if old == "off" else []
    if new == "ready":
        steps.append(RosterStep(at, agent_id, "ready"))
    else:
        steps.append(RosterStep(at, agent_id, "not_ready", new))
    return steps


def roster_steps(roster: pd.DataFrame, start_at: object) -> list[RosterStep]:
    """The agent actions that follow the roster from ``start_at`` on, in time order.

    Whoever is on shift at ``start_at`` gets their steps at ``start_at`` (log in, then ready or
    not ready); later changes come at their own times. ``login`` logs an agent in not ready and
    is always followed by ``ready`` or ``not_ready`` at the same moment."""
    t0 = _utc(start_at, "start_at")
    steps: list[RosterStep] = []
    for agent_id, segs in roster_segments(roster).items():
        points = sorted({t0} | {t for s, e, _ in segs for t in (s, e) if t > t0})
        previous: Status = "off"
        for p in points:
            status = _status_at(segs, p)
            steps += _transition(p, agent_id, previous, status)
            previous = status
    order = {"logout": 0, "login": 1, "ready": 2, "not_ready": 2}
    return sorted(steps, key=lambda st: (st.at, st.agent_id, order[st.action]))


def agents_on_phones(roster: pd.DataFrame, index: pd.DatetimeIndex, interval_s: float) -> pd.Series:
    """Time-averaged number of agents on the phones (in a shift, not on a break or lunch) in
    each interval starting at ``index``."""
    if interval_s <= 0:
        raise InputError("interval_s", interval_s, "must be > 0")
    starts = pd.DatetimeIndex(index)
    if starts.tz is None:
        raise InputError(
            "interval_start", str(starts[0]) if len(starts) else "", "needs a UTC offset"
        )
    starts = starts.tz_convert("UTC").as_unit("ns")
    ends = starts + pd.Timedelta(seconds=interval_s)
    total = np.zeros(len(starts))
    for segs in roster_segments(roster).values():
        for s, e, status in segs:
            if status != "ready":
                continue
            lo = np.maximum(starts.asi8, s.value)
            hi = np.minimum(ends.asi8, e.value)
            total += np.clip(hi - lo, 0, None) / 1e9
    return pd.Series(total / interval_s, index=index, name="agents")
