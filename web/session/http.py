"""Sign-in over the API: ``GET /api/session`` (who am I, plus a CSRF token), ``POST`` to sign in,
``DELETE`` to sign out."""

from __future__ import annotations

from aiohttp import web

from web.endpoints import ApiCall, Endpoints
from web.roles import EVERYONE
from web.session.auth import (
    clear_session_cookie,
    login_csrf_token,
    set_login_csrf_cookie,
    set_session_cookie,
    sign_in,
)
from web.session.schemas import LoginBody, SessionOut
from web.session.users import Principal, close_session

api = Endpoints(tag="session")


def _session_out(p: Principal) -> SessionOut:
    return SessionOut(
        username=p.username,
        role=p.role,
        agent_id=p.agent_id,
        display_name=p.display_name,
        csrf_token=p.csrf_token,
    )


@api.op(
    "GET",
    "/api/session",
    roles=EVERYONE,
    public=True,
    summary="Read the session",
    response=SessionOut,
)
async def get_session(call: ApiCall) -> web.StreamResponse:
    if call.principal is not None:
        return web.json_response(_session_out(call.principal).model_dump(mode="json"))
    token = login_csrf_token(call.request)
    resp = web.json_response(
        SessionOut(
            username=None, role=None, agent_id=None, display_name=None, csrf_token=token
        ).model_dump(mode="json")
    )
    set_login_csrf_cookie(call.request, resp, token)
    return resp


@api.op(
    "POST",
    "/api/session",
    roles=EVERYONE,
    public=True,
    summary="Sign in",
    body=LoginBody,
    response=SessionOut,
)
async def create_session(call: ApiCall) -> web.StreamResponse:
    body: LoginBody = call.body
    principal, token = await sign_in(call.request, body.username, body.password)
    resp = web.json_response(_session_out(principal).model_dump(mode="json"))
    set_session_cookie(call.request, resp, token, principal.role)
    return resp


@api.op("DELETE", "/api/session", roles=EVERYONE, summary="Sign out")
async def delete_session(call: ApiCall) -> web.StreamResponse:
    await close_session(call.rt.engine, call.user.token_hash)
    resp = web.json_response({"ok": True})
    clear_session_cookie(resp)
    return resp
