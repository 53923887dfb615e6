"""Users and sessions in the store: create users, open, find and close sessions.

The cookie carries a random token; the table keeps only its SHA-256, so reading the table does
not let anyone sign in. Each session has its own CSRF token, sent back by state-changing requests.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from kernel.messages import N_, ExplainedError, FieldValueError
from kernel.vocabulary import ROLES
from store.models.web import User, WebSession
from web.session.passwords import hash_password


class UserExistsError(ExplainedError, ValueError):
    def __init__(self, username: str) -> None:
        self.username = username
        self.explain(N_("%(username)r already exists"), {"username": username})
        super().__init__(f"username: {username!r} already exists")


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is signed in on this request."""

    username: str
    role: str
    agent_id: str | None
    display_name: str
    csrf_token: str
    token_hash: str
    locale: str | None = None  # the user's own language; None: Accept-Language, then the centre's


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class UnknownUserError(ExplainedError, LookupError):
    def __init__(self, username: str) -> None:
        self.username = username
        super().__init__(self.explain(N_("no user %(username)r"), {"username": username}))


def user_row(
    username: str,
    password: str,
    role: str,
    *,
    now: datetime,
    agent_id: str | None = None,
    display_name: str | None = None,
) -> dict[str, Any]:
    """A ``web_users`` row (the password hashed); an ``agent`` user is its own agent by default."""
    if role not in ROLES:
        raise FieldValueError(
            "role",
            N_("must be one of %(choices)s, got %(role)r"),
            {"choices": ", ".join(ROLES), "role": role},
        )
    if role == "agent" and not agent_id:
        agent_id = username
    return {
        "username": username,
        "password_hash": hash_password(password),
        "role": role,
        "agent_id": agent_id,
        "display_name": display_name,
        "active": True,
        "created_at": now,
    }


async def insert_user(conn: AsyncConnection, row: Mapping[str, Any]) -> None:
    """Insert ``row`` (``user_row``) in the caller's transaction; UserExistsError on a taken name
    (a race past the check ends as the IntegrityError the caller's commit raises)."""
    name = str(row["username"])
    if (await conn.execute(select(User.username).where(User.username == name))).first():
        raise UserExistsError(name)
    await conn.execute(insert(User), [dict(row)])


async def create_user(
    engine: AsyncEngine,
    username: str,
    password: str,
    role: str,
    *,
    now: datetime,
    agent_id: str | None = None,
    display_name: str | None = None,
) -> None:
    row = user_row(username, password, role, now=now, agent_id=agent_id, display_name=display_name)
    try:
        async with engine.begin() as conn:
            await insert_user(conn, row)
    except IntegrityError as exc:
        raise UserExistsError(username) from exc


async def find_user(engine: AsyncEngine, username: str) -> User | None:
    async with engine.connect() as conn:
        row = (
            (await conn.execute(select(User.__table__).where(User.username == username)))
            .mappings()
            .first()
        )
    return User(**row) if row else None


async def open_session(
    engine: AsyncEngine, user: User, *, now: datetime, ttl: timedelta, address: str | None
) -> tuple[str, str]:
    """Returns (cookie token, CSRF token)."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    async with engine.begin() as conn:
        await conn.execute(delete(WebSession).where(WebSession.expires_at < now))
        await conn.execute(
            insert(WebSession),
            [
                {
                    "token_hash": token_hash(token),
                    "username": user.username,
                    "csrf_token": csrf,
                    "address": (address or "")[:64] or None,
                    "created_at": now,
                    "expires_at": now + ttl,
                }
            ],
        )
    return token, csrf


async def find_session(engine: AsyncEngine, token: str, *, now: datetime) -> Principal | None:
    """The principal of the session whose cookie token is ``token``; None when it has ended."""
    th = token_hash(token)
    found = (await session_states(engine, [th], now=now))[th]
    return found if isinstance(found, Principal) else None


async def session_states(
    engine: AsyncEngine, hashes: Collection[str], *, now: datetime
) -> dict[str, Principal | str]:
    """Each session token hash -> its principal (the user's role and agent read afresh), or why
    the session ended: ``signed out``, ``session expired``, ``account disabled`` or ``account
    deleted``. One query per 500 sessions: the live feed checks all its WebSockets at once."""
    s, u = WebSession.__table__, User.__table__
    wanted = sorted(set(hashes))
    out: dict[str, Principal | str] = dict.fromkeys(wanted, "signed out")
    async with engine.connect() as conn:
        for i in range(0, len(wanted), 500):
            stmt = (
                select(
                    s.c.token_hash,
                    s.c.csrf_token,
                    s.c.expires_at,
                    u.c.username,
                    u.c.role,
                    u.c.agent_id,
                    u.c.display_name,
                    u.c.active,
                    u.c.locale,
                )
                .join(u, u.c.username == s.c.username, isouter=True)
                .where(s.c.token_hash.in_(wanted[i : i + 500]))
            )
            for row in (await conn.execute(stmt)).mappings():
                out[row["token_hash"]] = _session_state(row, now)
    return out


def _session_state(row: Mapping[Any, Any], now: datetime) -> Principal | str:
    if row["username"] is None:  # the user row is gone (no cascade on this database)
        return "account deleted"
    if not row["active"]:
        return "account disabled"
    if row["expires_at"] <= now:
        return "session expired"
    return Principal(
        username=row["username"],
        role=row["role"],
        agent_id=row["agent_id"],
        display_name=row["display_name"] or row["username"],
        csrf_token=row["csrf_token"],
        token_hash=row["token_hash"],
        locale=row["locale"],
    )


async def close_session(engine: AsyncEngine, th: str) -> None:
    async with engine.begin() as conn:
        await conn.execute(delete(WebSession).where(WebSession.token_hash == th))


async def ensure_user(
    engine: AsyncEngine,
    username: str,
    password: str,
    role: str,
    *,
    now: datetime,
    agent_id: str | None = None,
    display_name: str | None = None,
) -> bool:
    """Create the user unless it exists (demo seeding, start-up scripts); True when created."""
    if await find_user(engine, username) is not None:
        return False
    try:
        await create_user(
            engine, username, password, role, now=now, agent_id=agent_id, display_name=display_name
        )
    except UserExistsError:
        return False
    return True
