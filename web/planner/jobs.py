"""Roster solves started from the planner page, outside the event loop.

Each solve is a ``workforce.roster_solver.RosterSolve``: HiGHS runs in a spawned child process
(a pool of one process per solve, at most ``max_running`` at once), and a worker thread waits for
it and reads its progress. Cancelling terminates the child process, so the solver really stops;
a ``ProcessPoolExecutor`` could not stop a task once it runs.

Progress (elapsed time, best bound, best objective, gap: ``workforce.shortfall.solver_figures``,
which never shows a bound of 0 as proven) is pushed to the planners' WebSockets
as ``{"t": "roster.progress", ...}``; the end as ``{"t": "roster.done", ...}``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from kernel.messages import N_, ExplainedError
from web.live.hub import LiveHub
from workforce.errors import WorkforceError
from workforce.roster import RosterProblem, RosterResult
from workforce.roster_solver import Progress, RosterSolve
from workforce.shortfall import Shortfall, explain, shortfall, solver_figures

log = logging.getLogger(__name__)

PLANNER_ROLES = frozenset({"planner", "admin"})
KEEP_FINISHED = 50  # finished jobs kept for their progress page

OnResult = Callable[[RosterResult], Awaitable[int]]
# the shortfall said plainly, in the language of the planner who started the solve
Explain = Callable[[Shortfall, int, float], str]


@dataclass
class RosterJob:
    job_id: str
    username: str
    agents: int
    time_limit_s: float
    started: float = field(default_factory=time.monotonic)
    status: str = "running"  # running | done | cancelled | failed
    stage: str = "starting"
    best_bound: float | None = None
    best_objective: float | None = None
    gap: float | None = None
    progress: float | None = None  # 1 − gap once a bound is proven; None: not known yet
    short_agent_h: float | None = None  # the roster's shortfall (0: meets the requirement)
    message: str | None = None  # the shortfall said plainly
    roster_id: int | None = None
    error: str | None = None
    ended: float | None = None
    solve: RosterSolve | None = None
    task: asyncio.Task[None] | None = None

    @property
    def elapsed_s(self) -> float:
        return round((self.ended or time.monotonic()) - self.started, 1)

    def view(self) -> dict[str, Any]:
        return {
            "job_id": self.job_id,
            "status": self.status,
            "stage": self.stage,
            "elapsed_s": self.elapsed_s,
            "best_bound": self.best_bound,
            "best_objective": self.best_objective,
            "gap": self.gap,
            "progress": self.progress,
            "short_agent_h": self.short_agent_h,
            "message": self.message,
            "agents": self.agents,
            "time_limit_s": self.time_limit_s,
            "roster_id": self.roster_id,
            "error": self.error,
        }


class JobLimitError(ExplainedError):
    def __init__(self, running: int) -> None:
        self.running = running
        text = self.explain(N_("%(running)s roster solve(s) already running"), {"running": running})
        super().__init__(text)


class RosterJobs:
    def __init__(self, hub: LiveHub | None, max_running: int = 1) -> None:
        self.hub = hub
        self.max_running = max_running
        self.jobs: dict[str, RosterJob] = {}

    def running(self) -> list[RosterJob]:
        return [j for j in self.jobs.values() if j.status == "running"]

    def _push(self, job: RosterJob, kind: str) -> None:
        if self.hub is None:
            return
        text = json.dumps({"t": kind, **job.view()}, separators=(",", ":"))
        for client in tuple(self.hub.clients):
            if client.role in PLANNER_ROLES:
                client.push(text)

    def start(
        self,
        username: str,
        build: Callable[[], RosterProblem],
        time_limit_s: float,
        n_agents: int,
        on_result: OnResult,
        said: Explain = explain,
    ) -> RosterJob:
        if len(self.running()) >= self.max_running:
            raise JobLimitError(len(self.running()))
        job = RosterJob(uuid.uuid4().hex[:12], username, n_agents, time_limit_s)
        finished = [j for j in self.jobs.values() if j.status != "running"]
        for old in finished[: max(0, len(finished) - KEEP_FINISHED)]:
            del self.jobs[old.job_id]
        self.jobs[job.job_id] = job
        job.task = asyncio.create_task(
            self._run(job, build, on_result, said), name=f"roster-{job.job_id}"
        )
        job.task.add_done_callback(self._log_failure)
        log.info(
            "roster job %s started by %s: %d agents, limit %.0f s",
            job.job_id,
            username,
            n_agents,
            time_limit_s,
        )
        return job

    @staticmethod
    def _log_failure(task: asyncio.Task[None]) -> None:
        if not task.cancelled() and task.exception() is not None:
            log.error("roster job %s crashed", task.get_name(), exc_info=task.exception())

    async def _run(
        self,
        job: RosterJob,
        build: Callable[[], RosterProblem],
        on_result: OnResult,
        said: Explain,
    ) -> None:
        loop = asyncio.get_running_loop()

        def progress(p: Progress) -> None:  # called in the worker thread
            loop.call_soon_threadsafe(self._progress, job, p)

        try:
            problem = await asyncio.to_thread(build)
            job.solve = RosterSolve(problem, job.time_limit_s)
            if job.status == "cancelled":
                return
            job.stage = "shifts"
            self._push(job, "roster.progress")
            result = await asyncio.to_thread(job.solve.run, progress)
            if result is None or job.status == "cancelled":
                job.status = "cancelled"
                log.info("roster job %s cancelled after %.1f s", job.job_id, job.elapsed_s)
                return
            job.stage = "saving"
            self._figures(job, result.lower_bound, result.objective)
            sf = shortfall(problem.requirements, result.coverage, problem.slot_min)
            job.short_agent_h = round(sf.agent_h, 1)
            job.message = said(
                sf, len(problem.agents), max(a.weekly_hours_max for a in problem.agents)
            )
            job.roster_id = await on_result(result)
            job.status = "done"
            log.info(
                "roster job %s done: roster %s, objective %.1f, gap %.3f",
                job.job_id,
                job.roster_id,
                result.objective,
                result.gap,
            )
        except (WorkforceError, ValueError) as exc:
            job.status, job.error = "failed", str(exc)
            log.warning("roster job %s failed: %s", job.job_id, exc)
        except asyncio.CancelledError:
            if job.solve is not None:
                job.solve.cancel()
            job.status = "cancelled"
            raise
        finally:
            job.ended = time.monotonic()
            self._push(job, "roster.done")

    @staticmethod
    def _figures(job: RosterJob, bound: float | None, best: float | None) -> None:
        f = solver_figures(bound, best)
        job.best_bound, job.best_objective, job.gap, job.progress = (
            f.bound,
            f.best,
            f.gap,
            f.done_fraction,
        )

    def _progress(self, job: RosterJob, p: Progress) -> None:
        """Both stages report the first stage's bound (a bound on any roster) and their best
        objective: the shift plan's, then the named agents' roster's."""
        if job.status != "running":
            return
        job.stage = p.stage
        self._figures(job, p.best_bound, p.best_objective)
        self._push(job, "roster.progress")

    def cancel(self, job: RosterJob) -> None:
        if job.status != "running":
            return
        job.status = "cancelled"
        if job.solve is not None:
            job.solve.cancel()  # the worker thread terminates the child within a poll

    async def close(self) -> None:
        """Stop every running solve (application shutdown)."""
        tasks = [j.task for j in self.running() if j.task is not None]
        for job in self.running():
            self.cancel(job)
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
