"""Improving a roster by large-neighbourhood search: re-solve a few agents on a few days (pure).

The two-stage roster (``workforce.roster``) plans shift counts without the per-agent rules and
then deals them out, so some planned shifts cannot be taken and slots go under-staffed. One
programme over every named agent and shift type is too large for HiGHS to find a first solution
in time, but the same programme restricted to a *neighbourhood* is small: a handful of agents
(``free_agents``) re-planned on a few days (``free_days``), everyone else fixed. Each
neighbourhood programme includes the current roster as a solution, so its optimum never makes
the roster worse; the caller repeats it around the worst slots until its time is up.

The state is an agent × day matrix of shift types (−1 = day off) and, per shift type and break,
how many holders start the break at each allowed slot (breaks are anonymous within a type, so
the programme needs only counts). Objective, as in stage 1: ``weight_under``·under +
``weight_over``·over (agent-slots), plus ``MIN_HOURS_PENALTY`` per hour an agent is below
``weekly_hours_min`` and ``FAIRNESS_WEIGHT`` × (most weekend days + most late shifts of any
agent), which spreads weekend and late shifts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from scipy.optimize import Bounds, milp

from workforce.milp_rows import ConstraintRows
from workforce.roster import RosterProblem, _break_cover, _minutes

MIN_HOURS_PENALTY = 1000.0  # per hour below weekly_hours_min: nearly hard (extras fill the rest)
FAIRNESS_WEIGHT = 0.5


@dataclass
class RosterState:
    """A complete roster in counts: shift type per agent and day, break starts per type."""

    assign: np.ndarray  # (agents, days) int, −1 = off
    breaks: dict[tuple[int, int], np.ndarray]  # (type, break) -> count per allowed start

    def copy(self) -> RosterState:
        return RosterState(self.assign.copy(), {k: v.copy() for k, v in self.breaks.items()})


class SearchModel:
    """Arrays over shift types and agents derived once from a ``RosterProblem``."""

    def __init__(self, problem: RosterProblem) -> None:
        p = self.p = problem
        types = p.shift_types
        self.n_days = p.n_slots // p.slots_per_day
        self.weeks = self.n_days / 7
        self.day = np.array([st.day for st in types])
        self.start_min = np.array([st.start_slot * p.slot_min for st in types])
        self.end_min = self.start_min + np.array([st.length_slots * p.slot_min for st in types])
        self.hours = (self.end_min - self.start_min) / 60
        self.late = self.end_min > _minutes(p.rules.late_end)
        self.first_slot = self.day * p.slots_per_day + np.array([st.start_slot for st in types])
        self.length = np.array([st.length_slots for st in types])
        self.weekend_day = np.array(
            [(p.first_day + timedelta(days=d)).weekday() >= 5 for d in range(self.n_days)]
        )
        self.eligible = np.zeros((len(p.agents), len(types)), dtype=bool)
        for ti, agents in enumerate(p.eligible):
            self.eligible[agents, ti] = True
        self.types_on_day = [np.flatnonzero(self.day == d) for d in range(self.n_days)]
        self.hours_min = np.array([a.weekly_hours_min for a in p.agents]) * self.weeks
        self.hours_max = np.array([a.weekly_hours_max for a in p.agents]) * self.weeks
        self.req = p.requirements.to_numpy(dtype=float)
        self.rest_min = p.rules.min_rest_h * 60
        blocks = [range(d0, min(d0 + 7, self.n_days)) for d0 in range(0, self.n_days, 7)]
        self.blocks = [
            (list(b), len(b) - int(p.rules.min_days_off_per_week * len(b) / 7)) for b in blocks
        ]
        n_max = p.rules.max_consecutive_days
        self.windows = [list(range(d0, d0 + n_max + 1)) for d0 in range(self.n_days - n_max)]

    # ---- evaluation -------------------------------------------------------------------------

    def coverage(self, state: RosterState) -> np.ndarray:
        p = self.p
        cov = np.zeros(p.n_slots)
        worked = state.assign[state.assign >= 0]
        counts = np.bincount(worked, minlength=len(p.shift_types))
        for t_i in np.flatnonzero(counts):
            cov[self.first_slot[t_i] : self.first_slot[t_i] + self.length[t_i]] += counts[t_i]
        for (ti, bi), n in state.breaks.items():
            st = p.shift_types[ti]
            rule, starts = st.breaks[bi]
            base = st.day * p.slots_per_day
            for s, k in zip(starts, n, strict=True):
                if k:
                    for j, frac in enumerate(_break_cover(rule, p.slot_min)):
                        cov[base + s + j] -= k * frac
        return cov

    def agent_hours(self, state: RosterState) -> np.ndarray:
        a = state.assign
        return np.where(a >= 0, self.hours[np.maximum(a, 0)], 0.0).sum(axis=1)

    def objective(self, state: RosterState) -> tuple[float, float, float]:
        """(objective, under, over) of the whole roster."""
        rules = self.p.rules
        diff = self.coverage(state) - self.req
        under = float(np.clip(-diff, 0, None).sum())
        over = float(np.clip(diff, 0, None).sum())
        short = float(np.clip(self.hours_min - self.agent_hours(state), 0, None).sum())
        a = state.assign
        weekend = ((a >= 0) & self.weekend_day).sum(axis=1)
        late = np.where(a >= 0, self.late[np.maximum(a, 0)], False).sum(axis=1)
        fair = FAIRNESS_WEIGHT * (weekend.max(initial=0) + late.max(initial=0))
        total = rules.weight_under * under + rules.weight_over * over
        return total + MIN_HOURS_PENALTY * short + fair, under, over

    # ---- one neighbourhood ------------------------------------------------------------------

    def resolve(
        self,
        state: RosterState,
        free_agents: list[int],
        free_days: list[int],
        time_limit_s: float,
    ) -> RosterState | None:
        """The best roster that changes only ``free_agents`` on ``free_days`` (and the breaks on
        those days); None when HiGHS finds nothing within the limit."""
        p, rules = self.p, self.p.rules
        per = p.slots_per_day
        days = sorted(free_days)
        day_set = set(days)
        free = sorted(free_agents)
        free_set = set(free)
        a = state.assign

        # Fixed holders per type on the free days.
        fixed_count: dict[int, int] = {}
        for ai in range(a.shape[0]):
            for d in days:
                ti = int(a[ai, d])
                if ti >= 0 and ai not in free_set:
                    fixed_count[ti] = fixed_count.get(ti, 0) + 1

        def rest_ok(t_prev: int, t_next: int) -> bool:
            return 1440 + self.start_min[t_next] - self.end_min[t_prev] >= self.rest_min

        x_cols: list[tuple[int, int]] = []
        for ai in free:
            for d in days:
                prev_t = int(a[ai, d - 1]) if d - 1 >= 0 and d - 1 not in day_set else -1
                next_t = int(a[ai, d + 1]) if d + 1 < self.n_days and d + 1 not in day_set else -1
                for t_d in self.types_on_day[d]:
                    ti = int(t_d)
                    if not self.eligible[ai, ti]:
                        continue
                    if prev_t >= 0 and not rest_ok(prev_t, ti):
                        continue
                    if next_t >= 0 and not rest_ok(ti, next_t):
                        continue
                    x_cols.append((ai, ti))
        types = sorted(set(fixed_count) | {ti for _, ti in x_cols})
        nx = len(x_cols)
        y_pos = {ti: nx + k for k, ti in enumerate(types)}
        w0 = nx + len(types)
        w_pos = {(ai, d): w0 + k for k, (ai, d) in enumerate((ai, d) for ai in free for d in days)}
        b0 = w0 + len(w_pos)
        b_cols: list[tuple[int, int, int]] = []  # (type, break, index into allowed starts)
        for ti in types:
            for bi, (_, starts) in enumerate(p.shift_types[ti].breaks):
                b_cols.extend((ti, bi, k) for k in range(len(starts)))
        slots = [d * per + k for d in days for k in range(per)]
        u0 = b0 + len(b_cols)
        o0 = u0 + len(slots)
        h0 = o0 + len(slots)
        wk_col, lt_col = h0 + len(free), h0 + len(free) + 1
        n_cols = lt_col + 1

        con = ConstraintRows()

        by_type: dict[int, list[int]] = {}
        by_agent_day: dict[tuple[int, int], list[int]] = {}
        for j, (ai, ti) in enumerate(x_cols):
            by_type.setdefault(ti, []).append(j)
            by_agent_day.setdefault((ai, int(self.day[ti])), []).append(j)
        for ti in types:
            con.add(
                [(j, 1.0) for j in by_type.get(ti, [])] + [(y_pos[ti], -1.0)],
                -fixed_count.get(ti, 0),
                -fixed_count.get(ti, 0),
            )
        by_break: dict[tuple[int, int], list[int]] = {}
        for j, (ti, bi, _) in enumerate(b_cols):
            by_break.setdefault((ti, bi), []).append(b0 + j)
        for (ti, _bi), js in by_break.items():
            con.add([(c_, 1.0) for c_ in js] + [(y_pos[ti], -1.0)], 0, 0)

        slot_pos = {t: k for k, t in enumerate(slots)}
        cover: list[list[tuple[int, float]]] = [[] for _ in slots]
        for ti in types:
            for t in range(self.first_slot[ti], self.first_slot[ti] + self.length[ti]):
                cover[slot_pos[t]].append((y_pos[ti], 1.0))
        for j, (ti, bi, k) in enumerate(b_cols):
            st = p.shift_types[ti]
            rule, starts = st.breaks[bi]
            base = st.day * per + starts[k]
            for m, frac in enumerate(_break_cover(rule, p.slot_min)):
                cover[slot_pos[base + m]].append((b0 + j, -frac))
        for k, t in enumerate(slots):
            con.add([*cover[k], (u0 + k, 1.0), (o0 + k, -1.0)], self.req[t], self.req[t])

        late_fixed_max = weekend_fixed_max = 0
        worked = a >= 0
        late_all = np.where(worked, self.late[np.maximum(a, 0)], False)
        weekend_all = worked & self.weekend_day
        others = [ai for ai in range(a.shape[0]) if ai not in free_set]
        if others:
            weekend_fixed_max = int(weekend_all[others].sum(axis=1).max())
            late_fixed_max = int(late_all[others].sum(axis=1).max())
        for m, ai in enumerate(free):
            for d in days:
                con.add(
                    [(j, 1.0) for j in by_agent_day.get((ai, d), [])] + [(w_pos[ai, d], -1.0)], 0, 0
                )
            fixed_days = [d for d in range(self.n_days) if d not in day_set]
            fixed_hours = float(sum(self.hours[a[ai, d]] for d in fixed_days if a[ai, d] >= 0))
            hours = [
                (j, float(self.hours[x_cols[j][1]]))
                for d in days
                for j in by_agent_day.get((ai, d), [])
            ]
            con.add([*hours, (h0 + m, 1.0)], self.hours_min[ai] - fixed_hours, np.inf)
            con.add(hours, -np.inf, self.hours_max[ai] - fixed_hours + 1e-9)
            for window, cap in [
                (w, rules.max_consecutive_days) for w in self.windows
            ] + self.blocks:
                if not day_set.intersection(window):
                    continue
                fixed = sum(1 for d in window if d not in day_set and a[ai, d] >= 0)
                con.add([(w_pos[ai, d], 1.0) for d in window if d in day_set], -np.inf, cap - fixed)
            for d in days:
                if d + 1 not in day_set:
                    continue
                today, tomorrow = by_agent_day.get((ai, d), []), by_agent_day.get((ai, d + 1), [])
                prev: frozenset[int] = frozenset()
                for e in sorted({int(self.end_min[x_cols[j][1]]) for j in today}):
                    f = frozenset(
                        j
                        for j in tomorrow
                        if self.start_min[x_cols[j][1]] < e + self.rest_min - 1440
                    )
                    if not f or f == prev:
                        continue
                    prev = f
                    e_set = [j for j in today if self.end_min[x_cols[j][1]] >= e]
                    con.add([(j, 1.0) for j in e_set] + [(j, 1.0) for j in sorted(f)], 0, 1)
            wk_fixed = sum(1 for d in fixed_days if weekend_all[ai, d])
            lt_fixed = sum(1 for d in fixed_days if late_all[ai, d])
            wk = [(w_pos[ai, d], 1.0) for d in days if self.weekend_day[d]]
            lt = [
                (j, 1.0)
                for d in days
                for j in by_agent_day.get((ai, d), [])
                if self.late[x_cols[j][1]]
            ]
            con.add([*wk, (wk_col, -1.0)], -np.inf, -wk_fixed)
            con.add([*lt, (lt_col, -1.0)], -np.inf, -lt_fixed)

        c = np.zeros(n_cols)
        c[u0:o0] = rules.weight_under
        c[o0:h0] = rules.weight_over
        c[h0 : h0 + len(free)] = MIN_HOURS_PENALTY
        c[wk_col] = c[lt_col] = FAIRNESS_WEIGHT
        integrality = np.zeros(n_cols)
        integrality[:u0] = 1
        lower = np.zeros(n_cols)
        lower[wk_col], lower[lt_col] = weekend_fixed_max, late_fixed_max
        upper = np.full(n_cols, np.inf)
        upper[:nx] = 1
        upper[w0:b0] = 1
        res = milp(
            c,
            integrality=integrality,
            bounds=Bounds(lower, upper),
            constraints=con.constraint(n_cols),
            options={"time_limit": max(0.2, time_limit_s), "mip_rel_gap": 1e-6},
        )
        if res.x is None:
            return None
        x = np.rint(res.x)
        out = state.copy()
        for ai in free:
            for d in days:
                out.assign[ai, d] = -1
        for col in np.flatnonzero(x[:nx] > 0.5).tolist():
            ai, ti = x_cols[col]
            out.assign[ai, self.day[ti]] = ti
        for key in list(out.breaks):
            if self.day[key[0]] in day_set:
                del out.breaks[key]
        for j, (ti, bi, k) in enumerate(b_cols):
            n = int(x[b0 + j])
            if n:
                arr = out.breaks.setdefault(
                    (ti, bi), np.zeros(len(p.shift_types[ti].breaks[bi][1]), dtype=int)
                )
                arr[k] += n
        return out


def state_from_pairs(
    problem: RosterProblem,
    pairs: list[tuple[int, int]],
    break_starts: dict[tuple[int, int], list[int]],
) -> RosterState:
    """A state from (agent, type) pairs, breaks taken from the planned starts, then the most
    over-staffed allowed slot."""
    p = problem
    n_days = p.n_slots // p.slots_per_day
    assign = np.full((len(p.agents), n_days), -1, dtype=int)
    holders: dict[int, int] = {}
    for ai, ti in pairs:
        assign[ai, p.shift_types[ti].day] = ti
        holders[ti] = holders.get(ti, 0) + 1
    breaks: dict[tuple[int, int], np.ndarray] = {}
    for ti, n in holders.items():
        for bi, (_, starts) in enumerate(p.shift_types[ti].breaks):
            arr = np.zeros(len(starts), dtype=int)
            planned = sorted(break_starts.get((ti, bi), []))[:n]
            for s in planned:
                arr[starts.index(s)] += 1
            arr[len(starts) // 2] += n - len(planned)
            breaks[ti, bi] = arr
    return RosterState(assign, breaks)


def state_pairs(state: RosterState) -> list[tuple[int, int]]:
    return [
        (int(ai), int(state.assign[ai, d]))
        for ai, d in zip(*np.nonzero(state.assign >= 0), strict=True)
    ]


def state_break_starts(
    problem: RosterProblem, state: RosterState
) -> dict[tuple[int, int], list[int]]:
    out: dict[tuple[int, int], list[int]] = {}
    for (ti, bi), counts in state.breaks.items():
        starts = problem.shift_types[ti].breaks[bi][1]
        out[ti, bi] = [s for s, k in zip(starts, counts, strict=True) for _ in range(int(k))]
    return out


def pick_neighbourhood(
    model: SearchModel, state: RosterState, rng: np.random.Generator, size: int
) -> tuple[list[int], list[int]]:
    """Agents and days to re-plan: around a slot drawn by its shortfall (or surplus when nothing
    is short), a window of 1-3 days and ``size`` agents who may work that day."""
    p = model.p
    diff = model.coverage(state) - model.req
    short = np.clip(-diff, 0, None)
    weights = short if short.sum() > 1e-9 else np.clip(diff, 0, None)
    if weights.sum() <= 1e-9:
        weights = np.ones(p.n_slots)
    t = int(rng.choice(p.n_slots, p=weights / weights.sum()))
    d = t // p.slots_per_day
    span = int(rng.choice([1, 2, 3, model.n_days], p=[0.35, 0.3, 0.2, 0.15]))
    if span >= model.n_days:
        days = list(range(model.n_days))
        size = max(3, size // 2)
    else:
        lo = int(np.clip(d - rng.integers(0, span), 0, model.n_days - span))
        days = list(range(lo, lo + span))
    # Agents who could cover slot t, then anyone available that day.
    k = t % p.slots_per_day
    covering = [
        ti
        for ti in model.types_on_day[d]
        if p.shift_types[ti].start_slot
        <= k
        < p.shift_types[ti].start_slot + p.shift_types[ti].length_slots
    ]
    able = (
        np.flatnonzero(model.eligible[:, covering].any(axis=1)) if covering else np.array([], int)
    )
    pool = list(rng.permutation(able))
    chosen = pool[: max(1, (2 * size) // 3)]
    rest = [ai for ai in rng.permutation(len(p.agents)) if ai not in set(chosen)]
    chosen += rest[: size - len(chosen)]
    return [int(ai) for ai in chosen], days
