"""The agent's own state: every endpoint acts on the signed-in user's agent only."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from customers.desk import customer_of_call, tiers_for
from customers.masking import Viewer, mask_phone
from customers.records import FieldError, normalise_number
from queueing.wrap_drafts import load_draft
from store.readers import call_parties
from web.agent.cards import agent_today, customer_card, task_card, week_shifts
from web.agent.schemas import (
    AgentStateOut,
    AgentView,
    CurrentCall,
    ExtendWrapUpBody,
    NamedRef,
    NotReadyBody,
    TaskCard,
)
from web.endpoints import ApiCall, Endpoints
from web.i18n.http import request_locale
from web.keys import SERVICES
from web.live.privacy import text_for, viewer_of
from web.roles import AGENT

api = Endpoints(tag="agent")


async def current_call(call: ApiCall, agent_id: str, h: dict[str, str]) -> CurrentCall | None:
    call_id = h.get("call")
    if not call_id:
        return None
    services = call.request.app[SERVICES]
    c = await services.live_state.call(agent_id, call_id)
    stored = await call_parties(call.rt.engine, call_id)
    caller, direction = (stored.caller, stored.direction) if stored else (None, None)
    number = c.get("number") or caller
    viewer = viewer_of(call.user)
    s = call.rt.settings
    draft = await load_draft(call.rt.redis, s.redis_prefix, agent_id, call_id) or {}
    found = await customer_of_call(
        call.rt.engine,
        [draft.get("customer_id"), c.get("customer"), stored.customer_id if stored else None],
        _e164(number, s.default_region),
    )
    card = await customer_card(
        call.rt.engine,
        found,
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
                call.rt.engine,
                call_id,
                {q.id: q.name for q in s.queues},
                locale=request_locale(call.request),
                tz=s.timezone,
            ),
            viewer,
        ),
    )


def _e164(number: str | None, region: str) -> str | None:
    try:
        return normalise_number(number, region) if number else None
    except FieldError:
        return None


def _task_as_seen(task: TaskCard | None, viewer: Viewer) -> TaskCard | None:
    """The task's note (written by whoever scheduled it) with numbers masked for the agent."""
    if task is None or not task.note:
        return task
    return task.model_copy(update={"note": text_for(viewer, task.note)})


@api.op("GET", "/api/agent", roles=AGENT, summary="Read the agent's dashboard", response=AgentView)
async def get_agent(call: ApiCall) -> AgentView:
    agent_id = call.own_agent()
    h = await call.request.app[SERVICES].live_state.agent(agent_id)
    s = call.rt.settings
    conf = next((a for a in s.agents if a.id == agent_id), None)
    tz = ZoneInfo(s.timezone)
    return AgentView(
        agent_id=agent_id,
        name=(conf.name if conf else None) or call.user.display_name,
        state=AgentStateOut.from_hash(agent_id, h),
        call=await current_call(call, agent_id, h),
        reasons=s.routing.pickable_reasons,
        dispositions=list(s.routing.dispositions),
        complaint_categories=list(s.complaints.categories),
        customer_tiers=list(tiers_for(call.user.role)),
        queues=[NamedRef(id=q.id, name=q.name or q.id) for q in s.queues],
        agents=[NamedRef(id=a.id, name=a.name or a.id) for a in s.agents if a.id != agent_id],
        today=await agent_today(call.rt.engine, agent_id, datetime.now(UTC), tz),
        shifts=await week_shifts(call.rt.engine, agent_id, datetime.now(UTC), tz),
        server_ms=int(time.time() * 1000),
    )


async def _state(call: ApiCall, agent_id: str) -> AgentStateOut:
    h = await call.request.app[SERVICES].live_state.agent(agent_id)
    return AgentStateOut.from_hash(agent_id, h)


@api.op("POST", "/api/agent/login", roles=AGENT, summary="Log the agent in", response=AgentStateOut)
async def agent_login(call: ApiCall) -> AgentStateOut:
    agent_id = call.own_agent()
    await call.request.app[SERVICES].actions.login(agent_id)
    return await _state(call, agent_id)


@api.op("POST", "/api/agent/ready", roles=AGENT, summary="Go ready", response=AgentStateOut)
async def agent_ready(call: ApiCall) -> AgentStateOut:
    agent_id = call.own_agent()
    await call.request.app[SERVICES].actions.ready(agent_id)
    return await _state(call, agent_id)


@api.op(
    "POST",
    "/api/agent/not-ready",
    roles=AGENT,
    summary="Go not ready with a reason",
    body=NotReadyBody,
    response=AgentStateOut,
)
async def agent_not_ready(call: ApiCall) -> AgentStateOut:
    agent_id = call.own_agent()
    await call.request.app[SERVICES].actions.not_ready(agent_id, call.body.reason)
    return await _state(call, agent_id)


@api.op(
    "POST", "/api/agent/logout", roles=AGENT, summary="Log the agent out", response=AgentStateOut
)
async def agent_logout(call: ApiCall) -> AgentStateOut:
    agent_id = call.own_agent()
    await call.request.app[SERVICES].actions.logout(agent_id)
    return await _state(call, agent_id)


@api.op(
    "POST", "/api/agent/wrap-up/end", roles=AGENT, summary="End wrap-up", response=AgentStateOut
)
async def agent_end_wrap_up(call: ApiCall) -> AgentStateOut:
    agent_id = call.own_agent()
    await call.request.app[SERVICES].actions.end_wrap_up(agent_id)
    return await _state(call, agent_id)


@api.op(
    "POST",
    "/api/agent/wrap-up/extend",
    roles=AGENT,
    summary="Extend wrap-up",
    body=ExtendWrapUpBody,
    response=AgentStateOut,
)
async def agent_extend_wrap_up(call: ApiCall) -> AgentStateOut:
    agent_id = call.own_agent()
    await call.request.app[SERVICES].actions.extend_wrap_up(agent_id, call.body.extra_s)
    return await _state(call, agent_id)
