"""Store writer: consumes the events stream into the call-event store.

Ingestion contract (DESIGN section 2): the writer reads ``<prefix>:events`` in a consumer group
and acknowledges a batch only after its transaction commits, so a writer killed mid-batch loses
nothing (the entries stay pending and are read again, by itself on restart or by another writer
through ``XAUTOCLAIM``) and a replay changes nothing (``call_events`` is idempotent on event id and
only newly inserted events are projected onto the read models). Entries that are not valid
events are moved to ``<prefix>:events:dead`` with the reason, then acknowledged: skipped, logged,
never lost. The stream is trimmed only below what every consumer group has acknowledged.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections.abc import Sequence
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError, ResponseError
from sqlalchemy import and_, bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from kernel import liveness
from kernel.cancellation import still_running
from kernel.events import REASON_BACKFILLED, REASON_GAP, DomainEvent, EventError, utc
from kernel.keys import StreamNames
from kernel.stream_consumer import Health, StreamConsumer, default_consumer_name, stream_entry
from store.db import database_unavailable
from store.models.core import AgentState, Call, CallEvent
from store.projection import project, touches_call, without_superseded
from store.recordings import project as project_recordings

log = logging.getLogger(__name__)

CLAIM_IDLE_MS = 30_000  # a pending entry idle this long belongs to a dead writer
TRIM_EVERY_S = 30.0
KEEP_RECENT_MS = 10 * 60 * 1000  # never trim the last 10 minutes, for late readers


def _insert(conn: AsyncConnection, table: Any) -> Any:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


async def write_events(conn: AsyncConnection, events: Sequence[DomainEvent]) -> int:
    """Append ``events`` and project the new ones, inside the caller's transaction.

    Returns how many were new. Writing the same events again returns 0 and changes nothing.
    """
    unique = {e.id: e for e in events}
    if not unique:
        return 0
    rows = [
        {
            "event_id": e.id,
            "ts": e.ts,
            "type": e.type,
            "call_id": e.call_id,
            "agent_id": e.agent_id,
            "payload": e.payload,
        }
        for e in unique.values()
    ]
    new_ids: set[str] = set()
    for chunk_start in range(0, len(rows), 1000):
        batch = rows[chunk_start : chunk_start + 1000]
        stmt = (
            _insert(conn, CallEvent.__table__)
            .on_conflict_do_nothing(index_elements=["event_id"])
            .returning(CallEvent.__table__.c.event_id)
        )
        result = await conn.execute(stmt, batch)
        new_ids.update(result.scalars().all())
    replaced = await _replace_gap_guesses(
        conn, [e for i, e in unique.items() if i not in new_ids and backfilled(e)]
    )
    if not new_ids and not replaced:
        return 0
    new = [unique[i] for i in new_ids]
    await project_recordings(conn, new)
    # A call with a CDR-derived event is projected again from all its events (the gap guesses
    # it supersedes no longer count); the others incrementally, from their current row.
    rebuild = {e.call_id for e in [*new, *replaced] if e.call_id and backfilled(e)}
    if rebuild:
        await _rebuild_calls(conn, rebuild)
        new = [e for e in new if not (e.call_id in rebuild and touches_call(e))]
    call_ids = {e.call_id for e in new if e.call_id and touches_call(e)}
    agent_ids = {
        e.agent_id for e in new if e.agent_id and e.type in ("agent.state", "agent.logged_out")
    }
    calls_t = Call.__table__
    states_t = AgentState.__table__
    current_calls: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(sorted(call_ids), 500):
        res = await conn.execute(select(calls_t).where(calls_t.c.call_id.in_(chunk)))
        current_calls.update({r["call_id"]: dict(r) for r in res.mappings()})
    open_states: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(sorted(agent_ids), 500):
        res = await conn.execute(
            select(states_t).where(
                and_(states_t.c.agent_id.in_(chunk), states_t.c.end_at.is_(None))
            )
        )
        for r in res.mappings():
            prev = open_states.get(r["agent_id"])
            if prev is None or r["start_at"] > prev["start_at"]:
                open_states[r["agent_id"]] = dict(r)
    out = project(new, current_calls, open_states)
    if out.calls:
        ins = _insert(conn, calls_t)
        cols = [c.name for c in calls_t.columns if c.name != "call_id"]
        stmt = ins.on_conflict_do_update(
            index_elements=["call_id"], set_={c: ins.excluded[c] for c in cols}
        )
        await conn.execute(stmt, list(out.calls.values()))
    updates = [r for r in out.states if r.get("id") is not None]
    inserts = [r for r in out.states if r.get("id") is None]
    if updates:
        await conn.execute(
            states_t.update()
            .where(states_t.c.id == bindparam("_id"))
            .values(
                state=bindparam("_state"),
                reason=bindparam("_reason"),
                call_id=bindparam("_call_id"),
                end_at=bindparam("_end_at"),
            ),
            [
                {f"_{k}": r[k] for k in ("id", "state", "reason", "call_id", "end_at")}
                for r in updates
            ],
        )
    if inserts:
        ins = _insert(conn, states_t)
        # A replayed interval (same agent, same start) keeps the first write.
        await conn.execute(
            ins.on_conflict_do_nothing(index_elements=["agent_id", "start_at"]), inserts
        )
    return len(new_ids) + len(replaced)


def backfilled(event: DomainEvent) -> bool:
    return event.payload.get("reason") == REASON_BACKFILLED


async def _replace_gap_guesses(
    conn: AsyncConnection, candidates: Sequence[DomainEvent]
) -> list[DomainEvent]:
    """CDR-derived events whose id is already stored as a gap guess take its place (time and
    payload); returns those that did."""
    if not candidates:
        return []
    t = CallEvent.__table__
    by_id = {e.id: e for e in candidates}
    stored = await conn.execute(
        select(t.c.event_id, t.c.payload).where(t.c.event_id.in_(sorted(by_id)))
    )
    guesses = [by_id[r.event_id] for r in stored if (r.payload or {}).get("reason") == REASON_GAP]
    if guesses:
        await conn.execute(
            t.update()
            .where(t.c.event_id == bindparam("_id"))
            .values(ts=bindparam("_ts"), payload=bindparam("_payload")),
            [{"_id": e.id, "_ts": e.ts, "_payload": e.payload} for e in guesses],
        )
    return guesses


async def _rebuild_calls(conn: AsyncConnection, call_ids: set[str]) -> None:
    """Project these calls again from every event stored for them that touches their row."""
    t = CallEvent.__table__
    events: list[DomainEvent] = []
    for chunk in _chunks(sorted(call_ids), 500):
        res = await conn.execute(select(t).where(t.c.call_id.in_(chunk)))
        stored = (
            DomainEvent(
                id=r["event_id"],
                ts=utc(r["ts"]),
                type=r["type"],
                call_id=r["call_id"],
                agent_id=r["agent_id"],
                payload=r["payload"] or {},
            )
            for r in res.mappings()
        )
        events += [e for e in stored if touches_call(e)]
    out = project(without_superseded(events), {}, {})
    if out.calls:
        calls_t = Call.__table__
        ins = _insert(conn, calls_t)
        cols = [c.name for c in calls_t.columns if c.name != "call_id"]
        await conn.execute(
            ins.on_conflict_do_update(
                index_elements=["call_id"], set_={c: ins.excluded[c] for c in cols}
            ),
            list(out.calls.values()),
        )


def _chunks(items: Sequence[str], n: int) -> list[Sequence[str]]:
    return [items[i : i + n] for i in range(0, len(items), n)]


class StoreWriter:
    """The events stream into the store, through one ``StreamConsumer`` (own pending entries
    first, a dead writer's taken over, acknowledged after the commit, outages waited out)."""

    def __init__(
        self,
        redis: aioredis.Redis,
        engine: AsyncEngine,
        streams: StreamNames,
        *,
        group: str = "store-writer",
        consumer: str | None = None,
        batch_size: int = 500,
        block_ms: int = 200,
        claim_idle_ms: int = CLAIM_IDLE_MS,
        health: Health | None = None,
    ) -> None:
        self.redis = redis
        self.engine = engine
        self.streams = streams
        self.group = group
        # a tool's or a test's writer gets a name of its own; the piece passes a stable one
        self.consumer = consumer or f"store-writer-{socket.gethostname()}-{id(self):x}"
        self.events_written = 0
        self.health = health or liveness.current("store-writer")
        self.stream = StreamConsumer(
            redis,
            streams.events,
            group,
            self.consumer,
            self.write,
            batch=batch_size,
            block_ms=block_ms,
            claim_idle_ms=claim_idle_ms,
            transient=database_unavailable,
            health=self.health,
            named_by="store.consumer",
        )

    async def ensure_group(self) -> None:
        await self.stream.ensure_group()

    async def run(self) -> None:
        """Run until cancelled."""
        log.info("store writer %s reading %s", self.consumer, self.streams.events)
        async with asyncio.TaskGroup() as tg:
            tg.create_task(self.stream.run(), name=f"store-writer-{self.consumer}")
            tg.create_task(self._trim_forever(), name=f"store-trim-{self.consumer}")

    async def run_once(self) -> int:
        """Process what is available now (own pending, claimable, new); for tests and tools.
        Returns how many new events were written."""
        before = self.events_written
        await self.stream.drain()
        return self.events_written - before

    async def write(self, entries: list[tuple[str, dict[str, str]]]) -> None:
        """Write one batch in one transaction (the consumer acknowledges it afterwards); entries
        that are not events go to the dead-letter stream."""
        events: list[DomainEvent] = []
        dead: list[tuple[str, dict[str, str], str]] = []
        for entry_id, fields in entries:
            try:
                events.append(DomainEvent.from_fields(fields))
            except EventError as exc:
                dead.append((entry_id, fields, str(exc)))
        async with self.engine.begin() as conn:
            new = await write_events(conn, events)
        for entry_id, fields, reason in dead:
            log.warning("store writer: invalid event %s skipped: %s", entry_id, reason)
            await self.redis.xadd(
                self.streams.dead_events,
                {**{_s(k): _s(v) for k, v in fields.items()}, "_entry": entry_id, "_error": reason},
                maxlen=100_000,
                approximate=True,
            )
        if new:
            await self.redis.incrby(self.streams.events_written, new)
        self.events_written += new

    async def _trim_forever(self) -> None:
        while True:
            await asyncio.sleep(TRIM_EVERY_S)
            try:
                await self.trim()
            except (RedisError, OSError) as exc:
                still_running()
                log.warning("store writer: trimming %s failed: %s", self.streams.events, exc)
            still_running()

    async def trim(self) -> None:
        """Trim below the oldest entry some group still needs (and keep the recent minutes)."""
        try:
            groups = await self.redis.xinfo_groups(self.streams.events)
        except ResponseError:
            return
        floor: tuple[int, int] | None = None
        for g in groups:
            name = _s(g["name"])
            pending = await self.redis.xpending(self.streams.events, name)
            oldest = _s(pending["min"]) if pending and pending.get("pending") else None
            if oldest is None:
                # Nothing pending: everything up to last-delivered is acknowledged.
                last = _parse_id(_s(g["last-delivered-id"]))
                need = (last[0], last[1] + 1)
            else:
                need = _parse_id(oldest)
            floor = need if floor is None or need < floor else floor
        if floor is None:
            return
        recent_ms = int(time.time() * 1000) - KEEP_RECENT_MS
        min_id = min(floor, (recent_ms, 0))
        await self.redis.xtrim(
            self.streams.events, minid=f"{min_id[0]}-{min_id[1]}", approximate=False
        )


def _parse_id(entry_id: str) -> tuple[int, int]:
    ms, _, seq = entry_id.partition("-")
    return int(ms), int(seq or 0)


def _s(v: Any) -> str:
    return v.decode() if isinstance(v, bytes) else str(v)


async def run_store_writer(rt: Any) -> None:
    """Piece for ``callcenter serve``: the store writer, until cancelled."""
    s = rt.settings.store
    writer = StoreWriter(
        rt.redis,
        rt.engine,
        rt.streams,
        group=s.consumer_group,
        consumer=s.consumer or default_consumer_name("store-writer"),
        batch_size=s.batch_size,
        block_ms=max(1, s.batch_wait_ms),
    )
    await writer.run()


__all__ = ["StoreWriter", "run_store_writer", "write_events"]


async def publish(redis: aioredis.Redis | None, prefix: str, events: Sequence[DomainEvent]) -> None:
    """Events already in the store go onto the stream too (live readers; the writer dedups)."""
    if redis is None or not events:
        return
    stream = StreamNames(prefix).events
    pipe = redis.pipeline(transaction=False)
    for e in events:
        pipe.xadd(stream, stream_entry(e.to_fields()))
    await pipe.execute()
