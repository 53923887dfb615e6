"""The one navigation of every page: which links each role sees, grouped, the current one marked.

Defined here and nowhere else; ``web.pages.render`` hands ``menu(principal, page)`` to
``templates/base.html``. An entry's roles are exactly who may open its page (the page's own
``roles`` plus admins where admins may open it); ``tests/web/test_navigation.py`` opens every link
as every role, so a link a role cannot open fails a test. A new page adds one ``Entry`` here.
"""

from __future__ import annotations

from dataclasses import dataclass

from web.i18n.catalog import N_
from web.session.users import Principal

AGENTS = frozenset({"agent"})
SUPERVISORS = frozenset({"supervisor", "admin"})
PLANNERS = frozenset({"planner", "admin"})
QUALITY = frozenset({"qa", "admin"})
QUALITY_SUPERVISORS = frozenset({"qa", "supervisor", "admin"})
ADMINS = frozenset({"admin"})


# The roles as the header names them (catalog msgids; the role ids stay machine names).
ROLE_NAMES = (
    N_("agent"),
    N_("supervisor"),
    N_("planner"),
    N_("qa"),
    N_("admin"),
    N_("wallboard"),
)


@dataclass(frozen=True, slots=True)
class Entry:
    """A link: ``page`` is the ``page`` key its pages render with (marks it current);
    ``group`` and ``label`` are catalog msgids (``N_``), translated by ``base.html``."""

    group: str
    label: str
    href: str
    page: str
    roles: frozenset[str]
    needs_agent: bool = False  # the page serves users tied to an agent only


@dataclass(frozen=True, slots=True)
class Link:
    label: str
    href: str
    current: bool


@dataclass(frozen=True, slots=True)
class Group:
    label: str
    links: tuple[Link, ...]

    @property
    def current(self) -> bool:
        return any(link.current for link in self.links)


ENTRIES: tuple[Entry, ...] = (
    Entry(N_("Desk"), N_("Desk"), "/agent", "agent", AGENTS, needs_agent=True),
    Entry(N_("Desk"), N_("My shifts"), "/agent/shifts", "my-shifts", AGENTS, needs_agent=True),
    Entry(N_("Desk"), N_("My evaluations"), "/qa/evaluations", "qa-evaluations", AGENTS),
    Entry(N_("Supervision"), N_("Wallboard"), "/wallboard", "wallboard", SUPERVISORS),
    Entry(N_("Supervision"), N_("Complaints"), "/complaints", "complaints", SUPERVISORS),
    Entry(
        N_("Supervision"),
        N_("Complaint reports"),
        "/complaints/reports",
        "complaint-reports",
        SUPERVISORS,
    ),
    Entry(N_("Supervision"), N_("Reports"), "/reports", "reports", SUPERVISORS),
    # a wall screen's read-only view; the wallboard role's only page
    Entry(N_("Supervision"), N_("Wall screen"), "/kiosk", "kiosk", SUPERVISORS | {"wallboard"}),
    Entry(N_("Supervision"), N_("Call scripts"), "/scripts", "scripts", SUPERVISORS),
    Entry(N_("Planning"), N_("Forecast & roster"), "/planner", "planner", PLANNERS),
    Entry(N_("Planning"), N_("Rosters"), "/planner/rosters", "rosters", PLANNERS),
    Entry(N_("Planning"), N_("Shift requests"), "/planner/requests", "requests", PLANNERS),
    Entry(
        N_("Planning"), N_("Adherence"), "/planner/adherence", "adherence", PLANNERS | SUPERVISORS
    ),
    Entry(N_("Quality"), N_("Calls to evaluate"), "/qa", "qa-samples", QUALITY),
    Entry(
        N_("Quality"),
        N_("Evaluations & disputes"),
        "/qa/evaluations",
        "qa-evaluations",
        QUALITY_SUPERVISORS,
    ),
    Entry(
        N_("Quality"), N_("Calibration"), "/qa/calibrations", "qa-calibrations", QUALITY_SUPERVISORS
    ),
    Entry(N_("Quality"), N_("Scorecards"), "/qa/scorecards", "qa-scorecards", QUALITY_SUPERVISORS),
    Entry(N_("Admin"), N_("Users"), "/admin/users", "users", ADMINS),
    Entry(N_("Admin"), N_("Agents"), "/admin/agents", "agents", ADMINS),
    Entry(N_("Admin"), N_("Queues"), "/admin/queues", "queues", ADMINS),
    Entry(N_("Admin"), N_("Teams"), "/admin/teams", "teams", ADMINS),
    Entry(N_("Admin"), N_("QA form"), "/qa/forms", "qa-forms", ADMINS),
)


def entries_for(principal: Principal) -> list[Entry]:
    """The entries ``principal`` may open, in menu order."""
    return [
        e
        for e in ENTRIES
        if principal.role in e.roles and (principal.agent_id or not e.needs_agent)
    ]


def menu(principal: Principal | None, page: str | None) -> list[Group]:
    """The groups of links ``principal`` sees, the one for ``page`` marked current."""
    if principal is None:
        return []
    groups: dict[str, list[Link]] = {}
    for e in entries_for(principal):
        groups.setdefault(e.group, []).append(Link(e.label, e.href, e.page == page))
    return [Group(label, tuple(links)) for label, links in groups.items()]
