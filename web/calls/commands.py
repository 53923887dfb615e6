"""Call control from the web: commands for telephony on ``cc:commands``.

Hold, resume, blind transfer, hang up and supervisor listen/whisper/barge are telephony commands
(``kernel.commands``); the bridge carries them out and reports ``command.succeeded`` /
``command.failed`` on the event stream with the same command id, which the pages show.
"""

from __future__ import annotations

import uuid
from typing import Any

import redis.asyncio as aioredis
from redis.typing import EncodableT, FieldT

from kernel.commands import COMMAND_KINDS, Command
from kernel.keys import StreamNames
from kernel.settings import Settings
from web.errors import UnavailableError
from web.i18n.catalog import N_


def new_command_id() -> str:
    return f"web-{uuid.uuid4().hex}"


async def send_command(redis: aioredis.Redis, streams: StreamNames, kind: str, **args: Any) -> str:
    """Validate and write one command; returns its id."""
    if kind not in COMMAND_KINDS:
        raise UnavailableError(
            N_("telephony has no %(kind)r command in this build"),
            field="kind",
            params={"kind": kind},
        )
    command = Command(new_command_id(), kind, args)
    fields: dict[FieldT, EncodableT] = dict(command.to_fields().items())
    await redis.xadd(streams.commands, fields)
    return command.id


def ring_timeout_s(settings: Settings, queue_id: str | None) -> int | None:
    """How long a transfer or a consultation rings an agent: the call's queue's ring timeout,
    like the router's offers (None for a call of no queue: the dialplan's)."""
    for q in settings.queues:
        if q.id == queue_id:
            return q.ring_timeout_s
    return None
