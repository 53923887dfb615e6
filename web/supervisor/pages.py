"""The supervisor's wallboard."""

from __future__ import annotations

from aiohttp import web

from web.keys import RUNTIME
from web.pages import Pages, render
from web.roles import SUPERVISOR, WALL_VIEWERS
from web.session.users import Principal

pages = Pages()


@pages.get("/wallboard", roles=SUPERVISOR)
async def wallboard_page(request: web.Request, principal: Principal) -> web.StreamResponse:
    s = request.app[RUNTIME].settings
    return render(
        "wallboard.html",
        request,
        {
            "page": "wallboard",
            "queues": [{"id": q.id, "name": q.name or q.id} for q in s.queues],
            "reasons": s.routing.pickable_reasons,
            "agents": [{"id": a.id, "name": a.name or a.id} for a in s.agents],
            "teams": sorted({a.team for a in s.agents if a.team}),
        },
    )


@pages.get("/kiosk", roles=WALL_VIEWERS)
async def kiosk_page(request: web.Request, principal: Principal) -> web.StreamResponse:
    """A wall screen's view: the wallboard's figures in large type, read only, no buttons."""
    s = request.app[RUNTIME].settings
    return render(
        "kiosk.html",
        request,
        {"page": "kiosk", "queues": [{"id": q.id, "name": q.name or q.id} for q in s.queues]},
    )
