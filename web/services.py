"""What the handlers use besides the runtime: the router's agent-actions service and live state,
built once per application from the runtime's Redis client and settings."""

from __future__ import annotations

from dataclasses import dataclass

from kernel.runtime import Runtime
from queueing.actions import AgentActions
from queueing.routing import Routing
from queueing.service import runtime_routing
from web.supervisor.live_state import LiveState


@dataclass(frozen=True)
class WebServices:
    routing: Routing
    actions: AgentActions
    live_state: LiveState

    @classmethod
    def build(cls, rt: Runtime) -> WebServices:
        routing = runtime_routing(rt)  # the store's queues and agents, reloaded on change
        return cls(routing=routing, actions=AgentActions(routing), live_state=LiveState(routing))
