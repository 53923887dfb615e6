"""Typed keys for what hangs off the application and the request."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from kernel.runtime import Runtime

if TYPE_CHECKING:
    from web.live import LiveHub
    from web.metrics import WebMetrics
    from web.ratelimit import LoginThrottle
    from web.services import WebServices
    from web.users import Principal

RUNTIME = web.AppKey("runtime", Runtime)
LIVE: web.AppKey[LiveHub] = web.AppKey("live")
METRICS: web.AppKey[WebMetrics] = web.AppKey("metrics")
THROTTLE: web.AppKey[LoginThrottle] = web.AppKey("throttle")
SERVICES: web.AppKey[WebServices] = web.AppKey("services")
# Request-scoped: the signed-in user, or None.
PRINCIPAL: web.RequestKey[Principal | None] = web.RequestKey("principal")
