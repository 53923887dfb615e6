"""The calls the router holds live, read (never written) for the bridge's reconcile at a login.

A call is live for the router while it waits or is offered in a queue (``:inq:<queue>``) or
while an agent is offered it or on it (the agent hash's ``call``); its hash (``kernel/keys.py``)
says which. Outbound work (``number`` set: a callback's dial) has no channel until its customer
is on the line (``live``): before that it is left out, the reconcile ends only calls whose
channel Asterisk should have. The router changes its
state only through its scripts: the reconcile publishes ``call.ended`` / ``call.abandoned`` and
the router handles them like any other (``events.lua`` ``gone``).
"""

from __future__ import annotations

from dataclasses import dataclass

from queueing.routing import Routing

LIVE_STATES = ("waiting", "offered", "connected")
_FIELDS = ("state", "queue", "agent", "arrived", "number", "live")


@dataclass(frozen=True, slots=True)
class RoutedCall:
    call_id: str
    state: str  # waiting | offered | connected
    queue: str | None
    agent_id: str | None  # offered to / talking to
    arrived_ms: int | None


async def routed_calls(routing: Routing) -> list[RoutedCall]:
    """Every live call of every domain: three pipelined reads per domain."""
    client = routing.client
    out: list[RoutedCall] = []
    for domain in routing.domains:
        keys = routing.keys(domain)
        queues = routing.queues_of(domain)
        pipe = client.pipeline(transaction=False)
        for queue in queues:
            pipe.zrange(keys.in_queue(queue), 0, -1)
        pipe.smembers(keys.agents)
        replies = await pipe.execute()
        call_ids: set[str] = set()
        for members in replies[: len(queues)]:
            call_ids.update(members)
        agents = sorted(replies[-1])
        if agents:
            pipe = client.pipeline(transaction=False)
            for agent_id in agents:
                pipe.hmget(keys.agent(agent_id), "state", "call")
            for state, call in await pipe.execute():
                if state in ("offered", "on_call") and call:
                    call_ids.add(call)
        if not call_ids:
            continue
        ordered = sorted(call_ids)
        pipe = client.pipeline(transaction=False)
        for call_id in ordered:
            pipe.hmget(keys.call(call_id), *_FIELDS)
        for call_id, (state, queue, agent, arrived, number, live) in zip(
            ordered, await pipe.execute(), strict=True
        ):
            if state not in LIVE_STATES or (number and live != "1"):
                continue
            out.append(
                RoutedCall(
                    call_id=call_id,
                    state=state,
                    queue=queue or None,
                    agent_id=agent or None,
                    arrived_ms=int(float(arrived)) if arrived else None,
                )
            )
    return out
