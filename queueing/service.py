"""The router piece: reads domain events, runs the routing scripts, publishes what they decide.

Several routers may run at once in one consumer group: all state is in Redis and every decision
is one atomic script, so they never offer one agent two calls or one call to two agents. Each
router also ticks the domains' timers (escalation, ring timeout, wrap-up end, announcements) and
takes over outbox entries and stream entries left behind by a router that died (after the lease).

A batch costs three round trips: read the stream, run the events script of each domain, append
the effects to the streams; removing the batch's outbox entries and acknowledging its stream
entries go with the next read (a router that dies in between leaves both to the leases). With
``routing.publish_in_script`` (single Redis) the script appends the effects itself: two.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import uuid
from collections import defaultdict
from datetime import datetime
from typing import Any

from redis.exceptions import RedisError, ResponseError

from config.cancellation import still_running
from config.runtime import Runtime
from queueing.errors import QueueingError
from queueing.routing import Routing
from queueing.translate import PAYLOAD_TYPES, ROUTED_TYPES, Op, to_ops
from store.events import DomainEvent, EventError

log = logging.getLogger(__name__)

TIMER_LIMIT = 500
Cleanup = tuple[dict[str, list[str]], tuple[str, str, list[str]]]
MAX_FAILURES = 10  # consecutive Redis errors a loop survives (with growing pauses)


class Router:
    def __init__(
        self,
        routing: Routing,
        *,
        consumer: str | None = None,
        batch: int = 500,
        block_ms: int = 200,
    ) -> None:
        self.routing = routing
        self.group = routing.settings.routing.consumer_group
        self.consumer = consumer or f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.batch = batch
        self.block_ms = block_ms
        self.tick_s = routing.settings.routing.tick_ms / 1000
        self.started = asyncio.Event()

    async def run(self) -> None:
        """Until cancelled."""
        await self.routing.setup()
        await self._ensure_group()
        self.started.set()
        log.info(
            "router %s: started (group %s, domains %s)",
            self.consumer,
            self.group,
            ", ".join(self.routing.domains),
        )
        async with asyncio.TaskGroup() as tg:
            tg.create_task(self._consume(), name=f"router-consume-{self.consumer}")
            tg.create_task(self._tick(), name=f"router-tick-{self.consumer}")

    async def _ensure_group(self) -> None:
        try:
            await self.routing.client.xgroup_create(
                self.routing.streams.events, self.group, id="$", mkstream=True
            )
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def _consume(self) -> None:
        client, stream = self.routing.client, self.routing.streams.events
        claim_every = max(1, int(self.routing.lease_ms / max(self.block_ms, 1)))
        rounds = failures = 0
        cleanup: list[Cleanup] = []  # of the last batch: sent with the next read (one round trip)
        while True:
            still_running()
            rounds += 1
            try:
                if rounds % claim_every == 0:
                    await self._claim_abandoned()
                pipe = client.pipeline(transaction=False)
                queued = any([self.routing.add_cleanup(pipe, *c) for c in cleanup])
                if queued and self.routing.is_cluster:  # no blocking read in a cluster pipeline
                    await pipe.execute()
                    pipe = client.pipeline(transaction=False)
                cleanup = []
                pipe.xreadgroup(
                    self.group, self.consumer, {stream: ">"}, count=self.batch, block=self.block_ms
                )
                resp = (await pipe.execute())[-1]
                for _stream, entries in resp or []:
                    cleanup.append(await self._apply_entries(entries))
                failures = 0
            except RedisError as exc:
                failures = self._failed("consume", exc, failures)
                await asyncio.sleep(self.tick_s * failures)

    async def _claim_abandoned(self) -> None:
        """Stream entries delivered to a router that died are taken over after the lease."""
        client, stream = self.routing.client, self.routing.streams.events
        start = "0-0"
        while True:
            res = await client.xautoclaim(
                stream, self.group, self.consumer, self.routing.lease_ms, start, count=self.batch
            )
            start, entries = res[0], res[1]
            if entries:
                log.warning(
                    "router %s: took over %d events of a stopped router",
                    self.consumer,
                    len(entries),
                )
                await self.handle(entries)
            if start in ("0-0", b"0-0") or not entries:
                return

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
        done, ack = await self._apply_entries(entries)
        pipe = self.routing.client.pipeline(transaction=False)
        if self.routing.add_cleanup(pipe, done, ack):
            await pipe.execute()

    async def _apply_entries(self, entries: list[tuple[str, dict[str, str]]]) -> Cleanup:
        """Apply a batch and write its effects; returns what to clean up (outbox entries to
        remove, stream entries to acknowledge) once they are written."""
        results: list[dict[str, Any]] = []
        for domain, ops in self._translate(entries).items():
            results.extend(await self._apply(domain, ops))
        _written, done = await self.routing.write_effects(results)
        return done, (self.routing.streams.events, self.group, [e[0] for e in entries])

    async def _apply(self, domain: str, ops: list[Op]) -> list[dict[str, Any]]:
        try:
            result = await self.routing.run(domain, "events", ops)
        except ResponseError as exc:  # the script itself failed: nothing of the batch applied
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

    async def _tick(self) -> None:
        failures = 0
        while True:
            still_running()
            try:
                more = await self.tick_once()
                failures = 0
            except RedisError as exc:
                failures = self._failed("tick", exc, failures)
                more = 0
            if not more:
                await asyncio.sleep(self.tick_s * (1 + failures))

    def _failed(self, what: str, exc: RedisError, failures: int) -> int:
        """A Redis error in a loop: re-raise when cancelling (redis-py may turn a cancelled
        command into a connection error) or after ``MAX_FAILURES`` in a row; else log, count."""
        still_running()
        failures += 1
        if failures >= MAX_FAILURES:
            raise exc
        log.error("router %s: %s failed (%d in a row): %s", self.consumer, what, failures, exc)
        return failures


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
    await Router(Routing(rt.redis, rt.settings)).run()
