"""Manual dialling from the desk (issue 17), on SQLite and PostgreSQL: the preview names a known
customer and what stops the dial; allowed prefixes per role refuse a number (403 naming it, for
dialling and transfers); a do-not-call customer or one outside their hours is refused (409)
unless the agent gives a reason, which the audit log keeps (who, when, why) before the
``originate`` command goes out. The router and the application are real; no telephony runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from callcenter_testkit.dialling import DNC, FRIEND, LATE, save_dial_customers
from callcenter_testkit.webtools import Login, web_settings

from customers.audit import audit_rows
from kernel.commands import Command
from kernel.runtime import Runtime
from kernel.settings import Settings
from queueing.actions import AgentActions
from queueing.routing import Routing

pytestmark = pytest.mark.timeout(90)

ABROAD = "+12125550100"


@pytest.fixture
def web_db(db_url: str) -> str:
    """The web tests' runtime on the parametrized database (SQLite and PostgreSQL)."""
    return db_url


@pytest.fixture
def settings(prefix: str) -> Settings:
    return web_settings(prefix, dialling={"allowed_prefixes": {"agent": ["+86"]}})


@pytest.fixture
async def customers(web_rt: Runtime) -> None:
    await save_dial_customers(web_rt)


async def originates(rt: Runtime) -> list[Command]:
    entries = await rt.redis.xrange(rt.streams.commands)
    return [c for c in (Command.from_fields(f) for _, f in entries) if c.kind == "originate"]


async def overrides(rt: Runtime) -> list[dict[str, Any]]:
    """Alice's audited overrides (her card reads are audited too, as ``read_unmasked``)."""
    async with rt.engine.connect() as conn:
        rows = await audit_rows(conn, actor="alice")
    return [r for r in rows if r["action"] == "dial.override"]


async def status(resp: aiohttp.ClientResponse) -> tuple[int, Any]:
    return resp.status, await resp.json()


async def test_preview_and_dial_with_prefixes_and_the_customers_rules(
    web_rt: Runtime, router: Routing, login: Login, customers: None
) -> None:
    alice = await login("alice")
    actions = AgentActions(router)
    await actions.login("a1")  # logged in: not ready

    async with alice.post("/api/agent/dial/preview", json={"number": ABROAD}) as r:
        code, body = await status(r)
    assert code == 403 and body["field"] == "number", body
    assert "allowed prefixes +86" in body["message"]
    async with alice.post("/api/agent/dial/preview", json={"number": "call me"}) as r:
        code, body = await status(r)
    assert code == 422 and body["fields"][0]["field"] == "number", body

    async with alice.post("/api/agent/dial/preview", json={"number": "139 0000 0001"}) as r:
        code, body = await status(r)
    assert code == 200, body
    assert body["number"] == DNC and body["customer"]["name"] == "Wang Hua"
    assert [x["reason"] for x in body["refusals"]] == ["do_not_call"]
    async with alice.post("/api/agent/dial/preview", json={"number": LATE}) as r:
        code, body = await status(r)
    assert [x["reason"] for x in body["refusals"]] == ["calling_hours"], body
    assert "outside Zhao Lei's calling hours" in body["refusals"][0]["message"]
    async with alice.post("/api/agent/dial/preview", json={"number": FRIEND}) as r:
        code, body = await status(r)
    assert body["refusals"] == [] and body["customer"]["name"] == "Li Na"

    for number in (ABROAD, DNC, LATE):  # refused: nothing dialled, nothing audited
        async with alice.post("/api/agent/dial", json={"number": number}) as r:
            code, body = await status(r)
        assert (code, body["field"]) == (403 if number == ABROAD else 409, "number"), body
    async with alice.post(
        "/api/agent/dial", json={"number": ABROAD, "override_reason": "the boss said so"}
    ) as r:
        code, body = await status(r)
    assert code == 403, body  # a prefix is never overridden
    assert await originates(web_rt) == []
    assert await overrides(web_rt) == []

    before = datetime.now(UTC)
    async with alice.post(
        "/api/agent/dial",
        json={"number": DNC, "override_reason": "  Customer asked us to call back today  "},
    ) as r:
        code, body = await status(r)
    assert code == 200, body
    assert body["overridden"] == ["do_not_call"] and body["number"] == DNC
    (command,) = await originates(web_rt)
    assert command.id == body["command_id"]
    assert command.args == {"call_id": body["call_id"], "agent_id": "a1", "number": DNC}
    assert body["call_id"].startswith("md-")
    (row,) = await overrides(web_rt)
    assert (row["role"], row["entity"], row["entity_id"], row["fields"], row["reason"]) == (
        "agent",
        "customer",
        "c-dnc",
        "do_not_call",
        "Customer asked us to call back today",
    )
    at = row["at"] if row["at"].tzinfo else row["at"].replace(tzinfo=UTC)
    assert at >= before - timedelta(seconds=1)

    async with alice.post("/api/agent/dial", json={"number": FRIEND}) as r:
        code, body = await status(r)
    assert code == 200 and body["overridden"] == [], body


async def test_dialling_needs_the_agent_not_ready(
    web_rt: Runtime, router: Routing, login: Login, customers: None
) -> None:
    alice = await login("alice")
    actions = AgentActions(router)
    await actions.login("a1")
    await actions.ready("a1")
    async with alice.post("/api/agent/dial", json={"number": FRIEND}) as r:
        code, body = await status(r)
    assert (code, body["field"]) == (409, "state"), body
    assert await originates(web_rt) == []


async def test_ready_waits_for_the_manual_call(
    web_rt: Runtime, router: Routing, login: Login, customers: None
) -> None:
    """Between the dial and its call being answered or failing the agent's record names the
    pending dial: Ready is a 409 naming ``state`` (no queue call is offered while the manual call
    is about to ring); once the dial failed, Ready is allowed again."""
    import time

    from callcenter_testkit.queueing_helpers import emit, eventually

    alice = await login("alice")
    actions = AgentActions(router)
    await actions.login("a1")
    async with alice.post("/api/agent/dial", json={"number": FRIEND}) as r:
        code, body = await status(r)
    assert code == 200, body
    call_id = body["call_id"]
    async with alice.post("/api/agent/ready") as r:
        code, refused = await status(r)
    assert (code, refused["field"]) == (409, "state") and "dialling" in refused["message"]
    s = web_rt.settings
    await emit(web_rt.redis, s.redis_prefix, "call.failed", call_id=call_id, agent_id="a1",
               payload={"agent_id": "a1", "dial_status": "BUSY"}, at=time.time())  # fmt: skip

    async def dial_cleared() -> bool:
        return not (await actions.state("a1")).get("dial")

    await eventually(dial_cleared)
    async with alice.post("/api/agent/ready") as r:
        code, body = await status(r)
    assert code == 200, body
