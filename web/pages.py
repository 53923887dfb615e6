"""Server-rendered pages: each feature's ``pages.py`` declares its pages in a ``Pages`` table with
the roles that may see them (``web.roles.require_role``, as the API checks), and ``render`` fills
the one layout (``templates/base.html``) with what every page shows.

Pages carry no data of their own beyond the first render: their JavaScript modules load state
from ``/api/`` and follow the live feed (``/ws``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Iterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp_jinja2
from aiohttp import web

from web.errors import ApiError
from web.i18n.http import request_translations, template_context
from web.keys import PRINCIPAL
from web.navigation import menu
from web.roles import require_role
from web.session.users import Principal

HOME_BY_ROLE = {
    "agent": "/agent",
    "supervisor": "/wallboard",
    "admin": "/wallboard",
    "planner": "/planner",
    "qa": "/qa",
    "wallboard": "/kiosk",
}

AiohttpHandler = Callable[[web.Request], Awaitable[web.StreamResponse]]
PageHandler = Callable[[web.Request, Principal], Awaitable[web.StreamResponse]]


def home_of(principal: Principal | None) -> str:
    return HOME_BY_ROLE.get(principal.role, "/home") if principal else "/login"


def render(
    name: str, request: web.Request, ctx: dict[str, Any], *, status: int = 200
) -> web.Response:
    """Render a template with what every page shows (the user, the CSRF token, home, the
    navigation with ``ctx['page']`` marked)."""
    p = request.get(PRINCIPAL)
    base = {
        "principal": p,
        "csrf_token": p.csrf_token if p else "",
        "home_url": HOME_BY_ROLE.get(p.role, "/") if p else "/",
        "menu": menu(p, ctx.get("page")),
        "path": request.path_qs,
        **template_context(request),
    }
    return aiohttp_jinja2.render_template(name, request, {**base, **ctx}, status=status)


async def error_page(request: web.Request, err: ApiError) -> web.Response:
    return render(
        "error.html",
        request,
        {
            "status": err.status,
            "message": err.body(request_translations(request))["message"],
            "page": "error",
        },
        status=err.status,
    )


@dataclass(frozen=True, slots=True)
class Page:
    method: str
    path: str
    handler: AiohttpHandler


@dataclass
class Pages:
    """One feature's pages: ``get`` for a page some roles may see, ``public`` for the few that
    anyone may open (sign-in)."""

    pages: list[Page] = field(default_factory=list)

    def __iter__(self) -> Iterator[Page]:
        return iter(self.pages)

    def get(self, path: str, *, roles: Collection[str]) -> Callable[[PageHandler], PageHandler]:
        allowed = frozenset(roles)

        def deco(fn: PageHandler) -> PageHandler:
            async def handle(request: web.Request) -> web.StreamResponse:
                return await fn(request, require_role(request.get(PRINCIPAL), allowed))

            handle.__name__ = fn.__name__
            self.pages.append(Page("GET", path, handle))
            return fn

        return deco

    def public(self, method: str, path: str) -> Callable[[AiohttpHandler], AiohttpHandler]:
        def deco(fn: AiohttpHandler) -> AiohttpHandler:
            self.pages.append(Page(method.upper(), path, fn))
            return fn

        return deco
