"""The Users page (admins): the list with roles, agents, active and sign-in locks, and the forms
that call ``web.users.http``."""

from __future__ import annotations

from aiohttp import web

from kernel.vocabulary import ROLES
from web.pages import Pages, render
from web.roles import ADMIN
from web.session.users import Principal

pages = Pages()


@pages.get("/admin/users", roles=ADMIN)
async def users_page(request: web.Request, principal: Principal) -> web.StreamResponse:
    return render("users/users.html", request, {"page": "users", "roles": list(ROLES)})
