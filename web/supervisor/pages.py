"""The supervisor's wallboard."""

from __future__ import annotations

from aiohttp import web

from web.keys import RUNTIME
from web.pages import Pages, render
from web.roles import SUPERVISOR
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
        },
    )
