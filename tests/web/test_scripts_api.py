"""Call scripts API on SQLite and PostgreSQL: defaults until edited, a supervisor's edit stored
and audited, agents reading it, bad input refused naming the field, roles checked."""

from __future__ import annotations

from typing import Any

import pytest
from callcenter_testkit.webtools import Login

from customers.audit import audit_rows
from kernel.runtime import Runtime
from queueing.call_scripts import DEFAULT_GREETING

pytestmark = pytest.mark.timeout(90)

SCRIPT = {
    "greeting": "  您好，{queue}，{agent}为您服务。\nHello, {queue}, {agent} speaking.  ",
    "verification": "请问您的姓名？ / May I have your name?",
    "closing": "感谢您的来电，再见！ / Thank you for calling. Goodbye!",
    "phrases": ["请稍等。 / One moment please.", "让您久等了。 / Thank you for waiting."],
}


@pytest.fixture
def web_db(db_url: str) -> str:
    return db_url


async def _put(s: Any, queue: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    async with s.put(f"/api/scripts/{queue}", json=body) as r:
        return r.status, await r.json()


async def test_defaults_edit_audit_and_agents_read(login: Login, web_rt: Runtime) -> None:
    sue, alice = await login("sue"), await login("alice")
    async with alice.get("/api/scripts/sales") as r:
        assert r.status == 200
        before = await r.json()
    assert before["is_default"] and before["greeting"] == DEFAULT_GREETING
    assert before["queue_name"] == "Sales" and before["updated_by"] is None

    status, saved = await _put(sue, "sales", SCRIPT)
    assert status == 200, saved
    assert saved["greeting"] == SCRIPT["greeting"].strip()
    assert saved["updated_by"] == "sue" and not saved["is_default"]
    assert saved["changed"] == ["greeting", "verification", "closing", "phrases"]
    async with alice.get("/api/scripts/sales") as r:
        assert (await r.json())["phrases"] == SCRIPT["phrases"]
    async with sue.get("/api/scripts") as r:
        listed = {s["queue_id"]: s["is_default"] for s in (await r.json())["scripts"]}
    assert listed == {"sales": False, "support": True, "complaints": True}

    status, again = await _put(sue, "sales", {**SCRIPT, "closing": "再见！ / Goodbye!"})
    assert status == 200 and again["changed"] == ["closing"]
    status, same = await _put(sue, "sales", {**SCRIPT, "closing": "再见！ / Goodbye!"})
    assert status == 200 and same["changed"] == []

    async with web_rt.engine.connect() as conn:
        rows = await audit_rows(conn, entity_id="sales")
    assert [(r["actor"], r["action"], r["entity"], r["fields"]) for r in rows] == [
        ("sue", "script.update", "call_script", "closing,greeting,phrases,verification"),
        ("sue", "script.update", "call_script", "closing"),
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**SCRIPT, "greeting": "   "}, "greeting"),
        ({**SCRIPT, "closing": "x" * 2001}, "closing"),
        ({**SCRIPT, "phrases": ["ok", ""]}, "phrases.1"),
        ({**SCRIPT, "phrases": ["p"] * 31}, "phrases"),
        ({**SCRIPT, "phrases": ["x" * 501]}, "phrases.0"),
        ({k: v for k, v in SCRIPT.items() if k != "verification"}, "verification"),
        ({**SCRIPT, "colour": "red"}, "colour"),
    ],
)
async def test_bad_scripts_are_refused_naming_the_field(
    login: Login, body: dict[str, Any], field: str
) -> None:
    sue = await login("sue")
    status, err = await _put(sue, "sales", body)
    assert status == 422 and err["field"] == field, err
    async with sue.get("/api/scripts/sales") as r:
        assert (await r.json())["is_default"]  # nothing was saved


async def test_roles_and_unknown_queue(login: Login) -> None:
    alice, quinn, ada = await login("alice"), await login("quinn"), await login("ada")
    status, err = await _put(alice, "sales", SCRIPT)
    assert status == 403 and err["field"] == "role"
    async with alice.get("/api/scripts") as r:
        assert r.status == 403
    async with quinn.get("/api/scripts/support") as r:
        assert r.status == 200
    status, err = await _put(ada, "nowhere", SCRIPT)
    assert status == 404 and err["field"] == "queue_id"
    async with quinn.get("/api/scripts/nowhere") as r:
        assert r.status == 404 and (await r.json())["field"] == "queue_id"
