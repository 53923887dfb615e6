"""Supervisors' messages to an agent or a team (API, SQLite and PostgreSQL): who receives one,
kept until each agent acknowledges it, recorded as events (the event log is the audit)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from callcenter_testkit.webtools import Login, Server, web_settings

from kernel.settings import Settings
from web.keys import RUNTIME


@pytest.fixture
def settings(prefix: str) -> Settings:
    data = web_settings(prefix).model_dump()
    data["agents"][0]["team"] = "north"  # Alice (a1)
    data["agents"][1]["team"] = "north"  # Bob (a2)
    return Settings.model_validate(data)


@pytest.fixture
def web_db(db_url: str) -> str:
    return db_url


async def events(server: Server, type_: str) -> list[dict[str, Any]]:
    rt = server.app[RUNTIME]
    rows = await rt.redis.xrange(rt.streams.events)
    return [{**f, "payload": json.loads(f["payload"])} for _, f in rows if f["type"] == type_]


async def test_a_team_message_reaches_each_member_until_acknowledged(
    login: Login, server: Server
) -> None:
    sue = await login("sue")
    async with sue.post(
        "/api/messages", json={"team": "north", "text": "Queue long: skip breaks"}
    ) as r:
        assert r.status == 201, await r.text()
        sent = await r.json()
    assert sent["agent_ids"] == ["a1", "a2"]
    assert [e["agent_id"] for e in await events(server, "agent.message")] == ["a1", "a2"]
    alice = await login("alice")
    async with alice.get("/api/agent/messages") as r:
        [msg] = (await r.json())["messages"]
    assert msg["text"] == "Queue long: skip breaks" and msg["from_user"] == "sue"
    assert msg["team"] == "north"
    async with alice.post(f"/api/agent/messages/{msg['message_id']}/ack") as r:
        assert r.status == 200 and (await r.json())["messages"] == []
    async with alice.post(f"/api/agent/messages/{msg['message_id']}/ack") as r:
        assert r.status == 404 and (await r.json())["field"] == "message_id"
    [ack] = await events(server, "agent.message_acknowledged")
    assert ack["agent_id"] == "a1" and ack["payload"]["message_id"] == msg["message_id"]
    bob = await login("bob")
    async with bob.get("/api/agent/messages") as r:  # Bob has not acknowledged his
        assert [m["message_id"] for m in (await r.json())["messages"]] == [sent["message_id"]]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"agent_id": "nobody", "text": "hi"}, "agent_id"),
        ({"team": "south", "text": "hi"}, "team"),
        ({"text": "hi"}, "agent_id"),
        ({"agent_id": "a1", "team": "north", "text": "hi"}, "agent_id"),
        ({"agent_id": "a1", "text": ""}, "text"),
        ({"agent_id": "a1", "text": "x" * 501}, "text"),
    ],
)
async def test_bad_messages_name_the_field(
    login: Login, server: Server, body: dict[str, Any], field: str
) -> None:
    sue = await login("sue")
    async with sue.post("/api/messages", json=body) as r:
        assert r.status == 422, await r.text()
        assert (await r.json())["field"] == field
    assert await events(server, "agent.message") == []


async def test_only_supervisors_send_and_only_agents_read(login: Login) -> None:
    alice = await login("alice")
    async with alice.post("/api/messages", json={"agent_id": "a2", "text": "hi"}) as r:
        assert r.status == 403
    sue = await login("sue")
    async with sue.get("/api/agent/messages") as r:
        assert r.status == 403
