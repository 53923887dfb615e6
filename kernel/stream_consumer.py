"""One reader of a Redis stream in a consumer group, shared by every piece that consumes one (the
store writer, the router, the outbound scheduler, the bridge's commands).

What it guarantees, in this order on every (re)start:

1. **Own pending entries first.** The consumer name is stable (``<piece>-<hostname>`` or a
   setting), so a restarted piece finds what it had read but not acknowledged and handles it
   before anything new.
2. **A dead consumer's entries are taken over.** ``XAUTOCLAIM`` of entries idle longer than
   ``claim_idle_ms``; a consumer left with nothing pending, idle that long and holding no lock
   is removed from the group (``XGROUP DELCONSUMER``, atomically only at 0 pending).
3. **New entries**, acknowledged only after the handler returned (at-least-once; handlers are
   idempotent). ``ack_with_next_read`` sends the acknowledgement (and the handler's cleanup) in
   the same round trip as the next read, for the router's hot path.
4. **Faults are waited out.** Redis away (stopped, restarting, loading its data) or whatever the
   caller's ``transient`` says (the database away): reported to ``health``, retried with a back-off
   of at most a second, own pending entries read again; never a skipped entry. A group that
   vanished (a Redis that came back empty) is created again, logged as an error, and
   ``on_group_lost`` runs (the caller's reconcile). Any other error is raised: a bug is the
   supervisor's business (it logs and restarts the piece).
5. **One live process per name.** A short-lived lock key
   ``<stream>:consumer-lock:<group>:<name>`` (refreshed while alive) is taken at start; a name
   held by a live process stops with ``ConsumerNameTaken`` naming the key. A holder on this host
   whose process is gone (SIGKILL) is taken over at once, one elsewhere once its lock expires.

Cancellation always wins (checked after every Redis call: see ``kernel/cancellation.py`` for
why). The module depends on redis and the standard library only, so that it can move into the
shared kernel as it is.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol, TypeVar, cast

import redis.asyncio as aioredis
from redis.exceptions import (
    BusyLoadingError,
    ClusterDownError,
    ReadOnlyError,
    RedisError,
    ResponseError,
    TryAgainError,
)
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.typing import EncodableT, FieldT

from kernel.cancellation import still_running
from kernel.keys import consumer_lock

log = logging.getLogger(__name__)

T = TypeVar("T")
Entry = tuple[str, dict[str, str]]
Cleanup = Callable[[Any], object]  # queues more commands on the pipeline that acknowledges
Handler = Callable[[list[Entry]], Awaitable[Cleanup | None]]


def stream_entry(fields: Mapping[str, str]) -> dict[FieldT, EncodableT]:
    """``fields`` (an event's or a command's ``to_fields()``) as redis-py types an ``XADD``
    entry: its dict type is invariant, so a ``dict[str, str]`` is refused though it fits."""
    return cast("dict[FieldT, EncodableT]", fields)


RETRY_MIN_S = 0.1
RETRY_MAX_S = 1.0  # "at least once a second" while a server is away
# the group is gone: NOGROUP on the next read; a newer Redis also unblocks a blocked
# XREADGROUP with UNBLOCKED when its stream is deleted
GROUP_GONE = ("NOGROUP", "UNBLOCKED")


def group_gone(exc: ResponseError) -> bool:
    """The error says the group is gone, alone or from inside a pipeline (redis-py words a
    pipeline's error as ``Command # 2 (XREADGROUP ...) of pipeline caused error: NOGROUP ...``)."""
    text = str(exc)
    return text.startswith(GROUP_GONE) or any(f"caused error: {c}" in text for c in GROUP_GONE)


LOCK_TTL_MS = 10_000

_DELETE_IF_IDLE = """
if #redis.call('XPENDING', KEYS[1], ARGV[1], '-', '+', 1, ARGV[2]) == 0 then
  return redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], ARGV[2])
end
return -1
"""
_REFRESH = """
local v = redis.call('GET', KEYS[1])
if v == ARGV[1] or not v then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return ''
end
return v
"""
_TAKE_OVER = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

_held: set[str] = set()  # lock keys held by live consumers of this process


class ConsumerNameTaken(Exception):
    """Another live process reads the group under this name (``named_by``: the setting)."""

    def __init__(self, key: str, consumer: str, holder: str, named_by: str) -> None:
        self.key, self.consumer, self.holder, self.named_by = key, consumer, holder, named_by
        super().__init__(
            f"consumer name {consumer!r} is used by a live process ({holder}; lock {key}): "
            f"give each process its own {named_by}"
        )


class Health(Protocol):
    """Where a loop reports that it waits for a server (``kernel.liveness.PieceStatus``)."""

    def retrying(self, what: str, error: BaseException) -> None: ...

    def ok(self, what: str) -> None: ...


class _LogHealth:
    """Used when no one listens: one warning per outage, one line when it is over."""

    def __init__(self) -> None:
        self.since: dict[str, float] = {}

    def retrying(self, what: str, error: BaseException) -> None:
        if what not in self.since:
            self.since[what] = time.monotonic()
            log.warning("%s failed (%s); retrying", what, error)

    def ok(self, what: str) -> None:
        if (t := self.since.pop(what, None)) is not None:
            log.info("%s works again after %.1f s", what, time.monotonic() - t)


def redis_unavailable(exc: BaseException) -> bool:
    """Redis is away or not serving for now (connection lost, loading its data, failing over),
    as opposed to a wrong command or a script error."""
    return isinstance(
        exc,
        RedisConnectionError
        | RedisTimeoutError
        | BusyLoadingError
        | ReadOnlyError
        | TryAgainError
        | ClusterDownError
        | OSError
        | TimeoutError,
    )


async def waiting_out(
    what: str,
    step: Callable[[], Awaitable[T]],
    health: Health,
    transient: Callable[[BaseException], bool] | None = None,
) -> T:
    """Run ``step`` until it succeeds, waiting out Redis outages (and what ``transient``
    accepts) at least once a second; other errors are raised."""
    delay = RETRY_MIN_S
    while True:
        try:
            result = await step()
        except Exception as exc:
            still_running()
            if not (redis_unavailable(exc) or (transient is not None and transient(exc))):
                raise
            health.retrying(what, exc)
            await asyncio.sleep(delay)
            delay = min(delay * 2, RETRY_MAX_S)
            continue
        still_running()
        health.ok(what)
        return result


def default_consumer_name(piece: str) -> str:
    """``<piece>-<hostname>``: the same after a restart on this host."""
    return f"{piece}-{socket.gethostname()}"


def _text(v: Any) -> str:
    return v.decode() if isinstance(v, bytes) else str(v)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class StreamConsumer:
    """Reads ``stream`` as ``consumer`` in ``group`` and hands batches to ``handle``."""

    def __init__(
        self,
        redis: aioredis.Redis,
        stream: str,
        group: str,
        consumer: str,
        handle: Handler,
        *,
        batch: int = 100,
        block_ms: int = 1000,
        claim_idle_ms: int = 30_000,
        start_id: str = "0",
        transient: Callable[[BaseException], bool] | None = None,
        on_group_lost: Callable[[], Awaitable[None]] | None = None,
        ack_with_next_read: bool = False,
        health: Health | None = None,
        named_by: str = "consumer",
        lock_ttl_ms: int = LOCK_TTL_MS,
    ) -> None:
        self.redis = redis
        self.stream = stream
        self.group = group
        self.name = consumer
        self.handle = handle
        self.batch = batch
        self.block_ms = block_ms
        self.claim_idle_ms = claim_idle_ms
        self.start_id = start_id  # where a new group starts (a lost one starts at "0")
        self.transient = transient or (lambda exc: False)
        self.on_group_lost = on_group_lost
        self.ack_with_next_read = ack_with_next_read
        self.health: Health = health or _LogHealth()
        self.named_by = named_by
        self.lock_ttl_ms = lock_ttl_ms
        self.what = f"{stream} (group {group})"
        self.lock_key = consumer_lock(stream, group, consumer)
        self.token = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.caught_up = asyncio.Event()  # the stream was read to its end once
        self.handled = 0  # entries handled and acknowledged
        self.groups_lost = 0
        self._deferred: tuple[list[str], Cleanup | None] = ([], None)

    # --- running --------------------------------------------------------------------------

    async def run(self) -> None:
        """Until cancelled: take the name's lock, then read, handle, acknowledge for ever."""
        await self._retrying("consumer lock", self._acquire)
        try:
            async with asyncio.TaskGroup() as tg:
                tg.create_task(self._keep_lock(), name=f"lock-{self.name}")
                tg.create_task(self._consume(), name=f"consume-{self.name}")
        finally:
            _held.discard(self.lock_key)
            await self._release()

    async def _consume(self) -> None:
        await self._retrying(self.what, self.ensure_group)
        backlog = True
        last_claim = -float("inf")
        claim_every_s = max(0.5, self.claim_idle_ms / 2000)
        delay = RETRY_MIN_S
        while True:
            try:
                if backlog:
                    await self.read_pending()
                    backlog = False
                if time.monotonic() - last_claim >= claim_every_s:
                    last_claim = time.monotonic()
                    await self.claim(self.claim_idle_ms)
                    await self.forget_dead_consumers()
                entries = await self.read(">", block_ms=self.block_ms)
                if len(entries) < self.batch:
                    self.caught_up.set()
                if entries:
                    await self.process(entries)
                self.health.ok(self.what)  # a whole round went through
                delay = RETRY_MIN_S
            except ResponseError as exc:
                still_running()
                if not group_gone(exc):
                    if not (redis_unavailable(exc) or self.transient(exc)):
                        raise
                    delay = await self._wait(exc, delay)
                else:
                    await self._retrying(self.what, self._group_lost)
                backlog = True
            except Exception as exc:
                still_running()
                if not (redis_unavailable(exc) or self.transient(exc)):
                    raise
                backlog = True
                delay = await self._wait(exc, delay)
            still_running()

    async def _wait(self, exc: BaseException, delay: float) -> float:
        self.health.retrying(self.what, exc)
        await asyncio.sleep(delay)
        return min(delay * 2, RETRY_MAX_S)

    async def _retrying(self, what: str, step: Callable[[], Awaitable[object]]) -> None:
        await waiting_out(what, step, self.health)

    # --- the group ------------------------------------------------------------------------

    async def ensure_group(self, start_id: str | None = None) -> bool:
        """Create the group (and the stream) unless it exists; True when it was created."""
        try:
            await self.redis.xgroup_create(
                self.stream, self.group, id=start_id or self.start_id, mkstream=True
            )
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
            return False
        return True

    async def _group_lost(self) -> None:
        self._deferred = ([], None)  # acknowledgements for a group that is no more
        if await self.ensure_group("0"):
            self.groups_lost += 1
            log.error(
                "%s: consumer group %s of %s was gone (Redis lost its data?); created again, "
                "reading the stream from its start",
                self.name,
                self.group,
                self.stream,
            )
        if self.on_group_lost is not None:
            await self.on_group_lost()

    # --- reading and handling -------------------------------------------------------------

    async def read(self, start: str, *, block_ms: int | None = None) -> list[Entry]:
        """One ``XREADGROUP`` from ``start`` (``">"`` new entries, an id: own pending ones after
        it); deferred acknowledgements go in the same round trip. Entries deleted from the
        stream while pending are acknowledged and left out."""
        return await self._present(await self._read_raw(start, block_ms))

    async def _read_raw(self, start: str, block_ms: int | None) -> list[Any]:
        ack, cleanup = self._deferred
        streams: dict[Any, Any] = {self.stream: start}
        if ack or cleanup is not None:
            pipe = self.redis.pipeline(transaction=False)
            self._queue_ack(pipe, ack, cleanup)
            pipe.xreadgroup(self.group, self.name, streams, count=self.batch, block=block_ms)
            reply = (await pipe.execute())[-1]
            self._deferred = ([], None)
        else:
            reply = await self.redis.xreadgroup(
                self.group, self.name, streams, count=self.batch, block=block_ms
            )
        still_running()
        return list(reply[0][1]) if reply else []

    def _queue_ack(self, pipe: Any, ack: list[str], cleanup: Cleanup | None) -> None:
        if cleanup is not None:
            cleanup(pipe)
        if ack:
            pipe.xack(self.stream, self.group, *ack)

    async def _present(self, raw: list[Any]) -> list[Entry]:
        entries: list[Entry] = []
        gone: list[str] = []
        for entry_id, fields in raw:
            if fields:
                entries.append((_text(entry_id), fields))
            else:
                gone.append(_text(entry_id))
        if gone:
            await self.redis.xack(self.stream, self.group, *gone)
            still_running()
        return entries

    async def read_pending(self) -> int:
        """Handle every entry delivered to this name and not acknowledged; returns how many."""
        total = 0
        cursor = "0"
        while raw := await self._read_raw(cursor, None):
            cursor = _text(raw[-1][0])
            if entries := await self._present(raw):
                total += await self.process(entries)
        return total

    async def claim(self, min_idle_ms: int) -> int:
        """Take over and handle entries other consumers left pending ``min_idle_ms``."""
        total = 0
        cursor = "0-0"
        while True:
            reply = await self.redis.xautoclaim(
                self.stream, self.group, self.name, min_idle_ms, cursor, count=self.batch
            )
            still_running()
            cursor = _text(reply[0])
            entries = await self._present(reply[1])
            if entries:
                log.warning(
                    "%s: took over %d entries of %s left by a stopped consumer (%s..%s)",
                    self.name,
                    len(entries),
                    self.stream,
                    entries[0][0],
                    entries[-1][0],
                )
                total += await self.process(entries)
            if cursor == "0-0":
                return total

    async def process(self, entries: list[Entry]) -> int:
        """Hand a batch to the handler, then acknowledge it (now or with the next read)."""
        cleanup = await self.handle(entries)
        ids = [entry_id for entry_id, _ in entries]
        if self.ack_with_next_read:
            self._deferred = (ids, cleanup)
        else:
            pipe = self.redis.pipeline(transaction=False)
            self._queue_ack(pipe, ids, cleanup)
            await pipe.execute()
            still_running()
        self.handled += len(entries)
        return len(entries)

    async def flush(self) -> None:
        """Send deferred acknowledgements now (``ack_with_next_read``)."""
        ack, cleanup = self._deferred
        if not ack and cleanup is None:
            return
        pipe = self.redis.pipeline(transaction=False)
        self._queue_ack(pipe, ack, cleanup)
        await pipe.execute()
        self._deferred = ([], None)

    async def drain(self) -> int:
        """Handle what is there now (own pending, claimable, new) without blocking; for tools
        and tests. Returns how many entries were handled."""
        await self.ensure_group()
        total = await self.read_pending()
        total += await self.claim(self.claim_idle_ms)
        while entries := await self.read(">"):
            total += await self.process(entries)
        await self.flush()
        return total

    async def forget_dead_consumers(self) -> int:
        """Remove from the group the consumers with nothing pending, idle ``claim_idle_ms``
        and no lock (their process is gone); returns how many."""
        removed = 0
        for c in await self.redis.xinfo_consumers(self.stream, self.group):
            name = _text(c["name"])
            if name == self.name or int(c["pending"]) or int(c["idle"]) < self.claim_idle_ms:
                continue
            if await self.redis.exists(self._lock_key_of(name)):
                continue
            done = await self.redis.eval(_DELETE_IF_IDLE, 1, self.stream, self.group, name)
            if done != -1:
                removed += 1
                log.info(
                    "%s: removed stopped consumer %s from group %s", self.name, name, self.group
                )
        still_running()
        return removed

    # --- the name's lock ------------------------------------------------------------------

    def _lock_key_of(self, consumer: str) -> str:
        return consumer_lock(self.stream, self.group, consumer)

    async def _acquire(self) -> None:
        ttl = self.lock_ttl_ms
        deadline = time.monotonic() + ttl / 1000 + 1
        while True:
            if await self.redis.set(self.lock_key, self.token, nx=True, px=ttl):
                break
            holder = await self.redis.get(self.lock_key)
            still_running()
            if holder is None:
                continue
            holder = _text(holder)
            host, _, rest = holder.partition(":")
            pid_text = rest.partition(":")[0]
            pid = int(pid_text) if pid_text.isdigit() else 0
            if host == socket.gethostname():
                mine = pid == os.getpid()
                if (mine and self.lock_key in _held) or (not mine and _pid_alive(pid)):
                    raise ConsumerNameTaken(self.lock_key, self.name, holder, self.named_by)
                # a previous run of this piece in this process, or a process that is gone
                if await self.redis.eval(_TAKE_OVER, 1, self.lock_key, holder, self.token, ttl):
                    log.info(
                        "%s: lock %s of a stopped process (%s) taken over",
                        self.name,
                        self.lock_key,
                        holder,
                    )
                    break
                continue
            if time.monotonic() > deadline:
                raise ConsumerNameTaken(self.lock_key, self.name, holder, self.named_by)
            await asyncio.sleep(0.5)  # another host's: wait until it expires
        _held.add(self.lock_key)

    async def _keep_lock(self) -> None:
        while True:
            await asyncio.sleep(self.lock_ttl_ms / 3000)
            try:
                holder = await self.redis.eval(
                    _REFRESH, 1, self.lock_key, self.token, self.lock_ttl_ms
                )
            except Exception as exc:
                still_running()
                if not redis_unavailable(exc):
                    raise
                continue  # the consume loop reports the outage
            still_running()
            if holder:
                raise ConsumerNameTaken(self.lock_key, self.name, _text(holder), self.named_by)

    async def _release(self) -> None:
        try:
            async with asyncio.timeout(1):
                await self.redis.eval(_RELEASE, 1, self.lock_key, self.token)
        except (RedisError, OSError, TimeoutError):
            pass  # it expires by itself
