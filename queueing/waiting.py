"""The callers waiting in each queue, in the router's order, read (never written) for the
wallboard's waiting list.

A queue's calls are its ``:inq:<queue>`` set (waiting or being offered); each call's hash
(``kernel/keys.py``) gives its state, tier, caller and whether it is a callback's dial (``origin``
set: the caller asked to be called back and this dial holds their place). Positions follow the
router's order (``rules.waiting_score``: priority, then arrival), the order in which matching
takes them.
"""

from __future__ import annotations

from dataclasses import dataclass

from queueing.routing import Routing

_FIELDS = ("state", "score", "tier", "caller", "number", "origin", "customer", "agent")


@dataclass(frozen=True, slots=True)
class WaitingCall:
    call_id: str
    queue_id: str
    position: int  # 1 = the next call the router offers
    state: str  # waiting | offered
    arrived_ms: int
    tier: str | None
    caller: str | None  # the caller's number (E.164) as it arrived, unmasked
    callback: bool  # the caller asked to be called back: this is the dial holding their place
    customer_id: str | None
    agent_id: str | None  # offered to


def in_order(calls: list[tuple[str, str, int, dict[str, str | None]]]) -> list[WaitingCall]:
    """Pure: (call id, queue, arrived ms, hash fields) of one queue's calls -> its waiting list,
    in the router's order (wait-set score, then call id as Redis breaks ties)."""
    ranked = sorted(calls, key=lambda c: (float(c[3].get("score") or 0), c[0]))
    out: list[WaitingCall] = []
    for pos, (call_id, queue_id, arrived_ms, h) in enumerate(ranked, start=1):
        out.append(
            WaitingCall(
                call_id=call_id,
                queue_id=queue_id,
                position=pos,
                state=str(h.get("state") or "waiting"),
                arrived_ms=arrived_ms,
                tier=h.get("tier") or None,
                caller=h.get("number") or h.get("caller") or None,
                callback=bool(h.get("origin")),
                customer_id=h.get("customer") or None,
                agent_id=h.get("agent") or None,
            )
        )
    return out


async def waiting_calls(routing: Routing, queue_ids: list[str] | None = None) -> list[WaitingCall]:
    """The waiting list of each queue (all when ``queue_ids`` is None): two pipelined reads per
    domain."""
    client = routing.client
    out: list[WaitingCall] = []
    for domain in routing.domains:
        keys = routing.keys(domain)
        queues = [q for q in routing.queues_of(domain) if queue_ids is None or q in queue_ids]
        if not queues:
            continue
        pipe = client.pipeline(transaction=False)
        for queue in queues:
            pipe.zrange(keys.in_queue(queue), 0, -1, withscores=True)
        members = [
            (queue, call_id, int(score))
            for queue, rows in zip(queues, await pipe.execute(), strict=True)
            for call_id, score in rows
        ]
        if not members:
            continue
        pipe = client.pipeline(transaction=False)
        for _, call_id, _ in members:
            pipe.hmget(keys.call(call_id), *_FIELDS)
        by_queue: dict[str, list[tuple[str, str, int, dict[str, str | None]]]] = {}
        for (queue, call_id, arrived), values in zip(members, await pipe.execute(), strict=True):
            h = dict(zip(_FIELDS, values, strict=True))
            if h["state"] not in ("waiting", "offered"):
                continue
            by_queue.setdefault(queue, []).append((call_id, queue, arrived, h))
        for queue in queues:
            out.extend(in_order(by_queue.get(queue, [])))
    return out
