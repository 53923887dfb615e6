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
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as dist_version
from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web
from sqlalchemy import text

from complaints.lifecycle import ComplaintError, ComplaintFieldError
from kernel.runtime import Runtime
from kernel.settings import SettingsError
from outbound.tasks import FormError, OutboundTaskError, TaskNotFoundError
from queueing.errors import (
    AgentActionError,
    AgentStateError,
    CallbackNumberError,
    CallNotWaitingError,
    QueueingError,
    UnknownAgentError,
    UnknownReasonError,
)
from web import pages
from web.api import load_endpoints
from web.api.openapi import build_openapi
from web.auth import security_middleware
from web.bodies import MAX_REQUEST_BYTES
from web.errors import (
    ApiError,
    ConflictError,
    NotFoundError,
    PayloadTooLargeError,
    RateLimitedError,
    UnauthorizedError,
    ValidationError,
)
from web.keys import LIVE, METRICS, RUNTIME, SERVICES, THROTTLE
from web.live import LiveHub
from web.metrics import WebMetrics
from web.monitoring import monitoring_guard
from web.phone import connect_sources
from web.ratelimit import LoginLimits, LoginThrottle
from web.services import WebServices
from web.workspaces import register_workspaces
from web.ws import live_sessions, live_socket

log = logging.getLogger(__name__)

HERE = Path(__file__).parent
OPENAPI = web.AppKey("openapi", dict)
CSP = web.AppKey("csp", str)


def content_security_policy(connect: list[str]) -> str:
    """The pages' policy; ``connect`` adds origins beyond our own (the browser phone's PBX).

    No ``'unsafe-eval'``: plotly's SVG traces (bar, scatter, pie) need no eval (its WebGL traces
    would; the pages use none); the browser tests fail on any CSP violation."""
    sources = " ".join(["'self'", *connect])
    return (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        f"script-src 'self'; connect-src {sources}; frame-ancestors 'none'"
    )


def plotly_js_path() -> Path:
    """plotly.min.js as shipped by the installed ``plotly`` package (served locally)."""
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


async def healthz(request: web.Request) -> web.Response:
    """Each dependency and each supervised piece of this process reported on its own; 503 only
    when a piece is stopped or has been retrying (waiting for Redis or the database) for over a
    minute: a short outage is waited out, not an alarm."""
    rt = request.app[RUNTIME]
    checks: dict[str, dict[str, object]] = {}
    try:
        async with asyncio.timeout(2):
            await rt.redis.ping()
        checks["redis"] = {"ok": True}
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        checks["redis"] = {"ok": False, "error": str(exc) or type(exc).__name__}
    try:
        async with asyncio.timeout(2), rt.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        checks["database"] = {"ok": True}
    except Exception as exc:  # noqa: BLE001
        checks["database"] = {"ok": False, "error": str(exc) or type(exc).__name__}
    if rt.settings.ami.host:
        try:
            async with asyncio.timeout(2):
                state = await rt.redis.hget(rt.streams.bridge_status, "connected")
            checks["ami"] = {"ok": state == "1", "host": rt.settings.ami.host}
        except Exception as exc:  # noqa: BLE001
            checks["ami"] = {"ok": False, "host": rt.settings.ami.host, "error": str(exc)}
    board = rt.supervisor.board
    failing = board.failing()
    body = {"ok": not failing, "failing": failing, "pieces": board.snapshot(), "checks": checks}
    return web.json_response(body, status=503 if failing else 200)


async def openapi_json(request: web.Request) -> web.Response:
    return web.json_response(request.app[OPENAPI])


async def metrics(request: web.Request) -> web.Response:
    app = request.app
    rt, m, hub = app[RUNTIME], app[METRICS], app[LIVE]
    m.ws_clients.set(len(hub.clients))
    try:
        for q in await app[SERVICES].live_state.queues():
            m.queue_waiting.labels(q["queue_id"]).set(q["waiting"])
            m.queue_longest.labels(q["queue_id"]).set(q["longest_wait_s"])
        counts: dict[str, int] = {}
        for a in await app[SERVICES].live_state.agents():
            counts[a["state"]] = counts.get(a["state"], 0) + 1
        for state in ("ready", "not_ready", "offered", "on_call", "wrap_up"):
            m.agents.labels(state).set(counts.get(state, 0))
        connected, written = await asyncio.gather(
            rt.redis.hget(rt.streams.bridge_status, "connected"),
            rt.redis.get(rt.streams.events_written),
        )
        m.ami_connected.set(1 if connected == "1" else 0)
        m.events_written.set(int(written or 0))
    except Exception as exc:  # noqa: BLE001 - a scrape reports what it can
        log.warning("metrics: live figures unavailable: %s", exc)
    return web.Response(
        body=m.render(),
        content_type="text/plain",
        charset="utf-8",
        headers={"X-Content-Type-Options": "nosniff"},
    )


def _queueing_error(exc: QueueingError) -> ApiError:
    if isinstance(exc, UnknownReasonError):
        return ValidationError([{"field": "reason", "in": "body", "message": exc.message}])
    if isinstance(exc, UnknownAgentError):
        return NotFoundError(exc.message, field="agent_id")
    if isinstance(exc, CallbackNumberError):
        return ValidationError([{"field": "number", "in": "body", "message": exc.reason}])
    if isinstance(exc, CallNotWaitingError):
        if exc.state == "unknown":  # in no domain's calls: there is no such waiting call
            return NotFoundError(f"no waiting call {exc.call_id}", field="call_id")
        return ConflictError(exc.message, field="call_id")
    if isinstance(exc, AgentStateError):
        return ConflictError(f"{exc.action} not allowed while {exc.state}", field="state")
    if isinstance(exc, AgentActionError):
        return ConflictError(exc.message, field="state")
    return ConflictError(str(exc))


def _store_error(exc: ComplaintError | OutboundTaskError) -> ApiError:
    """Complaint and outbound-task errors name the field of their own input; map it to ours."""
    field = getattr(exc, "field", None)
    message = getattr(exc, "message", str(exc))
    if isinstance(exc, ComplaintError):
        if isinstance(exc, ComplaintFieldError):
            return ValidationError(
                [{"field": f"complaint.{field}", "in": "body", "message": message}]
            )
        return ConflictError(str(exc), field="complaint")
    if isinstance(exc, TaskNotFoundError):
        return NotFoundError(str(exc), field="call_id")
    if isinstance(exc, FormError):
        name = "callback_at" if field == "due_at" else str(field)
        where = "path" if name == "call_id" else "body"
        return ValidationError([{"field": name, "in": where, "message": message}])
    return ValidationError([{"field": "callback_at", "in": "body", "message": str(exc)}])


FIELD_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]{0,63}")


def _value_error(exc: ValueError) -> ValidationError:
    """``"extra_s: must be positive"`` names the field ``extra_s``; any other text is about the
    body as a whole (``field`` stays a field name, never a message)."""
    name, _, message = str(exc).partition(": ")
    if not message or not FIELD_NAME.fullmatch(name):
        name, message = "body", str(exc)
    return ValidationError([{"field": name, "in": "body", "message": message}])


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
    except web.HTTPException:
        raise
    except QueueingError as exc:
        err = _queueing_error(exc)
    except (ComplaintError, OutboundTaskError) as exc:
        err = _store_error(exc)
    except ApiError as exc:
        err = exc
    except ValueError as exc:  # a service's precondition naming its argument ("extra_s: ...")
        err = _value_error(exc)
    if _wants_json(request):
        resp = web.json_response(err.body(), status=err.status)
        if isinstance(err, RateLimitedError):
            resp.headers["Retry-After"] = str(err.retry_after_s)
        return resp
    if isinstance(err, UnauthorizedError):
        raise web.HTTPSeeOther(f"/login?next={request.path}")
    return await pages.error_page(request, err)


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
    app[THROTTLE] = LoginThrottle(
        rt.redis,
        s.redis_prefix,
        LoginLimits(
            s.web.login_window_s, s.web.login_failures_per_user, s.web.login_failures_per_address
        ),
    )
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
    register_workspaces(app)
    api = load_endpoints()
    app[OPENAPI] = build_openapi(api, title="Call center API", version=_version())
    aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
    )
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    app.router.add_get("/api/openapi.json", openapi_json)
    app.router.add_get("/ws", live_socket)
    app.router.add_get("/static/vendor/plotly.min.js", _plotly)
    app.router.add_static("/static/", HERE / "static", append_version=True, name="static")
    api.install(app)
    pages.install(app)
    if live:
        app.cleanup_ctx.append(_live_feed)
    return app


async def _plotly(request: web.Request) -> web.FileResponse:
    return web.FileResponse(
        plotly_js_path(),
        headers={"Cache-Control": "public, max-age=86400", "Content-Type": "text/javascript"},
    )


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
