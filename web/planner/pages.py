"""Planner pages: forecast and roster generation, the roster list, one roster's grid, adherence;
and the agent's own week of published shifts. Pages render the frame; their modules load data
from ``/api/planner`` and follow the live feed."""

from __future__ import annotations

from aiohttp import web

from store.readers import agent_names
from web.errors import ForbiddenError
from web.i18n.catalog import N_
from web.keys import RUNTIME
from web.pages import Pages, render
from web.roles import AGENT, PLANNER, PLANNER_OR_SUPERVISOR
from web.session.users import Principal

pages = Pages()


def _zone(request: web.Request) -> dict[str, str]:
    """The centre's time zone: the pages show every time in it (``js/planner/zone.js``)."""
    return {"timezone": request.app[RUNTIME].settings.timezone}


@pages.get("/planner", roles=PLANNER)
async def forecast_page(request: web.Request, principal: Principal) -> web.StreamResponse:
    n = len(await agent_names(request.app[RUNTIME].engine, active_only=True))
    return render(
        "planner/forecast.html",
        request,
        {"page": "planner", "agent_count": n, **_zone(request)},
    )


@pages.get("/planner/rosters", roles=PLANNER)
async def rosters_page(request: web.Request, principal: Principal) -> web.StreamResponse:
    return render("planner/rosters.html", request, {"page": "rosters", **_zone(request)})


@pages.get(r"/planner/rosters/{roster_id:\d{1,9}}", roles=PLANNER_OR_SUPERVISOR)
async def roster_page(request: web.Request, principal: Principal) -> web.StreamResponse:
    roster_id = request.match_info["roster_id"]
    return render(
        "planner/roster.html",
        request,
        {"page": "rosters", "roster_id": roster_id, **_zone(request)},
    )


@pages.get("/planner/requests", roles=PLANNER)
async def requests_page(request: web.Request, principal: Principal) -> web.StreamResponse:
    return render("planner/requests.html", request, {"page": "requests", **_zone(request)})


@pages.get("/planner/adherence", roles=PLANNER_OR_SUPERVISOR)
async def adherence_page(request: web.Request, principal: Principal) -> web.StreamResponse:
    return render("planner/adherence.html", request, {"page": "adherence"})


@pages.get("/agent/shifts", roles=AGENT)
async def my_shifts_page(request: web.Request, principal: Principal) -> web.StreamResponse:
    if not principal.agent_id:
        raise ForbiddenError(
            N_("user %(username)s is not tied to an agent"),
            field="agent_id",
            params={"username": principal.username},
        )
    return render("planner/my_shifts.html", request, {"page": "my-shifts", **_zone(request)})
