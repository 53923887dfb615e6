"""Warm transfer and conference from the desk: the agent consults another agent (named, or the
one a queue would offer its next call to) or an outside number while the customer holds, then completes the transfer, goes back to the customer, or
joins all three (Asterisk's attended transfer, ``telephony.actions``). An agent acts on their own
current call only; a number passes ``web.calls.numbers.outside_number``. The outcome comes back
as ``command.succeeded`` / ``command.failed`` and, once Asterisk has done it, as
``call.consult_started`` / ``call.consult_ended`` / ``call.conferenced`` / ``call.transferred``."""

from __future__ import annotations

import time
from typing import Literal

from pydantic import Field

from queueing.matching import ReadyAgent, WaitingCall, best_agent
from web.calls.commands import ring_timeout_s, send_command
from web.calls.http import known_target, own_call
from web.calls.numbers import outside_number
from web.calls.schemas import CommandOut
from web.endpoints import ApiCall, Endpoints
from web.errors import ConflictError
from web.i18n.catalog import N_
from web.keys import SERVICES
from web.roles import AGENT
from web.schemas import Input

api = Endpoints(tag="calls")


class ConsultBody(Input):
    target_kind: Literal["agent", "queue", "number"]
    target: str = Field(
        min_length=1, max_length=40, description="an agent id, a queue id or a phone number"
    )


async def queue_agent(call: ApiCall, queue_id: str, me: str) -> str:
    """The agent a consultation of a queue calls: the one the router would offer that queue's
    next call to now (``queueing.matching.best_agent`` over the ready agents), never ``me``."""
    services = call.request.app[SERVICES]
    await known_target(call, "queue", queue_id, me)
    plan = services.routing.plans[queue_id]
    skills = {a.id: a.skills for a in services.routing.agents.values()}
    now_ms = int(time.time() * 1000)
    ready = [
        ReadyAgent(r["agent_id"], skills.get(r["agent_id"], {}), r["since_ms"] or now_ms)
        for r in await services.live_state.agents()
        if r["state"] == "ready" and r["agent_id"] != me
    ]
    choice = best_agent(WaitingCall("consult", queue_id, 0, now_ms), ready, plan, now_ms)
    if choice is None:
        raise ConflictError(
            N_("no agent of queue %(queue_id)s is ready"),
            field="target",
            params={"queue_id": queue_id},
        )
    return choice.agent_id


async def _send(call: ApiCall, kind: str, **args: object) -> CommandOut:
    return CommandOut(command_id=await send_command(call.rt.redis, call.rt.streams, kind, **args))


@api.op(
    "POST",
    "/api/calls/{call_id}/consult",
    roles=AGENT,
    summary="Consult an agent or an outside number while the customer holds",
    body=ConsultBody,
    response=CommandOut,
)
async def call_consult(call: ApiCall) -> CommandOut:
    agent_id, call_id = await own_call(call)
    body: ConsultBody = call.body
    s = call.rt.settings
    if body.target_kind == "agent":
        await known_target(call, "agent", body.target, agent_id)
        target = f"agent:{body.target}"
    elif body.target_kind == "queue":
        target = f"agent:{await queue_agent(call, body.target, agent_id)}"
    else:
        number = outside_number(s, call.user.role, body.target, "target")
        target = f"number:{number.lstrip('+')}"  # Atxfer keys the target as DTMF: digits only
    live = await call.request.app[SERVICES].live_state.agent(agent_id)
    return await _send(
        call,
        "consult",
        call_id=call_id,
        target=target,
        ring_timeout_s=ring_timeout_s(s, live.get("queue")),
    )


def _simple(kind: str, path: str, summary: str) -> None:
    async def handler(call: ApiCall) -> CommandOut:
        _, call_id = await own_call(call)
        return await _send(call, kind, call_id=call_id)

    handler.__name__ = f"call_{kind}"
    api.op("POST", path, roles=AGENT, summary=summary, response=CommandOut)(handler)


_simple(
    "consult_complete",
    "/api/calls/{call_id}/consult/complete",
    "Complete the warm transfer: the customer stays with the consulted party",
)
_simple(
    "consult_back",
    "/api/calls/{call_id}/consult/back",
    "End the consultation and go back to the customer",
)
_simple(
    "conference",
    "/api/calls/{call_id}/conference",
    "Join the customer, the consulted party and the agent in one call",
)
