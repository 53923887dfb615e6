"""Roster benchmark: time to roster N agents for a week (7 × 48 half-hour intervals) and the gap
to the lower bound, for N in --sizes (default 100,200,400); then the Curtois-Qu staff scheduling
instances (--curtois, default 1-8) solved by ``workforce.curtois`` within --curtois-limit seconds
each, against the best-known objective values.

    .venv/bin/python bench/roster.py [--sizes 100,200,400] [--time-limit 60] [--start-step 60]
        [--curtois 1,2,...,8 | --curtois none] [--curtois-limit 60] [--curtois-dir DIR]

Demand per size: the test's week profile scaled to N agents (peak 31 × N / 64 agents on the
phones), which needs close to the team's contracted hours. Under-staffing is compared with the
LP bound of stage 1 (``lp_under_staffing_bound``); the gap is (objective − bound) / objective for
100·under + over. Last line: one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import time as clock
from datetime import time
from pathlib import Path

import numpy as np
import pandas as pd

from workforce.curtois import parse_instance, solve_instance
from workforce.formats import AgentSpec
from workforce.roster import RosterRules, build_problem, lp_under_staffing_bound
from workforce.roster_solver import RosterSolve


def week(peak: float) -> pd.Series:
    idx = pd.date_range("2025-03-03T00:00:00+08:00", periods=7 * 48, freq="30min")
    h = (np.arange(7 * 48) % 48) / 2
    day = np.arange(7 * 48) // 48
    prof = np.exp(-(((h - 10.5) / 2.2) ** 2)) + 0.8 * np.exp(-(((h - 15) / 2.5) ** 2)) + 0.15
    prof = np.where((h >= 7) & (h < 22), prof, 0)
    factor = np.array([1.1, 1.0, 1.0, 0.95, 1.0, 0.6, 0.45])[day]
    return pd.Series(np.ceil(prof * factor * peak).astype(int), index=idx)


def team(n: int, seed: int) -> list[AgentSpec]:
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        full = rng.random() < 0.75
        lo, hi = (32, 40) if full else (16, 24)
        start = time(7) if rng.random() < 0.7 else time(int(rng.integers(7, 11)))
        end = None if rng.random() < 0.7 else time(int(rng.integers(19, 23)))
        off = frozenset(rng.choice(7, size=int(rng.integers(0, 2)), replace=False).tolist())
        out.append(AgentSpec(f"a{i:04d}", lo, hi, start, end, off))
    return out


BEST_KNOWN = {1: 607, 2: 828, 3: 1001, 4: 1716, 5: 1143, 6: 1950, 7: 1056, 8: 1300}
FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "wfm" / "curtois"


def curtois(numbers: list[int], limit_s: float, folder: Path, out: dict[str, object]) -> None:
    print(f"Curtois-Qu instances, {limit_s:g} s each (HiGHS MILP, workforce.curtois)")
    print(
        f"{'inst':>4} {'time_s':>7} {'objective':>9} {'best':>6} {'vs_best':>8} {'bound':>9}  status"
    )
    for n in numbers:
        inst = parse_instance((folder / f"Instance{n}.txt").read_text(encoding="utf-8"))
        t0 = clock.monotonic()
        r = solve_instance(inst, limit_s)
        took = clock.monotonic() - t0
        best = BEST_KNOWN.get(n)
        ratio = None if r.objective is None or not best else r.objective / best
        print(
            f"{n:4d} {took:7.1f} {r.objective if r.objective is not None else '-':>9} "
            f"{best if best else '-':>6} "
            f"{f'{100 * (ratio - 1):+.1f}%' if ratio is not None else '-':>8} "
            f"{r.lower_bound:9.1f}  {r.status}"
        )
        out[f"curtois_{n}_objective"] = r.objective
        out[f"curtois_{n}_best_known"] = best
        out[f"curtois_{n}_s"] = round(took, 2)
        out[f"curtois_{n}_over_best_pct"] = None if ratio is None else round(100 * (ratio - 1), 2)


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--sizes", default="100,200,400")
    p.add_argument("--time-limit", type=float, default=60.0)
    p.add_argument("--start-step", type=int, default=60)
    p.add_argument("--curtois", default="1,2,3,4,5,6,7,8", help="instances, or 'none'")
    p.add_argument("--curtois-limit", type=float, default=60.0)
    p.add_argument("--curtois-dir", type=Path, default=FIXTURES)
    args = p.parse_args()
    rules = RosterRules(start_step_min=args.start_step)
    out: dict[str, object] = {
        "bench": "roster",
        "time_limit_s": args.time_limit,
        "cores": os.cpu_count(),
    }
    print(
        f"cores {os.cpu_count()}, time limit {args.time_limit:g} s per size, "
        f"start step {args.start_step} min"
    )
    for n in (int(s) for s in args.sizes.split(",") if s):
        req, agents = week(31 * n / 64), team(n, seed=3)
        problem = build_problem(req, agents, rules)
        bound = lp_under_staffing_bound(problem)
        t0 = clock.monotonic()
        r = RosterSolve(problem, args.time_limit).run()
        took = clock.monotonic() - t0
        assert r is not None
        print(
            f"{n:4d} agents: {took:6.1f} s, under {r.under_staffing:g} (LP bound {bound:g}), "
            f"over {r.over_staffing:g}, objective {r.objective:g} vs lower bound "
            f"{r.lower_bound:g}: gap {r.gap:.1%}"
        )
        out[f"agents_{n}_s"] = round(took, 2)
        out[f"agents_{n}_under_agent_slots"] = r.under_staffing
        out[f"agents_{n}_under_lp_bound_agent_slots"] = round(bound, 3)
        out[f"agents_{n}_over_agent_slots"] = r.over_staffing
        out[f"agents_{n}_gap"] = round(r.gap, 4)
    if args.curtois != "none":
        curtois(
            [int(s) for s in args.curtois.split(",")], args.curtois_limit, args.curtois_dir, out
        )
    print(json.dumps(out))


if __name__ == "__main__":
    main()
