"""Shift requests: an agent asks for time off or a swap from their shifts page
(``/api/agent/shift-requests``); a planner sees each pending one with the check it would have
(labour rules, coverage) and approves or refuses it (``/api/planner/shift-requests``).
The work is ``workforce.shift_requests_store``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from store.readers import agent_names
from web.endpoints import ApiCall, Endpoints
from web.errors import NotFoundError, invalid, invalid_because
from web.i18n.catalog import N_
from web.roles import AGENT, PLANNER
from web.schemas import ID, Input
from workforce.planner_store import get_roster
from workforce.shift_requests_store import (
    NO_REQUEST,
    RequestError,
    create_request,
    decide_request,
    list_requests,
    published_roster_of,
)

api = Endpoints(tag="planner")


class RequestBody(Input):
    kind: Literal["time_off", "swap"]
    shift_start_at: datetime
    with_agent_id: str | None = Field(None, pattern=ID)
    with_shift_start_at: datetime | None = None  # a swap's shift given in exchange
    reason: str = Field("", max_length=500)


class DecisionBody(Input):
    approve: bool


class CheckOut(BaseModel):
    allowed: bool
    rule_breaks: list[str]
    short_before_h: float | None = None
    short_after_h: float | None = None
    text: str


class RequestOut(BaseModel):
    request_id: int
    kind: str
    roster_id: int
    agent_id: str
    agent_name: str
    shift_start_at: datetime
    with_agent_id: str | None
    with_agent_name: str | None
    with_shift_start_at: datetime | None
    reason: str
    status: str
    created_at: datetime
    decided_at: datetime | None
    decided_by: str | None
    check: CheckOut | None  # pending: the check if approved now; decided: the one kept


class RequestListOut(BaseModel):
    timezone: str
    requests: list[RequestOut]


class ColleagueShiftsOut(BaseModel):
    agent_id: str
    name: str
    shifts: list[datetime]  # their shift starts in the same roster


class SwapOptionsOut(BaseModel):
    colleagues: list[ColleagueShiftsOut]


def _aware(field: str, value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise invalid(field, "needs a time zone (e.g. Z or +08:00)", "body")
    return None if value is None else value.astimezone(UTC)


def _raise(exc: RequestError) -> None:
    raise invalid_because(exc.field, exc) from None


async def _out(call: ApiCall, rows: list[dict[str, Any]]) -> RequestListOut:
    names = await agent_names(call.rt.engine)
    return RequestListOut(
        timezone=call.rt.settings.timezone,
        requests=[
            RequestOut(
                **{k: r[k] for k in RequestOut.model_fields if k in r},
                agent_name=names.get(r["agent_id"], r["agent_id"]),
                with_agent_name=None
                if r["with_agent_id"] is None
                else names.get(r["with_agent_id"], r["with_agent_id"]),
            )
            for r in rows
        ],
    )


@api.op(
    "POST",
    "/api/agent/shift-requests",
    roles=AGENT,
    summary="Ask for time off or a shift swap on a published shift",
    tag="agent",
    body=RequestBody,
    response=RequestListOut,
    status=201,
)
async def agent_request_change(call: ApiCall) -> RequestListOut:
    body: RequestBody = call.body
    agent_id = call.own_agent()
    try:
        await create_request(
            call.rt.engine,
            kind=body.kind,
            agent_id=agent_id,
            shift_start_at=_aware("shift_start_at", body.shift_start_at),  # type: ignore[arg-type]
            with_agent_id=body.with_agent_id,
            with_shift_start_at=_aware("with_shift_start_at", body.with_shift_start_at),
            reason=body.reason.strip(),
            now=datetime.now(UTC),
        )
    except RequestError as exc:
        _raise(exc)
    return await _out(call, await list_requests(call.rt.engine, agent_id=agent_id))


@api.op(
    "GET",
    "/api/agent/shift-requests",
    roles=AGENT,
    summary="Read the agent's shift requests",
    tag="agent",
    response=RequestListOut,
)
async def agent_requests(call: ApiCall) -> RequestListOut:
    return await _out(call, await list_requests(call.rt.engine, agent_id=call.own_agent()))


class SwapQuery(Input):
    shift_start_at: datetime


@api.op(
    "GET",
    "/api/agent/swap-options",
    roles=AGENT,
    summary="Colleagues on the same roster who could take a shift, with their shifts",
    tag="agent",
    query=SwapQuery,
    response=SwapOptionsOut,
)
async def agent_swap_options(call: ApiCall) -> SwapOptionsOut:
    q: SwapQuery = call.query
    agent_id = call.own_agent()
    at = q.shift_start_at
    if at.tzinfo is None:
        raise invalid("shift_start_at", "needs a time zone (e.g. Z or +08:00)", "query")
    roster_id = await published_roster_of(call.rt.engine, agent_id, at.astimezone(UTC))
    roster = None if roster_id is None else await get_roster(call.rt.engine, roster_id)
    if roster is None:
        raise NotFoundError(N_("no published shift of yours starts then"), field="shift_start_at")
    names = await agent_names(call.rt.engine, active_only=True)
    shifts: dict[str, list[datetime]] = {a: [] for a in names if a != agent_id}
    for a in roster.activities:
        if a.activity == "shift" and a.agent_id in shifts:
            shifts[a.agent_id].append(a.start_at)
    return SwapOptionsOut(
        colleagues=[
            ColleagueShiftsOut(agent_id=a, name=names[a], shifts=sorted(s))
            for a, s in sorted(shifts.items(), key=lambda x: (names[x[0]], x[0]))
        ]
    )


@api.op(
    "GET",
    "/api/planner/shift-requests",
    roles=PLANNER,
    summary="Read agents' shift requests (pending ones with their check)",
    response=RequestListOut,
)
async def planner_requests(call: ApiCall) -> RequestListOut:
    return await _out(call, await list_requests(call.rt.engine))


@api.op(
    "POST",
    "/api/planner/shift-requests/{request_id}/decision",
    roles=PLANNER,
    summary="Approve (re-checks rules and coverage, changes the roster) or refuse a request",
    body=DecisionBody,
    response=RequestOut,
)
async def planner_decide(call: ApiCall) -> RequestOut:
    raw = call.path["request_id"]
    if not raw.isdigit() or len(raw) > 9:
        raise NotFoundError(
            N_("no request %(request_id)s"), field="request_id", params={"request_id": raw}
        )
    try:
        row = await decide_request(
            call.rt.engine,
            int(raw),
            approve=call.body.approve,
            by=call.user.username,
            now=datetime.now(UTC),
        )
    except RequestError as exc:
        if exc.msgid == NO_REQUEST:
            raise NotFoundError(exc.msgid, field="request_id", params=exc.params) from None
        raise invalid_because(exc.field, exc) from None
    return (await _out(call, [row])).requests[0]
