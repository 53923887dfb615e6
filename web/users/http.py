"""The user administration API (admins only; ``web.users.accounts`` does the work and the audit):
list with sign-in locks, add, disable or enable, reset a password, unlock."""

from __future__ import annotations

from datetime import UTC, datetime

from aiohttp import web

from web.endpoints import ApiCall, Endpoints
from web.errors import ConflictError
from web.i18n.catalog import N_
from web.keys import THROTTLE
from web.roles import ADMIN
from web.users.accounts import (
    Actor,
    add_user,
    list_users,
    record_unlock,
    reset_password,
    revoke_sessions,
    set_active,
)
from web.users.schemas import (
    ActiveBody,
    LockOut,
    NewUserBody,
    PasswordBody,
    RevokedOut,
    UnlockOut,
    UserOut,
    UsersOut,
)

api = Endpoints(tag="users")


def _actor(call: ApiCall) -> Actor:
    return Actor(call.user.username, call.user.role)


@api.op(
    "GET",
    "/api/users",
    roles=ADMIN,
    summary="List users and their sign-in locks",
    response=UsersOut,
)
async def users(call: ApiCall) -> UsersOut:
    now = datetime.now(UTC)
    throttle = call.request.app[THROTTLE]
    out = []
    for u in await list_users(call.rt.engine):
        locks = await throttle.locks(u.username, now=now)
        out.append(
            UserOut(
                username=u.username,
                role=u.role,
                agent_id=u.agent_id,
                display_name=u.display_name,
                active=u.active,
                created_at=u.created_at,
                locks=[LockOut(until=lk.until, address=lk.address) for lk in locks],
                locked_until=max((lk.until for lk in locks), default=None),
            )
        )
    return UsersOut(server_at=now, users=out)


@api.op("POST", "/api/users", roles=ADMIN, summary="Add a user", body=NewUserBody, status=201)
async def new_user(call: ApiCall) -> web.StreamResponse:
    b: NewUserBody = call.body
    await add_user(
        call.rt.engine,
        _actor(call),
        username=b.username,
        password=b.password,
        role=b.role,
        agent_id=b.agent_id,
        display_name=b.display_name,
        configured_agents={a.id for a in call.rt.settings.agents},
        now=datetime.now(UTC),
    )
    return web.json_response({"username": b.username}, status=201)


@api.op(
    "POST",
    "/api/users/{username}/active",
    roles=ADMIN,
    summary="Disable or enable a user",
    body=ActiveBody,
)
async def user_active(call: ApiCall) -> web.StreamResponse:
    b: ActiveBody = call.body
    name = call.path["username"]
    if name == call.user.username and not b.active:  # the last admin could lock everyone out
        raise ConflictError(N_("you cannot disable your own account"), field="username")
    await set_active(call.rt.engine, _actor(call), name, active=b.active, now=datetime.now(UTC))
    return web.json_response({"username": name, "active": b.active})


@api.op(
    "POST",
    "/api/users/{username}/password",
    roles=ADMIN,
    summary="Reset a user's password",
    body=PasswordBody,
)
async def user_password(call: ApiCall) -> web.StreamResponse:
    b: PasswordBody = call.body
    name = call.path["username"]
    await reset_password(call.rt.engine, _actor(call), name, b.password, now=datetime.now(UTC))
    return web.json_response({"username": name})


@api.op(
    "POST",
    "/api/users/{username}/unlock",
    roles=ADMIN,
    summary="Unlock a user's sign-in",
    response=UnlockOut,
)
async def user_unlock(call: ApiCall) -> UnlockOut:
    name = call.path["username"]
    was_locked = await call.request.app[THROTTLE].unlock(name)
    await record_unlock(
        call.rt.engine, _actor(call), name, was_locked=was_locked, now=datetime.now(UTC)
    )
    return UnlockOut(username=name, was_locked=was_locked)


@api.op(
    "POST",
    "/api/users/{username}/sessions/revoke",
    roles=ADMIN,
    summary="End every session of a user (e.g. a wallboard screen's, which never expires)",
    response=RevokedOut,
)
async def revoke_user_sessions(call: ApiCall) -> RevokedOut:
    username = call.path["username"]
    ended = await revoke_sessions(call.rt.engine, _actor(call), username, now=datetime.now(UTC))
    return RevokedOut(username=username, sessions_ended=ended)
