"""Every route of the application, added in one place: ``setup_routes(app)``.

Each feature declares its own (``http.py``: JSON endpoints in an ``Endpoints`` table;
``pages.py``: pages in a ``Pages`` table); this module lists the features, so the application,
the OpenAPI document (``endpoints()``) and the tests see the same routes and none arrives as a
side effect of an import.
"""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from web.admin import http as admin_http
from web.admin import pages as admin_pages
from web.agent import dialling as agent_dialling
from web.agent import http as agent_http
from web.agent import pages as agent_pages
from web.agent import wrap_up as agent_wrap_up
from web.calls import consult as calls_consult
from web.calls import controls as calls_controls
from web.calls import http as calls_http
from web.complaints import http as complaints_http
from web.complaints import pages as complaints_pages
from web.customers import http as customers_http
from web.customers import pages as customers_pages
from web.endpoints import Endpoint, Endpoints, request_handler
from web.i18n import pages as i18n_pages
from web.keys import OPENAPI
from web.live import socket as live_socket
from web.messages import http as messages_http
from web.ops import http as ops_http
from web.pages import Pages
from web.phone import http as phone_http
from web.planner import http as planner_http
from web.planner import pages as planner_pages
from web.planner import requests as planner_requests
from web.qa import http as qa_http
from web.qa import pages as qa_pages
from web.qa import recordings as qa_recordings
from web.reports import http as reports_http
from web.reports import pages as reports_pages
from web.scripts import http as scripts_http
from web.scripts import pages as scripts_pages
from web.session import http as session_http
from web.session import pages as session_pages
from web.supervisor import http as supervisor_http
from web.supervisor import pages as supervisor_pages
from web.supervisor import waiting as supervisor_waiting
from web.users import http as users_http
from web.users import pages as users_pages

STATIC = Path(__file__).parent / "static"

API: tuple[Endpoints, ...] = (
    agent_http.api,
    agent_wrap_up.api,
    agent_dialling.api,
    calls_http.api,
    calls_controls.api,
    calls_consult.api,
    phone_http.api,
    session_http.api,
    supervisor_http.api,
    supervisor_waiting.api,
    messages_http.api,
    complaints_http.api,
    customers_http.api,
    planner_http.api,
    planner_requests.api,
    qa_http.api,
    qa_recordings.api,
    reports_http.api,
    scripts_http.api,
    users_http.api,
    admin_http.api,
)
PAGES: tuple[Pages, ...] = (
    session_pages.pages,
    i18n_pages.pages,
    agent_pages.pages,
    supervisor_pages.pages,
    planner_pages.pages,
    qa_pages.pages,
    complaints_pages.pages,
    customers_pages.pages,
    reports_pages.pages,
    scripts_pages.pages,
    users_pages.pages,
    admin_pages.pages,
)
OTHER: tuple[web.RouteTableDef, ...] = (ops_http.routes, live_socket.routes)


def endpoints() -> list[Endpoint]:
    """Every JSON endpoint of ``/api/``, in the order the OpenAPI document lists them."""
    return [ep for table in API for ep in table]


async def openapi_json(request: web.Request) -> web.Response:
    return web.json_response(request.app[OPENAPI])


async def plotly_js(request: web.Request) -> web.FileResponse:
    """plotly.min.js as shipped by the installed ``plotly`` package (served locally)."""
    return web.FileResponse(
        plotly_js_path(),
        headers={"Cache-Control": "public, max-age=86400", "Content-Type": "text/javascript"},
    )


def plotly_js_path() -> Path:
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def setup_routes(app: web.Application) -> None:
    for routes in OTHER:
        app.router.add_routes(routes)
    app.router.add_get("/api/openapi.json", openapi_json)
    app.router.add_get("/static/vendor/plotly.min.js", plotly_js)
    app.router.add_static("/static/", STATIC, append_version=True, name="static")
    for ep in endpoints():
        app.router.add_route(ep.method, ep.path, request_handler(ep), name=ep.operation_id)
    for pages in PAGES:
        for page in pages:
            app.router.add_route(page.method, page.path, page.handler)
