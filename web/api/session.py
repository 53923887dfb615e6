"""Sign-in over the API: ``GET /api/session`` (who am I, plus a CSRF token), ``POST`` to sign in,
``DELETE`` to sign out."""

from __future__ import annotations

from aiohttp import web

from web.api import API
from web.api.registry import ApiCall
from web.api.schemas import LoginBody, SessionOut
from web.auth import (
    clear_session_cookie,
    login_csrf_token,
    set_login_csrf_cookie,
    set_session_cookie,
    sign_in,
)
from web.keys import RUNTIME
from web.users import close_session

ALL = {"agent", "supervisor", "planner", "qa", "admin"}


@API.op(
    "GET",
    "/api/session",
    roles=ALL,
    public=True,
    summary="Read the session",
    tag="session",
    response=SessionOut,
)
async def get_session(call: ApiCall) -> web.StreamResponse:
    p = call.principal
    if p is not None:
        out = SessionOut(
            username=p.username,
            role=p.role,
            agent_id=p.agent_id,
            display_name=p.display_name,
            csrf_token=p.csrf_token,
        )
        return web.json_response(out.model_dump(mode="json"))
    token = login_csrf_token(call.request)
    resp = web.json_response(
        SessionOut(
            username=None, role=None, agent_id=None, display_name=None, csrf_token=token
        ).model_dump(mode="json")
    )
    set_login_csrf_cookie(call.request, resp, token)
    return resp


@API.op(
    "POST",
    "/api/session",
    roles=ALL,
    public=True,
    summary="Sign in",
    tag="session",
    body=LoginBody,
    response=SessionOut,
)
async def create_session(call: ApiCall) -> web.StreamResponse:
    body: LoginBody = call.body
    principal, token = await sign_in(call.request, body.username, body.password)
    resp = web.json_response(
        SessionOut(
            username=principal.username,
            role=principal.role,
            agent_id=principal.agent_id,
            display_name=principal.display_name,
            csrf_token=principal.csrf_token,
        ).model_dump(mode="json")
    )
    set_session_cookie(call.request, resp, token)
    return resp


@API.op("DELETE", "/api/session", roles=ALL, summary="Sign out", tag="session")
async def delete_session(call: ApiCall) -> web.StreamResponse:
    assert call.principal is not None
    await close_session(call.request.app[RUNTIME].engine, call.principal.token_hash)
    resp = web.json_response({"ok": True})
    clear_session_cookie(resp)
    return resp
