"""Server-rendered pages: sign-in, the agent's softphone dashboard, the supervisor's wallboard.

Pages carry no data of their own beyond the first render: their JavaScript modules load state
from ``/api/`` and follow the live feed (``/ws``). Every page checks the role like the API does.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import aiohttp_jinja2
from aiohttp import web

from web.auth import (
    clear_session_cookie,
    login_csrf_token,
    set_login_csrf_cookie,
    set_session_cookie,
    sign_in,
)
from web.bodies import read_form
from web.errors import ApiError, ForbiddenError, RateLimitedError, UnauthorizedError
from web.keys import PRINCIPAL, RUNTIME
from web.phone import phone_setup
from web.users import Principal, close_session

HOME_BY_ROLE = {
    "agent": "/agent",
    "supervisor": "/wallboard",
    "admin": "/wallboard",
    "planner": "/planner",
    "qa": "/qa",
}


def render(
    name: str, request: web.Request, ctx: dict[str, Any], *, status: int = 200
) -> web.Response:
    """Render a template with what every page shows (the user, the CSRF token, home)."""
    p: Principal | None = request.get(PRINCIPAL)
    base = {
        "principal": p,
        "csrf_token": p.csrf_token if p else "",
        "home_url": HOME_BY_ROLE.get(p.role, "/") if p else "/",
    }
    return aiohttp_jinja2.render_template(name, request, {**base, **ctx}, status=status)


def _require(request: web.Request, *roles: str) -> Principal:
    p: Principal | None = request.get(PRINCIPAL)
    if p is None:
        raise UnauthorizedError("sign in first", field="session")
    if p.role not in roles and p.role != "admin":
        raise ForbiddenError(f"this page is for {', '.join(roles)}; you are {p.role}", field="role")
    return p


async def index(request: web.Request) -> web.StreamResponse:
    p: Principal | None = request.get(PRINCIPAL)
    raise web.HTTPSeeOther(HOME_BY_ROLE.get(p.role, "/home") if p else "/login")


def _safe_next(value: str | None) -> str | None:
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not value.startswith("/") or value.startswith("//"):
        return None
    return value


async def login_form(request: web.Request) -> web.StreamResponse:
    if request.get(PRINCIPAL) is not None:
        return await index(request)
    return _login_page(request, error=None, status=200)


def _login_page(
    request: web.Request, *, error: str | None, status: int, username: str = ""
) -> web.Response:
    token = login_csrf_token(request)
    resp = render(
        "login.html",
        request,
        {
            "login_csrf": token,
            "error": error,
            "username": username,
            "next": _safe_next(request.query.get("next")) or "",
        },
        status=status,
    )
    set_login_csrf_cookie(request, resp, token)
    return resp


async def login_submit(request: web.Request) -> web.StreamResponse:
    form = await read_form(request)
    username = str(form.get("username") or "").strip()[:64]
    password = str(form.get("password") or "")[:200]
    if not username or not password:
        return _login_page(
            request, error="Enter your user name and password.", status=400, username=username
        )
    try:
        principal, token = await sign_in(request, username, password)
    except RateLimitedError as exc:
        return _login_page(request, error=exc.message, status=429, username=username)
    except UnauthorizedError:
        return _login_page(
            request, error="Wrong user name or password.", status=401, username=username
        )
    target = _safe_next(str(form.get("next") or "")) or HOME_BY_ROLE.get(principal.role, "/home")
    resp = web.HTTPSeeOther(target)
    set_session_cookie(request, resp, token)
    raise resp


async def logout(request: web.Request) -> web.StreamResponse:
    p: Principal | None = request.get(PRINCIPAL)
    if p is not None:
        await close_session(request.app[RUNTIME].engine, p.token_hash)
    resp = web.HTTPSeeOther("/login")
    clear_session_cookie(resp)
    raise resp


async def agent_page(request: web.Request) -> web.StreamResponse:
    p = _require(request, "agent")
    if not p.agent_id:
        raise ForbiddenError(f"user {p.username} is not tied to an agent", field="agent_id")
    setup = phone_setup(request.app[RUNTIME].settings, p.agent_id)
    return render("agent.html", request, {"page": "agent", "phone": setup})


async def wallboard_page(request: web.Request) -> web.StreamResponse:
    _require(request, "supervisor")
    rt = request.app[RUNTIME]
    return render(
        "wallboard.html",
        request,
        {
            "page": "wallboard",
            "queues": [{"id": q.id, "name": q.name or q.id} for q in rt.settings.queues],
            "reasons": rt.settings.routing.pickable_reasons,
        },
    )


async def home_page(request: web.Request) -> web.StreamResponse:
    _require(request, "agent", "supervisor", "planner", "qa")
    return render("home.html", request, {"page": "home"})


async def error_page(request: web.Request, err: ApiError) -> web.Response:
    return render(
        "error.html",
        request,
        {"status": err.status, "message": err.message, "page": "error"},
        status=err.status,
    )


def install(app: web.Application) -> None:
    app.router.add_get("/", index)
    app.router.add_get("/login", login_form)
    app.router.add_post("/login", login_submit)
    app.router.add_post("/logout", logout)
    app.router.add_get("/agent", agent_page)
    app.router.add_get("/wallboard", wallboard_page)
    app.router.add_get("/home", home_page)
