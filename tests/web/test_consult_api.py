"""``POST /api/calls/{call_id}/consult`` and its companions: an agent's own call only, a target
that exists and is not the agent, a number that is one; the command on ``cc:commands``."""

from __future__ import annotations

import aiohttp
import pytest
from callcenter_testkit.webtools import Login, Server, web_settings

from kernel.commands import Command
from kernel.keys import StreamNames
from kernel.settings import Settings
from web.keys import RUNTIME, SERVICES


@pytest.fixture
def settings(prefix: str) -> Settings:
    """Agents may call Chinese numbers only (``[dialling] allowed_prefixes``)."""
    return web_settings(prefix, dialling={"allowed_prefixes": {"agent": ["+86"]}})


async def alice_on_a_call(
    login: Login, server: Server, call_id: str = "c1"
) -> aiohttp.ClientSession:
    alice = await login("alice")
    async with alice.post("/api/agent/login") as r:
        assert r.status == 200
    routing = server.app[SERVICES].routing  # the router's hash says whose call it is
    key = routing.keys(routing.agent_domain("a1")).agent("a1")
    await routing.client.hset(
        key, mapping={"call": call_id, "queue": "support", "state": "on_call"}
    )
    return alice


async def sent_commands(server: Server) -> list[Command]:
    rt = server.app[RUNTIME]
    entries = await rt.redis.xrange(StreamNames(rt.settings.redis_prefix).commands)
    return [Command.from_fields(f) for _, f in entries]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"target_kind": "agent", "target": "a1"}, "target"),  # herself
        ({"target_kind": "agent", "target": "nobody"}, "target"),
        ({"target_kind": "number", "target": "call me"}, "target"),
        ({"target_kind": "number", "target": "+1 212 555 0100"}, "target"),  # 403, see below
        ({"target_kind": "queue", "target": "nope"}, "target"),
        ({"target_kind": "team", "target": "sales"}, "target_kind"),
    ],
)
async def test_a_bad_target_is_422_naming_it(
    login: Login, server: Server, body: dict[str, str], field: str
) -> None:
    alice = await alice_on_a_call(login, server)
    async with alice.post("/api/calls/c1/consult", json=body) as r:
        assert r.status == (403 if body["target"].startswith("+1") else 422)  # not allowed
        assert (await r.json())["field"] == field


async def test_consult_a_number_sends_its_digits_and_the_queues_ring_timeout(
    login: Login, server: Server
) -> None:
    alice = await alice_on_a_call(login, server)
    body = {"target_kind": "number", "target": "+86 138 0000 0001"}
    async with alice.post("/api/calls/c1/consult", json=body) as r:
        assert r.status == 200
        command_id = (await r.json())["command_id"]
    (command,) = await sent_commands(server)
    assert command.id == command_id and command.kind == "consult"
    queues = server.app[RUNTIME].settings.queues
    ring_s = next(q.ring_timeout_s for q in queues if q.id == "support")
    assert command.args == {
        "call_id": "c1",
        "target": "number:8613800000001",
        "ring_timeout_s": ring_s,
    }


@pytest.mark.parametrize("path", ["consult/complete", "consult/back", "conference"])
async def test_only_on_the_agents_own_call(login: Login, server: Server, path: str) -> None:
    alice = await alice_on_a_call(login, server)
    async with alice.post(f"/api/calls/someone-elses/{path}") as r:
        assert r.status == 403
        assert (await r.json())["field"] == "call_id"
    async with alice.post(f"/api/calls/c1/{path}") as r:
        assert r.status == 200


async def test_consult_a_queue_calls_its_ready_agent_or_says_none_is(
    login: Login, server: Server
) -> None:
    alice = await alice_on_a_call(login, server)
    body = {"target_kind": "queue", "target": "support"}
    async with alice.post("/api/calls/c1/consult", json=body) as r:
        assert r.status == 409  # Bob (support) is not logged in
        assert (await r.json())["field"] == "target"
    bob = await login("bob")
    async with bob.post("/api/agent/login") as r:
        assert r.status == 200
    async with bob.post("/api/agent/ready") as r:
        assert r.status == 200
    async with alice.post("/api/calls/c1/consult", json=body) as r:
        assert r.status == 200
    (command,) = await sent_commands(server)
    assert command.args["target"] == "agent:a2"
