"""Sign-in pages: the form and its submission, sign-out, the start page per role, and the page of
users whose role has no page of its own yet."""

from __future__ import annotations

from urllib.parse import urlsplit

from aiohttp import web

from web.bodies import read_form
from web.errors import RateLimitedError, UnauthorizedError
from web.i18n.catalog import N_
from web.i18n.http import request_translations
from web.keys import PRINCIPAL, RUNTIME
from web.pages import Pages, home_of, render
from web.roles import STAFF
from web.session.auth import (
    clear_session_cookie,
    login_csrf_token,
    set_login_csrf_cookie,
    set_session_cookie,
    sign_in,
)
from web.session.users import Principal, close_session

pages = Pages()


@pages.public("GET", "/")
async def index(request: web.Request) -> web.StreamResponse:
    raise web.HTTPSeeOther(home_of(request.get(PRINCIPAL)))


def _safe_next(value: str | None) -> str | None:
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not value.startswith("/") or value.startswith("//"):
        return None
    return value


@pages.public("GET", "/login")
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


@pages.public("POST", "/login")
async def login_submit(request: web.Request) -> web.StreamResponse:
    form = await read_form(request)
    username = str(form.get("username") or "").strip()[:64]
    password = str(form.get("password") or "")[:200]
    if not username or not password:
        return _login_page(
            request, error=N_("Enter your user name and password."), status=400, username=username
        )
    try:
        principal, token = await sign_in(request, username, password)
    except RateLimitedError as exc:
        said = exc.body(request_translations(request))["message"]  # the template's _() keeps it
        return _login_page(request, error=said, status=429, username=username)
    except UnauthorizedError:
        return _login_page(
            request, error=N_("Wrong user name or password."), status=401, username=username
        )
    target = _safe_next(str(form.get("next") or "")) or home_of(principal)
    resp = web.HTTPSeeOther(target)
    set_session_cookie(request, resp, token, principal.role)
    raise resp


@pages.public("POST", "/logout")
async def logout(request: web.Request) -> web.StreamResponse:
    p = request.get(PRINCIPAL)
    if p is not None:
        await close_session(request.app[RUNTIME].engine, p.token_hash)
    resp = web.HTTPSeeOther("/login")
    clear_session_cookie(resp)
    raise resp


@pages.get("/home", roles=STAFF)
async def home_page(request: web.Request, principal: Principal) -> web.StreamResponse:
    return render("home.html", request, {"page": "home"})
