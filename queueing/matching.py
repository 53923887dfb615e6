"""The routing choice written plainly: the reference the Lua scripts are tested against. Pure.

``best_agent``: a call at its current escalation step looks for an agent (call arrived, call
escalated, call back after an unanswered offer). ``best_call``: an agent who became ready looks
for the best waiting call across every queue it can serve. Both return ``None`` when nothing fits.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from queueing.rules import QueuePlan, agent_score, earliest_step, level_sum, step_at, waiting_score


@dataclass(frozen=True, slots=True)
class WaitingCall:
    call_id: str
    queue_id: str
    priority: int
    arrived_ms: int

    @property
    def score(self) -> int:
        return waiting_score(self.priority, self.arrived_ms)


@dataclass(frozen=True, slots=True)
class ReadyAgent:
    agent_id: str
    skills: Mapping[str, int]
    ready_at_ms: int
    last_offer_ms: Mapping[str, int] = field(default_factory=dict)  # queue -> last offer


@dataclass(frozen=True, slots=True)
class Choice:
    call_id: str
    agent_id: str
    queue_id: str
    step: int
    candidates: int  # eligible ready agents (call side); calls waiting in the chosen queue at
    # the chosen step (agent side)


def can_serve(agent: ReadyAgent, call: WaitingCall, plan: QueuePlan, now_ms: int) -> bool:
    first = earliest_step(agent.skills, plan)
    return first is not None and first <= step_at(plan, (now_ms - call.arrived_ms) / 1000)


def _agent_key(agent: ReadyAgent, plan: QueuePlan) -> tuple[int, str]:
    score = agent_score(
        plan.strategy,
        ready_at_ms=agent.ready_at_ms,
        level_sum=level_sum(agent.skills, plan),
        last_offer_ms=agent.last_offer_ms.get(plan.queue_id),
    )
    return score, agent.agent_id


def best_agent(
    call: WaitingCall, agents: Iterable[ReadyAgent], plan: QueuePlan, now_ms: int
) -> Choice | None:
    eligible = [a for a in agents if can_serve(a, call, plan, now_ms)]
    if not eligible:
        return None
    chosen = min(eligible, key=lambda a: _agent_key(a, plan))
    step = step_at(plan, (now_ms - call.arrived_ms) / 1000)
    return Choice(call.call_id, chosen.agent_id, call.queue_id, step, len(eligible))


def best_call(
    agent: ReadyAgent,
    calls: Iterable[WaitingCall],
    plans: Mapping[str, QueuePlan],
    now_ms: int,
) -> Choice | None:
    calls = list(calls)
    servable = [c for c in calls if can_serve(agent, c, plans[c.queue_id], now_ms)]
    if not servable:
        return None
    chosen = min(servable, key=lambda c: (c.score, c.call_id))
    plan = plans[chosen.queue_id]
    step = step_at(plan, (now_ms - chosen.arrived_ms) / 1000)
    same = [
        c
        for c in calls
        if c.queue_id == chosen.queue_id and step_at(plan, (now_ms - c.arrived_ms) / 1000) == step
    ]
    return Choice(chosen.call_id, agent.agent_id, chosen.queue_id, step, len(same))
