"""The agent's in-call controls beyond hold, transfer and hang-up: mute and the keypad.

Mute and keypad are telephony commands like the others (``telephony.call_controls`` says which
AMI actions carry them); they act on the call's Asterisk channels, so they work the same for a
desk phone and for the browser phone. The keypad's digits go in the command only: never in a
URL, an event or a log line.
"""

from __future__ import annotations

from web.calls.commands import send_command
from web.calls.http import own_call
from web.calls.schemas import CommandOut, DtmfBody, MuteBody
from web.endpoints import ApiCall, Endpoints
from web.roles import AGENT

api = Endpoints(tag="calls")


async def _on_own_call(call: ApiCall, kind: str, **args: object) -> CommandOut:
    """The command for the signed-in agent's own call (403 for anyone else's)."""
    agent_id, call_id = await own_call(call)
    rt = call.rt
    cid = await send_command(rt.redis, rt.streams, kind, call_id=call_id, agent_id=agent_id, **args)
    return CommandOut(command_id=cid)


@api.op(
    "POST",
    "/api/calls/{call_id}/mute",
    roles=AGENT,
    summary="Mute or unmute the agent on the call",
    body=MuteBody,
    response=CommandOut,
)
async def call_mute(call: ApiCall) -> CommandOut:
    body: MuteBody = call.body
    return await _on_own_call(call, "mute", muted=body.muted)


@api.op(
    "POST",
    "/api/calls/{call_id}/dtmf",
    roles=AGENT,
    summary="Send keypad tones to the customer's side of the call",
    body=DtmfBody,
    response=CommandOut,
)
async def call_dtmf(call: ApiCall) -> CommandOut:
    body: DtmfBody = call.body
    return await _on_own_call(call, "dtmf", digits=body.digits)
