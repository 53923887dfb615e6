"""The administration API (admins only; ``web.admin.configuration`` does the work and the
audit): agents, queues and teams. After each change is committed, the configuration version key
gets a new value (``kernel.keys.StreamNames.config_version``): every router reloads the store's
queues and agents within a second and re-indexes the logged-in agents, no restart needed."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError as PydanticValidationError

from kernel.settings import AgentConfig, QueueConfig
from queueing.rules import STRATEGIES
from web.admin.configuration import (
    list_agents,
    list_queues,
    list_skills,
    list_teams,
    recent_changes,
    save_agent,
    save_queue,
    save_team,
)
from web.admin.schemas import (
    AgentChange,
    AgentOut,
    AgentsOut,
    AuditOut,
    ChangeOut,
    ChangesOut,
    NewAgent,
    QueueChange,
    QueuesOut,
    TeamChange,
    TeamOut,
    TeamsOut,
)
from web.endpoints import ApiCall, Endpoints, validation_error
from web.errors import ConflictError, NotFoundError, invalid
from web.i18n.catalog import N_
from web.keys import SERVICES
from web.roles import ADMIN
from web.users.accounts import Actor

api = Endpoints(tag="admin")
KINDS = ("agent", "queue", "team")


def _actor(call: ApiCall) -> Actor:
    return Actor(call.user.username, call.user.role)


def _validated(model: type[QueueConfig] | type[AgentConfig], data: dict[str, Any]) -> Any:
    """``data`` as the settings model; its errors are 422s naming the body's fields."""
    try:
        return model.model_validate(data)
    except PydanticValidationError as exc:
        raise validation_error(exc, "body") from None


async def _published(call: ApiCall, entity_id: str, changed: dict[str, Any]) -> ChangeOut:
    """Tell the routers (and this process's routing) that the configuration changed."""
    if changed:
        await call.rt.redis.set(call.rt.streams.config_version, uuid.uuid4().hex)
        await call.request.app[SERVICES].routing.refresh()
    return ChangeOut(id=entity_id, changed=changed)


@api.op("GET", "/api/admin/agents", roles=ADMIN, summary="List agents", response=AgentsOut)
async def agents(call: ApiCall) -> AgentsOut:
    phones = {a.id: a.phone for a in call.rt.settings.agents}
    return AgentsOut(
        agents=[
            AgentOut(
                agent_id=a.id,
                name=a.name or a.id,
                team=a.team,
                endpoint=a.dial_string,
                skills=a.skills,
                active=active,
                phone=phones.get(a.id),
            )
            for a, active in await list_agents(call.rt.engine)
        ],
        skills=await list_skills(call.rt.engine),
    )


@api.op(
    "POST", "/api/admin/agents", roles=ADMIN, summary="Add an agent", body=NewAgent,
    response=ChangeOut, status=201,
)  # fmt: skip
async def new_agent(call: ApiCall) -> ChangeOut:
    data = call.body.model_dump(exclude={"agent_id", "active"})
    agent = _validated(AgentConfig, {"id": call.body.agent_id, **data})
    changed = await save_agent(
        call.rt.engine, _actor(call), agent, active=call.body.active, new=True,
        now=datetime.now(UTC),
    )  # fmt: skip
    return await _published(call, agent.id, changed)


@api.op(
    "PATCH", "/api/admin/agents/{agent_id}", roles=ADMIN, summary="Change an agent",
    body=AgentChange, response=ChangeOut,
)  # fmt: skip
async def change_agent(call: ApiCall) -> ChangeOut:
    agent_id = call.path["agent_id"]
    current = {a.id: (a, active) for a, active in await list_agents(call.rt.engine)}
    if agent_id not in current:
        raise NotFoundError(
            N_("no agent %(agent_id)r"), field="agent_id", params={"agent_id": agent_id}
        )
    old, active = current[agent_id]
    sent = call.body.model_dump(include=call.body.model_fields_set)
    active = sent.pop("active", active)
    agent = _validated(AgentConfig, {**old.model_dump(exclude={"phone"}), **sent})
    changed = await save_agent(
        call.rt.engine, _actor(call), agent, active=active, new=False, now=datetime.now(UTC)
    )
    return await _published(call, agent_id, changed)


@api.op("GET", "/api/admin/queues", roles=ADMIN, summary="List queues", response=QueuesOut)
async def queues(call: ApiCall) -> QueuesOut:
    return QueuesOut(
        queues=[q.model_dump(mode="json") for q in await list_queues(call.rt.engine)],
        strategies=list(STRATEGIES),
    )


@api.op(
    "PATCH", "/api/admin/queues/{queue_id}", roles=ADMIN, summary="Change a queue's settings",
    body=QueueChange, response=ChangeOut,
)  # fmt: skip
async def change_queue(call: ApiCall) -> ChangeOut:
    queue_id = call.path["queue_id"]
    old = next((q for q in await list_queues(call.rt.engine) if q.id == queue_id), None)
    if old is None:
        raise NotFoundError(
            N_("no queue %(queue_id)r"), field="queue_id", params={"queue_id": queue_id}
        )
    sent = call.body.model_dump(include=call.body.model_fields_set)
    queue = _validated(QueueConfig, {**old.model_dump(), **sent})
    changed = await save_queue(
        call.rt.engine, _actor(call), queue,
        default_domain=call.rt.settings.routing.domain, now=datetime.now(UTC),
    )  # fmt: skip
    return await _published(call, queue_id, changed)


@api.op("GET", "/api/admin/teams", roles=ADMIN, summary="List teams", response=TeamsOut)
async def teams(call: ApiCall) -> TeamsOut:
    found = await list_teams(call.rt.engine)
    return TeamsOut(teams=[TeamOut(team=t, agents=a) for t, a in found.items()])


@api.op(
    "POST", "/api/admin/teams", roles=ADMIN, summary="Start a team with its agents",
    body=TeamChange, response=ChangeOut, status=201,
)  # fmt: skip
async def new_team(call: ApiCall) -> ChangeOut:
    b: TeamChange = call.body
    if b.name in await list_teams(call.rt.engine):
        raise ConflictError(
            N_("team %(team)r already exists"), field="name", params={"team": b.name}
        )
    changed = await save_team(
        call.rt.engine, _actor(call), b.name, name=b.name, agent_ids=b.agents,
        now=datetime.now(UTC),
    )  # fmt: skip
    return await _published(call, b.name, changed)


@api.op(
    "PUT", "/api/admin/teams/{team}", roles=ADMIN, summary="Set a team's name and agents",
    body=TeamChange, response=ChangeOut,
)  # fmt: skip
async def change_team(call: ApiCall) -> ChangeOut:
    """404 for a team that does not exist (PUT creates none: POST does); renaming onto another
    existing team is a 409 naming ``name`` (it would merge the two silently)."""
    b: TeamChange = call.body
    team = call.path["team"]
    existing = await list_teams(call.rt.engine)
    if team not in existing:
        raise NotFoundError(N_("no team %(team)r"), field="team", params={"team": team})
    if b.name != team and b.name in existing:
        raise ConflictError(
            N_("team %(team)r already exists"), field="name", params={"team": b.name}
        )
    changed = await save_team(
        call.rt.engine, _actor(call), call.path["team"], name=b.name, agent_ids=b.agents,
        now=datetime.now(UTC),
    )  # fmt: skip
    return await _published(call, b.name, changed)


@api.op(
    "GET", "/api/admin/changes/{kind}", roles=ADMIN,
    summary="List the latest audited changes of agents, queues or teams", response=ChangesOut,
)  # fmt: skip
async def changes(call: ApiCall) -> ChangesOut:
    kind = call.path["kind"]
    if kind not in KINDS:
        raise invalid("kind", "one of %(choices)s", "path", {"choices": ", ".join(KINDS)})
    rows = await recent_changes(call.rt.engine, kind)
    return ChangesOut(changes=[AuditOut(**r) for r in rows])
