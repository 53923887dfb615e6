"""Matching rules: which agent may take which call, and in which order. Pure: values in, values out.

- A queue requires skills with minimum levels. Its *escalation steps* widen that over time; the
  steps are cumulative (a later step keeps what earlier ones widened):
  ``min_level`` caps every required level (``min(required, min_level)``, the lowest cap so far),
  ``overflow`` lets the agents who serve another queue (by that queue's first step) take the call,
  ``extra_skills`` lets an agent with any one of those skills at that level take it.
  Step 0 starts at 0 s (added when the configuration's first step starts later).
- An agent is eligible for a call at step ``k`` when it satisfies one of step ``k``'s
  alternatives and is ready; its *earliest step* per queue is computed once at login.
- Call order: priority first (customer tier, then queue plus call priority), then arrival.
- Agent order per queue strategy: ``longest_idle`` (ready the longest), ``most_skilled``
  (highest sum of levels on the queue's skills, ties longest idle), ``round_robin`` (least
  recently offered a call of this queue; never offered first, ties by agent id).

Scores are integers exact in a double (Redis sorted-set scores): lower is better, equal scores
are ordered by member id. The Lua scripts compute the same numbers (``lib.lua``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from kernel.messages import N_, FieldValueError
from kernel.protocols import EscalationRule, QueueRules
from queueing.errors import RoutingConfigError

EPOCH_MS = 1_735_689_600_000  # 2025-01-01T00:00Z: scores hold milliseconds since then
SCALE = 10**12  # > 30 years of milliseconds
PRIORITY_SPAN = 3000  # priorities are 0 .. PRIORITY_SPAN - 1
MAX_LEVEL_SUM = 999
TIER_RANK: dict[str, int] = {"ordinary": 0, "key_account": 1, "vip": 2}
STRATEGIES = ("longest_idle", "most_skilled", "round_robin")

Requirement = tuple[tuple[str, int], ...]  # sorted (skill, minimum level) pairs


@dataclass(frozen=True, slots=True)
class Step:
    after_s: int
    alternatives: tuple[Requirement, ...]  # eligible if any one is satisfied


@dataclass(frozen=True, slots=True)
class QueuePlan:
    """What routing needs of one queue's settings."""

    queue_id: str
    domain: str
    strategy: str
    priority: int
    steps: tuple[Step, ...]
    level_skills: tuple[str, ...]  # the queue's own skills (for most_skilled)
    ring_timeout_s: int = 15
    wrap_up_s: int = 30
    sl_target_s: int = 20
    short_abandon_s: int = 5
    abandon_counts_against_sl: bool = True
    announce_every_s: int = 0


def _requirement(levels: Mapping[str, int]) -> Requirement:
    return tuple(sorted(levels.items()))


def _first_cap(queue: QueueRules) -> int | None:
    steps = sorted(queue.escalation, key=lambda s: s.after)
    if steps and steps[0].after == 0:
        return steps[0].min_level
    return None


def _capped(levels: Mapping[str, int], cap: int | None) -> Requirement:
    if cap is None:
        return _requirement(levels)
    return _requirement({s: min(level, cap) for s, level in levels.items()})


def build_plans(queues: Iterable[QueueRules], default_domain: str) -> dict[str, QueuePlan]:
    """``QueueConfig`` list → plans; raises ``RoutingConfigError`` naming the field."""
    by_id = {q.id: q for q in queues}
    plans: dict[str, QueuePlan] = {}
    for i, (qid, q) in enumerate(by_id.items()):
        domain = q.domain or default_domain
        ordered = sorted(q.escalation, key=lambda s: s.after)
        configured: list[EscalationRule | None] = list(ordered)
        if not ordered or ordered[0].after > 0:
            configured = [None, *ordered]
        steps: list[Step] = []
        cap: int | None = None
        overflow: set[str] = set()
        extra: dict[str, int] = {}
        for step in configured:
            after = 0 if step is None else step.after
            if step is not None:
                j = list(q.escalation).index(step)
                if step.min_level is not None:
                    cap = step.min_level if cap is None else min(cap, step.min_level)
                for o in step.overflow:
                    other = by_id.get(o)
                    if other is None:
                        raise RoutingConfigError(
                            f"queues.{i}.escalation.{j}.overflow", o, "unknown queue"
                        )
                    if (other.domain or default_domain) != domain:
                        raise RoutingConfigError(
                            f"queues.{i}.escalation.{j}.overflow",
                            o,
                            "queue of another routing domain",
                        )
                    overflow.add(o)
                for s, level in step.extra_skills.items():
                    extra[s] = min(level, extra.get(s, level))
            alternatives = {_capped(q.skills, cap)}
            for o in sorted(overflow):
                alternatives.add(_capped(by_id[o].skills, _first_cap(by_id[o])))
            for s, level in extra.items():
                alternatives.add(((s, level),))
            new = Step(after, tuple(sorted(alternatives)))
            if steps and steps[-1].after_s == after:
                steps[-1] = new
            else:
                steps.append(new)
        plans[qid] = QueuePlan(
            queue_id=qid,
            domain=domain,
            strategy=q.strategy,
            priority=q.priority,
            steps=tuple(steps),
            level_skills=tuple(sorted(q.skills)),
            ring_timeout_s=q.ring_timeout_s,
            wrap_up_s=q.wrap_up_s,
            sl_target_s=q.sl_target_s,
            short_abandon_s=q.short_abandon_s,
            abandon_counts_against_sl=q.abandon_counts_against_sl,
            announce_every_s=q.announce_every_s,
        )
    return plans


def satisfies(skills: Mapping[str, int], requirement: Requirement) -> bool:
    return all(skills.get(skill, 0) >= level for skill, level in requirement)


def earliest_step(skills: Mapping[str, int], plan: QueuePlan) -> int | None:
    """First escalation step at which an agent with ``skills`` may take the queue's calls."""
    for index, step in enumerate(plan.steps):
        if any(satisfies(skills, alt) for alt in step.alternatives):
            return index
    return None


def step_at(plan: QueuePlan, wait_s: float) -> int:
    """Escalation step in effect after waiting ``wait_s`` (a step applies from its second on)."""
    index = 0
    for i, step in enumerate(plan.steps):
        if wait_s >= step.after_s:
            index = i
    return index


def level_sum(skills: Mapping[str, int], plan: QueuePlan) -> int:
    return min(MAX_LEVEL_SUM, sum(skills.get(s, 0) for s in plan.level_skills))


def eligibility(
    skills: Mapping[str, int], plans: Iterable[QueuePlan]
) -> list[tuple[str, int, int, str, int]]:
    """``(queue_id, earliest_step, level_sum, strategy, steps)`` for every queue the agent may
    ever serve: all the scripts need to index the agent without reading the queue settings."""
    out = []
    for plan in plans:
        step = earliest_step(skills, plan)
        if step is not None:
            out.append(
                (plan.queue_id, step, level_sum(skills, plan), plan.strategy, len(plan.steps))
            )
    return out


def encode_eligibility(entries: Iterable[tuple[str, int, int, str, int]]) -> str:
    """The agent hash's ``elig`` field, read by ``lib.lua``: one flat JSON list of ``queue,
    step, level_sum, strategy letter, steps`` per queue (the scripts decode it with cjson, much
    cheaper than parsing text in Lua). Settings changes apply at the agent's next login."""
    flat: list[str | int] = []
    for q, step, lsum, strategy, steps in entries:
        flat += [q, step, lsum, strategy[0], steps]
    return json.dumps(flat, separators=(",", ":"))


def call_priority(queue_priority: int, tier: str | None = None, extra: int = 0) -> int:
    """Tier first (VIP > key account > ordinary), then queue priority plus the call's own."""
    tier = tier or "ordinary"
    if tier not in TIER_RANK:
        raise FieldValueError("tier", N_("unknown tier %(tier)r"), {"tier": tier})
    return TIER_RANK[tier] * 1000 + max(0, min(999, queue_priority + extra))


def relative_ms(ms: int) -> int:
    return max(0, ms - EPOCH_MS)


def waiting_score(priority: int, arrived_ms: int) -> int:
    """Lower is served first: higher priority, then earlier arrival."""
    return (PRIORITY_SPAN - 1 - priority) * SCALE + relative_ms(arrived_ms)


def agent_score(
    strategy: str, *, ready_at_ms: int, level_sum: int = 0, last_offer_ms: int | None = None
) -> int:
    """Lower is chosen first among the eligible ready agents of one queue."""
    if strategy == "longest_idle":
        return relative_ms(ready_at_ms)
    if strategy == "most_skilled":
        return (MAX_LEVEL_SUM - min(level_sum, MAX_LEVEL_SUM)) * SCALE + relative_ms(ready_at_ms)
    if strategy == "round_robin":
        return relative_ms(last_offer_ms) if last_offer_ms else 0
    raise FieldValueError("strategy", N_("unknown strategy %(strategy)r"), {"strategy": strategy})


def script_config(plan: QueuePlan, originate_timeout_s: int) -> dict[str, object]:
    """The JSON the Lua scripts read from ``qconf`` for one queue."""
    return {
        "after": [s.after_s * 1000 for s in plan.steps],
        "strategy": plan.strategy,
        "ring": plan.ring_timeout_s * 1000,
        "orig": originate_timeout_s * 1000,
        "wrap": plan.wrap_up_s * 1000,
        "sl": plan.sl_target_s * 1000,
        "short": plan.short_abandon_s * 1000,
        "abl": plan.abandon_counts_against_sl,
        "ann": plan.announce_every_s * 1000,
    }
