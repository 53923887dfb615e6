"""User administration: list the users, add one, disable or enable, reset a password, record an
unlock. Every change is written with its audit row in one transaction
(``customers.audit.record_change``), so a change without its row cannot happen.

Used by the Users page and API (``web.users.http``) and the ``callcenter user`` commands.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from customers.audit import record_change
from kernel.messages import N_, FieldValueError
from store.models.core import Agent
from store.models.web import User, WebSession
from web.session.passwords import hash_password
from web.session.users import UnknownUserError, insert_user, user_row


@dataclass(frozen=True, slots=True)
class Actor:
    """Who makes a change, as the audit log names them (``cli`` for the command line)."""

    username: str
    role: str


class UnknownAgentIdError(FieldValueError):
    def __init__(self, agent_id: str) -> None:
        self.agent_id = agent_id
        super().__init__(
            "agent_id",
            N_(
                "no agent %(agent_id)r in the store or the settings file"
                " (add the agent first, or run `callcenter db seed`)"
            ),
            {"agent_id": agent_id},
        )


async def list_users(engine: AsyncEngine) -> list[User]:
    async with engine.connect() as conn:
        rows = (await conn.execute(select(User.__table__).order_by(User.username))).mappings()
        return [User(**r) for r in rows]


async def check_agent(engine: AsyncEngine, agent_id: str, configured: Collection[str]) -> None:
    """UnknownAgentIdError unless ``agent_id`` is in the store's agents or ``configured`` (the
    settings file's, which ``db seed`` adds to the store)."""
    if agent_id in configured:
        return
    async with engine.connect() as conn:
        found = await conn.execute(select(Agent.agent_id).where(Agent.agent_id == agent_id))
        if found.first() is None:
            raise UnknownAgentIdError(agent_id)


async def add_user(
    engine: AsyncEngine,
    by: Actor,
    *,
    username: str,
    password: str,
    role: str,
    agent_id: str | None,
    display_name: str | None,
    configured_agents: Collection[str],
    now: datetime,
) -> None:
    """Add a user; an agent user's agent (``agent_id``, by default the user name) must exist."""
    row = user_row(username, password, role, now=now, agent_id=agent_id, display_name=display_name)
    if row["agent_id"]:
        await check_agent(engine, row["agent_id"], configured_agents)
    async with engine.begin() as conn:
        await insert_user(conn, row)
        fields = ["role"] + (["agent_id"] if row["agent_id"] else [])
        await _audit(conn, by, "user.add", username, fields, f"added with role {role}", now)


async def set_active(
    engine: AsyncEngine, by: Actor, username: str, *, active: bool, now: datetime
) -> None:
    """Disable (ending the user's sessions at their next request) or enable a user."""
    async with engine.begin() as conn:
        await _update(conn, username, active=active)
        action = "user.enable" if active else "user.disable"
        await _audit(conn, by, action, username, ["active"], action.split(".")[1] + "d", now)


async def reset_password(
    engine: AsyncEngine, by: Actor, username: str, password: str, *, now: datetime
) -> None:
    """Set a new password and sign the user out everywhere."""
    hashed = hash_password(password)
    async with engine.begin() as conn:
        await _update(conn, username, password_hash=hashed)
        await conn.execute(delete(WebSession).where(WebSession.username == username))
        await _audit(conn, by, "user.reset_password", username, ["password"], "password reset", now)


async def revoke_sessions(engine: AsyncEngine, by: Actor, username: str, *, now: datetime) -> int:
    """End every session of the user (a wall screen's kiosk, which never expires, or a lost
    device); returns how many ended. Their pages and live feeds stop at their next check."""
    async with engine.begin() as conn:
        if not (await conn.execute(select(User.username).where(User.username == username))).first():
            raise UnknownUserError(username)
        done = await conn.execute(delete(WebSession).where(WebSession.username == username))
        ended = done.rowcount or 0
        await _audit(conn, by, "user.revoke_sessions", username, [], f"{ended} sessions ended", now)
    return ended


async def record_unlock(
    engine: AsyncEngine, by: Actor, username: str, *, was_locked: bool, now: datetime
) -> None:
    """The audit row of an unlock (the counters live in Redis: ``LoginThrottle.unlock``)."""
    async with engine.begin() as conn:
        if (await conn.execute(select(User.username).where(User.username == username))).first():
            reason = "sign-in unlocked" if was_locked else "unlock asked; was not locked"
            await _audit(conn, by, "user.unlock", username, [], reason, now)
        else:
            raise UnknownUserError(username)


async def _update(conn: AsyncConnection, username: str, **values: object) -> None:
    done = await conn.execute(update(User).where(User.username == username).values(**values))
    if done.rowcount == 0:
        raise UnknownUserError(username)


async def _audit(
    conn: AsyncConnection,
    by: Actor,
    action: str,
    username: str,
    fields: list[str],
    reason: str,
    now: datetime,
) -> None:
    await record_change(
        conn,
        actor=by.username,
        role=by.role,
        action=action,
        entity="user",
        entity_id=username,
        fields=fields,
        reason=reason,
        at=now,
    )
