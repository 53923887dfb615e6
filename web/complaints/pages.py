"""Complaint pages for supervisors: the ticket desk (filters, overdue highlighting, a ticket's
history, assignment and status changes) and the complaint and return-visit reports."""

from __future__ import annotations

from aiohttp import web

from web.keys import RUNTIME
from web.pages import Pages, render
from web.roles import SUPERVISOR
from web.session.users import Principal

pages = Pages()


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
        },
    )


@pages.get("/complaints/reports", roles=SUPERVISOR)
async def reports_page(request: web.Request, principal: Principal) -> web.StreamResponse:
    return render("complaints/reports.html", request, {"page": "complaint-reports"})
