"""Sign-in, sessions and CSRF for every request.

``security_middleware`` loads the session named by the ``cc_session`` cookie (HttpOnly,
SameSite=Lax; Secure when the site is served over HTTPS: ``secure_cookie``) and checks the CSRF token on every
state-changing request: the session's token in the ``X-CSRF-Token`` header or a ``csrf_token``
form field. Before sign-in there is no session, so the sign-in form and ``POST /api/session`` use a
double-submit token: the ``cc_login_csrf`` cookie must match the header or form field.

``sign_in`` is the one place that checks a password: throttled per user name, per (user name,
address) and per address (``web.session.ratelimit``), constant-time for unknown names.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import secrets
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from aiohttp import web

from kernel.settings import Settings
from web.bodies import read_form
from web.errors import ForbiddenError, RateLimitedError, UnauthorizedError
from web.i18n.catalog import N_
from web.keys import PRINCIPAL, RUNTIME, THROTTLE
from web.session.passwords import verify_password_async
from web.session.users import Principal, find_session, find_user, open_session

log = logging.getLogger(__name__)

SESSION_COOKIE = "cc_session"
LOGIN_CSRF_COOKIE = "cc_login_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOGIN_PATHS = frozenset({"/login", "/api/session"})
THROTTLED = {  # web.session.ratelimit's limits, as the refusal names them
    "user": N_(
        "too many failed sign-ins for this user name; try again in %(retry_s)s s"
        " or ask an administrator to unlock"
    ),
    "user_address": N_(
        "too many failed sign-ins for this user name from this address; try again in"
        " %(retry_s)s s or ask an administrator to unlock"
    ),
    "address": N_(
        "too many failed sign-ins from this address; try again in %(retry_s)s s"
        " or ask an administrator to unlock"
    ),
}


def _now() -> datetime:
    return datetime.now(UTC)


def client_address(request: web.Request) -> str:
    return request.remote or "unknown"


def served_over_https(request: web.Request) -> bool:
    """TLS on this server, or ``X-Forwarded-Proto: https`` from a proxy in
    ``web.trusted_proxies`` (anyone else could send the header)."""
    if request.secure:
        return True
    proto = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
    if proto != "https" or not request.remote:
        return False
    try:
        peer = ipaddress.ip_address(request.remote)
    except ValueError:
        return False
    trusted = request.app[RUNTIME].settings.web.trusted_proxies
    return any(peer in ipaddress.ip_network(net, strict=False) for net in trusted)


def secure_cookie(request: web.Request) -> bool:
    """``web.secure_cookies`` when set, else whether this request came over HTTPS."""
    setting = request.app[RUNTIME].settings.web.secure_cookies
    return served_over_https(request) if setting is None else setting


async def _csrf_given(request: web.Request) -> str | None:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await read_form(request)
        value = form.get("csrf_token")
        return value if isinstance(value, str) else None
    return None


def _same(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


@web.middleware
async def security_middleware(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    request[PRINCIPAL] = None
    if request.path.startswith("/static/"):
        return await handler(request)
    token = request.cookies.get(SESSION_COOKIE)
    principal: Principal | None = None
    if token:
        principal = await find_session(request.app[RUNTIME].engine, token, now=_now())
    request[PRINCIPAL] = principal
    if request.method not in SAFE_METHODS:
        given = await _csrf_given(request)
        if principal is not None:
            if not _same(given, principal.csrf_token):
                raise ForbiddenError(N_("CSRF token missing or wrong"), field="csrf_token")
        elif request.path in LOGIN_PATHS:
            if not _same(given, request.cookies.get(LOGIN_CSRF_COOKIE)):
                raise ForbiddenError(N_("CSRF token missing or wrong"), field="csrf_token")
        # Anonymous requests elsewhere get their 401 from the handler.
    return await handler(request)


def login_csrf_token(request: web.Request) -> str:
    return request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)


def set_login_csrf_cookie(request: web.Request, response: web.StreamResponse, token: str) -> None:
    if request.cookies.get(LOGIN_CSRF_COOKIE) != token:
        response.set_cookie(
            LOGIN_CSRF_COOKIE,
            token,
            httponly=True,
            samesite="Lax",
            secure=secure_cookie(request),
            path="/",
        )


KIOSK_TTL = timedelta(days=3650)  # "does not expire": a wall screen stays signed in; an admin
# revokes it (web/users/sessions.py) or disables the account


def session_ttl(settings: Settings, role: str) -> timedelta:
    """How long a session of ``role`` lasts: ``web.session_ttl_h``, except a wallboard screen's."""
    return KIOSK_TTL if role == "wallboard" else timedelta(hours=settings.web.session_ttl_h)


async def sign_in(request: web.Request, username: str, password: str) -> tuple[Principal, str]:
    """Check the password (throttled); returns the principal and the session cookie token."""
    rt = request.app[RUNTIME]
    throttle = request.app[THROTTLE]
    address = client_address(request)
    blocked = await throttle.check(username, address)
    if blocked is not None:
        which, retry_s = blocked
        log.warning("sign-in of %r from %s throttled by %s", username, address, which)
        raise RateLimitedError(
            THROTTLED[which],
            params={"retry_s": retry_s},
            field="address" if which == "address" else "username",
            retry_after_s=retry_s,
        )
    user = await find_user(rt.engine, username)
    ok = await verify_password_async(user.password_hash if user else None, password)
    if not ok or user is None or not user.active:
        await throttle.failed(username, address)
        log.info("failed sign-in of %r from %s", username, address)
        raise UnauthorizedError(N_("wrong user name or password"), field="password")
    await throttle.succeeded(username, address)
    ttl = session_ttl(rt.settings, user.role)
    token, csrf = await open_session(rt.engine, user, now=_now(), ttl=ttl, address=address)
    log.info("user %s (%s) signed in from %s", user.username, user.role, address)
    principal = Principal(
        username=user.username,
        role=user.role,
        agent_id=user.agent_id,
        display_name=user.display_name or user.username,
        csrf_token=csrf,
        token_hash="",
        locale=user.locale,
    )
    return principal, token


def set_session_cookie(
    request: web.Request, response: web.StreamResponse, token: str, role: str
) -> None:
    rt = request.app[RUNTIME]
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="Lax",
        secure=secure_cookie(request),
        path="/",
        max_age=int(session_ttl(rt.settings, role).total_seconds()),
    )
    response.del_cookie(LOGIN_CSRF_COOKIE, path="/")


def clear_session_cookie(response: web.StreamResponse) -> None:
    response.del_cookie(SESSION_COOKIE, path="/")
