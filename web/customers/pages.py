"""The customer card page (agents from the screen pop and the wrap-up, supervisors)."""

from __future__ import annotations

from aiohttp import web

from web.customers.http import CARD_ROLES
from web.pages import Pages, render
from web.session.users import Principal

pages = Pages()


@pages.get(r"/customers/{customer_id:[A-Za-z0-9_.:@+-]{1,64}}", roles=CARD_ROLES)
async def card_page(request: web.Request, principal: Principal) -> web.StreamResponse:
    ctx = {"page": "customer", "customer_id": request.match_info["customer_id"]}
    return render("customers/card.html", request, ctx)
