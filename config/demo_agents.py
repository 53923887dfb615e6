"""Simulated agents for the demo: they work through the same agent-actions service as the
dashboard (log in, go ready, write the wrap-up, take breaks, come back after a missed offer).

Their phones are the PBX simulator's: ringing and answering happen there, as a real phone would.
The decisions (when to wrap up, when to take a break) are a pure function of the agent's live
state, the time and a seeded random generator; the loop around it does the I/O.
"""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime

from kernel import liveness
from kernel.cancellation import still_running
from kernel.events import DomainEvent, make_event_id
from kernel.runtime import Runtime
from kernel.settings import ROUTER_REASONS
from kernel.stream_consumer import redis_unavailable, stream_entry
from queueing.actions import AgentActions
from queueing.errors import QueueingError
from queueing.service import runtime_routing

log = logging.getLogger(__name__)

DISPOSITIONS = [
    ("resolved", 0.55),
    ("information", 0.2),
    ("follow_up", 0.1),
    ("sale", 0.1),
    ("complaint", 0.05),
]


@dataclass
class AgentMind:
    """What one simulated agent intends: when its wrap-up or break ends."""

    agent_id: str
    wrap_done_at: float | None = None
    wrap_call: str | None = None
    break_until: float | None = None
    back_from_rona_at: float | None = None  # rona or unreachable


@dataclass(frozen=True)
class Step:
    kind: str  # "ready", "not_ready", "wrap" (write the wrap-up, then ready)
    reason: str | None = None
    call_id: str | None = None
    disposition: str | None = None


@dataclass
class Crew:
    minds: dict[str, AgentMind] = field(default_factory=dict)

    def decide(self, state: dict[str, str], now: float, rng: random.Random) -> Step | None:
        """Next action for one agent from its live hash (pure)."""
        agent_id = state["agent_id"]
        mind = self.minds.setdefault(agent_id, AgentMind(agent_id))
        s, reason, call = state.get("state"), state.get("reason"), state.get("call")
        if s == "wrap_up" and call:
            if mind.wrap_call != call:
                mind.wrap_call, mind.wrap_done_at = call, now + rng.uniform(4, 15)
            if now >= (mind.wrap_done_at or now):
                mind.wrap_call = None
                return Step("wrap", call_id=call, disposition=_pick(rng))
            return None
        if s == "not_ready" and reason in ROUTER_REASONS:  # put there by the router: back soon
            if mind.back_from_rona_at is None:
                mind.back_from_rona_at = now + rng.uniform(5, 20)
            if now >= mind.back_from_rona_at:
                mind.back_from_rona_at = None
                return Step("ready")
            return None
        if s == "not_ready":
            if mind.break_until is None:
                mind.break_until = now + rng.uniform(60, 240)
            if now >= mind.break_until:
                mind.break_until = None
                return Step("ready")
            return None
        if s == "ready" and rng.random() < 0.002:  # about one break an agent per ~8 minutes
            return Step("not_ready", reason=rng.choice(["break", "break", "training", "meeting"]))
        return None


def _pick(rng: random.Random) -> str:
    r, acc = rng.random(), 0.0
    for name, p in DISPOSITIONS:
        acc += p
        if r < acc:
            return name
    return DISPOSITIONS[0][0]


async def run_simulated_agents(rt: Runtime, agent_ids: list[str], *, seed: int = 3) -> None:
    """Log the agents in and play them until cancelled (Redis away: they wait for it)."""
    routing = runtime_routing(rt)  # the skills the administration pages set
    actions = AgentActions(routing)
    rng = random.Random(seed)
    crew = Crew()
    health = liveness.current("simulated-agents")
    while True:
        try:
            await _play_round(rt, actions, agent_ids, crew, rng)
            health.ok("agents")
        except Exception as exc:
            still_running()
            if not redis_unavailable(exc):
                raise
            health.retrying("agents", exc)
        await asyncio.sleep(1.0)


async def _play_round(
    rt: Runtime, actions: AgentActions, agent_ids: list[str], crew: Crew, rng: random.Random
) -> None:
    """One look at every agent: log in who is out, take the next step of who is in."""
    now = asyncio.get_running_loop().time()
    for agent_id in agent_ids:
        state = await actions.state(agent_id)
        if not state or state.get("state") in (None, "logged_out"):
            await _safely(actions.login(agent_id, ready=True), agent_id)
            continue
        step = crew.decide({**state, "agent_id": agent_id}, now, rng)
        if step is not None:
            await _safely(_do(rt, actions, agent_id, step), agent_id)
        still_running()


async def _do(rt: Runtime, actions: AgentActions, agent_id: str, step: Step) -> None:
    if step.kind == "ready":
        await actions.ready(agent_id)
    elif step.kind == "not_ready":
        await actions.not_ready(agent_id, step.reason or "break")
    elif step.kind == "wrap" and step.call_id:
        wrapped = DomainEvent(
            id=make_event_id(step.call_id, "wrapped", "agent"),
            ts=datetime.now(UTC),
            type="call.wrapped",
            call_id=step.call_id,
            agent_id=agent_id,
            payload={"disposition": step.disposition, "notes": "", "by": "agent"},
        )
        await rt.redis.xadd(rt.streams.events, stream_entry(wrapped.to_fields()))
        await actions.end_wrap_up(agent_id)


async def _safely(aw: object, agent_id: str) -> None:
    try:
        await aw  # type: ignore[misc]
    except QueueingError as exc:  # the state moved on meanwhile (e.g. an offer arrived)
        log.debug("simulated agent %s: %s", agent_id, exc)
