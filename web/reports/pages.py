"""The Reports page for supervisors: a historical report over chosen days and queues, its
charts and table, and its CSV / XLSX download (``/api/reports/{kind}``)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from aiohttp import web

from web.keys import RUNTIME
from web.pages import Pages, render
from web.roles import SUPERVISOR
from web.session.users import Principal

pages = Pages()


@pages.get("/reports", roles=SUPERVISOR)
async def reports_page(request: web.Request, principal: Principal) -> web.StreamResponse:
    s = request.app[RUNTIME].settings
    return render(
        "reports/reports.html",
        request,
        {
            "page": "reports",
            "queues": [{"id": q.id, "name": q.name or q.id} for q in s.queues],
            "timezone": s.timezone,
            "today": datetime.now(UTC).astimezone(ZoneInfo(s.timezone)).date().isoformat(),
        },
    )
