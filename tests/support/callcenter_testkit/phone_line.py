"""Test helper: the telephony side of a call as the bridge reports it, for page tests that need
calls without a PBX. It reads ``cc:commands`` like the bridge's executor and publishes the events
the bridge would publish for a phone that does what it is asked (hold, resume, hang up, spy), and
lets the test decide when the agent's phone answers (``answer``). Test-only: production pages
talk to the real bridge through the same streams.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from datetime import UTC, datetime
from typing import Any

import redis.asyncio as aioredis

from kernel.commands import Command
from kernel.events import DomainEvent, make_event_id
from kernel.keys import DomainKeys, StreamNames

FOLLOWS = {"hold": "call.held", "unhold": "call.resumed", "hangup": "call.ended"}


class PhoneLine:
    def __init__(self, redis: aioredis.Redis, streams: StreamNames) -> None:
        self.redis = redis
        self.streams = streams
        self.commands: list[Command] = []
        self.agents: dict[str, str] = {}  # call id -> agent id (from connect)
        self._task: asyncio.Task[None] | None = None

    async def publish(
        self, type_: str, call_id: str | None, agent_id: str | None = None, **payload: Any
    ) -> DomainEvent:
        ev = DomainEvent(
            id=make_event_id(call_id or agent_id, type_, uuid.uuid4().hex),
            ts=datetime.now(UTC),
            type=type_,
            call_id=call_id,
            agent_id=agent_id,
            payload=payload,
        )
        await self.redis.xadd(self.streams.events, ev.to_fields())
        return ev

    async def arrive(
        self,
        call_id: str,
        queue: str,
        *,
        caller: str,
        customer_id: str | None = None,
        tier: str = "ordinary",
    ) -> None:
        await self.publish(
            "call.arrived",
            call_id,
            direction="inbound",
            caller=caller,
            dialled="5000",
            queue=queue,
            customer_id=customer_id,
            tier=tier,
        )

    async def answer(self, call_id: str) -> None:
        await self.publish("call.answered", call_id, self.agents.get(call_id))

    async def _run(self) -> None:
        newest = await self.redis.xrevrange(self.streams.commands, count=1)
        last = newest[0][0] if newest else "0-0"
        while True:
            resp = await self.redis.xread({self.streams.commands: last}, block=500)
            for _, entries in resp or []:
                for entry_id, fields in entries:
                    last = entry_id
                    cmd = Command.from_fields(fields)
                    self.commands.append(cmd)
                    call_id = cmd.args.get("call_id")
                    if cmd.kind in ("connect", "originate"):
                        self.agents[call_id] = cmd.args["agent_id"]
                    await self.publish(
                        "command.succeeded",
                        call_id,
                        cmd.args.get("agent_id"),
                        command_id=cmd.id,
                        kind=cmd.kind,
                    )
                    if cmd.kind in FOLLOWS:
                        extra = {"by": "agent"} if cmd.kind == "hangup" else {}
                        await self.publish(
                            FOLLOWS[cmd.kind], call_id, self.agents.get(call_id), **extra
                        )

    async def __aenter__(self) -> PhoneLine:
        self._task = asyncio.create_task(self._run())
        await asyncio.sleep(0.05)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    async def connected_agent(self, call_id: str, timeout_s: float = 10) -> str:
        """The agent the router connects ``call_id`` to (its ``connect`` command)."""
        async with asyncio.timeout(timeout_s):
            while True:
                for c in self.commands:
                    if c.kind == "connect" and c.args.get("call_id") == call_id:
                        return str(c.args["agent_id"])
                await asyncio.sleep(0.05)

    async def routed_state(self, keys: DomainKeys, call_id: str, state: str) -> None:
        """Wait until the router holds ``call_id`` in ``state`` (``waiting``, ``ended`` ...)."""
        async with asyncio.timeout(10):
            while await self.redis.hget(keys.call(call_id), "state") != state:  # noqa: ASYNC110
                await asyncio.sleep(0.05)

    async def wait_command(self, kind: str, timeout_s: float = 10) -> Command:
        async with asyncio.timeout(timeout_s):
            while True:
                for c in self.commands:
                    if c.kind == kind:
                        return c
                await asyncio.sleep(0.05)
