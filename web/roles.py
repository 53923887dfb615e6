"""Who may do what: the one role check of the API and the pages.

Roles are the users' (``store.models.web.ROLES``); admins pass every check. The API names the
action refused (its summary); a page says which roles it is for.
"""

from __future__ import annotations

from collections.abc import Collection

from kernel.messages import Labels
from web.errors import ForbiddenError, UnauthorizedError
from web.i18n.catalog import N_
from web.session.users import Principal

AGENT = frozenset({"agent"})
SUPERVISOR = frozenset({"supervisor"})
PLANNER = frozenset({"planner"})
QA = frozenset({"qa"})
QA_OR_SUPERVISOR = QA | SUPERVISOR
PLANNER_OR_SUPERVISOR = PLANNER | SUPERVISOR
WALLBOARD = frozenset({"wallboard"})  # a wall screen: the kiosk view's figures, read only
WALL_VIEWERS = SUPERVISOR | WALLBOARD
ADMIN: frozenset[str] = frozenset()  # admins only: they pass every check
STAFF = AGENT | SUPERVISOR | PLANNER | QA
EVERYONE = STAFF | {"admin"}


def require_role(
    principal: Principal | None, roles: Collection[str], *, action: str | None = None
) -> Principal:
    """The signed-in user when their role is one of ``roles`` (or admin): 401 without a session,
    403 naming the role otherwise. ``action`` is what an API call would do; None for a page."""
    if principal is None:
        raise UnauthorizedError(N_("sign in first"), field="session")
    if principal.role in roles or principal.role == "admin":
        return principal
    if action is None:
        message = N_("this page is for %(roles)s; you are %(role)s")
    else:
        message = N_("role %(role)r may not %(action)s")
    names = Labels(sorted(roles) or ["admin"])  # ADMIN is empty: admins pass every check
    params = {"roles": names, "role": Labels([principal.role]), "action": action}
    raise ForbiddenError(message, field="role", params=params)
