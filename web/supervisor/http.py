"""The wallboard's data and the supervisor's actions on agents."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd

from complaints.lifecycle import ComplaintConfig
from complaints.tickets import list_complaints
from reports.service import interval_figures, rules_of
from web.agent.cards import day_start
from web.agent.schemas import AgentStateOut
from web.endpoints import ApiCall, Endpoints
from web.errors import NotFoundError, invalid
from web.i18n.catalog import N_
from web.keys import SERVICES
from web.roles import SUPERVISOR, WALL_VIEWERS
from web.supervisor.schemas import (
    AgentRow,
    AgentsOut,
    AgentsQuery,
    ComplaintRow,
    ComplaintsOut,
    DayOut,
    DayQuery,
    ForceNotReadyBody,
    IntervalOut,
    QueueFigures,
    QueuesOut,
)
from web.supervisor.wallboard import chart_span, page_of

api = Endpoints(tag="wallboard")


def _now_ms() -> int:
    return int(time.time() * 1000)


@api.op(
    "GET",
    "/api/wallboard/queues",
    roles=WALL_VIEWERS,
    summary="Read every queue's figures",
    response=QueuesOut,
)
async def wallboard_queues(call: ApiCall) -> QueuesOut:
    queues = await call.request.app[SERVICES].live_state.queues()
    return QueuesOut(server_ms=_now_ms(), queues=[QueueFigures(**q) for q in queues])


@api.op(
    "GET",
    "/api/wallboard/agents",
    roles=SUPERVISOR,
    summary="Read a page of agents",
    query=AgentsQuery,
    response=AgentsOut,
)
async def wallboard_agents(call: ApiCall) -> AgentsOut:
    q: AgentsQuery = call.query
    rows = await call.request.app[SERVICES].live_state.agents()
    by_state: dict[str, int] = {}
    for r in rows:
        by_state[r["state"]] = by_state.get(r["state"], 0) + 1
    if q.queue:
        serving = _agents_of_queue(call, q.queue)
        rows = [r for r in rows if r["agent_id"] in serving or r["queue_id"] == q.queue]
    if q.state:
        rows = [r for r in rows if r["state"] == q.state]
    if q.search:
        needle = q.search.lower()
        rows = [r for r in rows if needle in r["agent_id"].lower() or needle in r["name"].lower()]
    start, end = page_of(len(rows), q.page, q.size)
    return AgentsOut(
        server_ms=_now_ms(),
        page=max(1, min(q.page, max(1, -(-len(rows) // q.size)))),
        size=q.size,
        total=len(rows),
        by_state=by_state,
        agents=[AgentRow(**r) for r in rows[start:end]],
    )


def _agents_of_queue(call: ApiCall, queue_id: str) -> set[str]:
    s = call.rt.settings
    conf = next((x for x in s.queues if x.id == queue_id), None)
    if conf is None:
        raise invalid("queue", "no such queue", "query")
    return {a.id for a in s.agents if all(a.skills.get(k, 0) >= 1 for k in conf.skills)}


@api.op(
    "GET",
    "/api/wallboard/day",
    roles=WALL_VIEWERS,
    summary="Read today's figures by interval",
    query=DayQuery,
    response=DayOut,
)
async def wallboard_day(call: ApiCall) -> DayOut:
    q: DayQuery = call.query
    s = call.rt.settings
    conf = None
    if q.queue:
        conf = next((x for x in s.queues if x.id == q.queue), None)
        if conf is None:
            raise invalid("queue", "no such queue", "query")
    now = datetime.now(UTC)
    tz = ZoneInfo(s.timezone)
    start = day_start(now, tz)
    df = await interval_figures(
        call.rt.engine,
        start,
        start + timedelta(days=1),
        interval_min=q.interval_min,
        timezone=s.timezone,
        queues=[conf.id] if conf else [x.id for x in s.queues],
        rules=rules_of(s.queues),
        by_queue=False,
    )
    local_day = start.astimezone(tz).date()
    opens_at = datetime.combine(local_day, s.opening_hours.opens, tz).astimezone(UTC)
    closes_at = datetime.combine(local_day, s.opening_hours.closes, tz).astimezone(UTC)
    rows = list(df.itertuples())
    busy = [r.interval_start.to_pydatetime() for r in rows if r.offered or r.no_data]
    span_from, span_to = chart_span(opens_at, closes_at, busy, timedelta(minutes=q.interval_min))
    intervals = [
        IntervalOut(
            start_at=row.interval_start.to_pydatetime().astimezone(tz),
            offered=row.offered,
            answered=row.answered,
            abandoned=row.abandoned,
            service_level_pct=None if pd.isna(row.sl_pct) else round(row.sl_pct, 1),
            no_data=bool(row.no_data),
        )
        for row in rows
        if row.interval_start <= now and span_from <= row.interval_start < span_to
    ]
    return DayOut(
        interval_min=q.interval_min,
        queue=q.queue,
        from_at=span_from.astimezone(tz),
        to_at=span_to.astimezone(tz),
        intervals=intervals,
    )


def _known_agent(call: ApiCall) -> str:
    agent_id = call.path["agent_id"]
    if agent_id not in {a.id for a in call.rt.settings.agents}:
        raise NotFoundError(
            N_("no agent %(agent_id)s"), field="agent_id", params={"agent_id": agent_id}
        )
    return agent_id


@api.op(
    "POST",
    "/api/agents/{agent_id}/not-ready",
    roles=SUPERVISOR,
    summary="Force an agent not ready",
    tag="supervisor",
    body=ForceNotReadyBody,
    response=AgentStateOut,
)
async def force_not_ready(call: ApiCall) -> AgentStateOut:
    agent_id = _known_agent(call)
    services = call.request.app[SERVICES]
    await services.actions.not_ready(agent_id, call.body.reason)
    return AgentStateOut.from_hash(agent_id, await services.live_state.agent(agent_id))


@api.op(
    "POST",
    "/api/agents/{agent_id}/logout",
    roles=SUPERVISOR,
    summary="Log an agent out",
    tag="supervisor",
    response=AgentStateOut,
)
async def force_logout(call: ApiCall) -> AgentStateOut:
    agent_id = _known_agent(call)
    services = call.request.app[SERVICES]
    await services.actions.logout(agent_id)
    return AgentStateOut.from_hash(agent_id, await services.live_state.agent(agent_id))


@api.op(
    "GET",
    "/api/complaints/overdue",
    roles=SUPERVISOR,
    summary="Read overdue complaints",
    response=ComplaintsOut,
)
async def overdue_complaints(call: ApiCall) -> ComplaintsOut:
    s = call.rt.settings
    rows = await list_complaints(
        call.rt.engine,
        now=datetime.now(UTC),
        config=ComplaintConfig.from_settings(s),
        overdue_only=True,
    )
    return ComplaintsOut(
        complaints=[
            ComplaintRow(
                complaint_id=r["complaint_id"],
                customer_id=r.get("customer_id"),
                category=r.get("category"),
                severity=r.get("severity"),
                overdue=list(r["overdue"]),
            )
            for r in rows
        ]
    )
