"""The agent's softphone dashboard."""

from __future__ import annotations

from aiohttp import web

from web.errors import ForbiddenError
from web.i18n.catalog import N_
from web.keys import RUNTIME
from web.pages import Pages, render
from web.phone.credentials import phone_setup
from web.roles import AGENT
from web.session.users import Principal

pages = Pages()


@pages.get("/agent", roles=AGENT)
async def agent_page(request: web.Request, principal: Principal) -> web.StreamResponse:
    if not principal.agent_id:
        raise ForbiddenError(
            N_("user %(username)s is not tied to an agent"),
            field="agent_id",
            params={"username": principal.username},
        )
    setup = phone_setup(request.app[RUNTIME].settings, principal.agent_id)
    return render("agent.html", request, {"page": "agent", "phone": setup})
