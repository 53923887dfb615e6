"""QA pages: calls to evaluate, the evaluation form beside a call, evaluations (the agent's own
with acknowledge / dispute; everyone's for QA and supervisors, who resolve disputes), calibration
sessions, scorecards, and the form editor for admins."""

from __future__ import annotations

from datetime import UTC, datetime

from aiohttp import web

from qa.periods import week_label
from web.i18n.http import request_translations
from web.i18n.labels import localised
from web.keys import RUNTIME
from web.pages import Pages, render
from web.qa.labels import MAPS
from web.roles import ADMIN, AGENT, QA, QA_OR_SUPERVISOR
from web.session.users import Principal

pages = Pages()


def _ctx(request: web.Request, page: str) -> dict[str, object]:
    s = request.app[RUNTIME].settings
    # the configured names of queues and agents label their ids too (data, not catalog)
    queues = {q.id: q.name or q.id for q in s.queues}
    agents = {a.id: a.name or a.id for a in s.agents}
    labels = localised(
        request_translations(request), MAPS, {"disposition": list(s.routing.dispositions)}
    )
    return {
        "page": page,
        "week": week_label(datetime.now(UTC), s.timezone),
        "queues": [{"id": k, "name": v} for k, v in queues.items()],
        "agents": [{"id": k, "name": v} for k, v in agents.items()],
        "labels": labels | {"queue": queues, "agent": agents},
    }


@pages.get("/qa", roles=QA)
async def samples_page(request: web.Request, principal: Principal) -> web.StreamResponse:
    return render("qa/samples.html", request, _ctx(request, "qa-samples"))


@pages.get(r"/qa/calls/{call_id:[A-Za-z0-9_.:@-]{1,128}}", roles=QA_OR_SUPERVISOR)
async def evaluate_page(request: web.Request, principal: Principal) -> web.StreamResponse:
    ctx = _ctx(request, "qa-samples")
    ctx["call_id"] = request.match_info["call_id"]
    return render("qa/evaluate.html", request, ctx)


@pages.get("/qa/evaluations", roles=AGENT | QA_OR_SUPERVISOR)
async def evaluations_page(request: web.Request, principal: Principal) -> web.StreamResponse:
    ctx = _ctx(request, "qa-evaluations")
    ctx["mode"] = "agent" if principal.role == "agent" else "staff"
    return render("qa/evaluations.html", request, ctx)


@pages.get("/qa/calibrations", roles=QA_OR_SUPERVISOR)
async def calibrations_page(request: web.Request, principal: Principal) -> web.StreamResponse:
    return render("qa/calibrations.html", request, _ctx(request, "qa-calibrations"))


@pages.get("/qa/scorecards", roles=QA_OR_SUPERVISOR)
async def scorecards_page(request: web.Request, principal: Principal) -> web.StreamResponse:
    return render("qa/scorecards.html", request, _ctx(request, "qa-scorecards"))


@pages.get("/qa/forms", roles=ADMIN)
async def forms_page(request: web.Request, principal: Principal) -> web.StreamResponse:
    return render("qa/forms.html", request, _ctx(request, "qa-forms"))
