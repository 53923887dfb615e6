"""The wallboard's waiting list and the supervisor's actions on a waiting caller: route to a chosen
agent, move to another queue (calling back instead is ``POST /api/calls/{call_id}/callback-in-queue``).
The router does each change in one script (``queueing/action.lua``), so none races its matching."""

from __future__ import annotations

import time

from customers.masking import mask_phone
from queueing.waiting import waiting_calls
from web.endpoints import ApiCall, Endpoints
from web.errors import invalid
from web.keys import SERVICES
from web.roles import SUPERVISOR
from web.supervisor.schemas import (
    MoveCallBody,
    MoveCallOut,
    RouteToAgentBody,
    RouteToAgentOut,
    WaitingOut,
    WaitingQuery,
    WaitingRow,
)

api = Endpoints(tag="wallboard")


@api.op(
    "GET",
    "/api/wallboard/waiting",
    roles=SUPERVISOR,
    summary="Read the callers waiting in each queue, in the router's order",
    query=WaitingQuery,
    response=WaitingOut,
)
async def wallboard_waiting(call: ApiCall) -> WaitingOut:
    q: WaitingQuery = call.query
    if q.queue and q.queue not in {x.id for x in call.rt.settings.queues}:
        raise invalid("queue", "no such queue", "query")
    rows = await waiting_calls(call.request.app[SERVICES].routing, [q.queue] if q.queue else None)
    return WaitingOut(
        server_ms=int(time.time() * 1000),
        calls=[
            WaitingRow(
                call_id=r.call_id,
                queue_id=r.queue_id,
                position=r.position,
                state="offered" if r.state == "offered" else "waiting",
                arrived_ms=r.arrived_ms,
                tier=r.tier,
                caller=mask_phone(r.caller) if r.caller else None,
                callback=r.callback,
                agent_id=r.agent_id,
            )
            for r in rows
        ],
    )


@api.op(
    "POST",
    "/api/calls/{call_id}/route-to-agent",
    roles=SUPERVISOR,
    summary="Offer a waiting call to a chosen ready agent who serves its queue",
    tag="supervisor",
    body=RouteToAgentBody,
    response=RouteToAgentOut,
)
async def route_to_agent(call: ApiCall) -> RouteToAgentOut:
    call_id, agent_id = call.path["call_id"], call.body.agent_id
    queue_id = await call.request.app[SERVICES].actions.route_to_agent(call_id, agent_id)
    return RouteToAgentOut(call_id=call_id, agent_id=agent_id, queue_id=queue_id)


@api.op(
    "POST",
    "/api/calls/{call_id}/move",
    roles=SUPERVISOR,
    summary="Move a waiting call to another queue, keeping its arrival",
    tag="supervisor",
    body=MoveCallBody,
    response=MoveCallOut,
)
async def move_call(call: ApiCall) -> MoveCallOut:
    call_id, queue_id = call.path["call_id"], call.body.queue_id
    moved_to = await call.request.app[SERVICES].actions.move_call(call_id, queue_id)
    return MoveCallOut(call_id=call_id, queue_id=moved_to)
