"""A supervisor sends a message to an agent or a team; the agent reads the ones not acknowledged
yet on the desk and acknowledges each (``web.messages.service``)."""

from __future__ import annotations

from datetime import UTC, datetime

from web.endpoints import ApiCall, Endpoints
from web.errors import NotFoundError, invalid_because
from web.i18n.catalog import N_
from web.messages.schemas import MessageBody, MessageOut, MessagesOut, SentOut
from web.messages.service import MessageError, acknowledge, pending, recipients, send
from web.roles import AGENT, SUPERVISOR

api = Endpoints(tag="messages")


@api.op(
    "POST",
    "/api/messages",
    roles=SUPERVISOR,
    summary="Send a message to an agent or a team, shown on their desks",
    body=MessageBody,
    response=SentOut,
    status=201,
)
async def send_message(call: ApiCall) -> SentOut:
    body: MessageBody = call.body
    try:
        to = recipients(call.rt.settings.agents, body.agent_id, body.team)
    except MessageError as exc:
        raise invalid_because(exc.field, exc) from None
    msg = await send(
        call.rt.redis,
        call.rt.settings.redis_prefix,
        to,
        text=body.text,
        from_user=call.user.username,
        team=body.team,
        now=datetime.now(UTC),
    )
    return SentOut(message_id=msg.message_id, agent_ids=to)


@api.op(
    "GET",
    "/api/agent/messages",
    roles=AGENT,
    summary="Read my messages not acknowledged yet",
    response=MessagesOut,
)
async def my_messages(call: ApiCall) -> MessagesOut:
    rows = await pending(call.rt.redis, call.rt.settings.redis_prefix, call.own_agent())
    return MessagesOut(messages=[MessageOut(**r) for r in rows])


@api.op(
    "POST",
    "/api/agent/messages/{message_id}/ack",
    roles=AGENT,
    summary="Acknowledge a message (it leaves my desk)",
    response=MessagesOut,
)
async def acknowledge_message(call: ApiCall) -> MessagesOut:
    agent_id, message_id = call.own_agent(), call.path["message_id"]
    prefix = call.rt.settings.redis_prefix
    if not await acknowledge(call.rt.redis, prefix, agent_id, message_id, datetime.now(UTC)):
        raise NotFoundError(
            N_("no message %(message_id)s for agent %(agent_id)s"),
            field="message_id",
            params={"message_id": message_id, "agent_id": agent_id},
        )
    rows = await pending(call.rt.redis, prefix, agent_id)
    return MessagesOut(messages=[MessageOut(**r) for r in rows])
