"""The customer card page (agents from the screen pop and the wrap-up, supervisors)."""

from __future__ import annotations

from aiohttp import web

from web.customers.http import CARD_ROLES
from web.keys import RUNTIME
from web.pages import Pages, render
from web.session.users import Principal

pages = Pages()


@pages.get(r"/customers/{customer_id:[A-Za-z0-9_.:@+-]{1,64}}", roles=CARD_ROLES)
async def card_page(request: web.Request, principal: Principal) -> web.StreamResponse:
    s = request.app[RUNTIME].settings
    # the history names queues and agents by id; the page shows their names
    names = {
        "queues": {q.id: q.name or q.id for q in s.queues},
        "agents": {a.id: a.name or a.id for a in s.agents},
    }
    ctx = {"page": "customer", "customer_id": request.match_info["customer_id"], "names": names}
    return render("customers/card.html", request, ctx)
