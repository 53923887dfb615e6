"""The administration pages (admins): Agents, Queues and Teams, forms over ``web.admin.http``."""

from __future__ import annotations

from aiohttp import web

from web.pages import Pages, render
from web.roles import ADMIN
from web.session.users import Principal

pages = Pages()


@pages.get("/admin/agents", roles=ADMIN)
async def agents_page(request: web.Request, principal: Principal) -> web.StreamResponse:
    return render("admin/agents.html", request, {"page": "agents"})


@pages.get("/admin/queues", roles=ADMIN)
async def queues_page(request: web.Request, principal: Principal) -> web.StreamResponse:
    return render("admin/queues.html", request, {"page": "queues"})


@pages.get("/admin/teams", roles=ADMIN)
async def teams_page(request: web.Request, principal: Principal) -> web.StreamResponse:
    return render("admin/teams.html", request, {"page": "teams"})
