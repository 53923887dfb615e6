"""What a running piece tells its supervisor: up, or waiting for Redis or the database.

Waiting for a server is not a failure: the loop that meets an outage keeps retrying (at least
once a second) and says so with ``retrying(what, error)``; its next success says ``ok(what)``.
``what`` names the loop ("events stream", "tick", ...), so a piece with several loops is up only
when none of them is waiting. The reports go to the ``PieceStatus`` of the task they run in (the
supervisor binds one per piece, ``bind``); outside a supervisor (a test, a tool) they go to a
status of its own that only logs. One warning per outage, one line when it is over: no floods.

Standard library only: the stream consumer and every piece's loops report through it.
"""

from __future__ import annotations

import contextvars
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Literal

log = logging.getLogger(__name__)

State = Literal["up", "retrying", "restarting", "stopped"]


@dataclass
class PieceStatus:
    """One piece's health as ``/healthz`` shows it; ``since`` is a Unix time (seconds)."""

    name: str
    state: State = "up"
    since: float = field(default_factory=time.time)
    last_error: str | None = None
    restarts: int = 0
    waiting: dict[str, float] = field(default_factory=dict)  # what -> retrying since

    def retrying(self, what: str, error: BaseException) -> None:
        """``what`` failed for a passing reason (a server away); the loop retries."""
        self.last_error = f"{what}: {type(error).__name__}: {error}"
        if what in self.waiting:
            return
        now = time.time()
        self.waiting[what] = now
        log.warning(
            "%s: %s failed (%s: %s); retrying at least once a second",
            self.name,
            what,
            type(error).__name__,
            error,
        )
        if self.state == "up":
            self._set("retrying", now)

    def ok(self, what: str) -> None:
        """``what`` works (again). Cheap when nothing was waiting: called on every round."""
        started = self.waiting.pop(what, None)
        if started is None:
            return
        now = time.time()
        log.info("%s: %s works again after %.1f s", self.name, what, now - started)
        if not self.waiting and self.state == "retrying":
            self._set("up", now)

    def waiting_since(self) -> float | None:
        return min(self.waiting.values()) if self.waiting else None

    def _set(self, state: State, now: float | None = None) -> None:
        self.state = state
        self.since = time.time() if now is None else now

    def started(self) -> None:
        self.waiting.clear()
        self._set("up")

    def restarting(self, error: BaseException) -> None:
        self.waiting.clear()
        self.last_error = f"{type(error).__name__}: {error}"
        self._set("restarting")

    def stopped(self) -> None:
        self.waiting.clear()
        self._set("stopped")

    def snapshot(self) -> dict[str, object]:
        return {
            "state": self.state,
            "since": self.since,
            "last_error": self.last_error,
            "restarts": self.restarts,
        }


_current: contextvars.ContextVar[PieceStatus | None] = contextvars.ContextVar(
    "piece_status", default=None
)
_unsupervised: dict[str, PieceStatus] = {}


def current(default_name: str = "unsupervised") -> PieceStatus:
    """The status of the piece this task belongs to (one per name outside a supervisor)."""
    status = _current.get()
    if status is not None:
        return status
    return _unsupervised.setdefault(default_name, PieceStatus(default_name))


@contextmanager
def bind(status: PieceStatus) -> Iterator[PieceStatus]:
    """Tasks started inside the block (and their children) report to ``status``."""
    token = _current.set(status)
    try:
        yield status
    finally:
        _current.reset(token)
