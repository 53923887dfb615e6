"""Solving a roster: both programmes with HiGHS (scipy.optimize.milp), in a child process.

``solve_roster`` runs in the calling process (pure computation, HiGHS output to ``log_fd`` if
given). ``RosterSolve`` runs it in a spawned child process so a caller can cancel it (terminate)
and watch progress: HiGHS's log goes to a temporary file that the parent reads and turns into
``Progress`` values (best bound, best objective, gap) for a callback.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import milp

from workforce.errors import RosterError
from workforce.roster import (
    RosterProblem,
    RosterResult,
    assign_agents,
    assignment_programme,
    split_solution,
    staffing_gaps,
)

STAGE_MARK = "@@stage "
_ROW = re.compile(
    r"^\s*[A-Za-z]?\s+\d+\s+\d+\s+\d+\s+[\d.]+%\s+(\S+)\s+(\S+)\s+(\S+).*?([\d.]+)s\s*$"
)


@dataclass(frozen=True)
class Progress:
    stage: str  # "shifts" (stage 1) or "agents" (stage 2)
    elapsed_s: float
    best_bound: float | None
    best_objective: float | None
    gap: float | None  # fraction


def _num(text: str) -> float | None:
    text = text.rstrip("%")
    try:
        value = float(text)
    except ValueError:
        return None
    return value if np.isfinite(value) else None


def parse_progress(line: str, stage: str) -> Progress | None:
    """One line of HiGHS's branch-and-bound table → Progress (None for other lines)."""
    m = _ROW.match(line)
    if not m:
        return None
    gap = _num(m.group(3))
    return Progress(stage, float(m.group(4)), _num(m.group(1)), _num(m.group(2)),
                    None if gap is None else gap / 100)


def _mark(log_fd: int | None, stage: str) -> None:
    if log_fd is not None:
        os.write(log_fd, f"{STAGE_MARK}{stage}\n".encode())


def solve_roster(
    problem: RosterProblem, time_limit_s: float, log_fd: int | None = None
) -> RosterResult:
    """Stage 1 (shift counts) then stage 2 (agents), within ``time_limit_s`` overall."""
    started = time.monotonic()
    disp = log_fd is not None
    _mark(log_fd, "shifts")
    res = milp(
        problem.c, integrality=problem.integrality, bounds=problem.bounds,
        constraints=problem.constraints,
        options={"time_limit": max(1.0, 0.6 * time_limit_s), "disp": disp, "mip_rel_gap": 1e-4},
    )
    if res.x is None:
        raise RosterError(f"no shift plan found: {res.message}")
    bound = float(getattr(res, "mip_dual_bound", None) or res.fun)
    y, break_starts = split_solution(problem, res.x)

    left = max(1.0, time_limit_s - (time.monotonic() - started))
    _mark(log_fd, "agents")
    c, integrality, bounds, constraints, x_cols = assignment_programme(problem, y)
    res2 = milp(c, integrality=integrality, bounds=bounds, constraints=constraints,
                options={"time_limit": left, "disp": disp, "mip_rel_gap": 1e-4})
    pairs = None
    if res2.x is not None:
        pairs = [x_cols[j] for j in np.flatnonzero(res2.x[: len(x_cols)] > 0.5)]
    roster, coverage, unfilled = assign_agents(problem, y, break_starts, pairs)
    under, over = staffing_gaps(problem.requirements.to_numpy(dtype=float), coverage)
    rules = problem.rules
    objective = rules.weight_under * under + rules.weight_over * over
    gap = 0.0 if objective <= 0 else max(0.0, (objective - bound) / objective)
    status = "optimal" if res.status == 0 and res2.status == 0 and gap < 1e-6 else "feasible"
    return RosterResult(roster, coverage, under, over, objective, bound, gap, unfilled, status)


def _child(problem: RosterProblem, time_limit_s: float, log_path: str, conn: Any) -> None:
    fd = os.open(log_path, os.O_WRONLY | os.O_APPEND)
    os.dup2(fd, 1)  # HiGHS writes its log to C stdout
    try:
        conn.send(("ok", solve_roster(problem, time_limit_s, log_fd=1)))
    except Exception as exc:  # sent to the parent, which re-raises it there
        conn.send(("error", exc))
    finally:
        conn.close()


class RosterSolve:
    """A roster being solved in a child process; ``cancel()`` stops it."""

    def __init__(self, problem: RosterProblem, time_limit_s: float) -> None:
        self._problem = problem
        self._time_limit_s = time_limit_s
        self._cancelled = False

    def cancel(self) -> None:
        self._cancelled = True

    def run(
        self, on_progress: Callable[[Progress], None] | None = None, poll_s: float = 0.2
    ) -> RosterResult | None:
        """Solve; None when cancelled. Raises RosterError when the child fails."""
        ctx = mp.get_context("spawn")
        parent, child = ctx.Pipe(duplex=False)
        with tempfile.NamedTemporaryFile("w", suffix=".highs.log", delete=False) as f:
            log_path = f.name
        proc = ctx.Process(
            target=_child, args=(self._problem, self._time_limit_s, log_path, child), daemon=True
        )
        proc.start()
        child.close()
        stage, offset, message = "shifts", 0, None
        hard_deadline = time.monotonic() + self._time_limit_s + 120
        try:
            while True:
                if parent.poll(poll_s):
                    try:
                        message = parent.recv()
                    except EOFError:
                        message = None
                    break
                with open(log_path, encoding="utf-8", errors="replace") as log:
                    log.seek(offset)
                    chunk = log.read()
                cut = chunk.rfind("\n") + 1
                offset += len(chunk[:cut].encode("utf-8", errors="replace"))
                for line in chunk[:cut].splitlines():
                    if line.startswith(STAGE_MARK):
                        stage = line[len(STAGE_MARK):].strip()
                    elif on_progress is not None and (p := parse_progress(line, stage)):
                        on_progress(p)
                if self._cancelled:
                    return None
                if not proc.is_alive() or time.monotonic() > hard_deadline:
                    break
        finally:
            if proc.is_alive():
                proc.terminate()
            proc.join(5)
            parent.close()
            os.unlink(log_path)
        if message is None:
            raise RosterError(f"solver process ended without a result (exit code {proc.exitcode})")
        kind, payload = message
        if kind == "error":
            raise payload
        return payload
