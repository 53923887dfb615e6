"""Typed keys for what hangs off the application and the request."""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

from aiohttp import web

from kernel.runtime import Runtime

if TYPE_CHECKING:
    from web.live.hub import LiveHub
    from web.ops.metrics import WebMetrics
    from web.planner.jobs import RosterJobs
    from web.services import WebServices
    from web.session.ratelimit import LoginThrottle
    from web.session.users import Principal

RUNTIME = web.AppKey("runtime", Runtime)
LIVE: web.AppKey[LiveHub] = web.AppKey("live")
METRICS: web.AppKey[WebMetrics] = web.AppKey("metrics")
THROTTLE: web.AppKey[LoginThrottle] = web.AppKey("throttle")
SERVICES: web.AppKey[WebServices] = web.AppKey("services")
ROSTER_JOBS: web.AppKey[RosterJobs] = web.AppKey("roster_jobs")
OPENAPI: web.AppKey[dict[str, Any]] = web.AppKey("openapi")
CSP = web.AppKey("csp", str)
# The live feed's open WebSockets, closed on shutdown (``web.live.socket.close_sockets``).
SOCKETS: web.AppKey[weakref.WeakSet[web.WebSocketResponse]] = web.AppKey("sockets")
# Request-scoped: the signed-in user, or None.
PRINCIPAL: web.RequestKey[Principal | None] = web.RequestKey("principal")
