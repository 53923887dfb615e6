"""Complaint pages for supervisors: the ticket desk (filters, overdue highlighting, a ticket's
history, assignment and status changes) and the complaint and return-visit reports."""

from __future__ import annotations

from aiohttp import web

from web.complaints.labels import MAPS
from web.i18n.http import request_translations
from web.i18n.labels import localised
from web.keys import RUNTIME
from web.pages import Pages, render
from web.roles import SUPERVISOR
from web.session.users import Principal

pages = Pages()


def _labels(request: web.Request) -> dict[str, dict[str, str]]:
    """The labels in the request's language, covering the configured categories and severities;
    assignees (agent ids) by their configured names."""
    s = request.app[RUNTIME].settings
    ids = {"category": list(s.complaints.categories), "severity": list(s.complaints.severities)}
    agents = {a.id: a.name or a.id for a in s.agents}
    return localised(request_translations(request), MAPS, ids) | {"agent": agents}


@pages.get("/complaints", roles=SUPERVISOR)
async def desk_page(request: web.Request, principal: Principal) -> web.StreamResponse:
    s = request.app[RUNTIME].settings
    return render(
        "complaints/desk.html",
        request,
        {
            "page": "complaints",
            "categories": list(s.complaints.categories),
            "severities": list(s.complaints.severities),
            "labels": _labels(request),
        },
    )


@pages.get("/complaints/reports", roles=SUPERVISOR)
async def reports_page(request: web.Request, principal: Principal) -> web.StreamResponse:
    return render(
        "complaints/reports.html",
        request,
        {"page": "complaint-reports", "labels": _labels(request)},
    )
