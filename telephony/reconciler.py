"""The edge around ``telephony.reconcile``: at each login the bridge asks the ``Reconciler`` for
the events that make the platform agree with Asterisk.

It reads what the platform believes is live (the router's calls, ``queueing.live_calls``; the
store's open calls, ``store.open_calls``; the calls the bridge had in memory), the gap (the last
moment a bridge heard this Asterisk, which the bridge keeps in Redis every second while it is
connected: ``LastHeard``) and, with ``[ami] cdr_csv``, the CDR records that ended since the gap
began (``telephony.cdr_file``), and hands them to the pure rules.

Redis is required (without it nothing can be published either: the session is retried). The
store and the CDR file are not: when one cannot be read the reconcile goes on without it, with a
warning, so routing never waits for a database; the next login reconciles again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import redis.asyncio as aioredis
from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from kernel.cancellation import still_running
from kernel.keys import last_heard
from kernel.settings import Settings
from queueing.live_calls import routed_calls
from queueing.routing import Routing
from store.open_calls import ended_calls, open_calls
from telephony import cdr_file
from telephony.cdr import CdrCall, calls_from_records
from telephony.reconcile import Gap, KnownCall, Plan, known_from_memory, merge_known, plan
from telephony.translator import CallState

log = logging.getLogger(__name__)

OPEN_CALLS_LOOKBACK = timedelta(days=2)  # the store's open calls older than this are not read
# CDR records ending this long before the gap's start are read too: CDR times are cut to whole
# seconds, and a call whose end was translated just before a SIGKILL may never have reached the
# stream. Records of calls the platform has ended change nothing (same event ids).
CDR_SLACK = timedelta(seconds=5)


class LastHeard:
    """The last moment a bridge heard Asterisk ``source``: ``<prefix>:telephony:heard:<source>``
    (epoch seconds). A SIGKILLed bridge cannot say when it died; this says it within a second."""

    def __init__(self, redis: aioredis.Redis, prefix: str, source: str) -> None:
        self.redis = redis
        self.key = last_heard(prefix, source)

    async def get(self) -> datetime | None:
        raw = await self.redis.get(self.key)
        still_running()
        try:
            return datetime.fromtimestamp(float(raw), UTC) if raw else None
        except (TypeError, ValueError):
            return None

    async def beat(self, at: datetime | None = None) -> None:
        at = at or datetime.now(UTC)
        await self.redis.set(self.key, f"{at.timestamp():.3f}")
        still_running()


@dataclass
class Reconciler:
    settings: Settings
    redis: aioredis.Redis
    engine: AsyncEngine | None
    source: str

    def __post_init__(self) -> None:
        self.heard = LastHeard(self.redis, self.settings.redis_prefix, self.source)
        self.routing = Routing(self.redis, self.settings)
        self._beat_failing = False

    async def _from_router(self) -> list[KnownCall]:
        out = []
        for c in await routed_calls(self.routing):
            out.append(
                KnownCall(
                    call_id=c.call_id,
                    direction="inbound" if c.queue else "outbound",
                    queue=c.queue,
                    answered=c.state == "connected",
                    agent_id=c.agent_id,
                    arrived_at=(
                        datetime.fromtimestamp(c.arrived_ms / 1000, UTC) if c.arrived_ms else None
                    ),
                )
            )
        still_running()
        return out

    async def _from_store(self, now: datetime) -> list[KnownCall]:
        if self.engine is None:
            return []
        try:
            rows = await open_calls(self.engine, now - OPEN_CALLS_LOOKBACK)
        except (SQLAlchemyError, OSError) as exc:
            log.warning("reconcile: the store's open calls could not be read (%s); going on", exc)
            return []
        # outbound work (a callback's dial) is queued before it is dialled: no channel yet
        return [
            KnownCall(
                call_id=r.call_id,
                direction=r.direction,
                queue=r.queue_id,
                answered=r.answered,
                agent_id=r.agent_id,
                arrived_at=r.arrived_at,
            )
            for r in rows
            if r.direction != "outbound" or r.answered
        ]

    async def _stored_ended(self, call_ids: set[str]) -> set[str]:
        if self.engine is None or not call_ids:
            return set()
        try:
            return await ended_calls(self.engine, call_ids)
        except (SQLAlchemyError, OSError) as exc:
            log.warning("reconcile: the store could not say which calls it has (%s)", exc)
            return set()

    async def _cdr_calls(self, gap: Gap) -> dict[str, CdrCall]:
        path: Path | None = self.settings.ami.cdr_csv
        if path is None:
            return {}
        try:
            records, errors = await asyncio.to_thread(cdr_file.read_since, path, gap.from_at)
        except OSError as exc:
            log.warning("reconcile: %s could not be read (%s); no backfill", path, exc)
            return {}
        for error in errors[:5]:
            log.warning("reconcile: %s: %s", path, error)
        calls = calls_from_records(records, self.settings.ami.connect_context)
        since = gap.from_at - CDR_SLACK
        return {k: c for k, c in calls.items() if c.ended_at >= since}

    async def run(
        self, vanished: Iterable[CallState], present: set[str], login_at: datetime
    ) -> Plan:
        """The reconcile of one login; ``present``: the call ids and Linkedids Asterisk lists."""
        last = await self.heard.get()
        gap = Gap(self.source, last, login_at) if last is not None and last < login_at else None
        known = merge_known(
            known_from_memory(vanished),
            await self._from_router(),
            await self._from_store(login_at),
        )
        cdr_calls = await self._cdr_calls(gap) if gap else {}
        stored_ended = await self._stored_ended(set(cdr_calls) - set(known))
        result = plan(known, present, gap, cdr_calls, stored_ended, login_at)
        if gap or result.events:
            log.info(
                "reconcile of %s after a gap of %.1f s: %d calls live, %d ended by guess, "
                "%d by the CDR, %d backfilled",
                self.source,
                (gap.to_at - gap.from_at).total_seconds() if gap else 0.0,
                len(present),
                len(result.ended_by_guess),
                len(result.ended_by_cdr),
                len(result.backfilled),
            )
        return result

    async def heard_now(self) -> None:
        """One heartbeat; a Redis that does not answer is logged (once until it answers
        again), not fatal: the next beat comes a second later."""
        try:
            await self.heard.beat()
        except (RedisError, OSError) as exc:
            still_running()
            if not self._beat_failing:
                log.warning("bridge heartbeat to Redis failed: %s; retrying every second", exc)
            self._beat_failing = True
            return
        self._beat_failing = False
