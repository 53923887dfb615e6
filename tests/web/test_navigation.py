"""The one navigation (web/navigation.py): each role's links, each link opening for that role with
itself marked current, and no page of the application left out of every role's menu."""

from __future__ import annotations

import re

import pytest
from callcenter_testkit.webtools import USERS, Login

from web.navigation import ENTRIES, menu
from web.routes import PAGES
from web.session.users import Principal

pytestmark = pytest.mark.timeout(90)

EXPECTED = {
    "alice": ["/agent", "/agent/shifts", "/qa/evaluations"],
    "sue": [
        "/wallboard",
        "/complaints",
        "/complaints/reports",
        "/reports",
        "/kiosk",
        "/scripts",
        "/planner/adherence",
        "/qa/evaluations",
        "/qa/calibrations",
        "/qa/scorecards",
    ],
    "pat": ["/planner", "/planner/rosters", "/planner/requests", "/planner/adherence"],
    "quinn": ["/qa", "/qa/evaluations", "/qa/calibrations", "/qa/scorecards"],
    "ada": [
        "/wallboard",
        "/complaints",
        "/complaints/reports",
        "/reports",
        "/kiosk",
        "/scripts",
        "/planner",
        "/planner/rosters",
        "/planner/requests",
        "/planner/adherence",
        "/qa",
        "/qa/evaluations",
        "/qa/calibrations",
        "/qa/scorecards",
        "/admin/users",
        "/admin/agents",
        "/admin/queues",
        "/admin/teams",
        "/qa/forms",
    ],
}
LINK = re.compile(r'<a href="([^"]+)" class="(on)?"')
NAV = re.compile(r'<nav class="main-nav".*?</nav>', re.S)


def principal(role: str, agent_id: str | None = None) -> Principal:
    return Principal("u", role, agent_id, "U", "csrf", "hash")


def test_menu_marks_the_current_page_and_groups_links() -> None:
    groups = menu(principal("supervisor"), "complaints")
    assert [g.label for g in groups] == ["Supervision", "Planning", "Quality"]
    assert [g.current for g in groups] == [True, False, False]
    assert [link.label for link in groups[0].links if link.current] == ["Complaints"]
    assert menu(None, "agent") == []


def test_agent_pages_need_an_agent() -> None:
    assert menu(principal("agent"), "x")[0].links[0].href == "/qa/evaluations"
    assert [link.href for link in menu(principal("agent", "a1"), "x")[0].links] == EXPECTED["alice"]


def test_every_page_is_in_some_menu() -> None:
    """Every page without a path parameter (a ticket, a roster, a call are reached from their
    lists) is in the navigation, except sign-in and the start page of roles without one."""
    linked = {e.href for e in ENTRIES}
    pages = {p.path for table in PAGES for p in table if p.method == "GET" and "{" not in p.path}
    assert pages - linked == {"/", "/login", "/home"}


@pytest.mark.parametrize("username", list(EXPECTED))
async def test_each_role_sees_its_links_and_each_opens(login: Login, username: str) -> None:
    s = await login(username)
    role = next(r for u, r, _ in USERS if u == username)
    home = {"agent": "/agent", "supervisor": "/wallboard", "admin": "/wallboard"}.get(
        role, EXPECTED[username][0]
    )
    async with s.get(home) as r:
        assert r.status == 200
        nav = NAV.search(await r.text())
    assert nav is not None
    hrefs = [h for h, _ in LINK.findall(nav.group(0))]
    assert hrefs == EXPECTED[username]
    for href in hrefs:
        async with s.get(href) as r:
            assert r.status == 200, (username, href, r.status)
            html = await r.text()
        current = [h for h, on in LINK.findall(NAV.search(html).group(0)) if on]  # type: ignore[union-attr]
        assert current == [href], (username, href, current)
