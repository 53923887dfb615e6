"""The live feed: one listener reads the event stream and fans each event out to the WebSocket
clients that may see it, each through its own bounded queue.

The listener uses ``XREAD`` from ``$`` (not a consumer group: every web worker sees every event).
A client whose queue fills up (a slow browser, a sleeping laptop) is not waited for: its queue is
emptied and it is told to ``resync``, i.e. reload its state over the API, so one slow screen never
holds up the others. Supervisors also get the queue figures every ``stats_every_ms``.

Messages are JSON objects ``{"t": "event"|"stats"|"resync"|"hello", ...}``; the sender drains a
client's queue and sends what is there as one JSON array per frame.

Each event reaches a client once: the hub remembers the last ``RECENT_EVENT_IDS`` event ids and
drops an event whose id it has seen (two bridges on one Asterisk, a router publishing its outbox
again after a restart: the store's idempotence drops those copies, and so does the feed).

A WebSocket lives no longer than its session: every ``session_check_s`` the sessions of all
clients are read in one query (``sessions``); a client whose session ended (signed out, user
disabled or deleted, expired) is ended with close code ``CLOSE_SESSION_ENDED`` and the reason,
which the pages show, and every other client's role and agent id are re-read (what it is sent
follows the role it has now).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any, cast

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from kernel import liveness
from kernel.cancellation import still_running
from kernel.events import DomainEvent, EventError
from kernel.keys import StreamNames
from web.live.privacy import mask_payload

log = logging.getLogger(__name__)

SUPERVISOR_ROLES = frozenset({"supervisor", "admin"})
# the queue figures (stats messages) also go to a wall screen's kiosk view; events do not
FIGURE_ROLES = SUPERVISOR_ROLES | {"wallboard"}
MAX_TRACKED_CALLS = 64
RECENT_EVENT_IDS = 10_000  # some 20 s of a busy centre's events
RESYNC = json.dumps({"t": "resync"})
# What ``xread`` of one stream returns with decoded responses: [(stream, [(id, fields)])].
StreamRead = list[tuple[str, list[tuple[str, dict[str, str]]]]]

# WebSocket close codes (4000-4999: the application's own); web/static/js/live.js knows them.
CLOSE_SESSION_ENDED = 4401


def event_message(ev: DomainEvent, entry_id: str = "") -> str:
    """The feed's form of an event: personal numbers masked; ``sid`` is the stream entry id."""
    return json.dumps(
        {
            "t": "event",
            "sid": entry_id,
            "type": ev.type,
            "id": ev.id,
            "ts": ev.ts.isoformat(),
            "call_id": ev.call_id,
            "agent_id": ev.agent_id,
            "payload": mask_payload(ev.payload),
        },
        separators=(",", ":"),
    )


class LiveClient:
    """One WebSocket's view: supervisors see everything, an agent its own state and calls."""

    def __init__(
        self, role: str, agent_id: str | None, queue_size: int, session: str | None = None
    ) -> None:
        self.id = uuid.uuid4().hex[:8]
        self.session = session  # the token hash of the session that opened it
        self.queue: asyncio.Queue[str] = asyncio.Queue(queue_size)
        self.calls: OrderedDict[str, None] = OrderedDict()
        self.resyncs = 0
        self.ended: tuple[int, str] | None = None
        self._ended = asyncio.Event()
        self.role = role
        self.agent_id = agent_id
        self.sees_all = role in SUPERVISOR_ROLES
        self.sees_figures = role in FIGURE_ROLES

    def set_role(self, role: str, agent_id: str | None) -> None:
        """What the client is sent follows the role (and agent) its user has now."""
        if agent_id != self.agent_id:
            self.calls.clear()
        self.role = role
        self.agent_id = agent_id
        self.sees_all = role in SUPERVISOR_ROLES
        self.sees_figures = role in FIGURE_ROLES

    def end(self, code: int, reason: str) -> None:
        """Ask the WebSocket to close with ``code`` and ``reason`` (``wait_ended`` returns)."""
        if self.ended is None:
            self.ended = (code, reason)
            self._ended.set()

    async def wait_ended(self) -> tuple[int, str]:
        await self._ended.wait()
        assert self.ended is not None
        return self.ended

    def wants(self, ev: DomainEvent) -> bool:
        if self.sees_all:
            return True
        if self.agent_id is None:
            return False
        if ev.agent_id == self.agent_id:
            if ev.call_id:
                self.calls[ev.call_id] = None
                self.calls.move_to_end(ev.call_id)
                while len(self.calls) > MAX_TRACKED_CALLS:
                    self.calls.popitem(last=False)
            return True
        return ev.call_id is not None and ev.call_id in self.calls

    def push(self, text: str) -> bool:
        """Queue a message; False when the client was behind and got a resync instead."""
        try:
            self.queue.put_nowait(text)
            return True
        except asyncio.QueueFull:
            while not self.queue.empty():
                self.queue.get_nowait()
            self.queue.put_nowait(RESYNC)
            self.resyncs += 1
            return False

    async def next_batch(self, max_items: int = 500) -> list[str]:
        first = await self.queue.get()
        batch = [first]
        while len(batch) < max_items and not self.queue.empty():
            batch.append(self.queue.get_nowait())
        return batch


StatsSource = Callable[[], Awaitable[list[dict[str, Any]]]]
Observer = Callable[[DomainEvent, int], None]
# Token hashes -> the session's (role, agent id) as they are now, or why the session ended.
SessionSource = Callable[[set[str]], Awaitable[dict[str, tuple[str, str | None] | str]]]


class LiveHub:
    def __init__(
        self,
        redis: aioredis.Redis,
        streams: StreamNames,
        *,
        queue_size: int = 1000,
        stats: StatsSource | None = None,
        stats_every_s: float = 1.0,
        observe: Observer | None = None,
        sessions: SessionSource | None = None,
        session_check_s: float = 5.0,
    ) -> None:
        self.redis = redis
        self.streams = streams
        self.queue_size = queue_size
        self.stats = stats
        self.stats_every_s = stats_every_s
        self.observe = observe
        self.sessions = sessions
        self.session_check_s = session_check_s
        self.clients: set[LiveClient] = set()
        self.events_seen = 0
        self.repeats = 0  # events dropped because their id was sent already
        self._recent: OrderedDict[str, None] = OrderedDict()
        self.resyncs = 0
        self.started = asyncio.Event()
        self.server_id = uuid.uuid4().hex[:12]

    def add(self, role: str, agent_id: str | None, session: str | None = None) -> LiveClient:
        client = LiveClient(role, agent_id, self.queue_size, session)
        self.clients.add(client)
        return client

    def remove(self, client: LiveClient) -> None:
        self.clients.discard(client)

    def dispatch(self, ev: DomainEvent, entry_ms: int, entry_id: str = "") -> None:
        if ev.id in self._recent:
            self.repeats += 1
            return
        self._recent[ev.id] = None
        if len(self._recent) > RECENT_EVENT_IDS:
            self._recent.popitem(last=False)
        self.events_seen += 1
        if self.observe is not None:
            self.observe(ev, entry_ms)
        text: str | None = None
        for client in tuple(self.clients):
            if client.wants(ev):
                text = text or event_message(ev, entry_id)
                if not client.push(text):
                    self.resyncs += 1

    def broadcast(self, text: str, *, supervisors_only: bool = False) -> None:
        for client in tuple(self.clients):
            if supervisors_only and not client.sees_figures:
                continue
            if not client.push(text):
                self.resyncs += 1

    async def run(self) -> None:
        """Until cancelled: the stream listener and the figures loop."""
        async with asyncio.TaskGroup() as tg:
            tg.create_task(self._listen(), name="live-listen")
            if self.stats is not None:
                tg.create_task(self._push_stats(), name="live-stats")
            if self.sessions is not None:
                tg.create_task(self._check_sessions(), name="live-sessions")

    async def _stream_end(self) -> str:
        """The id ``$`` stands for, read once, so events written after ``started`` are seen."""
        newest = await self.redis.xrevrange(self.streams.events, count=1)
        return cast(str, newest[0][0]) if newest else "0-0"

    async def _listen(self) -> None:
        """Read the stream for ever. Redis away: report, retry at least once a second, and tell
        every client to resync once it is back (events may have been trimmed meanwhile)."""
        health = liveness.current("live-feed")
        what = f"stream {self.streams.events}"
        last: str | None = None
        delay = 0.1
        while True:
            try:
                if last is None:
                    last = await self._stream_end()
                    self.started.set()
                read = await self.redis.xread({self.streams.events: last}, count=500, block=1000)
                resp = cast(StreamRead, read)
                still_running()
            except (RedisError, OSError) as exc:
                still_running()
                health.retrying(what, exc)
                await asyncio.sleep(delay)
                delay = min(1.0, delay * 2)
                continue
            if delay > 0.1:
                delay = 0.1
                self.broadcast(RESYNC)
            health.ok(what)
            if not resp:
                continue
            for entry_id, fields in resp[0][1]:
                last = entry_id
                try:
                    ev = DomainEvent.from_fields(fields)
                except EventError as exc:
                    log.debug("live feed: entry %s skipped: %s", entry_id, exc)
                    continue
                self.dispatch(ev, int(entry_id.partition("-")[0]), entry_id)

    async def _push_stats(self) -> None:
        assert self.stats is not None
        health = liveness.current("live-feed")
        while True:
            await asyncio.sleep(self.stats_every_s)
            if not any(c.sees_figures for c in self.clients):
                continue
            try:
                queues = await self.stats()
                still_running()
            except (RedisError, OSError) as exc:
                still_running()
                health.retrying("queue figures", exc)
                continue
            health.ok("queue figures")
            self.broadcast(
                json.dumps(
                    {"t": "stats", "ts_ms": int(time.time() * 1000), "queues": queues},
                    separators=(",", ":"),
                ),
                supervisors_only=True,
            )

    async def _check_sessions(self) -> None:
        assert self.sessions is not None
        while True:
            await asyncio.sleep(self.session_check_s)
            await self.check_sessions()

    async def check_sessions(self) -> None:
        """End the clients whose session ended; re-read the others' role. A failed read ends
        nobody (it is tried again next round)."""
        assert self.sessions is not None
        clients = [c for c in self.clients if c.session is not None]
        if not clients:
            return
        health = liveness.current("live-feed")
        try:
            states = await self.sessions({c.session for c in clients if c.session})
            still_running()
        except Exception as exc:  # noqa: BLE001 - the database may be away; next round retries
            still_running()
            health.retrying("sessions of the WebSockets", exc)
            return
        health.ok("sessions of the WebSockets")
        for c in clients:
            state = states.get(c.session or "", "signed out")
            if isinstance(state, str):
                log.info("live feed: client %s closed: %s", c.id, state)
                c.end(CLOSE_SESSION_ENDED, state)
            else:
                c.set_role(*state)
