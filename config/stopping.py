"""Ctrl-C and SIGTERM: cancel the main task, and make sure the process is gone soon after.

Every piece stops on cancellation within a moment; should one not (a library stuck in a call
that ignores cancellation), the process does not hang: ``STOP_WITHIN_S`` after the signal the
tasks still running are logged and the process ends with exit code 1.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager

log = logging.getLogger(__name__)

STOP_WITHIN_S = 9.0


def _give_up() -> None:
    stuck = sorted(t.get_name() for t in asyncio.all_tasks() if not t.done())
    log.error("still running %.0f s after the stop signal, exiting: %s", STOP_WITHIN_S, stuck)
    logging.shutdown()
    os._exit(1)


@contextmanager
def cancel_on_signals(task: asyncio.Task[object]) -> Iterator[None]:
    """While in the block, SIGINT and SIGTERM cancel ``task`` (once; the deadline starts)."""
    loop = asyncio.get_running_loop()
    signalled = False

    def stop() -> None:
        nonlocal signalled
        if signalled:
            return
        signalled = True
        log.info("stop signal: stopping")
        task.cancel()
        loop.call_later(STOP_WITHIN_S, _give_up)

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop)
    try:
        yield
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
