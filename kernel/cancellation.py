"""Cancellation that survives redis-py.

redis-py 8.1's asyncio client can return normally from a command whose task was cancelled
while it waited for the reply, so a ``while True`` loop around Redis calls would never stop.
Every such loop calls ``still_running()`` after its Redis calls.
"""

from __future__ import annotations

import asyncio


def still_running() -> None:
    """Raise ``CancelledError`` if this task was cancelled and something swallowed it."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError
