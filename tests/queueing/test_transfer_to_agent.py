"""The router after a transfer to an agent (blind or attended): the call is the target's, the
transferring agent wraps up, and when the call ends the target wraps up (nobody stays on a call
that is gone)."""

from __future__ import annotations

from typing import Any

from callcenter_testkit.queueing_helpers import (
    Clock,
    emit,
    eventually,
    make_settings,
    routing_for,
    running,
)

from kernel.keys import DomainKeys
from queueing.service import Router

QUEUES = [{"id": "general", "skills": {"general": 1}, "wrap_up_s": 30, "ring_timeout_s": 20}]


async def test_attended_transfer_moves_the_call_to_the_target_agent(
    redis: Any, prefix: str, clock: Clock
) -> None:
    routing, actions = routing_for(redis, make_settings(prefix, QUEUES), clock)
    router = Router(routing, block_ms=20)
    keys = DomainKeys(prefix, "default")

    async def state(agent_id: str) -> tuple[str | None, str | None]:
        return tuple(await redis.hmget(keys.agent(agent_id), "state", "call"))  # type: ignore[return-value]

    async with running(router):
        await actions.login("a1", {"general": 1}, ready=True)
        await emit(
            redis, prefix, "call.arrived", call_id="c1", at=clock.t, payload={"queue": "general"}
        )
        await emit(redis, prefix, "call.answered", call_id="c1", agent_id="a1", at=clock.t + 1)
        await actions.login("a2", {"general": 1}, ready=False)

        async def a1_on_call() -> bool:
            return await state("a1") == ("on_call", "c1")

        await eventually(a1_on_call)
        await emit(
            redis,
            prefix,
            "call.transferred",
            call_id="c1",
            agent_id="a2",
            at=clock.t + 30,
            payload={"kind": "attended", "from_agent_id": "a1", "target": "agent:a2"},
        )

        async def moved() -> bool:
            return await state("a2") == ("on_call", "c1") and (await state("a1"))[0] == "wrap_up"

        await eventually(moved)
        assert await redis.hget(keys.call("c1"), "agent") == "a2"

        await emit(
            redis, prefix, "call.ended", call_id="c1", at=clock.t + 90, payload={"who": "customer"}
        )

        async def target_wraps_up() -> bool:
            return (await state("a2"))[0] == "wrap_up"

        await eventually(target_wraps_up)
