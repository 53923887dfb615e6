"""The planner, QA and complaint workspaces, hooked into the application by one call:
``register_workspaces(app)`` in ``create_app``, before the OpenAPI document is built.

It imports the endpoint modules (they register on the shared ``web.api.API``, so they appear in
the same ``/api/openapi.json``), adds the page routes, and runs the roster solves' manager in
``cleanup_ctx`` (running solves are stopped on shutdown). The registry reads JSON bodies only, so
the document of the CSV upload (``PUT /api/planner/history``) gets its ``text/csv`` body here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from web.errors import ForbiddenError, UnauthorizedError
from web.keys import LIVE, PRINCIPAL
from web.roster_jobs import RosterJobs
from web.users import Principal
from web.workspace_keys import ROSTER_JOBS

CSV_UPLOADS = {("/api/planner/history", "put")}


def require_page_role(request: web.Request, *roles: str) -> Principal:
    """The signed-in user when their role may see the page (admins may see every page)."""
    p: Principal | None = request.get(PRINCIPAL)
    if p is None:
        raise UnauthorizedError("sign in first", field="session")
    if p.role not in roles and p.role != "admin":
        raise ForbiddenError(f"this page is for {', '.join(roles)}; you are {p.role}", field="role")
    return p


async def _roster_jobs(app: web.Application) -> AsyncIterator[None]:
    yield
    await app[ROSTER_JOBS].close()


async def _document_uploads(app: web.Application) -> None:
    from web.app import OPENAPI

    doc = app.get(OPENAPI)
    if doc is None:
        return
    for path, method in CSV_UPLOADS:
        op = doc["paths"].get(path, {}).get(method)
        if op is None:
            continue
        op["requestBody"] = {
            "required": True,
            "content": {"text/csv": {"schema": {"type": "string", "maxLength": 4 * 1024 * 1024}}},
        }
        op["responses"].setdefault(
            "422",
            {
                "description": "invalid input; `field` names it",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            },
        )


def register_workspaces(app: web.Application) -> None:
    from web import complaint_pages, planner_pages, qa_pages
    from web.api import complaints, planner, qa  # noqa: F401 - register the endpoints

    app[ROSTER_JOBS] = RosterJobs(app[LIVE] if LIVE in app else None)
    app.cleanup_ctx.append(_roster_jobs)
    app.on_startup.append(_document_uploads)
    planner_pages.install(app)
    qa_pages.install(app)
    complaint_pages.install(app)
