"""The wrap-up never loses work (issue 17), on SQLite and PostgreSQL: the disposition and notes
are saved first; the customer, complaint and callback parts each succeed or fail on their own and
the answer says how each went. The calls come through the real router, the store writer and the
application; the bridge's part is played by ``PhoneLine``."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from callcenter_testkit.webtools import Login
from sqlalchemy import select

from customers.audit import audit_rows
from customers.records import CustomerRecord
from customers.records_store import save_customer
from kernel.events import DomainEvent
from kernel.runtime import Runtime
from queueing.actions import AgentActions
from queueing.routing import Routing
from store.models.core import Call, Customer
from store.models.customers import Complaint, OutboundTask
from store.readers import call_parties
from store.writer import StoreWriter

pytestmark = pytest.mark.timeout(90)

CALLER = "+8613712345678"
LATER = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0).isoformat()


@pytest.fixture
def web_db(db_url: str) -> str:
    """The web tests' runtime on the parametrized database (SQLite and PostgreSQL)."""
    return db_url


async def events(rt: Runtime, type_: str, call_id: str) -> list[DomainEvent]:
    entries = await rt.redis.xrange(rt.streams.events)
    found = [DomainEvent.from_fields(f) for _, f in entries]
    return [e for e in found if e.type == type_ and e.call_id == call_id]


async def until(check: Any) -> None:
    async with asyncio.timeout(15):
        while not await check():  # noqa: ASYNC110 - the condition is in Redis or the store
            await asyncio.sleep(0.05)


async def call_in_wrap_up(
    rt: Runtime, router: Routing, phone: Any, alice: aiohttp.ClientSession, call_id: str, **kw: Any
) -> None:
    """Alice takes ``call_id`` from ``kw['caller']`` and hangs up: she is in wrap-up, and the
    store has the call (its caller) as the writer put it there."""
    actions = AgentActions(router)
    await actions.login("a1")
    await actions.ready("a1")
    await phone.arrive(call_id, "sales", **kw)
    await phone.wait_command("connect")
    await phone.answer(call_id)
    await until(lambda: events(rt, "call.answered", call_id))
    async with alice.post(f"/api/calls/{call_id}/hangup") as r:
        assert r.status == 200, await r.text()
    await until(lambda: events(rt, "call.ended", call_id))

    async def stored() -> bool:
        parties = await call_parties(rt.engine, call_id)
        return parties is not None and parties.caller is not None

    await until(stored)


async def wrap_up(alice: aiohttp.ClientSession, call_id: str, body: dict[str, Any]) -> Any:
    async with alice.post(f"/api/calls/{call_id}/wrap-up", json=body) as r:
        assert r.status == 200, await r.text()
        return await r.json()


async def row(rt: Runtime, table: Any, **where: Any) -> dict[str, Any] | None:
    t = table.__table__
    stmt = select(t).where(*(t.c[k] == v for k, v in where.items()))
    async with rt.engine.connect() as conn:
        found = (await conn.execute(stmt)).mappings().first()
    return dict(found) if found else None


async def test_unknown_caller_gets_a_customer_a_complaint_and_a_callback(
    login: Login, web_rt: Runtime, router: Routing, phone: Any, store_writer: StoreWriter
) -> None:
    """The PBX put ``cust-<number>`` on the call, which is no customer: before, the complaint
    failed with ``unknown customer`` and the callback with ``not found``, and the whole wrap-up
    was rejected."""
    alice = await login("alice")
    await call_in_wrap_up(
        web_rt, router, phone, alice, "u-1", caller=CALLER, customer_id=f"cust-{CALLER}"
    )
    out = await wrap_up(
        alice,
        "u-1",
        {
            "disposition": "follow_up",
            "notes": "double charge, call back tomorrow",
            "new_customer": {"name": "Li Na", "tier": "ordinary"},
            "callback_at": LATER,
            "complaint": {"category": "service", "description": "charged twice"},
        },
    )
    assert {k: p["ok"] for k, p in out["parts"].items()} == {
        "customer": True,
        "complaint": True,
        "callback": True,
    }
    assert out["state"] == "ready"
    customer_id = out["customer_id"]
    customer = await row(web_rt, Customer, customer_id=customer_id)
    assert customer is not None and (customer["name"], customer["phone"]) == ("Li Na", CALLER)
    complaint = await row(web_rt, Complaint, complaint_id=out["complaint_id"])
    assert complaint is not None and complaint["customer_id"] == customer_id
    task = await row(web_rt, OutboundTask, task_id=out["callback_task_id"])
    assert task is not None and (task["customer_id"], task["number"]) == (customer_id, CALLER)
    async with web_rt.engine.connect() as conn:
        audit = await audit_rows(conn, entity_id=customer_id)
    assert [(a["action"], a["actor"]) for a in audit] == [("created", "alice")]

    async def disposition_stored() -> bool:
        call = await row(web_rt, Call, call_id="u-1")
        return call is not None and call["disposition"] == "follow_up"

    await until(disposition_stored)


async def test_callback_to_the_callers_number_needs_no_customer(
    login: Login, web_rt: Runtime, router: Routing, phone: Any, store_writer: StoreWriter
) -> None:
    alice = await login("alice")
    await call_in_wrap_up(web_rt, router, phone, alice, "u-2", caller=CALLER)
    out = await wrap_up(alice, "u-2", {"disposition": "follow_up", "callback_at": LATER})
    assert out["parts"]["callback"]["ok"] and out["customer_id"] is None
    task = await row(web_rt, OutboundTask, task_id=out["callback_task_id"])
    assert task is not None and (task["customer_id"], task["number"]) == (None, CALLER)
    async with web_rt.engine.connect() as conn:
        assert (await conn.execute(select(Customer.__table__))).first() is None


async def test_a_failed_part_keeps_disposition_notes_and_the_others(
    login: Login, web_rt: Runtime, router: Routing, phone: Any, store_writer: StoreWriter
) -> None:
    """A complaint without a description fails alone: the disposition, notes and callback are
    saved, the agent stays in wrap-up to fix it, and saving again opens it (the callback once)."""
    alice = await login("alice")
    await call_in_wrap_up(web_rt, router, phone, alice, "u-3", caller=CALLER)
    body: dict[str, Any] = {
        "disposition": "complaint",
        "notes": "angry about the delivery",
        "callback_at": LATER,
        "complaint": {"category": "service", "description": ""},
    }
    out = await wrap_up(alice, "u-3", body)
    assert out["parts"]["complaint"] == {
        "ok": False,
        "id": None,
        "field": "complaint.description",
        "message": "required",
    }
    assert out["parts"]["callback"]["ok"] and out["state"] is None
    wrapped = await events(web_rt, "call.wrapped", "u-3")
    assert [(e.payload["disposition"], e.payload["notes"]) for e in wrapped] == [
        ("complaint", "angry about the delivery")
    ]
    async with alice.get("/api/agent") as r:
        assert (await r.json())["state"]["state"] == "wrap_up"

    body["complaint"]["description"] = "parcel came a week late"
    again = await wrap_up(alice, "u-3", body)
    assert all(p["ok"] for p in again["parts"].values()) and again["state"] == "ready"
    assert again["callback_task_id"] == out["parts"]["callback"]["id"]  # the same task
    complaint = await row(web_rt, Complaint, complaint_id=again["complaint_id"])
    assert complaint is not None and complaint["customer_id"] == again["customer_id"]
    new = await row(web_rt, Customer, customer_id=again["customer_id"])
    assert new is not None and (new["name"], new["phone"]) == ("New caller", CALLER)


async def test_link_to_a_customer_found_by_name_or_number(
    login: Login, web_rt: Runtime, router: Routing, phone: Any, store_writer: StoreWriter
) -> None:
    """The caller rings from another number: Alice finds the customer by name and by number,
    links the call (audited) and the complaint is the customer's."""
    await save_customer(
        web_rt.engine,
        CustomerRecord(customer_id="c-9", name="Wang Fang", phones=("+8613900009999",)),
        now=datetime.now(UTC),
        default_tz="UTC",
    )
    alice = await login("alice")
    await call_in_wrap_up(web_rt, router, phone, alice, "u-4", caller=CALLER)
    for q in ("wang f", "139 0000 9999"):
        async with alice.get("/api/agent/customers", params={"q": q}) as r:
            assert r.status == 200, await r.text()
            assert [c["customer_id"] for c in (await r.json())["customers"]] == ["c-9"]
    async with alice.get("/api/agent/customers", params={"q": "100%_"}) as r:
        assert (await r.json())["customers"] == []
    async with alice.post("/api/calls/u-4/customer/link", json={"customer_id": "c-404"}) as r:
        assert r.status == 422 and (await r.json())["field"] == "customer_id"
    async with alice.post("/api/calls/u-4/customer/link", json={"customer_id": "c-9"}) as r:
        assert r.status == 200, await r.text()
        assert (await r.json())["customer"]["name"] == "Wang Fang"
    async with alice.get("/api/agent") as r:
        assert (await r.json())["call"]["customer"]["customer_id"] == "c-9"  # the screen pop
    async with web_rt.engine.connect() as conn:
        changes = [
            a for a in await audit_rows(conn, entity_id="c-9") if a["action"] != "read_unmasked"
        ]
    assert [(a["action"], a["actor"], a["reason"]) for a in changes] == [
        ("linked_call", "alice", "call u-4 linked to the customer")
    ]
    out = await wrap_up(
        alice,
        "u-4",
        {
            "disposition": "complaint",
            "customer_id": "c-9",
            "complaint": {"category": "service", "description": "wrong bill"},
        },
    )
    assert out["customer_id"] == "c-9" and out["parts"]["complaint"]["ok"]
    complaint = await row(web_rt, Complaint, complaint_id=out["complaint_id"])
    assert complaint is not None and complaint["customer_id"] == "c-9"


async def test_agents_create_ordinary_customers_only(
    login: Login, web_rt: Runtime, router: Routing, phone: Any, store_writer: StoreWriter
) -> None:
    alice = await login("alice")
    await call_in_wrap_up(web_rt, router, phone, alice, "u-5", caller=CALLER)
    async with alice.get("/api/agent") as r:
        assert (await r.json())["customer_tiers"] == ["ordinary"]
    async with alice.post("/api/calls/u-5/customer", json={"name": "Zhao", "tier": "vip"}) as r:
        assert r.status == 422 and (await r.json())["field"] == "tier"
    out = await wrap_up(
        alice,
        "u-5",
        {
            "disposition": "sale",
            "new_customer": {"name": "Zhao", "tier": "vip"},
            "complaint": {"category": "service", "description": "price"},
        },
    )
    assert out["parts"]["customer"]["field"] == "tier" and out["state"] is None
    # the complaint is kept without a customer: no "New caller" beside the one being fixed
    assert out["parts"]["complaint"]["ok"] and out["customer_id"] is None
    async with web_rt.engine.connect() as conn:
        assert (await conn.execute(select(Customer.__table__))).first() is None
    assert [e.payload["disposition"] for e in await events(web_rt, "call.wrapped", "u-5")] == [
        "sale"
    ]


async def test_draft_kept_and_expired_wrap_up_saved_as_none_given(
    login: Login, web_rt: Runtime, router: Routing, phone: Any, store_writer: StoreWriter
) -> None:
    """The draft is kept as typed; after the router ended the wrap-up (time ran out) the draft
    still lets Alice save it, and an empty disposition is saved as ``none_given``."""
    alice = await login("alice")
    await call_in_wrap_up(web_rt, router, phone, alice, "u-6", caller=CALLER)
    draft = {"notes": "half a senten", "complaint": True, "complaint_description": "late"}
    async with alice.put("/api/calls/u-6/wrap-up/draft", json=draft) as r:
        assert r.status == 200, await r.text()
    async with alice.get("/api/calls/u-6/wrap-up/draft") as r:
        kept = (await r.json())["draft"]
    assert (kept["notes"], kept["complaint"], kept["disposition"]) == ("half a senten", True, "")
    await AgentActions(router).end_wrap_up("a1")  # as the router's timer does
    out = await wrap_up(alice, "u-6", {"notes": "half a senten", "expired": True})
    assert out["disposition"] == "none_given"
    wrapped = await events(web_rt, "call.wrapped", "u-6")
    assert [(e.payload["disposition"], e.payload["by"]) for e in wrapped] == [
        ("none_given", "timeout")
    ]
    async with alice.get("/api/calls/u-6/wrap-up/draft") as r:
        assert (await r.json())["draft"] is None  # saved: the draft goes
