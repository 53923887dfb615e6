"""Who may read ``/metrics`` and ``/healthz`` (queue and agent counts, the state of each
dependency): ``web.monitoring`` says.

* ``local`` (the default): requests from a loopback address that no proxy forwarded (no
  ``Forwarded`` / ``X-Forwarded-For`` header: a reverse proxy on the same host would otherwise
  make every outside request look local); others get 403.
* ``token``: requests with ``Authorization: Bearer <web.monitoring_token>``; others get 401.
* ``open``: anyone.

One middleware, ``monitoring_guard``, in front of both paths; the handlers themselves do not know.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Awaitable, Callable, Mapping

from aiohttp import web

from web.errors import ApiError, ForbiddenError, UnauthorizedError
from web.i18n.catalog import N_
from web.keys import RUNTIME

GUARDED = frozenset({"/metrics", "/healthz"})
PROXY_HEADERS = ("Forwarded", "X-Forwarded-For")


def is_local(remote: str | None, headers: Mapping[str, str]) -> bool:
    """A loopback peer that no proxy forwarded."""
    if not remote or any(h in headers for h in PROXY_HEADERS):
        return False
    try:
        return ipaddress.ip_address(remote).is_loopback
    except ValueError:
        return False


def refusal(request: web.Request) -> ApiError | None:
    """Why ``request`` may not read a guarded path, or None when it may."""
    web_settings = request.app[RUNTIME].settings.web
    mode = web_settings.monitoring
    if mode == "open":
        return None
    if mode == "local":
        if is_local(request.remote, request.headers):
            return None
        return ForbiddenError(
            N_("%(path)s is served to local addresses only (web.monitoring)"),
            field="address",
            params={"path": request.path},
        )
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    token = web_settings.monitoring_token or ""
    if scheme.lower() == "bearer" and token and hmac.compare_digest(given.strip(), token):
        return None
    return UnauthorizedError(
        N_("%(path)s needs Authorization: Bearer <web.monitoring_token>"),
        field="authorization",
        params={"path": request.path},
    )


@web.middleware
async def monitoring_guard(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    if request.path not in GUARDED:
        return await handler(request)
    err = refusal(request)
    if err is None:
        return await handler(request)
    resp = web.json_response(err.body(), status=err.status)
    if isinstance(err, UnauthorizedError):
        resp.headers["WWW-Authenticate"] = 'Bearer realm="monitoring"'
    return resp
