"""The weekly roster: a mixed-integer programme for the shifts, then named agents on them (pure).

Stage 1 (``build_problem``, solved with scipy.optimize.milp / HiGHS): integer y[d, s] = how many
agents work shift type s (start on a grid, length from a set) on day d, and integer
b[d, s, k, t] = how many of those take break k at slot t inside its window. Coverage per slot is
the fraction of the slot agents are on the phones (a 15-minute break takes half of a 30-minute
slot). Objective: ``weight_under``·under-staffing + ``weight_over``·over-staffing (agent-slots).
Constraints implied by the per-agent rules bound the counts (agents available per day and per
shift type, their total hours and total working days), so this programme is a relaxation of the
full rostering problem: its LP bound is a true lower bound for any roster.

Stage 2: the shifts are dealt to named agents (``deal_greedily``, most constrained first) under
the hard rules: availability (days off wanted, earliest start, latest end), at most
``weekly_hours_max`` (pro rata for horizons other than a week), minimum rest between shifts, at
most N working days in a row, at least M days off per 7 days, and a fair share of weekend and
late shifts (ties go to whoever has fewest). The plan ignores the per-agent rules, so some of its
shifts cannot be dealt: ``workforce.roster_search`` then repairs and improves the roster over
named agents, and ``assign_agents`` turns it into rows; agents still below
``weekly_hours_min`` get extra shifts where coverage is thinnest. Shifts do not cross midnight.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Literal

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint

from workforce.errors import InputError, RosterError
from workforce.formats import AgentSpec
from workforce.milp_rows import ConstraintRows


@dataclass(frozen=True)
class BreakRule:
    """A break of a shift: it starts between ``earliest_min`` and ``latest_min`` after the start."""

    activity: Literal["break", "lunch"]
    length_min: int
    earliest_min: int
    latest_min: int


def _default_breaks() -> dict[float, tuple[BreakRule, ...]]:
    b15 = lambda lo, hi: BreakRule("break", 15, lo, hi)  # noqa: E731
    return {
        4: (b15(60, 150),),
        6: (b15(60, 150), b15(210, 300)),
        8: (b15(60, 150), BreakRule("lunch", 60, 180, 300), b15(330, 420)),
        9: (b15(60, 150), BreakRule("lunch", 60, 210, 330), b15(390, 450)),
    }


@dataclass(frozen=True)
class RosterRules:
    shift_lengths_h: tuple[float, ...] = (4, 6, 8, 9)
    start_step_min: int = 30
    min_rest_h: float = 11.0
    max_consecutive_days: int = 5
    min_days_off_per_week: int = 2
    late_end: time = time(20, 0)  # a shift ending after this is a late shift
    breaks: dict[float, tuple[BreakRule, ...]] = field(default_factory=_default_breaks)
    weight_under: float = 100.0
    weight_over: float = 1.0


@dataclass(frozen=True)
class ShiftType:
    day: int
    start_slot: int  # slot index within the day
    length_slots: int
    breaks: tuple[tuple[BreakRule, tuple[int, ...]], ...]  # rule, allowed start slots (in day)


@dataclass
class RosterProblem:
    """Everything milp needs, plus the maps to decode a solution."""

    c: np.ndarray
    integrality: np.ndarray
    bounds: Bounds
    constraints: LinearConstraint
    eligible: list[list[int]]  # shift type -> agents who may work it (availability)
    b_cols: list[tuple[int, int, int]]  # column -> (shift type, break index, start slot in day)
    u_start: int
    o_start: int
    n_slots: int
    shift_types: list[ShiftType]
    agents: list[AgentSpec]
    requirements: pd.Series
    rules: RosterRules
    slot_min: int
    slots_per_day: int
    first_day: date

    @property
    def n_cols(self) -> int:
        return self.c.size

    @property
    def agent_types(self) -> list[list[int]]:
        """agent index -> shift types open to them."""
        out: list[list[int]] = [[] for _ in self.agents]
        for ti, agents in enumerate(self.eligible):
            for ai in agents:
                out[ai].append(ti)
        return out


@dataclass(frozen=True)
class RosterResult:
    roster: pd.DataFrame  # agent_id, activity, start, end
    coverage: np.ndarray  # agents on the phones per slot (fractional)
    under_staffing: float  # agent-slots short, summed over slots
    over_staffing: float
    objective: float  # weight_under·under + weight_over·over of the roster
    lower_bound: float  # HiGHS's bound on that objective (stage 1 is a relaxation)
    gap: float  # (objective − lower_bound) / objective
    unfilled_shifts: int  # stage-1 shifts the first dealing could not fill (then re-planned)
    status: str


def _minutes(t: time | None) -> int:
    return 1440 if t is None else t.hour * 60 + t.minute


def _grid(requirements: pd.Series) -> tuple[int, int, date]:
    idx = pd.DatetimeIndex(requirements.index)
    if idx.tz is None:
        raise InputError("requirements", "naive", "interval starts need a UTC offset")
    if len(idx) < 2:
        raise InputError("requirements", len(idx), "need at least two intervals")
    slot_min = int(round((idx[1] - idx[0]).total_seconds() / 60))
    if slot_min <= 0 or 1440 % slot_min:
        raise InputError("requirements", slot_min, "interval length must divide a day")
    first = idx[0]
    if first.hour * 60 + first.minute != 0 or first.second:
        raise InputError("requirements", str(first), "must start at midnight (local offset)")
    per_day = 1440 // slot_min
    if len(idx) % per_day:
        raise InputError("requirements", len(idx), f"must cover whole days ({per_day} intervals)")
    return slot_min, per_day, first.date()


def _shift_types(
    req: np.ndarray, slot_min: int, per_day: int, rules: RosterRules
) -> list[ShiftType]:
    if rules.start_step_min % slot_min:
        raise InputError(
            "start_step_min", rules.start_step_min, f"must be a multiple of {slot_min}"
        )
    step = rules.start_step_min // slot_min
    types: list[ShiftType] = []
    for d in range(len(req) // per_day):
        day = req[d * per_day : (d + 1) * per_day]
        open_slots = np.flatnonzero(day > 0)
        if open_slots.size == 0:
            continue
        first, last = int(open_slots[0]), int(open_slots[-1]) + 1
        for length_h in rules.shift_lengths_h:
            length_min = int(round(length_h * 60))
            if length_min % slot_min:
                raise InputError(
                    "shift_lengths_h", length_h, f"must be a multiple of {slot_min} min"
                )
            n = length_min // slot_min
            for start in range(first - first % step, last - n + 1, step):
                if start < first:
                    continue
                brk = []
                for rule in rules.breaks.get(length_h, ()):
                    lo = -(-rule.earliest_min // slot_min)
                    hi = rule.latest_min // slot_min
                    ends_ok = [
                        start + k
                        for k in range(lo, hi + 1)
                        if k * slot_min + rule.length_min <= length_min
                    ]
                    if not ends_ok:
                        raise InputError("breaks", rule, f"does not fit a {length_h} h shift")
                    brk.append((rule, tuple(ends_ok)))
                types.append(ShiftType(d, start, n, tuple(brk)))
    return types


def _break_cover(rule: BreakRule, slot_min: int) -> list[float]:
    """Fraction of each slot from the break's start slot taken by the break."""
    out, left = [], rule.length_min
    while left > 0:
        out.append(min(left, slot_min) / slot_min)
        left -= slot_min
    return out


def build_problem(
    requirements: pd.Series,
    agents: list[AgentSpec],
    rules: RosterRules | None = None,
) -> RosterProblem:
    """The stage-1 programme for ``requirements`` (agents on the phones per interval)."""
    rules = rules or RosterRules()
    if not agents:
        raise InputError("agents", 0, "no agents to roster")
    req = requirements.to_numpy(dtype=float)
    if (req < 0).any() or not np.isfinite(req).all():
        raise InputError("requirements", float(req.min()), "must be finite and >= 0")
    slot_min, per_day, first_day = _grid(requirements)
    n_slots, n_days = req.size, req.size // per_day
    types = _shift_types(req, slot_min, per_day, rules)
    weeks = n_days / 7

    # Which agents may work which shift type (availability only).
    eligible: list[list[int]] = [[] for _ in types]
    for ai, ag in enumerate(agents):
        lo_min, hi_min = _minutes(ag.earliest_start), _minutes(ag.latest_end)
        for ti, st in enumerate(types):
            weekday = (first_day + timedelta(days=st.day)).weekday()
            start_min = st.start_slot * slot_min
            if weekday in ag.days_off_wanted:
                continue
            if start_min < lo_min or start_min + st.length_slots * slot_min > hi_min:
                continue
            eligible[ti].append(ai)
    _check_hours_reachable(agents, eligible, types, slot_min, n_days, weeks, rules)

    b_cols: list[tuple[int, int, int]] = []
    for ti, st in enumerate(types):
        for bi, (_, starts) in enumerate(st.breaks):
            for s in starts:
                b_cols.append((ti, bi, s))
    n_types, nb = len(types), len(b_cols)
    b0 = n_types
    u0 = b0 + nb
    o0 = u0 + n_slots
    n_cols = o0 + n_slots

    con = ConstraintRows()

    # Coverage: Σ on-phone fractions − over + under = requirement, per slot.
    cover: list[list[tuple[int, float]]] = [[] for _ in range(n_slots)]
    for ti, st in enumerate(types):
        base = st.day * per_day + st.start_slot
        for k in range(st.length_slots):
            cover[base + k].append((ti, 1.0))
    for j, (ti, bi, s) in enumerate(b_cols):
        st = types[ti]
        rule = st.breaks[bi][0]
        base = st.day * per_day + s
        for k, frac in enumerate(_break_cover(rule, slot_min)):
            cover[base + k].append((b0 + j, -frac))
    for t in range(n_slots):
        con.add([*cover[t], (u0 + t, 1.0), (o0 + t, -1.0)], req[t], req[t])

    # Each shift takes each of its breaks once: Σ_t b[d, s, k, t] = y[d, s].
    b_by_key: dict[tuple[int, int], list[int]] = {}
    for j, (ti, bi, _) in enumerate(b_cols):
        b_by_key.setdefault((ti, bi), []).append(b0 + j)
    for (ti, _bi), bj in b_by_key.items():
        con.add([(c_, 1.0) for c_ in bj] + [(ti, -1.0)], 0, 0)

    # Relaxed per-agent rules: per day at most the agents available, in total at most their
    # hours and their working days.
    for d in range(n_days):
        on_day = [ti for ti, st in enumerate(types) if st.day == d]
        avail = {ai for ti in on_day for ai in eligible[ti]}
        if on_day:
            con.add([(ti, 1.0) for ti in on_day], 0, len(avail))
    max_days = n_days - int(rules.min_days_off_per_week * n_days / 7)
    max_days = min(max_days, n_days - n_days // (rules.max_consecutive_days + 1))
    hours = [(ti, st.length_slots * slot_min / 60) for ti, st in enumerate(types)]
    con.add(hours, 0, sum(a.weekly_hours_max for a in agents) * weeks)
    days_total = 0
    for ag in agents:
        free = sum(
            1
            for d in range(n_days)
            if (first_day + timedelta(days=d)).weekday() not in ag.days_off_wanted
        )
        days_total += min(free, max_days)
    con.add([(ti, 1.0) for ti in range(n_types)], 0, days_total)

    c = np.zeros(n_cols)
    c[u0:o0] = rules.weight_under
    c[o0:] = rules.weight_over
    integrality = np.zeros(n_cols)
    integrality[:u0] = 1
    upper = np.full(n_cols, np.inf)
    upper[:n_types] = [len(e) for e in eligible]
    return RosterProblem(
        c=c,
        integrality=integrality,
        bounds=Bounds(np.zeros(n_cols), upper),
        constraints=con.constraint(n_cols),
        eligible=eligible,
        b_cols=b_cols,
        u_start=u0,
        o_start=o0,
        n_slots=n_slots,
        shift_types=types,
        agents=agents,
        requirements=requirements,
        rules=rules,
        slot_min=slot_min,
        slots_per_day=per_day,
        first_day=first_day,
    )


def _check_hours_reachable(
    agents: list[AgentSpec],
    eligible: list[list[int]],
    types: list[ShiftType],
    slot_min: int,
    n_days: int,
    weeks: float,
    rules: RosterRules,
) -> None:
    """Name the agent whose minimum hours cannot be reached with the shifts open to them."""
    longest = np.zeros((len(agents), n_days))
    for ti, st in enumerate(types):
        for ai in eligible[ti]:
            longest[ai, st.day] = max(longest[ai, st.day], st.length_slots * slot_min / 60)
    max_days = min(n_days, int(n_days - rules.min_days_off_per_week * n_days / 7))
    for ai, ag in enumerate(agents):
        best = np.sort(longest[ai])[::-1][:max_days].sum()
        if best + 1e-9 < ag.weekly_hours_min * weeks:
            raise RosterError(
                f"agent {ag.agent_id}: at most {best:g} h can be rostered in the shifts open to "
                f"them, below weekly_hours_min {ag.weekly_hours_min:g}"
            )


def lp_under_staffing_bound(problem: RosterProblem) -> float:
    """Lower bound on under-staffing (agent-slots): the LP relaxation minimising it alone."""
    from scipy.optimize import milp

    c = np.zeros(problem.n_cols)
    c[problem.u_start : problem.o_start] = 1.0
    res = milp(c, constraints=problem.constraints, bounds=problem.bounds)
    if res.x is None:
        raise RosterError(f"the rules cannot be met ({res.message})")
    return float(res.fun)


def split_solution(problem: RosterProblem, x: np.ndarray) -> tuple[np.ndarray, dict]:
    """Stage-1 vector → shift counts per type and break start slots per (type, break)."""
    y = np.rint(x[: len(problem.shift_types)]).astype(int)
    starts: dict[tuple[int, int], list[int]] = {}
    b0 = len(problem.shift_types)
    for j, (ti, bi, s) in enumerate(problem.b_cols):
        starts.setdefault((ti, bi), []).extend([s] * int(round(x[b0 + j])))
    return y, starts


@dataclass
class _AgentPlan:
    days: dict[int, int] = field(default_factory=dict)  # day -> shift type
    hours: float = 0.0
    weekend: int = 0
    late: int = 0


class _Assigner:
    """Deals shifts to agents under the hard rules (stage 2)."""

    def __init__(self, problem: RosterProblem) -> None:
        p = problem
        self.p = p
        self.rules = p.rules
        self.n_days = p.n_slots // p.slots_per_day
        self.weeks = self.n_days / 7
        self.eligible = [set(e) for e in p.eligible]
        self.plans = [_AgentPlan() for _ in p.agents]
        self.late_min = _minutes(p.rules.late_end)
        self.weekend_day = [
            (p.first_day + timedelta(days=d)).weekday() >= 5 for d in range(self.n_days)
        ]

    def _span(self, ti: int) -> tuple[int, int]:
        st = self.p.shift_types[ti]
        start = st.start_slot * self.p.slot_min
        return start, start + st.length_slots * self.p.slot_min

    def length_h(self, ti: int) -> float:
        st = self.p.shift_types[ti]
        return st.length_slots * self.p.slot_min / 60

    def is_late(self, ti: int) -> bool:
        return self._span(ti)[1] > self.late_min

    def can_take(self, ai: int, ti: int) -> bool:
        p, plan, rules = self.p, self.plans[ai], self.rules
        d = p.shift_types[ti].day
        if ai not in self.eligible[ti] or d in plan.days:
            return False
        if plan.hours + self.length_h(ti) > p.agents[ai].weekly_hours_max * self.weeks + 1e-9:
            return False
        start, end = self._span(ti)
        rest = rules.min_rest_h * 60
        if d - 1 in plan.days and 1440 + start - self._span(plan.days[d - 1])[1] < rest:
            return False
        if d + 1 in plan.days and 1440 + self._span(plan.days[d + 1])[0] - end < rest:
            return False
        run_lo = d
        while run_lo - 1 in plan.days:
            run_lo -= 1
        run_hi = d
        while run_hi + 1 in plan.days:
            run_hi += 1
        if run_hi - run_lo + 1 > rules.max_consecutive_days:
            return False
        block = d - d % 7
        block_len = min(7, self.n_days - block)
        allowed = block_len - int(rules.min_days_off_per_week * block_len / 7)
        worked = sum(1 for k in range(block, block + block_len) if k in plan.days)
        return worked + 1 <= allowed

    def take(self, ai: int, ti: int) -> None:
        plan = self.plans[ai]
        d = self.p.shift_types[ti].day
        plan.days[d] = ti
        plan.hours += self.length_h(ti)
        plan.weekend += self.weekend_day[d]
        plan.late += self.is_late(ti)

    def score(self, ai: int, ti: int) -> tuple[float, ...]:
        """Lower is better: agents furthest below their minimum, then the fair shares."""
        plan, ag = self.plans[ai], self.p.agents[ai]
        need = ag.weekly_hours_min * self.weeks - plan.hours
        d = self.p.shift_types[ti].day
        fair = (plan.weekend if self.weekend_day[d] else 0) + (plan.late if self.is_late(ti) else 0)
        room = ag.weekly_hours_max * self.weeks - plan.hours
        return (-max(need, 0.0), fair, -room, len(plan.days))


def deal_greedily(problem: RosterProblem, y: np.ndarray) -> tuple[list[tuple[int, int]], int]:
    """The stage-1 shifts dealt to agents under the hard rules, most constrained shift first,
    each to the agent furthest below their minimum hours (then fewest weekend and late shifts).
    Returns the (agent, shift type) pairs and how many shifts no agent could take."""
    p = problem
    asg = _Assigner(p)
    pairs: list[tuple[int, int]] = []
    unfilled = 0
    instances = [ti for ti in range(len(p.shift_types)) for _ in range(int(y[ti]))]
    instances.sort(key=lambda ti: (len(p.eligible[ti]), -p.shift_types[ti].length_slots))
    for ti in instances:
        options = [ai for ai in p.eligible[ti] if asg.can_take(ai, ti)]
        if not options:
            unfilled += 1
            continue
        ai = min(options, key=lambda a: asg.score(a, ti))
        asg.take(ai, ti)
        pairs.append((ai, ti))
    return pairs, unfilled


def assign_agents(
    problem: RosterProblem,
    y: np.ndarray,
    break_starts: dict[tuple[int, int], list[int]],
    pairs: list[tuple[int, int]] | None = None,
) -> tuple[pd.DataFrame, np.ndarray, int]:
    """Stage 2: roster rows (agent_id, activity, start, end), coverage, unfilled shift count.

    ``pairs`` (agent, shift type) come from the assignment programme; without them the shifts
    are dealt greedily, most constrained first. Either way agents below their minimum hours then
    get extra shifts where coverage is thinnest, and breaks go where the surplus is largest.
    """
    p = problem
    asg = _Assigner(p)
    holders: dict[int, list[int]] = {}
    unfilled = 0
    if pairs is not None:
        for ai, ti in pairs:
            if not asg.can_take(ai, ti):
                raise RosterError(f"assignment breaks a rule: agent {p.agents[ai].agent_id}")
            asg.take(ai, ti)
            holders.setdefault(ti, []).append(ai)
        unfilled = int(sum(int(y[ti]) - len(holders.get(ti, [])) for ti in range(len(y))))
    else:
        dealt, unfilled = deal_greedily(p, y)
        for ai, ti in dealt:
            asg.take(ai, ti)
            holders.setdefault(ti, []).append(ai)

    req = p.requirements.to_numpy(dtype=float)
    coverage = np.zeros(p.n_slots)
    breaks: dict[tuple[int, int], list[tuple[int, int]]] = {}  # (agent, type) -> (bi, slot)
    for ti, agents in holders.items():
        st = p.shift_types[ti]
        base = st.day * p.slots_per_day
        coverage[base + st.start_slot : base + st.start_slot + st.length_slots] += len(agents)
        for bi, (rule, _) in enumerate(st.breaks):
            slots = sorted(break_starts.get((ti, bi), []))
            for ai, s in zip(sorted(agents), slots, strict=False):
                breaks.setdefault((ai, ti), []).append((bi, s))
                for k, frac in enumerate(_break_cover(rule, p.slot_min)):
                    coverage[base + s + k] -= frac
    # Fewer holders than planned leave planned breaks unused; holders without a break get one.
    for ti, agents in holders.items():
        for ai in agents:
            _place_missing_breaks(p, ti, ai, breaks, coverage, req)

    # Agents still below their minimum hours: extra shifts where coverage is thinnest.
    agent_types = p.agent_types
    for ai, ag in enumerate(p.agents):
        while asg.plans[ai].hours + 1e-9 < ag.weekly_hours_min * asg.weeks:
            best, best_gain = None, -np.inf
            for ti in agent_types[ai]:
                if not asg.can_take(ai, ti):
                    continue
                st = p.shift_types[ti]
                base = st.day * p.slots_per_day + st.start_slot
                window = slice(base, base + st.length_slots)
                gain = float(np.clip(req[window] - coverage[window], 0, None).sum())
                gain -= 0.01 * float(np.clip(coverage[window] - req[window], 0, None).sum())
                if gain > best_gain:
                    best, best_gain = ti, gain
            if best is None:
                break
            asg.take(ai, best)
            holders.setdefault(best, []).append(ai)
            st = p.shift_types[best]
            base = st.day * p.slots_per_day
            coverage[base + st.start_slot : base + st.start_slot + st.length_slots] += 1
            _place_missing_breaks(p, best, ai, breaks, coverage, req)

    start_at = pd.Timestamp(p.requirements.index[0])
    slot = pd.Timedelta(minutes=p.slot_min)
    rows = []
    for ti, agents in holders.items():
        st = p.shift_types[ti]
        base = st.day * p.slots_per_day
        s_at = start_at + (base + st.start_slot) * slot
        for ai in agents:
            aid = p.agents[ai].agent_id
            rows.append((aid, "shift", s_at, s_at + st.length_slots * slot))
            for bi, s in breaks.get((ai, ti), []):
                rule = st.breaks[bi][0]
                b_at = start_at + (base + s) * slot
                rows.append(
                    (aid, rule.activity, b_at, b_at + pd.Timedelta(minutes=rule.length_min))
                )
    order = {"shift": 0, "break": 1, "lunch": 1}
    rows.sort(key=lambda r: (r[0], r[2], order[r[1]]))
    return pd.DataFrame(rows, columns=["agent_id", "activity", "start", "end"]), coverage, unfilled


def _place_missing_breaks(
    p: RosterProblem,
    ti: int,
    ai: int,
    breaks: dict[tuple[int, int], list[tuple[int, int]]],
    coverage: np.ndarray,
    req: np.ndarray,
) -> None:
    st = p.shift_types[ti]
    base = st.day * p.slots_per_day
    have = {bi for bi, _ in breaks.get((ai, ti), [])}
    for bi, (rule, starts) in enumerate(st.breaks):
        if bi in have:
            continue
        s = max(starts, key=lambda s_: coverage[base + s_] - req[base + s_])
        breaks.setdefault((ai, ti), []).append((bi, s))
        for k, frac in enumerate(_break_cover(rule, p.slot_min)):
            coverage[base + s + k] -= frac


def staffing_gaps(requirements: np.ndarray, coverage: np.ndarray) -> tuple[float, float]:
    """(under, over) in agent-slots."""
    diff = coverage - requirements
    return float(np.clip(-diff, 0, None).sum()), float(np.clip(diff, 0, None).sum())


def assignment_programme(
    problem: RosterProblem, y: np.ndarray
) -> tuple[np.ndarray, np.ndarray, Bounds, LinearConstraint, list[tuple[int, int]]]:
    """Stage 2 as a MILP: x[a, s] = agent a works shift type s, at most y[s] agents per type.

    Maximises rostered hours (unfilled stage-1 shifts are under-staffing) under every hard rule;
    a small weight evens out weekend days and late shifts (min of the max per agent).
    Returns (c, integrality, bounds, constraints, columns as (agent, type)).
    """
    p, rules = problem, problem.rules
    n_days = p.n_slots // p.slots_per_day
    weeks = n_days / 7
    used = [ti for ti in range(len(p.shift_types)) if y[ti] > 0]
    x_cols = [(ai, ti) for ti in used for ai in p.eligible[ti]]
    nx = len(x_cols)
    w_col, l_col = nx, nx + 1
    n_cols = nx + 2
    late_min = _minutes(rules.late_end)
    con = ConstraintRows()

    def span(ti: int) -> tuple[int, int]:
        st = p.shift_types[ti]
        return st.start_slot * p.slot_min, (st.start_slot + st.length_slots) * p.slot_min

    by_type: dict[int, list[int]] = {}
    by_agent_day: dict[tuple[int, int], list[int]] = {}
    for j, (ai, ti) in enumerate(x_cols):
        by_type.setdefault(ti, []).append(j)
        by_agent_day.setdefault((ai, p.shift_types[ti].day), []).append(j)
    for ti, js in by_type.items():
        con.add([(j, 1.0) for j in js], 0, float(y[ti]))
    rest = rules.min_rest_h * 60
    n_max = rules.max_consecutive_days
    for ai, ag in enumerate(p.agents):
        days = [by_agent_day.get((ai, d), []) for d in range(n_days)]
        for js in days:
            if len(js) > 1:
                con.add([(j, 1.0) for j in js], 0, 1)
        hours = [
            (j, span(x_cols[j][1])[1] / 60 - span(x_cols[j][1])[0] / 60) for js in days for j in js
        ]
        if hours:
            con.add(hours, 0, ag.weekly_hours_max * weeks)
        for d0 in range(0, n_days - n_max):
            window = [(j, 1.0) for d in range(d0, d0 + n_max + 1) for j in days[d]]
            if window:
                con.add(window, 0, n_max)
        for d0 in range(0, n_days, 7):
            block = range(d0, min(d0 + 7, n_days))
            allowed = len(block) - int(rules.min_days_off_per_week * len(block) / 7)
            entries = [(j, 1.0) for d in block for j in days[d]]
            if len(entries) > allowed:
                con.add(entries, 0, allowed)
        # Rest: shifts ending at or after e exclude next-day starts before e + rest − 24 h.
        for d in range(n_days - 1):
            today, tomorrow = days[d], days[d + 1]
            if not today or not tomorrow:
                continue
            prev: frozenset[int] = frozenset()
            for e in sorted({span(x_cols[j][1])[1] for j in today}):
                f = frozenset(j for j in tomorrow if span(x_cols[j][1])[0] < e + rest - 1440)
                if not f or f == prev:
                    continue
                prev = f
                e_set = [j for j in today if span(x_cols[j][1])[1] >= e]
                con.add([(j, 1.0) for j in e_set] + [(j, 1.0) for j in sorted(f)], 0, 1)
        weekend = [
            (j, 1.0)
            for d, js in enumerate(days)
            for j in js
            if (p.first_day + timedelta(days=d)).weekday() >= 5
        ]
        late = [(j, 1.0) for js in days for j in js if span(x_cols[j][1])[1] > late_min]
        if weekend:
            con.add([*weekend, (w_col, -1.0)], -np.inf, 0)
        if late:
            con.add([*late, (l_col, -1.0)], -np.inf, 0)
    c = np.zeros(n_cols)
    for j, (_, ti) in enumerate(x_cols):
        a, b = span(ti)
        c[j] = -(b - a) / 60
    c[w_col] = c[l_col] = 0.5
    integrality = np.zeros(n_cols)
    integrality[:nx] = 1
    upper = np.full(n_cols, np.inf)
    upper[:nx] = 1
    return (
        c,
        integrality,
        Bounds(np.zeros(n_cols), upper),
        con.constraint(n_cols),
        x_cols,
    )
