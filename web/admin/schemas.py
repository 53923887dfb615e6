"""Schemas of the administration API. The editable fields of an agent and a queue are the
settings file's own (``kernel.settings.AgentConfig``, ``QueueConfig``: one home for their limits);
a change body holds the fields to change, the others keep their values."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, create_model

from kernel.settings import AgentConfig, QueueConfig
from web.schemas import ID, NAME_ID, Input


def _fields_of(model: type[BaseModel], exclude: set[str], name: str, **extra: Any) -> Any:
    """A request schema with ``model``'s fields (types, limits, descriptions) but ``exclude``."""
    fields: dict[str, Any] = {
        n: (f.annotation, f) for n, f in model.model_fields.items() if n not in exclude
    }
    return create_model(name, __base__=Input, **fields, **extra)


QueueChange = _fields_of(QueueConfig, {"id", "did", "domain"}, "QueueChange")
AgentChange = _fields_of(AgentConfig, {"id", "phone"}, "AgentChange", active=(bool, Field(True)))
NewAgent = _fields_of(
    AgentConfig, {"id", "phone"}, "NewAgent", agent_id=(str, Field(pattern=ID, max_length=64)),
    active=(bool, Field(True)),
)  # fmt: skip


class TeamChange(Input):
    name: str = Field(pattern=NAME_ID, max_length=64, description="the team's (new) name")
    agents: list[str] = Field(max_length=2000, description="the team's agents (ids), all of them")


class AgentOut(BaseModel):
    agent_id: str
    name: str
    team: str | None
    endpoint: str
    skills: dict[str, int]
    active: bool
    phone: str | None = Field(description="the settings file's phone kind (device, webrtc)")


class AgentsOut(BaseModel):
    agents: list[AgentOut]
    skills: list[str] = Field(description="every skill the store knows")


class QueuesOut(BaseModel):
    queues: list[dict[str, Any]] = Field(description="every queue's settings (QueueConfig)")
    strategies: list[str]


class TeamOut(BaseModel):
    team: str
    agents: list[str]


class TeamsOut(BaseModel):
    teams: list[TeamOut]


class ChangeOut(BaseModel):
    """What changed: the fields with their new values (empty: nothing to change)."""

    id: str
    changed: dict[str, Any]


class AuditOut(BaseModel):
    at: datetime
    actor: str
    action: str
    entity_id: str
    fields: list[str]
    before: dict[str, Any]
    after: dict[str, Any]


class ChangesOut(BaseModel):
    changes: list[AuditOut]
