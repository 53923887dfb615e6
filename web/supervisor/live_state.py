"""Reading the router's live state for the pages: queue figures, agents, an agent's own call.

All of it comes from ``queueing`` (``Routing.read_stats``, the agent and call hashes documented in
``kernel/keys.py``); this module only shapes it for the API and keeps one cached copy of the
queue figures per web worker so a wallboard of 50 queues costs one script call per domain per
second, whatever the number of screens.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

from kernel.settings import Settings
from queueing.routing import Routing
from queueing.stats import QueueStats
from reports.definitions import pct_or_none
from web.supervisor.wallboard import QueueTarget, queue_alerts


def _period(p: Any) -> dict[str, Any]:
    if p is None:
        return {
            "offered": 0,
            "answered": 0,
            "abandoned": 0,
            "answered_in_sl": 0,
            "abandons_against_sl": 0,
            "service_level_pct": None,
            "asa_s": None,
            "handle_s": None,
        }
    return {
        "offered": p.offered,
        "answered": p.answered,
        "abandoned": p.abandoned,
        "answered_in_sl": p.answered_in_sl,
        "abandons_against_sl": p.abandons_against_sl,
        "service_level_pct": p.service_level_pct,
        "asa_s": p.asa_s,
        "handle_s": p.handle_s,
    }


def queue_figures(stats: QueueStats, settings: Settings) -> dict[str, Any]:
    conf = next((q for q in settings.queues if q.id == stats.queue_id), None)
    target = QueueTarget(
        sl_target_pct=conf.sl_target_pct if conf else 80.0,
        sl_target_s=conf.sl_target_s if conf else 20,
    )
    day = _period(stats.day)
    m30 = _period(stats.last_30m)
    return {
        "queue_id": stats.queue_id,
        "name": (conf.name if conf else None) or stats.queue_id,
        "waiting": stats.waiting,
        "longest_wait_s": round(stats.longest_wait_s, 1),
        "expected_wait_s": stats.expected_wait_s,
        "agents": dict(stats.agents),
        "sl_target_pct": target.sl_target_pct,
        "sl_target_s": target.sl_target_s,
        "day": day,
        "last_15m": _period(stats.last_15m),
        "last_30m": m30,
        "abandon_rate_pct": pct_or_none(day["abandoned"], day["offered"]),
        "alerts": queue_alerts(
            waiting=stats.waiting,
            longest_wait_s=stats.longest_wait_s,
            sl_30m_pct=m30["service_level_pct"] if m30["offered"] else None,
            agents=dict(stats.agents),
            target=target,
        ),
    }


@dataclass
class _Cached:
    at: float
    value: list[dict[str, Any]]


class LiveState:
    def __init__(self, routing: Routing, *, max_age_s: float = 0.5) -> None:
        self.routing = routing
        self.max_age_s = max_age_s
        self._queues: _Cached | None = None
        self._lock = asyncio.Lock()

    @property
    def settings(self) -> Settings:
        return self.routing.settings

    async def queues(self) -> list[dict[str, Any]]:
        """Every queue's figures; at most one read per ``max_age_s`` however many ask."""
        async with self._lock:
            now = time.monotonic()
            if self._queues is None or now - self._queues.at > self.max_age_s:
                await self.routing.refresh()  # queues changed on the administration pages
                stats = await self.routing.read_stats()
                self._queues = _Cached(now, [queue_figures(s, self.settings) for s in stats])
            return self._queues.value

    async def agents(self) -> list[dict[str, Any]]:
        """Every logged-in agent's live hash (one pipeline per domain), sorted by agent id."""
        names = {a.id: a for a in self.settings.agents}
        out: list[dict[str, Any]] = []
        for domain in self.routing.domains:
            keys = self.routing.keys(domain)
            ids = sorted(await self.routing.client.smembers(keys.agents))
            if not ids:
                continue
            pipe = self.routing.client.pipeline(transaction=False)
            for agent_id in ids:
                pipe.hmget(keys.agent(agent_id), "state", "reason", "since", "call", "queue")
            rows = await pipe.execute()
            for agent_id, (state, reason, since, call, queue) in zip(ids, rows, strict=True):
                conf = names.get(agent_id)
                out.append(
                    {
                        "agent_id": agent_id,
                        "name": (conf.name if conf else None) or agent_id,
                        "team": conf.team if conf else None,
                        "state": state or "logged_out",
                        "reason": reason or None,
                        "since_ms": int(float(since)) if since else None,
                        "call_id": call or None,
                        "queue_id": queue or None,
                    }
                )
        out.sort(key=lambda r: r["agent_id"])
        return out

    async def agent(self, agent_id: str) -> dict[str, str]:
        key = self.routing.keys(self.routing.agent_domain(agent_id)).agent(agent_id)
        data: dict[str, str] = await self.routing.client.hgetall(key)
        return data

    async def call(self, agent_id: str, call_id: str) -> dict[str, str]:
        """The router's hash of a call, looked up in the agent's domain."""
        key = self.routing.keys(self.routing.agent_domain(agent_id)).call(call_id)
        data: dict[str, str] = await self.routing.client.hgetall(key)
        return data

    async def call_anywhere(self, call_id: str) -> dict[str, str]:
        for domain in self.routing.domains:
            data: dict[str, str] = await self.routing.client.hgetall(
                self.routing.keys(domain).call(call_id)
            )
            if data:
                return data
        return {}
