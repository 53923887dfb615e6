"""The customer card API on SQLite and PostgreSQL: contact fields edited by the roles allowed to
(audited as ``updated``, the caller index following the numbers), bad input refused naming the
field with nothing written, and the history of calls, complaints and return visits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from callcenter_testkit.webtools import Login

from complaints.lifecycle import ComplaintConfig
from complaints.tickets import open_complaint
from customers.audit import audit_rows
from customers.caller_index import lookup_caller
from customers.records import CustomerRecord
from customers.records_store import save_customer
from kernel.runtime import Runtime
from store.models.core import Call
from store.models.customers import OutboundTask

pytestmark = pytest.mark.timeout(90)

PHONE = "+8613812345678"
NEW_PHONE = "+8613912345678"


@pytest.fixture
def web_db(db_url: str) -> str:
    return db_url


@pytest.fixture
async def customer(web_rt: Runtime) -> str:
    now = datetime.now(UTC)
    for rec in (
        CustomerRecord("C-1", "Zhang Wei", (PHONE,), tier="vip", notes="prefers mornings"),
        CustomerRecord("C-2", "Li Na", ("+8613700000000",)),
    ):
        await save_customer(web_rt.engine, rec, now=now, default_tz="UTC", redis=web_rt.redis)
    return "C-1"


async def _patch(s: Any, cid: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    async with s.patch(f"/api/customers/{cid}", json=body) as r:
        return r.status, await r.json()


async def test_supervisor_edits_contact_audited(
    login: Login, web_rt: Runtime, customer: str
) -> None:
    sue = await login("sue")
    async with sue.get(f"/api/customers/{customer}") as r:
        assert r.status == 200
        card = await r.json()
    assert card["editable"] == ["name", "phones", "email", "notes"]
    assert card["customer"]["phones"] == [PHONE]

    status, out = await _patch(
        sue, customer, {"name": "Zhang Wei (Mr)", "phones": [NEW_PHONE], "email": "zw@example.cn"}
    )
    assert status == 200, out
    assert out["changed"] == ["email", "name", "phones"]
    assert out["customer"]["phones"] == [NEW_PHONE] and out["customer"]["email"] == "zw@example.cn"
    assert out["customer"]["notes"] == "prefers mornings" and out["customer"]["tier"] == "vip"
    prefix = web_rt.settings.redis_prefix
    assert await lookup_caller(web_rt.redis, prefix, NEW_PHONE, "CN") == ("C-1", "vip")
    assert await lookup_caller(web_rt.redis, prefix, PHONE, "CN") is None

    async with web_rt.engine.connect() as conn:
        rows = await audit_rows(conn, entity_id=customer)
    updated = [r for r in rows if r["action"] == "updated"]
    assert [(r["actor"], r["role"], r["fields"]) for r in updated] == [
        ("sue", "supervisor", "email,name,phones")
    ]


async def test_agent_edits_name_and_notes_only(
    login: Login, web_rt: Runtime, customer: str
) -> None:
    alice = await login("alice")
    async with alice.get(f"/api/customers/{customer}") as r:
        card = await r.json()
    assert card["editable"] == ["name", "notes"]
    assert card["customer"]["phones"] == ["+86 138****5678"]  # masked for agents
    status, out = await _patch(alice, customer, {"notes": "prefers mornings; speaks Cantonese"})
    assert status == 200 and out["changed"] == ["notes"]
    status, err = await _patch(alice, customer, {"phones": [NEW_PHONE]})
    assert status == 403 and err["field"] == "phones"
    status, err = await _patch(alice, customer, {"email": "x@y.cn"})
    assert status == 403 and err["field"] == "email"
    quinn = await login("quinn")
    async with quinn.get(f"/api/customers/{customer}") as r:
        assert r.status == 403


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"name": "  "}, 422, "name"),
        ({"phones": ["not a number"]}, 422, "phones"),
        ({"phones": []}, 422, "phones"),
        ({"phones": ["+8613700000000"]}, 422, "phones"),  # Li Na's
        ({"email": "nobody"}, 422, "email"),
        ({"notes": "x" * 4001}, 422, "notes"),
        ({"colour": "red"}, 422, "colour"),
    ],
)
async def test_bad_contact_refused_naming_the_field(
    login: Login, customer: str, body: dict[str, Any], status: int, field: str
) -> None:
    sue = await login("sue")
    got, err = await _patch(sue, customer, body)
    assert (got, err["field"]) == (status, field), err
    async with sue.get(f"/api/customers/{customer}") as r:
        c = (await r.json())["customer"]
    assert (c["name"], c["phones"], c["email"]) == ("Zhang Wei", [PHONE], None)


async def test_unknown_customer(login: Login, customer: str) -> None:
    sue = await login("sue")
    async with sue.get("/api/customers/C-404") as r:
        assert r.status == 404 and (await r.json())["field"] == "customer_id"
    status, err = await _patch(sue, "C-404", {"name": "x"})
    assert status == 404 and err["field"] == "customer_id"


async def test_history_of_calls_complaints_and_return_visits(
    login: Login, web_rt: Runtime, customer: str
) -> None:
    now = datetime.now(UTC)
    async with web_rt.engine.begin() as conn:
        await conn.execute(
            Call.__table__.insert(),
            [
                {
                    "call_id": f"h-{i}",
                    "arrived_at": now - timedelta(days=i),
                    "queue_id": "sales",
                    "customer_id": customer,
                    "agent_id": "a1",
                    "talk_s": 60.0 + i,
                    "outcome": "answered",
                    "disposition": "resolved",
                }
                for i in (1, 2)
            ],
        )
        await conn.execute(
            OutboundTask.__table__.insert().values(
                task_id="t-1",
                kind="return_visit",
                customer_id=customer,
                number=PHONE,
                source="complaint",
                source_id="x",
                queue_id="sales",
                trigger_at=now,
                due_at=now,
                status="done",
                attempts=1,
                outcome="reached",
                answers={"satisfied": True, "score": 5},
                created_at=now,
                updated_at=now,
            )
        )
    await open_complaint(
        web_rt.engine,
        category="service",
        severity="high",
        description="charged twice",
        now=now,
        config=ComplaintConfig.from_settings(web_rt.settings),
        customer_id=customer,
        call_id="h-1",
    )
    alice = await login("alice")
    async with alice.get(f"/api/customers/{customer}") as r:
        h = (await r.json())["history"]
    assert [c["call_id"] for c in h["calls"]] == ["h-1", "h-2"]
    assert [(c["category"], c["status"]) for c in h["complaints"]] == [("service", "open")]
    assert [(t["kind"], t["outcome"], t["answers"]["satisfied"]) for t in h["tasks"]] == [
        ("return_visit", "reached", True)
    ]
