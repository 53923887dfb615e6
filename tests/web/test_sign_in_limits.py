"""Sign-in limits (``web.session.ratelimit``) on a real Redis and over HTTP: a locked user does
not lock out the others behind the same address, spraying from one address spares the names
known there, and an admin's unlock (API, audited) lets the user in at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
import redis.asyncio as aioredis
from callcenter_testkit.webtools import PASSWORD, Login, Server

from customers.audit import audit_rows
from kernel.runtime import Runtime
from web.session.ratelimit import LoginLimits, LoginThrottle, blocked_by

LIMITS = LoginLimits(window_s=900, per_user=5, per_address=6, per_user_address=3)
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("user", "pair", "address", "known", "expected"),
    [
        (0, 0, 0, False, None),
        (4, 2, 5, False, None),
        (5, 0, 0, False, "user"),
        (3, 3, 0, False, "user_address"),
        (0, 0, 6, False, "address"),
        (0, 0, 6, True, None),  # a name that signed in from this address before
        (5, 3, 6, True, "user"),
    ],
)
def test_which_limit_blocks(
    user: int, pair: int, address: int, known: bool, expected: str | None
) -> None:
    assert blocked_by(user, pair, address, known, LIMITS) == expected


async def test_pair_lock_stays_at_its_address_and_unlock_clears_all(
    redis: aioredis.Redis, prefix: str
) -> None:
    t = LoginThrottle(redis, prefix, LIMITS)
    for _ in range(3):
        await t.failed("Bob", "10.0.0.1")
    assert (await t.check("bob", "10.0.0.1") or ("",))[0] == "user_address"
    assert await t.check("bob", "10.0.0.2") is None  # another address: still free
    locks = await t.locks("bob", now=NOW)
    assert [(lk.address, lk.until > NOW) for lk in locks] == [("10.0.0.1", True)]
    assert locks[0].until <= NOW + timedelta(seconds=900)
    for address in ("10.0.0.2", "10.0.0.3"):  # five in all: locked from everywhere
        await t.failed("bob", address)
    assert (await t.check("bob", "10.9.9.9") or ("",))[0] == "user"
    assert [lk.address for lk in await t.locks("bob", now=NOW)] == [None, "10.0.0.1"]
    assert await t.unlock("BOB") is True
    assert await t.check("bob", "10.0.0.1") is None
    assert await t.locks("bob", now=NOW) == []
    assert await t.unlock("bob") is False


async def _attempt(s: aiohttp.ClientSession, user: str, password: str) -> tuple[int, str | None]:
    async with s.get("/api/session") as r:
        token = (await r.json())["csrf_token"]
    async with s.post(
        "/api/session",
        json={"username": user, "password": password},
        headers={"X-CSRF-Token": token},
    ) as r:
        body = await r.json()
        if r.status == 200:
            async with s.delete("/api/session", headers={"X-CSRF-Token": body["csrf_token"]}):
                pass
        return r.status, body.get("field")


async def test_locked_user_leaves_others_behind_the_address_alone(
    anon: aiohttp.ClientSession,
) -> None:
    for _ in range(3):
        assert await _attempt(anon, "bob", "wrong-password") == (401, "password")
    assert await _attempt(anon, "bob", PASSWORD) == (429, "username")
    assert await _attempt(anon, "alice", PASSWORD) == (200, None)  # same address, first time
    assert await _attempt(anon, "sue", PASSWORD) == (200, None)


async def test_spraying_from_an_address_spares_names_known_there(
    anon: aiohttp.ClientSession,
) -> None:
    assert await _attempt(anon, "alice", PASSWORD) == (200, None)  # alice is known here
    for i in range(6):
        assert (await _attempt(anon, f"ghost{i}", "summer2026"))[0] == 401
    assert await _attempt(anon, "alice", PASSWORD) == (200, None)
    assert await _attempt(anon, "bob", PASSWORD) == (429, "address")  # never signed in here


async def test_admin_unlocks_a_user_over_the_api(
    anon: aiohttp.ClientSession, login: Login, server: Server, web_rt: Runtime
) -> None:
    for _ in range(3):
        await _attempt(anon, "bob", "wrong-password")
    admin = await login("ada")
    async with admin.get("/api/users") as r:
        users = {u["username"]: u for u in (await r.json())["users"]}
    assert users["bob"]["locked_until"] is not None
    assert users["bob"]["locks"][0]["address"] == "127.0.0.1"
    assert users["alice"]["locked_until"] is None and users["alice"]["agent_id"] == "a1"
    sue = await login("sue")
    async with sue.post("/api/users/bob/unlock") as r:
        assert r.status == 403 and (await r.json())["field"] == "role"
    async with admin.post("/api/users/bob/unlock") as r:
        assert r.status == 200 and await r.json() == {"username": "bob", "was_locked": True}
    async with admin.post("/api/users/nobody/unlock") as r:
        assert r.status == 404 and (await r.json())["field"] == "username"
    assert await _attempt(anon, "bob", PASSWORD) == (200, None)
    async with web_rt.engine.connect() as conn:
        rows = await audit_rows(conn, entity_id="bob")
    assert [(r["actor"], r["action"], r["reason"]) for r in rows] == [
        ("ada", "user.unlock", "sign-in unlocked")
    ]


async def test_admin_adds_disables_and_resets_users(
    anon: aiohttp.ClientSession, login: Login, web_rt: Runtime
) -> None:
    admin = await login("ada")
    new = {"username": "mei", "password": "first-password", "role": "agent", "agent_id": "a3"}
    async with admin.post("/api/users", json=new) as r:
        assert r.status == 201, await r.text()
    async with admin.post("/api/users", json=new) as r:
        assert r.status == 409 and (await r.json())["field"] == "username"
    async with admin.post("/api/users", json=new | {"username": "kim", "agent_id": "9999"}) as r:
        assert r.status == 422 and (await r.json())["field"] == "agent_id"
    assert await _attempt(anon, "mei", "first-password") == (200, None)
    async with admin.post("/api/users/mei/active", json={"active": False}) as r:
        assert r.status == 200
    assert await _attempt(anon, "mei", "first-password") == (401, "password")
    async with admin.post("/api/users/mei/active", json={"active": True}) as r:
        assert r.status == 200
    async with admin.post("/api/users/mei/password", json={"password": "second-password"}) as r:
        assert r.status == 200
    assert await _attempt(anon, "mei", "first-password") == (401, "password")
    assert await _attempt(anon, "mei", "second-password") == (200, None)
    async with admin.post("/api/users/ada/active", json={"active": False}) as r:
        assert r.status == 409 and (await r.json())["field"] == "username"
    async with admin.post("/api/users/mei/password", json={"password": "short"}) as r:
        assert r.status == 422 and (await r.json())["field"] == "password"
    async with web_rt.engine.connect() as conn:
        rows = await audit_rows(conn, entity_id="mei")
    assert [(r["actor"], r["action"]) for r in rows] == [
        ("ada", "user.add"),
        ("ada", "user.disable"),
        ("ada", "user.enable"),
        ("ada", "user.reset_password"),
    ]
