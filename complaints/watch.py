"""The complaint watch: the piece that escalates overdue tickets (``complaint.overdue``)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError

from complaints.lifecycle import ComplaintConfig
from complaints.tickets import escalate_overdue
from kernel import liveness
from kernel.cancellation import still_running
from kernel.runtime import Runtime


async def run_complaint_watch(rt: Runtime) -> None:
    """Piece for ``callcenter serve``: escalate overdue tickets every ``overdue_check_s``; while
    the database or Redis is away, try again every second."""
    settings = rt.settings
    config = ComplaintConfig.from_settings(settings)
    health = liveness.current("complaint-watch")
    while True:
        try:
            await escalate_overdue(
                rt.engine,
                now=datetime.now(UTC),
                config=config,
                redis=rt.redis,
                prefix=settings.redis_prefix,
            )
            still_running()
            health.ok("escalation")
            pause_s = settings.complaints.overdue_check_s
        except (OSError, SQLAlchemyError, RedisError) as exc:
            still_running()  # redis-py may report a cancelled command as a connection error
            health.retrying("escalation", exc)
            pause_s = min(1.0, settings.complaints.overdue_check_s)
        await asyncio.sleep(pause_s)
