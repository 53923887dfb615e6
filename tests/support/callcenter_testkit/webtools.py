"""Helpers shared by the web and page tests (tests/web, tests/web_pages): the test users and
their password, the settings of the web tests, the served application's handle, the signed-in
client factory's type, a row of a handled call. The fixtures are in ``web_fixtures``."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from kernel.settings import Settings
from store.models.web import User
from web.session.passwords import hash_password

PASSWORD = "correct horse battery"

USERS = [
    # username, role, agent id
    ("alice", "agent", "a1"),
    ("bob", "agent", "a2"),
    ("sue", "supervisor", None),
    ("pat", "planner", None),
    ("quinn", "qa", None),
    ("ada", "admin", None),
]


@functools.cache
def password_hash() -> str:
    """One argon2 hash for every test user: hashing is slow."""
    return hash_password(PASSWORD)


async def add_users(
    engine: AsyncEngine, users: list[tuple[str, str, str | None, str | None]]
) -> None:
    """Users (username, role, agent id, display name) with the tests' ``PASSWORD``: one argon2
    hash for all of them (hashing is slow)."""
    now = datetime.now(UTC)
    async with engine.begin() as conn:
        await conn.execute(
            User.__table__.insert(),
            [
                {
                    "username": username,
                    "password_hash": password_hash(),
                    "role": role,
                    "agent_id": agent_id,
                    "display_name": display_name,
                    "active": True,
                    "created_at": now,
                }
                for username, role, agent_id, display_name in users
            ],
        )


def web_settings(prefix: str, **overrides: object) -> Settings:
    data: dict[str, object] = {
        "redis_prefix": prefix,
        "skills": [{"id": "sales"}, {"id": "support"}, {"id": "complaints"}],
        "queues": [
            {"id": "sales", "name": "Sales", "skills": {"sales": 1}, "wrap_up_s": 60},
            {
                "id": "support",
                "name": "Technical support",
                "skills": {"support": 1},
                "sl_target_s": 30,
            },
            {"id": "complaints", "name": "Complaints", "skills": {"complaints": 1}},
        ],
        "agents": [
            {"id": "a1", "name": "Alice Wang", "skills": {"sales": 5, "support": 3}},
            {"id": "a2", "name": "Bob Li", "skills": {"support": 7}},
            {"id": "a3", "name": "Chen Jie", "skills": {"complaints": 6, "sales": 2}},
        ],
        "web": {
            "login_failures_per_user_address": 3,
            "login_failures_per_user": 5,
            "login_failures_per_address": 6,
            "stats_every_ms": 200,
        },
    }
    data.update(overrides)
    return Settings.model_validate(data)


class Server:
    """The application served on a loopback port by the ``server`` fixture."""

    def __init__(self, app: web.Application, runner: web.AppRunner, url: str) -> None:
        self.app = app
        self.runner = runner
        self.url = url


Login = Callable[[str], Awaitable[aiohttp.ClientSession]]


async def agent_ready(login: Login, user: str) -> aiohttp.ClientSession:
    """``user`` (an agent) signed in, logged in and ready through the API."""
    s = await login(user)
    for step in ("login", "ready"):
        async with s.post(f"/api/agent/{step}") as r:
            assert r.status == 200, await r.text()
    return s


def handled_call(
    call_id: str, agent_id: str, arrived_at: datetime, **overrides: object
) -> dict[str, object]:
    """A row of the ``calls`` table: an inbound support call answered after 12 s, 188 s of talk,
    resolved; ``overrides`` replace columns."""
    row: dict[str, object] = {
        "call_id": call_id,
        "direction": "inbound",
        "queue_id": "support",
        "agent_id": agent_id,
        "arrived_at": arrived_at,
        "answered_at": arrived_at + timedelta(seconds=12),
        "ended_at": arrived_at + timedelta(seconds=200),
        "wait_s": 12.0,
        "talk_s": 188.0,
        "hold_s": 0.0,
        "wrap_s": 25.0,
        "outcome": "answered",
        "disposition": "resolved",
        "transferred": False,
        "offers": 1,
        "updated_at": arrived_at + timedelta(seconds=225),
    }
    return row | overrides


def strings_in(value: Any) -> list[str]:
    """Every text in a JSON value, however deep in objects and lists (masking checks)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings_in(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings_in(v)]
    return []


CSP_WATCH = """document.addEventListener("securitypolicyviolation", (e) =>
  window.ccCspViolation(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));"""


async def watch_csp(context: Any, sink: list[str]) -> None:
    """Every Content-Security-Policy violation in ``context``'s pages (a Playwright browser
    context) is appended to ``sink``: a refused ``eval`` caught by the page's own code logs
    nothing to the console, but the browser still fires ``securitypolicyviolation``."""
    await context.expose_function("ccCspViolation", lambda what: sink.append(f"CSP: {what}"))
    await context.add_init_script(CSP_WATCH)
