"""The edge between Python and the routing state in Redis: runs the scripts of a domain and
publishes what they produced.

Every script run that changes something leaves its effects in the domain's outbox (same slot,
same atomic step) with a lease; ``publish`` writes them to the event and command streams and then
removes the entry. A router that dies in between leaves the entry behind; when the lease runs out
``tick`` hands it to whichever router ticks next (this is how an offer whose router died is
recovered). Publishing twice is harmless: ids are deterministic.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any
from zoneinfo import ZoneInfo

from redis.exceptions import NoScriptError, ResponseError

from kernel.keys import DomainKeys, StreamNames
from kernel.settings import Settings
from queueing import effects, scripts
from queueing.rules import build_plans, script_config
from queueing.stats import QueueStats, day_id
from store.routing_config import RoutingConfig

log = logging.getLogger(__name__)


ConfigLoader = Callable[[], Awaitable[RoutingConfig | None]]
"""Reads the routing configuration from the store (None: never seeded, the file's applies)."""
_UNSEEN = object()


class Routing:
    """Settings-derived routing facts plus script calls, for one Redis client (or cluster).

    With a ``config`` loader the queues and agents are the store's (authoritative once seeded):
    ``setup`` loads them, ``refresh`` reloads them after the administration pages changed them.
    """

    def __init__(
        self,
        client: Any,
        settings: Settings,
        *,
        clock: Any = time.time,
        config: ConfigLoader | None = None,
    ) -> None:
        self.client = client
        self.clock = clock
        self.config = config
        self._version: object = _UNSEEN  # the config version key's value at the last load
        self.from_store = False  # the agents are the store's (seeded), not the settings file's
        self.streams = StreamNames(settings.redis_prefix)
        rs = settings.routing
        self._configure(settings)
        self.lease_ms = int(rs.offer_lease_s * 1000)
        # the scripts append their effects to the streams themselves (RoutingSettings)
        self.publish_in_script = rs.publish_in_script and not self.is_cluster
        self._publish_args = (self.streams.events, self.streams.commands, rs.consumer_group)
        self.tz = ZoneInfo(settings.timezone)

    def _configure(self, settings: Settings) -> None:
        """The queue plans, domains and agents of ``settings`` (raises ``RoutingConfigError``)."""
        rs = settings.routing
        plans = build_plans(settings.queues, rs.domain)
        self.settings = settings
        self.plans = plans
        self.domains = sorted(
            {rs.domain} | {p.domain for p in plans.values()} | set(rs.agent_domains.values())
        )
        self.agents = {a.id: a for a in settings.agents}

    async def config_version(self) -> object:
        """The configuration version key's value now (what the administration pages set)."""
        return await self.client.get(self.streams.config_version)

    @property
    def loaded_version(self) -> object:
        """The version key's value at the last load from the store (a sentinel before any)."""
        return self._version

    async def load(self, version: object) -> None:
        """Load the store's queues and agents as of ``version``; raises what the store or the
        configuration check raise (nothing changes then)."""
        if self.config is None:
            return
        loaded = await self.config()
        if loaded is not None:
            self._configure(loaded.applied_to(self.settings))
        self.from_store = loaded is not None
        self._version = version
        log.info("routing: configuration version %s loaded (%d queues, %d agents)",
                 version, len(self.plans), len(self.agents))  # fmt: skip

    async def refresh(self) -> bool:
        """Reload the queues and agents from the store (``config``) when the configuration
        version key differs from the last load's; returns whether they were reloaded. A store
        that cannot be read, or holds a configuration routing refuses, is logged and routing goes
        on with what it has (the next refresh tries again)."""
        if self.config is None:
            return False
        version = await self.config_version()
        if version == self._version:
            return False
        try:
            await self.load(version)
        except Exception:  # the store is down or holds a bad row: keep the current plans
            log.exception("routing: configuration version %s not loaded from the store", version)
            return False
        return True

    def keys(self, domain: str) -> DomainKeys:
        return DomainKeys(self.settings.redis_prefix, domain)

    def agent_domain(self, agent_id: str) -> str:
        return self.settings.routing.agent_domains.get(agent_id, self.settings.routing.domain)

    def now_ms(self) -> int:
        return int(self.clock() * 1000)

    def queues_of(self, domain: str) -> list[str]:
        return [q for q, p in self.plans.items() if p.domain == domain]

    @property
    def trusted(self) -> bool:
        """Whether the plans and agents held are the configuration's: no store to read, or one
        read at least once (a store never seeded counts: the file's values apply). Before that,
        during a store outage at start, they are only the settings file's, which may predate the
        administration pages' edits."""
        return self.config is None or self._version is not _UNSEEN

    async def setup(self) -> None:
        """Load the scripts, the configuration (``refresh``) and write each domain's queue
        settings (idempotent: also after Redis lost its data); not while the store could not be
        read yet (``trusted``): the router's reload writes them once it can."""
        await scripts.register(self.client)
        await self.refresh()
        if self.trusted:
            await self.write_queue_settings()

    async def write_queue_settings(self) -> None:
        """Each domain's queue settings as the scripts read them (``qconf``)."""
        originate_s = self.settings.ami.originate_timeout_s
        for domain in self.domains:
            conf = {
                q: json.dumps(script_config(self.plans[q], originate_s), separators=(",", ":"))
                for q in self.queues_of(domain)
            }
            if conf:
                await self.client.hset(self.keys(domain).queue_config, mapping=conf)

    def _args(self, domain: str, now_ms: int, arg: str) -> tuple[list[str], list[str]]:
        return scripts.script_args(
            self.keys(domain),
            now_ms,
            self.lease_ms,
            day_id(now_ms, self.tz),
            arg,
            self._publish_args if self.publish_in_script else None,
        )

    async def run(
        self, domain: str, name: str, arg: Any, now_ms: int | None = None
    ) -> dict[str, Any]:
        """Run one script on one domain; ``arg`` is JSON-encoded for it."""
        now = self.now_ms() if now_ms is None else now_ms
        keys, args = self._args(domain, now, json.dumps(arg, separators=(",", ":")))
        raw = await scripts.call(self.client, name, keys, args)
        result = scripts.decode_result(raw)
        result["domain"] = domain
        return result

    async def publish(
        self, results: Iterable[dict[str, Any]], *, ack: tuple[str, str, list[str]] | None = None
    ) -> int:
        """Write the effects of script results (and recovered outbox entries), then remove their
        outbox entries, and ``XACK`` the ``ack`` (stream, group, ids) in the same round trip;
        returns how many messages were written."""
        written, done = await self.write_effects(results)
        pipe = self.client.pipeline(transaction=False)
        if self.add_cleanup(pipe, done, ack):
            await pipe.execute()
        return written

    async def write_effects(
        self, results: Iterable[dict[str, Any]]
    ) -> tuple[int, dict[str, list[str]]]:
        """Append the effects to the event and command streams (one script call per stream, in
        one round trip); returns how many messages were written and the outbox entries they came
        from (domain -> ids), which ``add_cleanup`` removes once they are written."""
        events: list[str] = []
        commands: list[str] = []
        done: dict[str, list[str]] = {}
        handle_s = self.settings.routing.default_handle_s
        for res in results:
            entries = list(res.get("rec") or [])
            if res.get("o"):
                entries.append([res["o"], res["fx"]])
            for outbox_id, data in entries:
                ev, cmd = effects.split(data, handle_s)
                events.extend(ev)
                commands.extend(cmd)
                done.setdefault(res["domain"], []).append(outbox_id)
        # events first: whoever sees a command finds the events that explain it. The routers
        # need none of them: their group is moved past them when it has read everything else
        group = self.settings.routing.consumer_group
        calls = [
            scripts.append_json_call(stream, effects.join(batch), skip)
            for stream, batch, skip in (
                (self.streams.events, events, group),
                (self.streams.commands, commands, ""),
            )
            if batch
        ]
        written = 0
        while calls:
            replies = await self._evalsha_in_order(calls)
            written += sum(len(r) for r in replies if isinstance(r, list))
            failed = [c for c, r in zip(calls, replies, strict=True) if isinstance(r, Exception)]
            for reply in replies:
                if isinstance(reply, Exception) and not isinstance(reply, NoScriptError):
                    raise reply
            if failed:  # the server lost its scripts (restart, SCRIPT FLUSH): load, retry those
                await scripts.register(self.client)
            calls = failed
        return written, done

    def add_cleanup(
        self, pipe: Any, done: dict[str, list[str]], ack: tuple[str, str, list[str]] | None
    ) -> bool:
        """Queue on ``pipe`` the removal of written outbox entries and the ``XACK`` of handled
        stream entries; returns whether anything was queued."""
        for domain, ids in done.items():
            keys = self.keys(domain)
            pipe.zrem(keys.outbox, *ids)
            pipe.hdel(keys.outbox_data, *ids)
        if ack and ack[2]:
            pipe.xack(*ack[:2], *ack[2])
        return bool(done) or bool(ack and ack[2])

    @property
    def is_cluster(self) -> bool:
        return hasattr(self.client, "get_node_from_key")

    async def _evalsha_in_order(self, calls: list[tuple[Any, ...]]) -> list[Any]:
        """One round trip on a single server; a cluster client cannot pipeline EVALSHA, so one
        call after the other there. Errors are returned, not raised."""
        if not self.is_cluster:
            pipe = self.client.pipeline(transaction=False)
            for call in calls:
                pipe.evalsha(*call)
            return list(await pipe.execute(raise_on_error=False))
        replies: list[Any] = []
        for call in calls:
            try:
                replies.append(await self.client.evalsha(*call))
            except ResponseError as exc:
                replies.append(exc)
        return replies

    async def read_stats(self, now_ms: int | None = None) -> list[QueueStats]:
        """Every queue's live statistics: one script call per domain."""
        now = self.now_ms() if now_ms is None else now_ms
        out: list[QueueStats] = []
        for domain in self.domains:
            queue_ids = self.queues_of(domain)
            if not queue_ids:
                continue
            raw = await self.run(domain, "stats", queue_ids, now)
            for q in queue_ids:
                plan = self.plans[q]
                out.append(
                    QueueStats.from_raw(
                        q,
                        raw.get(q) or {},
                        now,
                        plan.abandon_counts_against_sl,
                        self.settings.routing.default_handle_s,
                    )
                )
        return out
