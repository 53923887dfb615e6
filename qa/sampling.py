"""Choose calls to evaluate: per-agent quotas, always-include rules, stratified random draw.

Pure module: calls and a seed in, samples out. Per agent, in this order:

1. eligible calls: handled by the agent (answered, ``agent_id`` set), not in ``exclude`` (calls
   already sampled or evaluated: never the same call twice), duplicates dropped;
2. the quota: ``per_agent`` calls, or ``ceil(per_agent_pct% x eligible)`` when a percentage is
   set (both set: the larger);
3. always included, whatever the quota: a disposition in ``always_dispositions`` (complaints),
   talk shorter than ``short_talk_s`` or longer than ``long_talk_s``, transfers. They count
   towards the quota;
4. the rest of the quota is drawn at random, stratified by ``strata`` (queue, outcome,
   disposition by default): each stratum gets its proportional share (largest remainder, ties
   broken by the seeded generator), then calls are drawn within the stratum.

Reproducible: the generator for an agent is seeded with ``f"{seed}:{agent_id}"`` and calls are
sorted by id first, so the same calls and seed give the same sample in any order and process.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from qa.errors import SamplingError

STRATUM_KEYS = ("queue_id", "direction", "outcome", "disposition")


@dataclass(frozen=True, slots=True)
class CallInfo:
    """The fields of a ``calls`` row that sampling looks at."""

    call_id: str
    agent_id: str | None
    queue_id: str | None = None
    direction: str | None = "inbound"
    outcome: str | None = "answered"
    disposition: str | None = None
    talk_s: float | None = None
    transferred: bool = False
    arrived_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class SamplingRules:
    per_agent: int | None = 5
    per_agent_pct: float | None = None
    strata: tuple[str, ...] = ("queue_id", "outcome", "disposition")
    always_dispositions: frozenset[str] = frozenset({"complaint"})
    short_talk_s: float | None = 30.0
    long_talk_s: float | None = 900.0
    always_transfers: bool = True

    def __post_init__(self) -> None:
        if self.per_agent is None and self.per_agent_pct is None:
            raise SamplingError("per_agent", None, "set per_agent or per_agent_pct")
        if self.per_agent is not None and self.per_agent < 0:
            raise SamplingError("per_agent", self.per_agent, "must be >= 0")
        if self.per_agent_pct is not None and not 0 < self.per_agent_pct <= 100:
            raise SamplingError("per_agent_pct", self.per_agent_pct, "must be in (0, 100]")
        for key in self.strata:
            if key not in STRATUM_KEYS:
                raise SamplingError("strata", key, f"must be one of {', '.join(STRATUM_KEYS)}")
        if (
            self.short_talk_s is not None
            and self.long_talk_s is not None
            and self.short_talk_s >= self.long_talk_s
        ):
            raise SamplingError("short_talk_s", self.short_talk_s, "must be below long_talk_s")


@dataclass(frozen=True, slots=True)
class Sample:
    call_id: str
    agent_id: str
    reasons: tuple[str, ...]  # ("complaint", "transfer", ...) or ("random",)
    stratum: tuple[str | None, ...]


def always_reasons(call: CallInfo, rules: SamplingRules) -> tuple[str, ...]:
    """Why ``call`` must be evaluated whatever the quota (empty: it need not be)."""
    reasons = []
    if call.disposition is not None and call.disposition in rules.always_dispositions:
        reasons.append("complaint" if call.disposition == "complaint" else call.disposition)
    if call.talk_s is not None:
        if rules.short_talk_s is not None and call.talk_s < rules.short_talk_s:
            reasons.append("short")
        if rules.long_talk_s is not None and call.talk_s > rules.long_talk_s:
            reasons.append("long")
    if rules.always_transfers and call.transferred:
        reasons.append("transfer")
    return tuple(reasons)


def quota(n_eligible: int, rules: SamplingRules) -> int:
    by_count = rules.per_agent or 0
    by_pct = math.ceil(rules.per_agent_pct * n_eligible / 100) if rules.per_agent_pct else 0
    return min(n_eligible, max(by_count, by_pct))


def allocate(sizes: Sequence[int], n: int, rng: random.Random) -> list[int]:
    """Split ``n`` draws over strata of ``sizes`` in proportion (largest remainder method)."""
    total = sum(sizes)
    if n >= total:
        return list(sizes)
    exact = [n * size / total for size in sizes]
    counts = [math.floor(x) for x in exact]
    left = n - sum(counts)
    # Largest remainder first; equal remainders in a seeded random order.
    order = sorted(range(len(sizes)), key=lambda i: (-(exact[i] - counts[i]), rng.random()))
    for i in order[:left]:
        counts[i] += 1
    return counts


def _eligible(call: CallInfo) -> bool:
    return call.agent_id is not None and call.outcome == "answered"


def sample_agent(
    agent_id: str, calls: Iterable[CallInfo], rules: SamplingRules, seed: int | str
) -> list[Sample]:
    """The sample for one agent's eligible calls (sorted by call id)."""
    rng = random.Random(f"{seed}:{agent_id}")
    unique = sorted({c.call_id: c for c in calls}.values(), key=lambda c: c.call_id)
    n_total = quota(len(unique), rules)
    chosen: list[Sample] = []
    rest: dict[tuple[str | None, ...], list[CallInfo]] = defaultdict(list)
    for call in unique:
        stratum = tuple(getattr(call, key) for key in rules.strata)
        reasons = always_reasons(call, rules)
        if reasons:
            chosen.append(Sample(call.call_id, agent_id, reasons, stratum))
        else:
            rest[stratum].append(call)
    strata = sorted(rest, key=lambda s: tuple("" if v is None else str(v) for v in s))
    counts = allocate([len(rest[s]) for s in strata], max(0, n_total - len(chosen)), rng)
    for stratum, count in zip(strata, counts, strict=True):
        for call in rng.sample(rest[stratum], count):
            chosen.append(Sample(call.call_id, agent_id, ("random",), stratum))
    return sorted(chosen, key=lambda s: s.call_id)


def sample_calls(
    calls: Iterable[CallInfo],
    rules: SamplingRules,
    seed: int | str,
    exclude: Collection[str] = (),
) -> list[Sample]:
    """Samples for every agent with eligible calls, ordered by agent then call id."""
    excluded = set(exclude)
    by_agent: dict[str, list[CallInfo]] = defaultdict(list)
    for call in calls:
        if _eligible(call) and call.call_id not in excluded:
            assert call.agent_id is not None
            by_agent[call.agent_id].append(call)
    out: list[Sample] = []
    seen: set[str] = set()
    for agent_id in sorted(by_agent):
        for s in sample_agent(agent_id, by_agent[agent_id], rules, seed):
            if s.call_id not in seen:  # a call id under two agents: sampled once
                seen.add(s.call_id)
                out.append(s)
    return out
