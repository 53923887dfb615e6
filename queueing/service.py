"""The router piece: reads domain events, runs the routing scripts, publishes what they decide.

Several routers may run at once in one consumer group: all state is in Redis and every decision
is one atomic script, so they never offer one agent two calls or one call to two agents. Each
router also ticks the domains' timers (escalation, ring timeout, wrap-up end, announcements) and
takes over outbox entries and stream entries left behind by a router that died (after the lease).
The stream is read through ``kernel.stream_consumer``: a restarted router (same name, by default
``router-<hostname>``) handles its own pending entries first, and Redis outages are waited out.

A batch costs three round trips: read the stream, run the events script of each domain, append
the effects to the streams; removing the batch's outbox entries and acknowledging its stream
entries go with the next read (a router that dies in between leaves both to the leases). With
``routing.publish_in_script`` (single Redis) the script appends the effects itself: two.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import socket
import uuid
from collections import defaultdict
from datetime import datetime
from typing import Any

from redis.exceptions import ResponseError

from kernel import liveness
from kernel.cancellation import still_running
from kernel.events import DomainEvent, EventError
from kernel.runtime import Runtime
from kernel.stream_consumer import (
    Cleanup,
    StreamConsumer,
    default_consumer_name,
    redis_unavailable,
    waiting_out,
)
from queueing.actions import AgentActions
from queueing.errors import QueueingError
from queueing.routing import Routing
from queueing.translate import PAYLOAD_TYPES, ROUTED_TYPES, Op, to_ops
from store.routing_config import store_loader

log = logging.getLogger(__name__)

TIMER_LIMIT = 500
CONFIG_CHECK_S = 1.0  # how often the configuration version key is read (one GET)
CONFIG_LOAD_TIMEOUT_S = 10.0  # one reload at most (the store's connect timeout is longer)
CONFIG_BACKOFF_CAP_S = 30.0  # the longest wait between reloads while they fail
_NONE_APPLIED = object()  # no configuration applied yet (the version key may be unset: None)


class Router:
    def __init__(
        self,
        routing: Routing,
        *,
        consumer: str | None = None,
        batch: int = 500,
        block_ms: int = 200,
        config_check_s: float = CONFIG_CHECK_S,
    ) -> None:
        self.routing = routing
        self.config_check_s = config_check_s
        self.group = routing.settings.routing.consumer_group
        # a test's or a tool's router gets a name of its own; the piece passes a stable one
        self.consumer = consumer or f"router-{socket.gethostname()}-{uuid.uuid4().hex[:6]}"
        self.batch = batch
        self.block_ms = block_ms
        self.tick_s = routing.settings.routing.tick_ms / 1000
        self.started = asyncio.Event()
        self.health = liveness.current("router")
        self.actions = AgentActions(routing)
        self._applied: object = _NONE_APPLIED  # the configuration version written and indexed last
        # stream entries delivered to a router that died are taken over after the lease; the
        # acknowledgement and the outbox clean-up of a batch go with the next read
        self.stream = StreamConsumer(
            routing.client,
            routing.streams.events,
            self.group,
            self.consumer,
            self._apply_entries,
            batch=batch,
            block_ms=block_ms,
            claim_idle_ms=routing.lease_ms,
            start_id="$",
            on_group_lost=self._state_lost,
            ack_with_next_read=not routing.is_cluster,  # no blocking read in a cluster pipeline
            health=self.health,
            named_by="routing.consumer",
        )

    async def run(self) -> None:
        """Until cancelled."""
        await waiting_out("routing set-up", self._setup, self.health)
        self.started.set()
        log.info(
            "router %s: started (group %s, domains %s)",
            self.consumer,
            self.group,
            ", ".join(self.routing.domains),
        )
        async with asyncio.TaskGroup() as tg:
            tg.create_task(self.stream.run(), name=f"router-consume-{self.consumer}")
            tg.create_task(self._tick(), name=f"router-tick-{self.consumer}")
            tg.create_task(self._reload(), name=f"router-config-{self.consumer}")

    async def _setup(self) -> None:
        await self.routing.setup()
        if self.routing.trusted:  # not the settings file's skills over the admin pages' edits
            await self.actions.reindex_all()  # agents logged in under a configuration since changed
            self._applied = self.routing.loaded_version
        await self.stream.ensure_group()

    async def reload_config(self) -> bool:
        """Take a configuration the administration pages changed: the store's queues and agents
        loaded (``Routing.load``), the queue settings written for the scripts, the logged-in
        agents indexed anew. The version counts as applied only once all three are done, so a
        failure part-way is tried again at the next check (it raises). Returns whether there was
        a change."""
        if self.routing.config is None:
            return False
        version = await self.routing.config_version()
        if version == self._applied:
            return False
        if version != self.routing.loaded_version:
            await self.routing.load(version)
        await self.routing.write_queue_settings()
        changed = await self.actions.reindex_all()
        self._applied = version
        log.info("router %s: configuration reloaded; agents indexed anew: %s",
                 self.consumer, ", ".join(changed) or "none")  # fmt: skip
        return True

    async def _state_lost(self) -> None:
        """Redis came back without its data: the queue settings are written again (agents log
        in again, and the bridge's reconcile queues the callers Asterisk still holds)."""
        log.error("router %s: routing state lost with Redis's data; queue settings written again",
                  self.consumer)  # fmt: skip
        await self.routing.setup()

    def _translate(self, entries: list[tuple[str, dict[str, str]]]) -> dict[str, list[Op]]:
        by_domain: dict[str, list[Op]] = defaultdict(list)
        r = self.routing
        for entry_id, fields in entries:
            if not fields or fields.get("type") not in ROUTED_TYPES:
                continue  # a deleted entry, or an event that changes nothing in routing
            try:
                event = _event(fields)
                for domain, op in to_ops(event, r.plans, r.agent_domain, r.domains):
                    by_domain[domain].append(op)
            except (EventError, QueueingError) as exc:
                log.warning("router %s: skipped stream entry %s: %s", self.consumer, entry_id, exc)
        return by_domain

    async def handle(self, entries: list[tuple[str, dict[str, str]]]) -> None:
        """Apply a batch of stream entries, publish the effects, then acknowledge the entries."""
        await self.stream.process(entries)
        await self.stream.flush()

    async def _apply_entries(self, entries: list[tuple[str, dict[str, str]]]) -> Cleanup:
        """Apply a batch and write its effects; returns the clean-up (the outbox entries they
        came from) that goes with the batch's acknowledgement once they are written."""
        results: list[dict[str, Any]] = []
        for domain, ops in self._translate(entries).items():
            results.extend(await self._apply(domain, ops))
        _written, done = await self.routing.write_effects(results)
        return functools.partial(self.routing.add_cleanup, done=done, ack=None)

    async def _apply(self, domain: str, ops: list[Op]) -> list[dict[str, Any]]:
        try:
            result = await self.routing.run(domain, "events", ops)
        except ResponseError as exc:  # the script itself failed: nothing of the batch applied
            if redis_unavailable(exc):
                raise  # Redis failing over or loading: the batch is read again
            log.error(
                "router %s: batch of %d ops failed in domain %s: %s (first %s)",
                self.consumer,
                len(ops),
                domain,
                exc,
                json.dumps(ops[0]),
            )
            return []
        for err in result.get("errors") or []:
            log.error(
                "router %s: op %s of call %s failed in domain %s: %s",
                self.consumer,
                err.get("op"),
                err.get("call"),
                domain,
                err.get("error"),
            )
        return [result]

    async def _publish(self, results: list[dict[str, Any]]) -> None:
        if results:
            await self.routing.publish(results)

    async def tick_once(self, now_ms: int | None = None) -> int:
        """Fire due timers and recover expired outbox entries in every domain; returns how many
        timers may remain due (the limit was reached)."""
        results = [
            await self.routing.run(domain, "tick", TIMER_LIMIT, now_ms)
            for domain in self.routing.domains
        ]
        await self._publish(results)
        for res in results:
            if res.get("rec"):
                log.warning(
                    "router %s: recovered %d outbox entries in domain %s (lease expired)",
                    self.consumer,
                    len(res["rec"]),
                    res["domain"],
                )
        return sum(
            1 for r in results if r.get("next") and float(r["next"]) <= self.routing.now_ms()
        )

    async def _reload(self) -> None:
        """Configuration reloads, a loop of their own so that a store outage never holds up the
        timers: each reload has ``CONFIG_LOAD_TIMEOUT_S``, failures back off (doubling up to
        ``CONFIG_BACKOFF_CAP_S``) and are logged once per outage, with its end."""
        delay = self.config_check_s
        failing = False
        while True:
            try:
                async with asyncio.timeout(CONFIG_LOAD_TIMEOUT_S):
                    await self.reload_config()
                still_running()
                if failing:
                    log.info("router %s: configuration reloads again", self.consumer)
                failing = False
                delay = self.config_check_s
            except Exception as exc:  # the store or Redis is down, or a bad row: try again
                still_running()  # redis-py may turn a cancelled command into a connection error
                if not failing:
                    log.error("router %s: configuration not reloaded (%s: %s); retrying with "
                              "back-off", self.consumer, type(exc).__name__, exc)  # fmt: skip
                failing = True
                delay = min(max(delay, self.config_check_s) * 2, CONFIG_BACKOFF_CAP_S)
            await asyncio.sleep(delay)

    async def _tick(self) -> None:
        delay = self.tick_s
        while True:
            try:
                more = await self.tick_once()
                still_running()
                self.health.ok("timers")
                delay = self.tick_s
            except Exception as exc:
                still_running()  # redis-py may turn a cancelled command into a connection error
                if not redis_unavailable(exc):
                    raise
                self.health.retrying("timers", exc)
                more = 0
                delay = min(1.0, delay * 2)
            if not more:
                await asyncio.sleep(delay)


def _event(f: dict[str, str]) -> DomainEvent:
    """``DomainEvent.from_fields`` for the routed types, reading the payload only where routing
    uses it (the router reads every entry of the stream: this is its hottest path)."""
    t = f.get("type", "")
    if t not in PAYLOAD_TYPES:
        try:
            ts = datetime.fromisoformat(f["ts"])
            return DomainEvent(
                id=f["id"],
                ts=ts,
                type=t,
                call_id=f.get("call_id") or None,
                agent_id=f.get("agent_id") or None,
            )
        except (KeyError, ValueError):
            pass  # from_fields names what is wrong
    return DomainEvent.from_fields(f)


async def run_router(rt: Runtime) -> None:
    """The ``router`` piece: runs until cancelled."""
    name = rt.settings.routing.consumer or default_consumer_name("router")
    await Router(runtime_routing(rt), consumer=name).run()


def runtime_routing(rt: Runtime) -> Routing:
    """The routing of a running piece: the store's queues and agents (authoritative once
    seeded), reloaded when the administration pages change them."""
    return Routing(rt.redis, rt.settings, config=store_loader(rt.engine, rt.settings))
