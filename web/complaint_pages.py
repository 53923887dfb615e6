"""Complaint pages for supervisors: the ticket desk (filters, overdue highlighting, a ticket's
history, assignment and status changes) and the complaint and return-visit reports."""

from __future__ import annotations

from aiohttp import web

from web.keys import RUNTIME
from web.pages import render
from web.workspaces import require_page_role


async def desk_page(request: web.Request) -> web.StreamResponse:
    require_page_role(request, "supervisor")
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


async def reports_page(request: web.Request) -> web.StreamResponse:
    require_page_role(request, "supervisor")
    return render("complaints/reports.html", request, {"page": "complaint-reports"})


def install(app: web.Application) -> None:
    app.router.add_get("/complaints", desk_page)
    app.router.add_get("/complaints/reports", reports_page)
