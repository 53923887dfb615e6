"""Supervision of the pieces one process runs (``serve``, ``demo``, the single-piece commands).

Each piece runs in a task of its own under ``Supervisor.keep``:

* a piece that raises (or returns: a piece runs until cancelled) is logged once, with its name
  and the error, and started again after a capped exponential back-off (0.5 s, 1 s, 2 s ... 30 s;
  back to 0.5 s after it ran ``steady_s``); one piece never stops another;
* waiting for Redis or the database is not a failure: the piece's loops retry by themselves and
  report it (``kernel.liveness``), which shows as ``retrying``;
* a ``SettingsError`` (bad configuration, a consumer name another live process uses) stops the
  whole process: start-up ends with exit code 2 and one line naming the field;
* cancellation stops every piece (Ctrl-C, SIGTERM).

``PieceBoard`` holds the statuses ``/healthz`` and ``/metrics`` show. A piece may start a child
piece of its own (the web starts the live feed) with ``keep``: it shows on the board by its name.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from kernel.liveness import PieceStatus, bind
from kernel.settings import SettingsError
from kernel.stream_consumer import ConsumerNameTaken

log = logging.getLogger(__name__)

RETRYING_TOO_LONG_S = 60.0


class PieceBoard:
    """The pieces of this process by name, in start order."""

    def __init__(self) -> None:
        self.pieces: dict[str, PieceStatus] = {}

    def add(self, name: str) -> PieceStatus:
        status = self.pieces.get(name)
        if status is None:
            status = self.pieces[name] = PieceStatus(name)
        return status

    def snapshot(self) -> dict[str, dict[str, object]]:
        return {name: status.snapshot() for name, status in self.pieces.items()}

    def failing(self, now: float | None = None) -> list[str]:
        """Pieces that make the process unhealthy: stopped, or retrying for over a minute."""
        now = time.time() if now is None else now
        return [
            name
            for name, s in self.pieces.items()
            if s.state == "stopped"
            or (s.state == "retrying" and now - s.since > RETRYING_TOO_LONG_S)
        ]


def _settings_error(exc: BaseException) -> SettingsError | None:
    """The configuration error inside ``exc`` (maybe nested in exception groups), if any."""
    if isinstance(exc, SettingsError):
        return exc
    if isinstance(exc, ConsumerNameTaken):
        return SettingsError(exc.named_by, exc.consumer, str(exc))
    if isinstance(exc, BaseExceptionGroup):
        for inner in exc.exceptions:
            if (found := _settings_error(inner)) is not None:
                return found
    return None


class Supervisor:
    def __init__(
        self,
        board: PieceBoard | None = None,
        *,
        backoff_min_s: float = 0.5,
        backoff_max_s: float = 30.0,
        steady_s: float = 30.0,
    ) -> None:
        self.board = board or PieceBoard()
        self.backoff_min_s = backoff_min_s
        self.backoff_max_s = backoff_max_s
        self.steady_s = steady_s

    async def run(self, pieces: dict[str, Callable[[], Awaitable[None]]]) -> None:
        """Keep every piece running until cancelled (or a configuration error)."""
        for name in pieces:
            self.board.add(name)
        async with asyncio.TaskGroup() as tg:
            for name, start in pieces.items():
                log.info("starting %s", name)
                tg.create_task(self.keep(name, start), name=name)

    async def keep(self, name: str, start: Callable[[], Awaitable[None]]) -> None:
        """Run ``start()`` as piece ``name`` for ever, restarting it after failures."""
        status = self.board.add(name)
        delay = self.backoff_min_s
        with bind(status):
            try:
                while True:
                    status.started()
                    began = time.monotonic()
                    error = await self._run_once(start)
                    if time.monotonic() - began >= self.steady_s:
                        delay = self.backoff_min_s
                    status.restarting(error)
                    log.error(
                        "piece %s failed: %s: %s; restarting in %.1f s (restart %d)",
                        name,
                        type(error).__name__,
                        error,
                        delay,
                        status.restarts + 1,
                        exc_info=error,
                    )
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, self.backoff_max_s)
                    status.restarts += 1
            except BaseException:
                status.stopped()
                raise

    @staticmethod
    async def _run_once(start: Callable[[], Awaitable[None]]) -> Exception:
        """Run the piece; returns its failure (a piece that returns has failed too). A
        configuration error and cancellation are raised."""
        try:
            await start()
        except Exception as exc:
            if (bad := _settings_error(exc)) is not None:
                raise bad from None
            return exc
        return RuntimeError("the piece returned")
