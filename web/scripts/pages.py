"""The supervisors' call scripts editor: one queue's greeting, verification, closing and standard
phrases, saved through ``PUT /api/scripts/{queue_id}``."""

from __future__ import annotations

from aiohttp import web

from web.keys import RUNTIME
from web.pages import Pages, render
from web.roles import SUPERVISOR
from web.session.users import Principal

pages = Pages()


@pages.get("/scripts", roles=SUPERVISOR)
async def scripts_page(request: web.Request, principal: Principal) -> web.StreamResponse:
    s = request.app[RUNTIME].settings
    queues = [{"id": q.id, "name": q.name or q.id} for q in s.queues]
    return render("scripts/scripts.html", request, {"page": "scripts", "queues": queues})
