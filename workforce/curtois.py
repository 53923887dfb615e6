"""The Curtois-Qu staff scheduling benchmark (schedulingbenchmarks.org/nrp) as a MILP (pure).

An outside yardstick for the solver machinery the rosters use (scipy.optimize.milp / HiGHS).
The call-centre roster model plans shifts by start time and length over intervals; these
instances name shift types (no clock times) with forbidden successions, per-type maximum counts,
minimum runs of shifts and of days off and a weekend limit, which that model cannot express, so
this module states the benchmark's own model as one MILP over employee × day × shift type.

Rules (all hard except where noted): at most one shift a day; days off; per-type maximum shifts;
total minutes between min and max; at most ``max_consecutive`` shifts in a row; runs of shifts at
least ``min_consecutive`` long and runs of days off at least ``min_days_off`` long (a run touching
the start or end of the horizon is exempt: the benchmark assumes it continues outside it); at
most ``max_weekends`` weekends worked (Saturday or Sunday; day 0 is a Monday); a shift may not be
followed next day by one of its forbidden successors. Soft, summed into the objective:
shift-on requests (weight if not assigned), shift-off requests (weight if assigned), cover
(weight under × missing + weight over × surplus, per day and shift type).

``parse_instance`` reads the text format (``FormatError`` names the line); ``build_programme`` and
``solve_instance`` build and solve (HiGHS on the whole programme, then fix-and-optimize
neighbourhoods of the same programme until the time limit); ``decode`` turns the vector into
``{(employee, day): shift}``. Pure apart from reading the clock for the time limit.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from workforce.errors import FormatError
from workforce.milp_rows import ConstraintRows

FIRST_SHARE = 0.3  # of the time limit, for the whole programme (gives the lower bound)
STEP_LIMIT_S = 5.0  # per fix-and-optimize step
STAFF_FREE_SHARE = 0.25  # of the employees, re-planned over the whole horizon in one step
DAYS_FREE = (7, 14)  # or: everyone re-planned over this many days (drawn)


@dataclass(frozen=True)
class Staff:
    staff_id: str
    max_shifts: dict[str, int]  # shift type -> most shifts of that type
    max_total_min: int
    min_total_min: int
    max_consecutive: int
    min_consecutive: int
    min_days_off: int
    max_weekends: int


@dataclass(frozen=True)
class Request:
    staff_id: str
    day: int
    shift_id: str
    weight: int


@dataclass(frozen=True)
class Cover:
    day: int
    shift_id: str
    requirement: int
    weight_under: int
    weight_over: int


@dataclass
class CurtoisInstance:
    horizon_days: int
    shift_min: dict[str, int]  # shift type -> length in minutes
    forbidden_next: dict[str, tuple[str, ...]]
    staff: list[Staff]
    days_off: dict[str, frozenset[int]]
    on_requests: list[Request] = field(default_factory=list)
    off_requests: list[Request] = field(default_factory=list)
    cover: list[Cover] = field(default_factory=list)


def _sections(text: str, source: str) -> dict[str, list[tuple[int, list[str]]]]:
    out: dict[str, list[tuple[int, list[str]]]] = {}
    current: str | None = None
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("SECTION_"):
            current = line
            out[current] = []
            continue
        if current is None:
            raise FormatError(source, n, None, "data before the first SECTION_ line")
        out[current].append((n, [c.strip() for c in line.split(",")]))
    return out


def _int(value: str, source: str, line: int, column: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise FormatError(source, line, column, f"not an integer: {value!r}") from None


def parse_instance(text: str, source: str = "instance.txt") -> CurtoisInstance:
    """An instance from its text (sections as in the benchmark's README)."""
    sec = _sections(text, source)
    for name in ("SECTION_HORIZON", "SECTION_SHIFTS", "SECTION_STAFF", "SECTION_COVER"):
        if name not in sec:
            raise FormatError(source, 1, name, "missing section")
    line, cells = sec["SECTION_HORIZON"][0]
    horizon = _int(cells[0], source, line, "horizon")
    shift_min: dict[str, int] = {}
    forbidden: dict[str, tuple[str, ...]] = {}
    for line, cells in sec["SECTION_SHIFTS"]:
        if len(cells) < 2:
            raise FormatError(source, line, "ShiftID", "expected ShiftID,LengthMins,Forbidden")
        shift_min[cells[0]] = _int(cells[1], source, line, "LengthMins")
        nxt = cells[2] if len(cells) > 2 else ""
        forbidden[cells[0]] = tuple(s for s in nxt.split("|") if s)
    staff: list[Staff] = []
    for line, cells in sec["SECTION_STAFF"]:
        if len(cells) != 8:
            raise FormatError(source, line, None, f"expected 8 fields, got {len(cells)}")
        maxes: dict[str, int] = {}
        for part in filter(None, cells[1].split("|")):
            sid, _, value = part.partition("=")
            if sid not in shift_min:
                raise FormatError(source, line, "MaxShifts", f"unknown shift {sid!r}")
            maxes[sid] = _int(value, source, line, "MaxShifts")
        nums = [
            _int(c, source, line, col)
            for c, col in zip(
                cells[2:],
                (
                    "MaxTotalMinutes",
                    "MinTotalMinutes",
                    "MaxConsecutiveShifts",
                    "MinConsecutiveShifts",
                    "MinConsecutiveDaysOff",
                    "MaxWeekends",
                ),
                strict=True,
            )
        ]
        staff.append(Staff(cells[0], maxes, *nums))
    ids = {s.staff_id for s in staff}

    def staff_of(value: str, line: int) -> str:
        if value not in ids:
            raise FormatError(source, line, "EmployeeID", f"unknown employee {value!r}")
        return value

    days_off = {s.staff_id: frozenset[int]() for s in staff}
    for line, cells in sec.get("SECTION_DAYS_OFF", []):
        days_off[staff_of(cells[0], line)] = frozenset(
            _int(c, source, line, "DayIndexes") for c in cells[1:] if c
        )

    def requests(name: str) -> list[Request]:
        out = []
        for line, cells in sec.get(name, []):
            if len(cells) != 4 or cells[2] not in shift_min:
                raise FormatError(source, line, None, "expected EmployeeID,Day,ShiftID,Weight")
            out.append(
                Request(
                    staff_of(cells[0], line),
                    _int(cells[1], source, line, "Day"),
                    cells[2],
                    _int(cells[3], source, line, "Weight"),
                )
            )
        return out

    cover = []
    for line, cells in sec["SECTION_COVER"]:
        if len(cells) != 5 or cells[1] not in shift_min:
            raise FormatError(source, line, None, "expected Day,ShiftID,Requirement,Under,Over")
        cover.append(
            Cover(
                _int(cells[0], source, line, "Day"),
                cells[1],
                *(_int(c, source, line, "cover") for c in cells[2:]),
            )
        )
    return CurtoisInstance(
        horizon,
        shift_min,
        forbidden,
        staff,
        days_off,
        requests("SECTION_SHIFT_ON_REQUESTS"),
        requests("SECTION_SHIFT_OFF_REQUESTS"),
        cover,
    )


@dataclass
class CurtoisProgramme:
    c: np.ndarray
    integrality: np.ndarray
    bounds: Bounds
    constraints: LinearConstraint
    constant: float  # objective = c·x + constant (unmet-able shift-on requests, etc.)
    x_cols: list[tuple[int, int, str]]  # column -> (staff index, day, shift type)


def build_programme(inst: CurtoisInstance) -> CurtoisProgramme:
    """x[e, d, s] binaries (where allowed), weekend indicators, cover under/over."""
    days = range(inst.horizon_days)
    x_cols: list[tuple[int, int, str]] = []
    for e, st in enumerate(inst.staff):
        for d in days:
            if d in inst.days_off[st.staff_id]:
                continue
            for s in inst.shift_min:
                if st.max_shifts.get(s, 0) > 0:
                    x_cols.append((e, d, s))
    pos = {key: j for j, key in enumerate(x_cols)}
    n_weekends = inst.horizon_days // 7
    v0 = len(x_cols)
    v_pos = {
        (e, k): v0 + e * n_weekends + k for e in range(len(inst.staff)) for k in range(n_weekends)
    }
    u0 = v0 + len(v_pos)
    o0 = u0 + len(inst.cover)
    n_cols = o0 + len(inst.cover)
    con = ConstraintRows()

    def work(e: int, d: int) -> list[int]:
        return [pos[e, d, s] for s in inst.shift_min if (e, d, s) in pos]

    h = inst.horizon_days
    for e, st in enumerate(inst.staff):
        w = [work(e, d) for d in days]
        for js in w:
            if len(js) > 1:
                con.add([(j, 1.0) for j in js], 0, 1)
        for s, cap in st.max_shifts.items():
            js = [pos[e, d, s] for d in days if (e, d, s) in pos]
            if js and cap < len(js):
                con.add([(j, 1.0) for j in js], 0, cap)
        con.add(
            [(j, float(inst.shift_min[x_cols[j][2]])) for js in w for j in js],
            st.min_total_min,
            st.max_total_min,
        )
        cmax = st.max_consecutive
        for d0 in range(h - cmax):
            con.add([(j, 1.0) for d in range(d0, d0 + cmax + 1) for j in w[d]], 0, cmax)
        # Runs shorter than the minimum, strictly inside the horizon, are forbidden.
        for k in range(1, st.min_consecutive):
            for d in range(1, h - k):
                entries = [(j, 1.0) for dd in range(d, d + k) for j in w[dd]]
                entries += [(j, -1.0) for j in w[d - 1]] + [(j, -1.0) for j in w[d + k]]
                con.add(entries, -np.inf, k - 1)
        for k in range(1, st.min_days_off):
            for d in range(1, h - k):
                entries = [(j, -1.0) for dd in range(d, d + k) for j in w[dd]]
                entries += [(j, 1.0) for j in w[d - 1]] + [(j, 1.0) for j in w[d + k]]
                con.add(entries, -np.inf, 1)
        for k in range(n_weekends):
            for d in (7 * k + 5, 7 * k + 6):
                for j in w[d]:
                    con.add([(j, 1.0), (v_pos[e, k], -1.0)], -np.inf, 0)
        if n_weekends:
            con.add([(v_pos[e, k], 1.0) for k in range(n_weekends)], 0, st.max_weekends)
        for d in range(h - 1):
            for s, banned in inst.forbidden_next.items():
                if (e, d, s) not in pos:
                    continue
                for s2 in banned:
                    if (e, d + 1, s2) in pos:
                        con.add([(pos[e, d, s], 1.0), (pos[e, d + 1, s2], 1.0)], 0, 1)
    c = np.zeros(n_cols)
    constant = 0.0
    for r in inst.on_requests:
        e = next(i for i, st in enumerate(inst.staff) if st.staff_id == r.staff_id)
        constant += r.weight
        if (e, r.day, r.shift_id) in pos:
            c[pos[e, r.day, r.shift_id]] -= r.weight
    for r in inst.off_requests:
        e = next(i for i, st in enumerate(inst.staff) if st.staff_id == r.staff_id)
        if (e, r.day, r.shift_id) in pos:
            c[pos[e, r.day, r.shift_id]] += r.weight
    for i, cv in enumerate(inst.cover):
        js = [
            pos[e, cv.day, cv.shift_id]
            for e in range(len(inst.staff))
            if (e, cv.day, cv.shift_id) in pos
        ]
        con.add(
            [(j, 1.0) for j in js] + [(u0 + i, 1.0), (o0 + i, -1.0)], cv.requirement, cv.requirement
        )
        c[u0 + i] = cv.weight_under
        c[o0 + i] = cv.weight_over
    integrality = np.zeros(n_cols)
    integrality[:u0] = 1
    upper = np.full(n_cols, np.inf)
    upper[:u0] = 1
    return CurtoisProgramme(
        c,
        integrality,
        Bounds(np.zeros(n_cols), upper),
        con.constraint(n_cols),
        constant,
        x_cols,
    )


@dataclass(frozen=True)
class CurtoisResult:
    assignment: dict[tuple[str, int], str]  # (staff id, day) -> shift type
    objective: float | None  # None: no feasible roster found in time
    lower_bound: float
    status: str


def decode(
    inst: CurtoisInstance, prog: CurtoisProgramme, x: np.ndarray
) -> dict[tuple[str, int], str]:
    return {(inst.staff[e].staff_id, d): s for j, (e, d, s) in enumerate(prog.x_cols) if x[j] > 0.5}


def solve_instance(
    inst: CurtoisInstance, time_limit_s: float, disp: bool = False, seed: int = 0
) -> CurtoisResult:
    """Solve with HiGHS within ``time_limit_s``; the objective and bound include the constant.

    The whole programme first gets ``FIRST_SHARE`` of the time (its bound is the lower bound
    reported); if that is not proven optimal, fix-and-optimize: re-solve the same programme with
    every column fixed to the incumbent except a neighbourhood (a few employees over the whole
    horizon, or everyone over a window of days), keeping any result that is no worse.
    """
    started = time.monotonic()
    deadline = started + time_limit_s
    prog = build_programme(inst)
    res = milp(
        prog.c,
        integrality=prog.integrality,
        bounds=prog.bounds,
        constraints=prog.constraints,
        options={
            "time_limit": max(1.0, FIRST_SHARE * time_limit_s),
            "disp": disp,
            "mip_rel_gap": 1e-6,
        },
    )
    bound = getattr(res, "mip_dual_bound", None)
    lower = (float(bound) if bound is not None else -np.inf) + prog.constant
    if res.x is None:  # no incumbent yet: look for any roster that keeps the hard rules
        left = deadline - time.monotonic()
        res = milp(
            np.zeros_like(prog.c),
            integrality=prog.integrality,
            bounds=prog.bounds,
            constraints=prog.constraints,
            options={"time_limit": max(1.0, left / 2), "disp": disp},
        )
        if res.x is None:
            return CurtoisResult({}, None, lower, "no solution")
        res.status = 1  # not proven optimal for the real objective
    x = np.rint(res.x)
    best = float(prog.c @ x)
    if res.status != 0:
        x, best = _fix_and_optimize(inst, prog, x, best, lower - prog.constant, deadline, seed)
    objective = best + prog.constant
    status = "optimal" if res.status == 0 or objective <= lower + 1e-6 else "feasible"
    return CurtoisResult(decode(inst, prog, x), objective, lower, status)


def _fix_and_optimize(
    inst: CurtoisInstance,
    prog: CurtoisProgramme,
    x: np.ndarray,
    best: float,
    bound: float,
    deadline: float,
    seed: int,
) -> tuple[np.ndarray, float]:
    rng = np.random.default_rng(seed)
    n_staff, h = len(inst.staff), inst.horizon_days
    staff_of = np.array([e for e, _, _ in prog.x_cols])
    day_of = np.array([d for _, d, _ in prog.x_cols])
    nx = len(prog.x_cols)
    step = 0
    while time.monotonic() < deadline - 0.2 and best > bound + 1e-6:
        step += 1
        if step % 2:
            size = min(n_staff, max(2, int(STAFF_FREE_SHARE * n_staff)))
            free = rng.choice(n_staff, size=size, replace=False)
            loose = np.isin(staff_of, free)
        else:
            width = min(h, int(rng.integers(DAYS_FREE[0], DAYS_FREE[1] + 1)))
            lo = int(rng.integers(0, h - width + 1))
            loose = (day_of >= lo) & (day_of < lo + width)
        lower, upper = prog.bounds.lb.copy(), prog.bounds.ub.copy()
        fixed = np.flatnonzero(~loose)
        lower[fixed] = upper[fixed] = x[:nx][fixed]
        limit = min(STEP_LIMIT_S, deadline - time.monotonic())
        res = milp(
            prog.c,
            integrality=prog.integrality,
            bounds=Bounds(lower, upper),
            constraints=prog.constraints,
            options={"time_limit": max(0.1, limit), "mip_rel_gap": 1e-6},
        )
        if res.x is not None:
            cand = np.rint(res.x)
            value = float(prog.c @ cand)
            if value <= best + 1e-9:
                x, best = cand, value
    return x, best
