"""The agent's own state: every endpoint acts on the signed-in user's agent only."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from customers.masking import Viewer, mask_phone
from web.api import API
from web.api.registry import ApiCall
from web.api.schemas import (
    AgentStateOut,
    AgentView,
    CurrentCall,
    ExtendWrapUpBody,
    NamedRef,
    NotReadyBody,
    TaskCard,
)
from web.cards import agent_today, caller_of, customer_card, task_card, week_shifts
from web.errors import ForbiddenError
from web.keys import SERVICES
from web.privacy import text_for

AGENT = {"agent"}


def own_agent(call: ApiCall) -> str:
    p = call.principal
    assert p is not None
    if not p.agent_id:
        raise ForbiddenError(f"user {p.username} is not tied to an agent", field="agent_id")
    return p.agent_id


def _int(v: str | None) -> int | None:
    return int(float(v)) if v else None


def state_out(agent_id: str, h: dict[str, str]) -> AgentStateOut:
    return AgentStateOut(
        agent_id=agent_id,
        state=h.get("state") or "logged_out",
        reason=h.get("reason") or None,
        since_ms=_int(h.get("since")),
        call_id=h.get("call") or None,
        queue_id=h.get("queue") or None,
        wrap_until_ms=_int(h.get("wrap_until")),
    )


async def current_call(call: ApiCall, agent_id: str, h: dict[str, str]) -> CurrentCall | None:
    call_id = h.get("call")
    if not call_id:
        return None
    p = call.principal
    assert p is not None
    services = call.request.app[SERVICES]
    c = await services.live_state.call(agent_id, call_id)
    caller, direction = await caller_of(call.rt.engine, call_id)
    number = c.get("number") or caller
    viewer = Viewer(user_id=p.username, role=p.role, agent_id=p.agent_id)
    card = await customer_card(
        call.rt.engine,
        c.get("customer") or None,
        c.get("tier") or None,
        number,
        viewer=viewer,
        reason=f"screen pop of call {call_id}",
        now=datetime.now(UTC),
        call_id=call_id,
    )
    return CurrentCall(
        call_id=call_id,
        queue_id=c.get("queue") or h.get("queue") or None,
        state=c.get("state") or None,
        tier=c.get("tier") or None,
        caller_masked=mask_phone(number) if number else None,
        direction="outbound" if c.get("number") else (direction or "inbound"),
        customer=card,
        task=_task_as_seen(
            await task_card(
                call.rt.engine, call_id, {q.id: q.name for q in call.rt.settings.queues}
            ),
            viewer,
        ),
    )


def _task_as_seen(task: TaskCard | None, viewer: Viewer) -> TaskCard | None:
    """The task's note (written by whoever scheduled it) with numbers masked for the agent."""
    if task is None or not task.note:
        return task
    return task.model_copy(update={"note": text_for(viewer, task.note)})


@API.op(
    "GET",
    "/api/agent",
    roles=AGENT,
    summary="Read the agent's dashboard",
    tag="agent",
    response=AgentView,
)
async def get_agent(call: ApiCall) -> AgentView:
    agent_id = own_agent(call)
    services = call.request.app[SERVICES]
    h = await services.live_state.agent(agent_id)
    s = call.rt.settings
    conf = next((a for a in s.agents if a.id == agent_id), None)
    return AgentView(
        agent_id=agent_id,
        name=(conf.name if conf else None) or call.principal.display_name,  # type: ignore[union-attr]
        state=state_out(agent_id, h),
        call=await current_call(call, agent_id, h),
        reasons=s.routing.pickable_reasons,
        dispositions=list(s.routing.dispositions),
        complaint_categories=list(s.complaints.categories),
        queues=[NamedRef(id=q.id, name=q.name or q.id) for q in s.queues],
        agents=[NamedRef(id=a.id, name=a.name or a.id) for a in s.agents if a.id != agent_id],
        today=await agent_today(call.rt.engine, agent_id, datetime.now(UTC), ZoneInfo(s.timezone)),
        shifts=await week_shifts(call.rt.engine, agent_id, datetime.now(UTC), ZoneInfo(s.timezone)),
        server_ms=int(time.time() * 1000),
    )


async def _state(call: ApiCall, agent_id: str) -> AgentStateOut:
    h = await call.request.app[SERVICES].live_state.agent(agent_id)
    return state_out(agent_id, h)


@API.op(
    "POST",
    "/api/agent/login",
    roles=AGENT,
    summary="Log the agent in",
    tag="agent",
    response=AgentStateOut,
)
async def agent_login(call: ApiCall) -> AgentStateOut:
    agent_id = own_agent(call)
    await call.request.app[SERVICES].actions.login(agent_id)
    return await _state(call, agent_id)


@API.op(
    "POST", "/api/agent/ready", roles=AGENT, summary="Go ready", tag="agent", response=AgentStateOut
)
async def agent_ready(call: ApiCall) -> AgentStateOut:
    agent_id = own_agent(call)
    await call.request.app[SERVICES].actions.ready(agent_id)
    return await _state(call, agent_id)


@API.op(
    "POST",
    "/api/agent/not-ready",
    roles=AGENT,
    summary="Go not ready with a reason",
    tag="agent",
    body=NotReadyBody,
    response=AgentStateOut,
)
async def agent_not_ready(call: ApiCall) -> AgentStateOut:
    agent_id = own_agent(call)
    await call.request.app[SERVICES].actions.not_ready(agent_id, call.body.reason)
    return await _state(call, agent_id)


@API.op(
    "POST",
    "/api/agent/logout",
    roles=AGENT,
    summary="Log the agent out",
    tag="agent",
    response=AgentStateOut,
)
async def agent_logout(call: ApiCall) -> AgentStateOut:
    agent_id = own_agent(call)
    await call.request.app[SERVICES].actions.logout(agent_id)
    return await _state(call, agent_id)


@API.op(
    "POST",
    "/api/agent/wrap-up/end",
    roles=AGENT,
    summary="End wrap-up",
    tag="agent",
    response=AgentStateOut,
)
async def agent_end_wrap_up(call: ApiCall) -> AgentStateOut:
    agent_id = own_agent(call)
    await call.request.app[SERVICES].actions.end_wrap_up(agent_id)
    return await _state(call, agent_id)


@API.op(
    "POST",
    "/api/agent/wrap-up/extend",
    roles=AGENT,
    summary="Extend wrap-up",
    tag="agent",
    body=ExtendWrapUpBody,
    response=AgentStateOut,
)
async def agent_extend_wrap_up(call: ApiCall) -> AgentStateOut:
    agent_id = own_agent(call)
    await call.request.app[SERVICES].actions.extend_wrap_up(agent_id, call.body.extra_s)
    return await _state(call, agent_id)
