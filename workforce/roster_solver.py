"""Solving a roster with HiGHS (scipy.optimize.milp), in a child process.

``solve_roster``: stage 1 (shift counts, ``workforce.roster.build_problem``) gives the lower
bound and a plan; the plan is dealt to named agents greedily under every hard rule; then a
large-neighbourhood search (``workforce.roster_search``) re-solves a few agents on a few days at a
time (or every agent on one day) until the time limit, each step never making the roster worse.
It runs in the calling process (pure computation, HiGHS output and search progress to ``log_fd``
if given). ``RosterSolve`` runs it in a spawned child process so a caller can cancel it (terminate)
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
    deal_greedily,
    split_solution,
    staffing_gaps,
)
from workforce.roster_search import (
    RosterState,
    SearchModel,
    pick_neighbourhood,
    state_break_starts,
    state_from_pairs,
    state_pairs,
)

STAGE_MARK = "@@stage "
STAGE1_SHARE = 0.1  # of the time limit, for the shift-count programme (the bound)
DECODE_RESERVE_S = 1.0  # left at the end to turn the search state into roster rows
STEP_LIMIT_S = 2.0  # per neighbourhood programme
DAY_AGENTS = 64  # agents re-planned together on one day
SMALL_AGENTS = 10  # agents re-planned together over 1-3 days or the whole horizon
STALL_STEPS = 80  # steps without a better roster before the search stops early
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
    return Progress(
        stage,
        float(m.group(4)),
        _num(m.group(1)),
        _num(m.group(2)),
        None if gap is None else gap / 100,
    )


def _mark(log_fd: int | None, stage: str) -> None:
    if log_fd is not None:
        os.write(log_fd, f"{STAGE_MARK}{stage}\n".encode())


def _progress_line(
    step: int, accepted: int, bound: float, objective: float, elapsed_s: float
) -> str:
    """A search step as a row of HiGHS's table, so ``parse_progress`` reads both alike."""
    gap = 0.0 if objective <= 0 else max(0.0, (objective - bound) / objective)
    return (
        f" L {step:6d} 0 {accepted:6d} 0.00% {bound:.10g} {objective:.10g} {100 * gap:.2f}%"
        f" 0 0 0 0 {elapsed_s:.1f}s\n"
    )


def solve_roster(
    problem: RosterProblem, time_limit_s: float, log_fd: int | None = None, seed: int = 0
) -> RosterResult:
    """Stage 1 (shift counts and the bound), a greedy dealing to agents, then the search, all
    within ``time_limit_s``."""
    started = time.monotonic()
    deadline = started + time_limit_s
    disp = log_fd is not None
    _mark(log_fd, "shifts")
    res = milp(
        problem.c,
        integrality=problem.integrality,
        bounds=problem.bounds,
        constraints=problem.constraints,
        options={
            "time_limit": max(1.0, STAGE1_SHARE * time_limit_s),
            "disp": disp,
            "mip_rel_gap": 1e-4,
        },
    )
    if res.x is None:
        raise RosterError(f"no shift plan found: {res.message}")
    dual = getattr(res, "mip_dual_bound", None)  # 0.0 is a real bound, not a missing one
    bound = float(res.fun if dual is None else dual)
    y, break_starts = split_solution(problem, res.x)

    _mark(log_fd, "agents")
    pairs, unfilled = deal_greedily(problem, y)
    model = SearchModel(problem)
    state = state_from_pairs(problem, pairs, break_starts)
    state = improve_roster(
        model, state, bound, deadline - DECODE_RESERVE_S, seed, log_fd=log_fd, started=started
    )
    roster, coverage, _ = assign_agents(
        problem, y, state_break_starts(problem, state), state_pairs(state)
    )
    under, over = staffing_gaps(problem.requirements.to_numpy(dtype=float), coverage)
    rules = problem.rules
    objective = rules.weight_under * under + rules.weight_over * over
    gap = 0.0 if objective <= 0 else max(0.0, (objective - bound) / objective)
    status = "optimal" if gap < 1e-6 else "feasible"
    return RosterResult(roster, coverage, under, over, objective, bound, gap, unfilled, status)


def improve_roster(
    model: SearchModel,
    state: RosterState,
    bound: float,
    deadline: float,
    seed: int = 0,
    log_fd: int | None = None,
    started: float | None = None,
) -> RosterState:
    """Large-neighbourhood search until ``deadline`` (time.monotonic()), the bound is met, or
    ``STALL_STEPS`` steps in a row bring nothing.

    Odd steps re-plan one day for (up to ``DAY_AGENTS``) agents drawn at random, the day drawn
    by its shortfall; even steps re-plan a few agents around a short slot on 1-3 days or the
    whole horizon (``pick_neighbourhood``), which moves days off.
    """
    rng = np.random.default_rng(seed)
    started = time.monotonic() if started is None else started
    rules = model.p.rules
    n_agents = len(model.p.agents)
    best, under, over = model.objective(state)
    step = accepted = last_gain = 0
    while time.monotonic() < deadline - 0.2 and step - last_gain < STALL_STEPS:
        if rules.weight_under * under + rules.weight_over * over <= bound + 1e-6:
            break
        step += 1
        if step % 2:
            diff = model.coverage(state) - model.req
            per_day = (np.clip(-diff, 0, None) + 0.1 * np.clip(diff, 0, None)).reshape(
                model.n_days, -1
            ).sum(axis=1) + 1e-6
            day = int(rng.choice(model.n_days, p=per_day / per_day.sum()))
            agents = [int(a) for a in rng.permutation(n_agents)[:DAY_AGENTS]]
            days = [day]
        else:
            agents, days = pick_neighbourhood(model, state, rng, SMALL_AGENTS)
        limit = min(STEP_LIMIT_S, deadline - time.monotonic())
        new = model.resolve(state, agents, days, limit)
        if new is not None:
            value, new_under, new_over = model.objective(new)
            if value <= best + 1e-9:
                if value < best - 1e-9:
                    accepted += 1
                    last_gain = step
                state, best, under, over = new, value, new_under, new_over
        if log_fd is not None:
            objective = rules.weight_under * under + rules.weight_over * over
            os.write(
                log_fd,
                _progress_line(
                    step, accepted, bound, objective, time.monotonic() - started
                ).encode(),
            )
    return state


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
                        stage = line[len(STAGE_MARK) :].strip()
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
