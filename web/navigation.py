"""The one navigation of every page: which links each role sees, grouped, the current one marked.

Defined here and nowhere else; ``web.pages.render`` hands ``menu(principal, page)`` to
``templates/base.html``. An entry's roles are exactly who may open its page (the page's own
``roles`` plus admins where admins may open it); ``tests/web/test_navigation.py`` opens every link
as every role, so a link a role cannot open fails a test. A new page adds one ``Entry`` here.
"""

from __future__ import annotations

from dataclasses import dataclass

from web.session.users import Principal

AGENTS = frozenset({"agent"})
SUPERVISORS = frozenset({"supervisor", "admin"})
PLANNERS = frozenset({"planner", "admin"})
QUALITY = frozenset({"qa", "admin"})
QUALITY_SUPERVISORS = frozenset({"qa", "supervisor", "admin"})
ADMINS = frozenset({"admin"})


@dataclass(frozen=True, slots=True)
class Entry:
    """A link: ``page`` is the ``page`` key its pages render with (marks it current)."""

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
    Entry("Desk", "Desk", "/agent", "agent", AGENTS, needs_agent=True),
    Entry("Desk", "My shifts", "/agent/shifts", "my-shifts", AGENTS, needs_agent=True),
    Entry("Desk", "My evaluations", "/qa/evaluations", "qa-evaluations", AGENTS),
    Entry("Supervision", "Wallboard", "/wallboard", "wallboard", SUPERVISORS),
    Entry("Supervision", "Complaints", "/complaints", "complaints", SUPERVISORS),
    Entry(
        "Supervision", "Complaint reports", "/complaints/reports", "complaint-reports", SUPERVISORS
    ),
    Entry("Supervision", "Reports", "/reports", "reports", SUPERVISORS),
    # a wall screen's read-only view; the wallboard role's only page
    Entry("Supervision", "Wall screen", "/kiosk", "kiosk", SUPERVISORS | {"wallboard"}),
    Entry("Supervision", "Call scripts", "/scripts", "scripts", SUPERVISORS),
    Entry("Planning", "Forecast & roster", "/planner", "planner", PLANNERS),
    Entry("Planning", "Rosters", "/planner/rosters", "rosters", PLANNERS),
    Entry("Planning", "Shift requests", "/planner/requests", "requests", PLANNERS),
    Entry("Planning", "Adherence", "/planner/adherence", "adherence", PLANNERS | SUPERVISORS),
    Entry("Quality", "Calls to evaluate", "/qa", "qa-samples", QUALITY),
    Entry(
        "Quality",
        "Evaluations & disputes",
        "/qa/evaluations",
        "qa-evaluations",
        QUALITY_SUPERVISORS,
    ),
    Entry("Quality", "Calibration", "/qa/calibrations", "qa-calibrations", QUALITY_SUPERVISORS),
    Entry("Quality", "Scorecards", "/qa/scorecards", "qa-scorecards", QUALITY_SUPERVISORS),
    Entry("Admin", "Users", "/admin/users", "users", ADMINS),
    Entry("Admin", "Agents", "/admin/agents", "agents", ADMINS),
    Entry("Admin", "Queues", "/admin/queues", "queues", ADMINS),
    Entry("Admin", "Teams", "/admin/teams", "teams", ADMINS),
    Entry("Admin", "QA form", "/qa/forms", "qa-forms", ADMINS),
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
