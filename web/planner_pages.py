"""Planner pages: forecast and roster generation, the roster list, one roster's grid, adherence;
and the agent's own week of published shifts. Pages render the frame; their modules load data
from ``/api/planner`` and follow the live feed."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import func, select

from store.models.core import Agent
from web.errors import ForbiddenError
from web.keys import RUNTIME
from web.pages import render
from web.workspaces import require_page_role


async def forecast_page(request: web.Request) -> web.StreamResponse:
    require_page_role(request, "planner")
    async with request.app[RUNTIME].engine.connect() as conn:
        n = (
            await conn.execute(
                select(func.count()).select_from(Agent).where(Agent.active.is_(True))
            )
        ).scalar_one()
    return render("planner/forecast.html", request, {"page": "planner", "agent_count": n})


async def rosters_page(request: web.Request) -> web.StreamResponse:
    require_page_role(request, "planner")
    return render("planner/rosters.html", request, {"page": "rosters"})


async def roster_page(request: web.Request) -> web.StreamResponse:
    require_page_role(request, "planner", "supervisor")
    roster_id = request.match_info["roster_id"]
    return render("planner/roster.html", request, {"page": "rosters", "roster_id": roster_id})


async def adherence_page(request: web.Request) -> web.StreamResponse:
    require_page_role(request, "planner", "supervisor")
    return render("planner/adherence.html", request, {"page": "adherence"})


async def my_shifts_page(request: web.Request) -> web.StreamResponse:
    p = require_page_role(request, "agent")
    if not p.agent_id:
        raise ForbiddenError(f"user {p.username} is not tied to an agent", field="agent_id")
    return render("planner/my_shifts.html", request, {"page": "my-shifts"})


def install(app: web.Application) -> None:
    app.router.add_get("/planner", forecast_page)
    app.router.add_get("/planner/rosters", rosters_page)
    app.router.add_get(r"/planner/rosters/{roster_id:\d{1,9}}", roster_page)
    app.router.add_get("/planner/adherence", adherence_page)
    app.router.add_get("/agent/shifts", my_shifts_page)
