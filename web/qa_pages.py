"""QA pages: calls to evaluate, the evaluation form beside a call, evaluations (the agent's own
with acknowledge / dispute; everyone's for QA and supervisors, who resolve disputes), calibration
sessions, scorecards, and the form editor for admins."""

from __future__ import annotations

from datetime import UTC, datetime

from aiohttp import web

from qa.periods import week_label
from web.keys import RUNTIME
from web.pages import render
from web.workspaces import require_page_role


def _week(request: web.Request) -> str:
    return week_label(datetime.now(UTC), request.app[RUNTIME].settings.timezone)


def _ctx(request: web.Request, page: str) -> dict[str, object]:
    s = request.app[RUNTIME].settings
    return {
        "page": page,
        "week": _week(request),
        "queues": [{"id": q.id, "name": q.name or q.id} for q in s.queues],
        "agents": [{"id": a.id, "name": a.name or a.id} for a in s.agents],
    }


async def samples_page(request: web.Request) -> web.StreamResponse:
    require_page_role(request, "qa")
    return render("qa/samples.html", request, _ctx(request, "qa-samples"))


async def evaluate_page(request: web.Request) -> web.StreamResponse:
    require_page_role(request, "qa", "supervisor")
    ctx = _ctx(request, "qa-samples")
    ctx["call_id"] = request.match_info["call_id"]
    return render("qa/evaluate.html", request, ctx)


async def evaluations_page(request: web.Request) -> web.StreamResponse:
    p = require_page_role(request, "agent", "qa", "supervisor")
    ctx = _ctx(request, "qa-evaluations")
    ctx["mode"] = "agent" if p.role == "agent" else "staff"
    return render("qa/evaluations.html", request, ctx)


async def calibrations_page(request: web.Request) -> web.StreamResponse:
    require_page_role(request, "qa", "supervisor")
    return render("qa/calibrations.html", request, _ctx(request, "qa-calibrations"))


async def scorecards_page(request: web.Request) -> web.StreamResponse:
    require_page_role(request, "qa", "supervisor")
    return render("qa/scorecards.html", request, _ctx(request, "qa-scorecards"))


async def forms_page(request: web.Request) -> web.StreamResponse:
    require_page_role(request, "admin")
    return render("qa/forms.html", request, _ctx(request, "qa-forms"))


def install(app: web.Application) -> None:
    app.router.add_get("/qa", samples_page)
    app.router.add_get(r"/qa/calls/{call_id:[A-Za-z0-9_.:@-]{1,128}}", evaluate_page)
    app.router.add_get("/qa/evaluations", evaluations_page)
    app.router.add_get("/qa/calibrations", calibrations_page)
    app.router.add_get("/qa/scorecards", scorecards_page)
    app.router.add_get("/qa/forms", forms_page)
