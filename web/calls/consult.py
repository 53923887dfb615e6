"""Warm transfer and conference from the desk: the agent consults another agent or an outside
number while the customer holds, then completes the transfer, goes back to the customer, or
joins all three (Asterisk's attended transfer, ``telephony.actions``). An agent acts on their own
current call only; a number passes ``web.calls.numbers.outside_number``. The outcome comes back
as ``command.succeeded`` / ``command.failed`` and, once Asterisk has done it, as
``call.consult_started`` / ``call.consult_ended`` / ``call.conferenced`` / ``call.transferred``."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from web.calls.commands import ring_timeout_s, send_command
from web.calls.http import own_call
from web.calls.numbers import outside_number
from web.calls.schemas import CommandOut
from web.endpoints import ApiCall, Endpoints
from web.errors import ValidationError
from web.keys import SERVICES
from web.roles import AGENT
from web.schemas import Input

api = Endpoints(tag="calls")


class ConsultBody(Input):
    target_kind: Literal["agent", "number"]
    target: str = Field(min_length=1, max_length=40, description="an agent id or a phone number")


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
        if body.target not in {a.id for a in s.agents} or body.target == agent_id:
            raise ValidationError([{"field": "target", "in": "body", "message": "no such agent"}])
        target = f"agent:{body.target}"
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
