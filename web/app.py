"""The web application: one aiohttp app for the JSON API, the live feed and the pages.

``create_app(rt)`` builds it (resources hang off typed ``web.AppKey``s; the live feed runs in
``cleanup_ctx``); ``run_web`` is the piece ``callcenter serve`` runs, and ``start_web`` lets a
composition root (the demo) start it beside other pieces and learn the bound port.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as dist_version
from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web

from kernel.runtime import Runtime
from kernel.settings import SettingsError
from web.bodies import MAX_REQUEST_BYTES
from web.domain_errors import api_error
from web.errors import (
    ApiError,
    NotFoundError,
    PayloadTooLargeError,
    RateLimitedError,
    UnauthorizedError,
)
from web.i18n.catalog import N_
from web.i18n.http import request_translations
from web.i18n.templates import install as install_i18n
from web.keys import (
    CSP,
    LIVE,
    METRICS,
    OPENAPI,
    ROSTER_JOBS,
    RUNTIME,
    SERVICES,
    SOCKETS,
    THROTTLE,
)
from web.live.hub import LiveHub
from web.live.socket import close_sockets, live_sessions
from web.openapi import build_openapi
from web.ops.metrics import WebMetrics
from web.ops.monitoring import monitoring_guard
from web.pages import error_page
from web.phone.credentials import connect_sources
from web.planner.jobs import RosterJobs
from web.routes import endpoints, setup_routes
from web.services import WebServices
from web.session.auth import security_middleware
from web.session.ratelimit import LoginThrottle

log = logging.getLogger(__name__)

HERE = Path(__file__).parent


def content_security_policy(connect: list[str]) -> str:
    """The pages' policy; ``connect`` adds origins beyond our own (the browser phone's PBX).

    No ``'unsafe-eval'``: plotly's SVG traces (bar, scatter, pie) need no eval (its WebGL traces
    would; the pages use none); the browser tests fail on any CSP violation."""
    sources = " ".join(["'self'", *connect])
    return (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        f"script-src 'self'; connect-src {sources}; frame-ancestors 'none'"
    )


def _wants_json(request: web.Request) -> bool:
    return request.path.startswith("/api/") or request.path in ("/metrics", "/healthz", "/ws")


@web.middleware
async def error_middleware(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Every failure becomes a status with a body that names the field; pages get HTML."""
    try:
        return await handler(request)
    except web.HTTPRequestEntityTooLarge:  # aiohttp's own limit (client_max_size)
        err: ApiError = PayloadTooLargeError(
            f"larger than the {MAX_REQUEST_BYTES} bytes allowed", field="body"
        )
    except web.HTTPNotFound:
        if _wants_json(request) or request.path.startswith("/static/"):
            raise
        # a page address that does not exist: the error page, in the reader's language
        err = NotFoundError(N_("There is no page at this address."), field="path")
    except web.HTTPException:
        raise
    except Exception as exc:
        # an API error, a feature's error (the table in web.domain_errors), or a bug (500)
        known = api_error(exc)
        if known is None:
            raise
        err = known
    if _wants_json(request):
        resp = web.json_response(err.body(request_translations(request)), status=err.status)
        if isinstance(err, RateLimitedError):
            resp.headers["Retry-After"] = str(err.retry_after_s)
        return resp
    if isinstance(err, UnauthorizedError):
        raise web.HTTPSeeOther(f"/login?next={request.path}")
    return await error_page(request, err)


@web.middleware
async def headers_middleware(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    resp = await handler(request)
    resp.headers.setdefault("X-Content-Type-Options", "nosniff")
    resp.headers.setdefault("X-Frame-Options", "DENY")
    resp.headers.setdefault("Referrer-Policy", "same-origin")
    resp.headers.setdefault("Content-Security-Policy", request.config_dict[CSP])
    if request.path.startswith("/api/"):
        resp.headers.setdefault("Cache-Control", "no-store")
    return resp


def _version() -> str:
    try:
        return dist_version("callcenter")
    except PackageNotFoundError:  # pragma: no cover - running from a plain checkout
        return "0"


def create_app(rt: Runtime, *, live: bool = True) -> web.Application:
    """The application for ``rt``; ``live=False`` leaves the stream listener out (unit tests)."""

    app = web.Application(
        middlewares=[headers_middleware, error_middleware, monitoring_guard, security_middleware],
        client_max_size=MAX_REQUEST_BYTES,
    )
    app[RUNTIME] = rt
    s = rt.settings
    app[CSP] = content_security_policy(connect_sources(s.webrtc))
    services = WebServices.build(rt)
    app[SERVICES] = services
    app[METRICS] = WebMetrics(rt.supervisor.board)
    app[THROTTLE] = LoginThrottle.for_settings(rt.redis, s)
    app[LIVE] = LiveHub(
        rt.redis,
        rt.streams,
        queue_size=s.web.ws_queue_size,
        stats=services.live_state.queues,
        stats_every_s=s.web.stats_every_ms / 1000,
        observe=app[METRICS].observe,
        sessions=live_sessions(rt.engine),
        session_check_s=s.web.ws_session_check_s,
    )
    app[ROSTER_JOBS] = RosterJobs(app[LIVE])
    app[SOCKETS] = weakref.WeakSet()
    app.on_shutdown.append(close_sockets)
    app[OPENAPI] = build_openapi(endpoints(), title="Call center API", version=_version())
    env = aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
    )
    install_i18n(env)
    setup_routes(app)
    app.cleanup_ctx.append(_roster_jobs)
    if live:
        app.cleanup_ctx.append(_live_feed)
    return app


async def _roster_jobs(app: web.Application) -> AsyncIterator[None]:
    """Running roster solves are stopped on shutdown."""
    yield
    await app[ROSTER_JOBS].close()


async def _live_feed(app: web.Application) -> AsyncIterator[None]:
    """The live feed runs as a piece of its own (``live-feed``) beside the web that serves its
    clients: it fails, waits and restarts on its own, and shows so on ``/healthz``."""
    hub = app[LIVE]
    task = asyncio.create_task(app[RUNTIME].supervisor.keep("live-feed", hub.run), name="live-feed")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def start_web(
    rt: Runtime, *, host: str | None = None, port: int | None = None
) -> tuple[web.AppRunner, int]:
    """Start serving; returns the runner (``await runner.cleanup()`` stops it) and the port."""
    app = create_app(rt)
    runner = web.AppRunner(app, handle_signals=False, access_log=None)
    await runner.setup()
    host = host or rt.settings.web.host
    port = rt.settings.web.port if port is None else port
    site = web.TCPSite(runner, host, port)
    try:
        await site.start()
    except OSError as exc:  # the port is taken (or the address is not ours): a setting to fix
        await runner.cleanup()
        reason = os.strerror(exc.errno).lower() if exc.errno else str(exc)
        raise SettingsError("web.port", port, f"cannot listen on {host}:{port}: {reason}") from None
    server = site._server  # noqa: SLF001 - the bound port when port 0 was asked for
    sockets = getattr(server, "sockets", None) or []
    bound = sockets[0].getsockname()[1] if sockets else rt.settings.web.port
    return runner, bound


async def run_web(rt: Runtime) -> None:
    """Serve the web application until cancelled."""
    runner, port = await start_web(rt)
    log.info("web listening on http://%s:%d/", rt.settings.web.host, port)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
