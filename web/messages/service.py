"""Messages from a supervisor to an agent or a team: who receives one (pure), keeping each until
its agent acknowledges it (a Redis hash per agent, ``kernel.keys.agent_messages``), and the
events that record both (``agent.message``, ``agent.message_acknowledged``: the event log is the
audit, the live feed carries them to the desk)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import redis.asyncio as aioredis

from kernel.events import DomainEvent, make_event_id
from kernel.keys import StreamNames, agent_messages
from kernel.messages import N_, FieldValueError
from kernel.settings import AgentConfig

MAX_KEPT = 50  # unacknowledged messages kept per agent (the oldest go first)


class MessageError(FieldValueError):
    """A message nobody can receive (unknown agent or team); ``field`` names the input."""


@dataclass(frozen=True, slots=True)
class Message:
    message_id: str
    text: str
    from_user: str
    sent_at: datetime
    team: str | None = None  # sent to the whole team


def recipients(agents: Iterable[AgentConfig], agent_id: str | None, team: str | None) -> list[str]:
    """Pure: the agent ids a message to ``agent_id`` or to ``team`` (exactly one) reaches."""
    if (agent_id is None) == (team is None):
        raise MessageError("agent_id", N_("give an agent_id or a team, not both"))
    agents = list(agents)
    if agent_id is not None:
        if agent_id not in {a.id for a in agents}:
            raise MessageError("agent_id", N_("no agent %(agent_id)s"), {"agent_id": agent_id})
        return [agent_id]
    members = sorted(a.id for a in agents if a.team == team)
    if not members:
        raise MessageError("team", N_("no agent in team %(team)s"), {"team": team})
    return members


async def send(
    redis: aioredis.Redis,
    prefix: str,
    to: list[str],
    *,
    text: str,
    from_user: str,
    team: str | None,
    now: datetime,
) -> Message:
    """Keep the message for each recipient, then publish one ``agent.message`` per recipient."""
    msg = Message(uuid.uuid4().hex, text, from_user, now, team)
    data = json.dumps({**asdict(msg), "sent_at": now.isoformat()})
    pipe = redis.pipeline(transaction=False)
    for agent_id in to:
        pipe.hset(agent_messages(prefix, agent_id), msg.message_id, data)
    for agent_id in to:
        ev = DomainEvent(
            id=make_event_id("message", msg.message_id, agent_id),
            ts=now,
            type="agent.message",
            agent_id=agent_id,
            payload={
                "message_id": msg.message_id,
                "text": text,
                "from_user": from_user,
                "team": team,
            },
        )
        pipe.xadd(StreamNames(prefix).events, dict(ev.to_fields().items()))
    await pipe.execute()
    for agent_id in to:
        await _trim(redis, agent_messages(prefix, agent_id))
    return msg


async def _trim(redis: aioredis.Redis, key: str) -> None:
    kept = await redis.hgetall(key)
    if len(kept) <= MAX_KEPT:
        return
    by_age = sorted(kept, key=lambda k: json.loads(kept[k])["sent_at"])
    await redis.hdel(key, *by_age[: len(kept) - MAX_KEPT])


async def pending(redis: aioredis.Redis, prefix: str, agent_id: str) -> list[dict[str, Any]]:
    """The agent's unacknowledged messages, oldest first."""
    kept = await redis.hgetall(agent_messages(prefix, agent_id))
    return sorted((json.loads(v) for v in kept.values()), key=lambda m: m["sent_at"])


async def acknowledge(
    redis: aioredis.Redis, prefix: str, agent_id: str, message_id: str, now: datetime
) -> bool:
    """Drop the message from the agent's desk and record it; False when it was not there."""
    if not await redis.hdel(agent_messages(prefix, agent_id), message_id):
        return False
    ev = DomainEvent(
        id=make_event_id("message", message_id, agent_id, "ack"),
        ts=now,
        type="agent.message_acknowledged",
        agent_id=agent_id,
        payload={"message_id": message_id},
    )
    await redis.xadd(StreamNames(prefix).events, dict(ev.to_fields().items()))
    return True
