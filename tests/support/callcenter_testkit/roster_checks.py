"""Roster test helpers: a realistic week of requirements, a team of agents, every hard rule of a
roster checked, coverage per interval."""

from __future__ import annotations

from datetime import time

import numpy as np
import pandas as pd

from workforce.formats import AgentSpec
from workforce.roster import RosterRules

RULES = RosterRules(start_step_min=60, shift_lengths_h=(4, 6, 8, 9))


def week_requirements(peak: float) -> pd.Series:
    idx = pd.date_range("2025-03-03T00:00:00+08:00", periods=7 * 48, freq="30min")
    h = (np.arange(7 * 48) % 48) / 2
    day = np.arange(7 * 48) // 48
    prof = np.exp(-(((h - 10.5) / 2.2) ** 2)) + 0.8 * np.exp(-(((h - 15) / 2.5) ** 2)) + 0.15
    prof = np.where((h >= 7) & (h < 22), prof, 0)
    factor = np.array([1.1, 1.0, 1.0, 0.95, 1.0, 0.6, 0.45])[day]
    return pd.Series(np.ceil(prof * factor * peak).astype(int), index=idx, name="required")


def team(n: int, seed: int) -> list[AgentSpec]:
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        full = rng.random() < 0.75
        lo, hi = (32, 40) if full else (16, 24)
        start = time(7) if rng.random() < 0.7 else time(int(rng.integers(7, 11)))
        end = None if rng.random() < 0.7 else time(int(rng.integers(19, 23)))
        off = frozenset(rng.choice(7, size=int(rng.integers(0, 2)), replace=False).tolist())
        out.append(AgentSpec(f"a{i:03d}", lo, hi, start, end, off, {"support": 5}))
    return out


def check_roster(roster: pd.DataFrame, agents: list[AgentSpec], rules: RosterRules) -> list[str]:
    """Every hard rule, from the roster rows alone. Returns the violations found."""
    bad: list[str] = []
    spec = {a.agent_id: a for a in agents}
    for missing in sorted(set(spec) - set(roster["agent_id"])):
        if spec[missing].weekly_hours_min > 0:
            bad.append(f"{missing}: no shift, below min {spec[missing].weekly_hours_min}")
    for agent_id, rows in roster.groupby("agent_id"):
        a = spec[agent_id]
        shifts = rows[rows["activity"] == "shift"].sort_values("start")
        days = [s.date() for s in shifts["start"]]
        if len(set(days)) != len(days):
            bad.append(f"{agent_id}: two shifts on one day")
        hours = sum(
            (e - s).total_seconds() / 3600
            for s, e in zip(shifts["start"], shifts["end"], strict=True)
        )
        if hours > a.weekly_hours_max + 1e-9:
            bad.append(f"{agent_id}: {hours} h > max {a.weekly_hours_max}")
        if hours < a.weekly_hours_min - 1e-9:
            bad.append(f"{agent_id}: {hours} h < min {a.weekly_hours_min}")
        for s, e in zip(shifts["start"], shifts["end"], strict=True):
            if e.date() != s.date() and not (e.hour == 0 and e.minute == 0):
                bad.append(f"{agent_id}: shift crosses midnight")
            if (e - s).total_seconds() / 3600 not in rules.shift_lengths_h:
                bad.append(f"{agent_id}: length {(e - s)}")
            if s.weekday() in a.days_off_wanted:
                bad.append(f"{agent_id}: works on a wished day off {s.date()}")
            if s.time() < a.earliest_start:
                bad.append(f"{agent_id}: starts {s.time()} before {a.earliest_start}")
            if a.latest_end is not None and (e.time() > a.latest_end or e.date() != s.date()):
                bad.append(f"{agent_id}: ends {e.time()} after {a.latest_end}")
        ends = list(shifts["end"])
        starts = list(shifts["start"])
        for k in range(1, len(starts)):
            if (starts[k] - ends[k - 1]).total_seconds() < rules.min_rest_h * 3600:
                bad.append(f"{agent_id}: rest before {starts[k]} too short")
        worked = sorted({d.toordinal() for d in days})
        run = best = 1 if worked else 0
        for k in range(1, len(worked)):
            run = run + 1 if worked[k] == worked[k - 1] + 1 else 1
            best = max(best, run)
        if best > rules.max_consecutive_days:
            bad.append(f"{agent_id}: {best} days in a row")
        if len(worked) > 7 - rules.min_days_off_per_week:
            bad.append(f"{agent_id}: only {7 - len(worked)} days off")
        # Breaks and lunches inside their shift, in the rule's window, not overlapping.
        for _, br in rows[rows["activity"] != "shift"].iterrows():
            inside = shifts[(shifts["start"] <= br["start"]) & (shifts["end"] >= br["end"])]
            if len(inside) != 1:
                bad.append(f"{agent_id}: {br['activity']} at {br['start']} outside a shift")
                continue
            sh = inside.iloc[0]
            length_h = (sh["end"] - sh["start"]).total_seconds() / 3600
            offset = (br["start"] - sh["start"]).total_seconds() / 60
            dur = (br["end"] - br["start"]).total_seconds() / 60
            fits = [
                r
                for r in rules.breaks[length_h]
                if r.activity == br["activity"]
                and r.length_min == dur
                and r.earliest_min - 30 < offset <= r.latest_min
            ]
            if not fits:
                bad.append(f"{agent_id}: {br['activity']} at +{offset} min of a {length_h} h shift")
        for _, sh in shifts.iterrows():
            inner = rows[
                (rows["activity"] != "shift")
                & (rows["start"] >= sh["start"])
                & (rows["end"] <= sh["end"])
            ]
            length_h = (sh["end"] - sh["start"]).total_seconds() / 3600
            if len(inner) != len(rules.breaks[length_h]):
                bad.append(f"{agent_id}: {len(inner)} breaks in a {length_h} h shift")
    return bad


def coverage_of(roster: pd.DataFrame, req: pd.Series) -> np.ndarray:
    """Agents on the phones per interval, from the rows (fraction of each interval)."""
    t0 = req.index[0]
    cov = np.zeros(len(req))
    for _, r in roster.iterrows():
        sign = 1 if r["activity"] == "shift" else -1
        a = (r["start"] - t0).total_seconds() / 1800
        b = (r["end"] - t0).total_seconds() / 1800
        for k in range(int(a), int(np.ceil(b))):
            cov[k] += sign * (min(b, k + 1) - max(a, k))
    return cov
