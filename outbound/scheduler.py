"""The outbound scheduler: due return visits and callbacks become routable work, and what
telephony reports about their calls becomes task outcomes.

Progressive dialling, by the router's own rules: each dial attempt of a task is one router call
(``ob-<task>-<n>``) queued with the number to dial (``outbound.lua``, run with the router's
``lib.lua``). The router offers it like an inbound call (same queues, skills, priorities, agent
states) and so *reserves an agent first*; only then does it send telephony the ``originate``
command. No customer is dialled without a reserved agent, so no outbound call is abandoned.

Nothing is lost, nothing is dialled twice at once:

- the task and its attempts live in the database; an attempt is claimed by a compare-and-set
  (``scheduled → queued``, attempt number + 1) before it is queued in Redis, and queueing is
  idempotent (an existing router call is left alone), so a crash in between is repaired by
  ``reconcile`` queueing it again, and two schedulers cannot both dial it;
- the next attempt is only claimed after the previous one has an outcome (the task is back in
  ``scheduled`` with a later ``due_at``), so one task has at most one call at a time;
- telephony's events are read in a consumer group and acknowledged after the transaction that
  records them commits (at-least-once; recording is idempotent per attempt);
- a router killed mid-run loses nothing either: its state is in Redis and its unpublished
  effects are recovered from its outbox by the next router (``queueing.service``).

Outcomes: ``call.answered`` → reached (the agent's form completes it later), ``call.failed`` →
busy / no answer / wrong number (``outbound.rules.FAILURE_OUTCOMES``), ``call.ended`` without an
answer → no answer; busy and no answer are retried after the configured delay, inside the
customer's allowed hours, up to the configured number of attempts.

Callbacks asked for in line (the router's ``callback`` action: ``outbound.scheduled`` with kind
``callback_in_queue`` on the caller's call) are mirrored into the tasks
(``outbound.tasks_store.mirror_queue_callback``, once per caller's call): the router dials them
itself when they reach the front, as a call of their own (``dial_call_id``, ``<caller's id>-cb``:
its events name the caller's call as ``origin_call_id``), so such a task is born ``queued`` with
attempt 1 on the dial's call id. That attempt counts from the first sign of its dial
(``call.originated``, ``call.answered`` or ``call.failed`` on that id); the caller's own leg is
another call, whose hang-up (before or after the dial) changes nothing here. Its outcome is
recorded like any other, so a busy or unanswered dial is retried here as ``ob-<task>-2`` in the
customer's hours. ``reconcile`` never queues that attempt again (the router holds it); when the
router lost it (the call ended or expired without news for ``stale_s``), it counts as not
answered. Outcomes of calls that are not ``ob-`` are looked up in one query per batch, so inbound
traffic costs little.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import math
import socket
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from redis.exceptions import NoScriptError, ResponseError
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from kernel import liveness
from kernel.cancellation import still_running
from kernel.events import DomainEvent, EventError
from kernel.stream_consumer import (
    StreamConsumer,
    default_consumer_name,
    redis_unavailable,
    waiting_out,
)
from outbound.rules import FAILURE_OUTCOMES
from outbound.tasks import OutboundConfig, parse_call_id, router_dialled
from outbound.tasks_store import (
    attempt_answered,
    attempt_ended,
    attempt_failed,
    claim_due,
    mirror_queue_callback,
    queue_callback_calls,
    queued_tasks,
    start_queue_callback_attempt,
)
from queueing import scripts
from queueing.errors import RoutingConfigError
from queueing.routing import Routing
from queueing.rules import call_priority
from queueing.stats import day_id
from store.db import database_unavailable, refuses_data
from store.models.customers import OutboundAttempt
from store.writer import publish

log = logging.getLogger(__name__)

SCRIPT_SOURCE = scripts.lua_source("lib", "outbound")
SCRIPT_SHA = hashlib.sha1(SCRIPT_SOURCE.encode()).hexdigest()
OUTCOME_TYPES = ("call.answered", "call.failed", "call.ended")
DIAL_TYPES = ("call.originated", "call.answered", "call.failed")  # a queue callback's dial started
EVENT_TYPES = (*OUTCOME_TYPES, "call.originated", "outbound.scheduled")
QUEUE_CALLBACK = "callback_in_queue"  # kind of the router's ``outbound.scheduled`` (action.lua)
_CALLBACK_FIELDS = ("number", "queue", "customer", "tier", "task", "origin")  # router call
REFUSALS_TO_SKIP = 3  # times the store refuses one entry's data before it is skipped


class OutboundScheduler:
    """One scheduler process (several may run: claims and queueing are atomic)."""

    def __init__(
        self,
        engine: AsyncEngine,
        routing: Routing,
        config: OutboundConfig,
        *,
        group: str = "outbound",
        consumer: str | None = None,
        batch: int = 200,
        poll_s: float = 1.0,
        stale_s: float = 300.0,
        block_ms: int = 200,
        claim_idle_ms: int = 30_000,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if config.queue_id not in routing.plans:
            raise RoutingConfigError("outbound.queue", config.queue_id, "unknown queue")
        self.engine = engine
        self.routing = routing
        self.client = routing.client
        self.config = config
        self.group = group
        # a test's or a tool's scheduler gets a name of its own; the piece passes a stable one
        # (``outbound.consumer``, default outbound-<hostname>): a restarted scheduler finds its
        # own pending entries
        self.consumer = consumer or f"outbound-{socket.gethostname()}-{uuid.uuid4().hex[:6]}"
        self.batch = batch
        self.poll_s = poll_s
        self.stale_s = stale_s
        self.block_ms = block_ms
        self.claim_idle_ms = claim_idle_ms
        self.clock = clock
        self._ended_seen: dict[str, float] = {}  # call id -> when reconcile first saw it ended
        self._refusals: dict[str, int] = {}  # stream entry id -> times the store refused it
        self.prefix = routing.settings.redis_prefix
        self.started = asyncio.Event()
        self.queued = 0
        self.outcomes = 0
        self._reconcile_at = -math.inf  # monotonic time of the last reconcile
        self.health = liveness.current("outbound")
        self.stream = StreamConsumer(
            self.client,
            routing.streams.events,
            group,
            self.consumer,
            self._handle_batch,
            batch=batch,
            block_ms=block_ms,
            claim_idle_ms=claim_idle_ms,
            transient=_worth_retrying,
            on_group_lost=self._redis_lost,
            health=self.health,
            named_by="outbound.consumer",
        )
        self.caught_up = self.stream.caught_up  # the events stream read to its end once

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    async def run(self) -> None:
        """Until cancelled."""
        await waiting_out("routing set-up", self._setup, self.health)
        self.started.set()
        log.info("outbound scheduler %s: started (queue %s)", self.consumer, self.config.queue_id)
        async with asyncio.TaskGroup() as tg:
            tg.create_task(self._dispatch_loop(), name=f"outbound-dispatch-{self.consumer}")
            tg.create_task(self.stream.run(), name=f"outbound-events-{self.consumer}")

    async def _setup(self) -> None:
        await self.routing.setup()  # queue settings the script reads (idempotent)
        await self.ensure_group()

    async def ensure_group(self) -> None:
        await self.stream.ensure_group()

    async def _redis_lost(self) -> None:
        """Redis came back without its data: queue settings again, and repair the queued
        attempts (their router calls are gone) at the next round."""
        await self.routing.setup()
        self._reconcile_at = -math.inf

    # --- due tasks → router calls ------------------------------------------------------------

    async def dispatch_once(self) -> int:
        """Claim the due tasks and queue them as router calls; returns how many."""
        now = self.now()
        async with self.engine.begin() as conn:
            claimed = await claim_due(conn, now, self.batch)
        if claimed:
            await self._enqueue(claimed)
            log.info("outbound scheduler %s: queued %d tasks", self.consumer, len(claimed))
        return len(claimed)

    async def _enqueue(self, tasks: list[dict[str, Any]]) -> int:
        by_domain: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for task in tasks:
            plan = self.routing.plans.get(task["queue_id"])
            if plan is None:
                log.error("task %s: queue %s is not configured", task["task_id"], task["queue_id"])
                continue
            by_domain[plan.domain].append(
                {
                    "call": task["call_id"],
                    "queue": task["queue_id"],
                    "prio": call_priority(plan.priority, task["tier"]),
                    "tier": task["tier"],
                    "customer": task["customer_id"] or "",
                    "number": task["number"],
                    "task": task["task_id"],
                    "kind": task["kind"],
                }
            )
        placed = 0
        for domain, ops in by_domain.items():
            try:
                result = await self._run_script(domain, ops)
            except ResponseError as exc:  # it reads every queue's settings before its first
                # write: a setting that does not decode fails it before any call was queued
                log.error(
                    "outbound scheduler %s: queueing %d calls failed in domain %s: %s "
                    "(calls %s, tasks %s); reconcile queues them again",
                    self.consumer,
                    len(ops),
                    domain,
                    exc,
                    ", ".join(op["call"] for op in ops[:10]),
                    ", ".join(op["task"] for op in ops[:10]),
                )
                continue
            await self.routing.publish([result])
            placed += int(result.get("placed", 0))
        self.queued += placed
        return placed

    async def _run_script(self, domain: str, ops: list[dict[str, Any]]) -> dict[str, Any]:
        now_ms = int(self.clock() * 1000)
        keys, args = scripts.script_args(
            self.routing.keys(domain),
            now_ms,
            self.routing.lease_ms,
            day_id(now_ms, self.routing.tz),
            json.dumps(ops, separators=(",", ":")),
        )
        try:
            raw = await self.client.evalsha(SCRIPT_SHA, len(keys), *keys, *args)
        except NoScriptError:
            await self.client.script_load(SCRIPT_SOURCE)
            raw = await self.client.evalsha(SCRIPT_SHA, len(keys), *keys, *args)
        result = scripts.decode_result(raw)
        result["domain"] = domain
        return result

    async def reconcile(self) -> int:
        """Repair queued attempts: queue again those whose router call does not exist (crash
        between claim and queueing), and count as not answered those whose router call ended
        long ago without any news (the router gave up on it). Returns how many were repaired.

        A queue callback's first attempt is the router's own dial (it took the caller's place
        in line), queued by the router and not by us: it is never queued again here; when that call is gone (ended, or expired)
        without news for ``stale_s`` it counts as not answered like any other (a retry
        ``ob-<task>-2``), so the customer is never left ``queued`` for ever."""
        async with self.engine.connect() as conn:
            tasks = await queued_tasks(conn)
        if not tasks:
            return 0
        pipe = self.client.pipeline(transaction=False)
        for task in tasks:
            pipe.hget(
                self.routing.keys(self._domain(task["queue_id"])).call(task["call_id"]), "state"
            )
        states = await pipe.execute()
        mirrored = {t["call_id"] for t in tasks if router_dialled(t)}
        missing = [
            t
            for t, s in zip(tasks, states, strict=True)
            if s is None and t["call_id"] not in mirrored
        ]
        # An ended router call whose outcome has not arrived: the event may simply be a few
        # milliseconds behind the router, so it is only given up on after ``stale_s``.
        seen_now = time.monotonic()
        ended = {
            t["call_id"]
            for t, s in zip(tasks, states, strict=True)
            if s == "ended" or (s is None and t["call_id"] in mirrored)
        }
        self._ended_seen = {c: self._ended_seen.get(c, seen_now) for c in ended}
        stale = [
            t
            for t in tasks
            if t["call_id"] in ended and seen_now - self._ended_seen[t["call_id"]] > self.stale_s
        ]
        now = self.now()
        if missing:
            log.warning(
                "outbound scheduler %s: queueing %d lost attempts again",
                self.consumer,
                len(missing),
            )
            await self._enqueue(missing)
        events: list[DomainEvent] = []
        if stale:
            async with self.engine.begin() as conn:
                for t in stale:
                    log.warning(
                        "task %s: call %s ended without news, counted as no answer",
                        t["task_id"],
                        t["call_id"],
                    )
                    if t["call_id"] in mirrored:
                        await start_queue_callback_attempt(conn, t["call_id"], now)
                    events += await attempt_failed(
                        conn, t["call_id"], "no_answer", now, self.config
                    )
            await publish(self.client, self.prefix, events)
        return len(missing) + len(stale)

    async def _dispatch_loop(self) -> None:
        """Claim and queue due tasks every ``poll_s``, reconcile now and then. Redis or the
        database away: reported, retried at least once a second.

        ``still_running()`` after every round: redis-py (8.1, on Python 3.11) can return
        normally from a command whose task was cancelled, and this loop would then never stop
        (its TaskGroup, and whoever cancelled the scheduler, waiting for it for ever)."""
        # every outcome already in the stream is recorded before the first repair: reconcile
        # must not take an attempt whose news is waiting there for a lost one
        await self.caught_up.wait()
        pause_s = self.poll_s
        while True:
            try:
                n = await self.dispatch_once()
                if time.monotonic() - self._reconcile_at > min(self.stale_s / 2, 30.0):
                    self._reconcile_at = time.monotonic()
                    await self.reconcile()
                still_running()
                self.health.ok("dispatch")
                pause_s = self.poll_s
            except Exception as exc:
                still_running()
                if not (redis_unavailable(exc) or database_unavailable(exc)):
                    raise
                self.health.retrying("dispatch", exc)
                n = 0
                pause_s = min(1.0, self.poll_s)
            if n < self.batch:
                await asyncio.sleep(pause_s)

    # --- telephony events → outcomes ---------------------------------------------------------

    async def _handle_batch(self, entries: list[tuple[str, dict[str, str]]]) -> None:
        """The stream consumer's handler (it acknowledges the batch afterwards)."""
        await self.handle(entries)

    async def handle(self, entries: list[tuple[str, dict[str, str]]]) -> int:
        """Record a batch of stream entries (queue callbacks become tasks, then the outcomes of
        task calls are recorded); the stream consumer acknowledges it afterwards."""
        callbacks: list[DomainEvent] = []
        ours: list[DomainEvent] = []  # events of ``ob-`` calls
        others: list[DomainEvent] = []  # events of other calls: maybe a queue callback's
        for entry_id, fields in entries:
            if not fields or fields.get("type") not in EVENT_TYPES:
                continue
            try:
                event = DomainEvent.from_fields(fields)
            except EventError as exc:
                log.warning(
                    "outbound scheduler %s: skipped entry %s: %s", self.consumer, entry_id, exc
                )
                continue
            if event.type == "outbound.scheduled":
                if event.payload.get("kind") == QUEUE_CALLBACK and event.call_id:
                    callbacks.append(event)
            elif parse_call_id(event.call_id) is not None:
                if event.type in OUTCOME_TYPES:
                    ours.append(event)
            elif event.call_id:
                others.append(event)
        published: list[DomainEvent] = []
        if callbacks or ours or others:
            try:
                published = await self._record(callbacks, ours, others)
            except DBAPIError as exc:
                if not refuses_data(exc):
                    raise  # a lock, a restart, a lost connection: the loop retries the batch
                return await self._refused(entries, exc)
        await publish(self.client, self.prefix, published)
        self.outcomes += sum(1 for e in published if e.type == "outbound.outcome")
        return len(published)

    async def _refused(self, entries: list[tuple[str, dict[str, str]]], exc: DBAPIError) -> int:
        """The store refused a batch (bad data, not a lost connection): each entry on its own,
        so the others are recorded; one refused ``REFUSALS_TO_SKIP`` times in a row is logged
        with its id and counted as handled, so one bad entry cannot stop the scheduler for good.
        The entries handled on their own are acknowledged here; raises while some entry is
        still refused (the consumer pauses and reads its pending entries again)."""
        stream = self.routing.streams.events
        if len(entries) == 1:
            entry_id = entries[0][0]
            self._refusals[entry_id] = self._refusals.get(entry_id, 0) + 1
            if self._refusals[entry_id] < REFUSALS_TO_SKIP:
                raise exc
            del self._refusals[entry_id]
            log.error(
                "outbound scheduler %s: entry %s skipped, the store refused it %d times: %s",
                self.consumer,
                entry_id,
                REFUSALS_TO_SKIP,
                exc.orig if exc.orig is not None else exc,
            )
            return 0
        done, error = 0, None
        for entry in entries:
            try:
                done += await self.handle([entry])
            except DBAPIError as one:  # refused data, or a passing error: kept pending either way
                error = one
            else:
                await self.client.xack(stream, self.group, entry[0])
        if error is not None:
            raise error
        return done

    async def _record(
        self, callbacks: list[DomainEvent], ours: list[DomainEvent], others: list[DomainEvent]
    ) -> list[DomainEvent]:
        """One transaction: queue callbacks become tasks, then task calls' outcomes."""
        published: list[DomainEvent] = []
        customers = await self._callback_customers(callbacks)
        async with self.engine.begin() as conn:
            for event in callbacks:
                published += await self._mirror(conn, event, customers.get(event.id))
            relevant = list(ours)
            if others:
                known = await queue_callback_calls(conn, [e.call_id or "" for e in others])
                published += await self._mirror_dialled(conn, others, known)
                relevant += [e for e in others if e.call_id in known]
            for event in sorted(relevant, key=lambda e: e.ts):
                published += await self._apply(conn, event)
        return published

    async def _callback_customers(self, callbacks: list[DomainEvent]) -> dict[str, str | None]:
        """Event id → customer of each queue callback: the event's, else the router call's."""
        found: dict[str, str | None] = {}
        unknown = []
        for e in callbacks:
            found[e.id] = e.payload.get("customer_id") or None
            if found[e.id] is None:
                unknown.append(e)
        if unknown:
            pipe = self.client.pipeline(transaction=False)
            for e in unknown:
                pipe.hget(
                    self.routing.keys(self._domain(e.payload.get("queue"))).call(e.call_id or ""),
                    "customer",
                )
            for e, customer in zip(unknown, await pipe.execute(), strict=True):
                found[e.id] = customer or None
        return found

    async def _mirror_dialled(
        self, conn: Any, others: list[DomainEvent], known: set[str]
    ) -> list[DomainEvent]:
        """The dial of a queue callback seen before the request that made it (several
        schedulers, or a crashed one's entries taken over later): the task is made from the
        router's call (it carries the number) so the dial's outcome is not lost. Adds the call
        ids so mirrored to ``known``; one pipelined read for the batch, only for dial events."""
        first_seen: dict[str, datetime] = {}
        for e in others:
            if e.call_id and e.type in DIAL_TYPES and e.call_id not in known:
                first_seen[e.call_id] = min(e.ts, first_seen.get(e.call_id, e.ts))
        if not first_seen:
            return []
        dials = sorted(first_seen)
        pipe = self.client.pipeline(transaction=False)
        domains = self.routing.domains
        for call_id in dials:
            for domain in domains:
                pipe.hmget(self.routing.keys(domain).call(call_id), *_CALLBACK_FIELDS)
        rows = iter(await pipe.execute())
        events: list[DomainEvent] = []
        for call_id in dials:
            found = [r for r in (next(rows) for _ in domains) if r[0] and not r[4]]
            if not found:
                continue  # an inbound call's own answer (no number), or an ``ob-`` call's
            number, queue_id, customer_id, tier, _task, origin = found[0]
            events += await self._make_task(
                conn,
                origin or call_id,
                call_id,
                number,
                queue_id,
                first_seen[call_id],
                customer_id,
                tier,
                late=True,
            )
            known.add(call_id)
        return events

    def _domain(self, queue_id: str | None) -> str:
        plan = self.routing.plans.get(queue_id or "")
        return plan.domain if plan else self.routing.settings.routing.domain

    async def _mirror(
        self, conn: Any, event: DomainEvent, customer_id: str | None
    ) -> list[DomainEvent]:
        """A callback asked for in line becomes a task (once; its first dial is the router's)."""
        call_id = event.call_id or ""
        number = str(event.payload.get("number") or "")
        if not number:
            log.warning("call %s: callback in queue without a number (event %s)", call_id, event.id)
            return []
        queue_id = str(event.payload.get("queue") or "")
        tier = event.payload.get("tier")
        dial_call_id = str(event.payload.get("dial_call_id") or call_id)
        return await self._make_task(
            conn, call_id, dial_call_id, number, queue_id, event.ts, customer_id, tier
        )

    async def _make_task(
        self,
        conn: Any,
        call_id: str,
        dial_call_id: str,
        number: str,
        queue_id: str,
        requested_at: datetime,
        customer_id: str | None,
        tier: str | None,
        *,
        late: bool = False,
    ) -> list[DomainEvent]:
        """The task of the callback asked for on ``call_id``, dialled as ``dial_call_id``, from
        its request or (``late``) from the router's call when its dial was seen first. Its
        retries go to the outbound queue when the caller's queue is no longer configured."""
        events = await mirror_queue_callback(
            conn,
            call_id=call_id,
            dial_call_id=dial_call_id,
            number=number,
            queue_id=queue_id if queue_id in self.routing.plans else self.config.queue_id,
            requested_at=requested_at,
            config=self.config,
            customer_id=customer_id or None,
            tier=tier or None,
        )
        for e in events:
            log.log(
                logging.WARNING if late else logging.INFO,
                "call %s: callback in queue recorded as task %s (customer %s)%s",
                call_id,
                e.payload["task_id"],
                customer_id,
                "; its dial was seen before its request" if late else "",
            )
        return events

    async def _apply(self, conn: Any, event: DomainEvent) -> list[DomainEvent]:
        call_id = event.call_id or ""
        if event.type in DIAL_TYPES and parse_call_id(call_id) is None:
            await start_queue_callback_attempt(conn, call_id, event.ts)
        if event.type == "call.originated":
            return []
        if event.type == "call.answered":
            return await attempt_answered(conn, call_id, event.agent_id, event.ts)
        if event.type == "call.failed":
            reason = str(event.payload.get("reason") or "no_answer")
            outcome = FAILURE_OUTCOMES.get(reason, "no_answer")
            agent_id = event.agent_id or event.payload.get("agent_id")
            return await attempt_failed(
                conn,
                call_id,
                outcome,
                event.ts,
                self.config,
                agent_id=agent_id,
                retry_from=self.now(),
            )
        if event.type == "call.ended":
            return await attempt_ended(conn, call_id, event.ts, self.config, retry_from=self.now())
        return []


def _worth_retrying(exc: BaseException) -> bool:
    """The database away, or refusing an entry's data (``_refused`` skips it after a few
    tries): the batch is read again after a pause."""
    return database_unavailable(exc) or (isinstance(exc, DBAPIError) and refuses_data(exc))


async def attempts_of(engine: AsyncEngine, task_id: str) -> list[dict[str, Any]]:
    """The dial attempts of one task, in order (for the CLI and the tests)."""
    t = OutboundAttempt.__table__
    async with engine.connect() as conn:
        res = await conn.execute(select(t).where(t.c.task_id == task_id).order_by(t.c.attempt))
        return [dict(r) for r in res.mappings()]


async def run_outbound(rt: Any) -> None:
    """Piece for ``callcenter serve``: the outbound scheduler, until cancelled."""
    settings = rt.settings
    scheduler = OutboundScheduler(
        rt.engine,
        Routing(rt.redis, settings),
        OutboundConfig.from_settings(settings),
        group=settings.outbound.consumer_group,
        consumer=settings.outbound.consumer or default_consumer_name("outbound"),
        poll_s=settings.outbound.poll_s,
        stale_s=settings.outbound.stale_s,
    )
    await scheduler.run()
