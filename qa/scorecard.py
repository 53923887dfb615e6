"""Agent KPI scorecards (the department's 考核量表): KPI rules, linear scoring, totals, ranks.

Pure module. ``AgentTotals`` holds an agent's raw sums for a period (read from the store by
``qa.kpi_store``); KPIs derive from them, so a team's figures are the sum of its members':

==================== =============================================== ==============
KPI                  value                                           better
==================== =============================================== ==============
calls_handled        calls answered; *scored per worked day*          higher
answer_rate_pct      接通率: offers the agent answered, of those it    higher
                     answered or let ring out (RONA); offers the
                     caller abandoned while ringing or the phone could
                     not be dialled (``call.connect_failed``) do not
                     count
aht_s                mean talk + hold + wrap-up per handled call,     lower
                     leaving out calls under ``min_handle_s``
hold_s               mean hold per handled call                       lower
acw_s                mean after-call work (wrap-up) per handled call  lower
qa_score             mean QA evaluation score of the period's calls   higher
adherence_pct        schedule adherence (workforce), when available   higher
fcr_pct              handled inbound calls with no repeat call from   higher
                     the same customer within N days
transfer_rate_pct    handled calls transferred                        lower
callback_pct         callbacks promised (wrap-up disposition) that     higher
                     were made (outbound, same customer, in time)
csat_pct             surveyed calls the caller scored 4 or 5 (of 1-5,  higher
                     the post-call survey; calls without a score do
                     not count)
==================== =============================================== ==============

The default agent scorecard follows the manuals' 座席员考核方案 (000 §10.3.3): 接通率, 平均处理时长,
质检得分, 出勤遵守率, 一次解决率 and 客户满意度 (the seeds hold the chapter's title only, so the
targets and weights are the customary ones; ``[qa.scorecard.agent]`` replaces them).

A rule scores a value linearly from ``floor`` (0) to ``target`` (100), capped at both ends;
``floor > target`` means lower is better. A KPI without a value (no calls, no evaluations, no
adherence data) is *missing*: it is shown as such and the total is the weighted mean over the
KPIs that have a value. Ranks are within the team and role, highest total first, ties sharing
a rank (1, 2, 2, 4).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Literal

from kernel.messages import N_, FieldValueError

KPIS: tuple[str, ...] = (
    "calls_handled",
    "answer_rate_pct",
    "aht_s",
    "hold_s",
    "acw_s",
    "qa_score",
    "adherence_pct",
    "fcr_pct",
    "transfer_rate_pct",
    "callback_pct",
    "csat_pct",
)


@dataclass(frozen=True, slots=True)
class KpiRule:
    kpi: str
    target: float
    floor: float
    weight: float

    def __post_init__(self) -> None:
        if self.kpi not in KPIS:
            raise FieldValueError("kpi", N_("unknown KPI %(kpi)r"), {"kpi": self.kpi})
        if self.target == self.floor:
            raise ValueError(f"{self.kpi}: target and floor must differ")
        if not self.weight > 0:
            raise ValueError(f"{self.kpi}: weight must be > 0")


@dataclass(frozen=True, slots=True)
class RoleRules:
    scope: Literal["own", "team"]
    rules: tuple[KpiRule, ...]


DEFAULT_ROLES: dict[str, RoleRules] = {
    # 座席员考核方案: 接通率, 平均处理时长, 质检得分, 出勤遵守率, 一次解决率, 客户满意度 (100 in all)
    "agent": RoleRules(
        "own",
        (
            KpiRule("answer_rate_pct", target=98, floor=85, weight=15),
            KpiRule("aht_s", target=300, floor=480, weight=15),
            KpiRule("qa_score", target=90, floor=60, weight=30),
            KpiRule("adherence_pct", target=95, floor=80, weight=15),
            KpiRule("fcr_pct", target=80, floor=60, weight=15),
            KpiRule("csat_pct", target=90, floor=60, weight=10),
        ),
    ),
    "team_lead": RoleRules(
        "team",
        (
            KpiRule("aht_s", target=300, floor=480, weight=15),
            KpiRule("qa_score", target=90, floor=60, weight=25),
            KpiRule("adherence_pct", target=95, floor=80, weight=20),
            KpiRule("fcr_pct", target=80, floor=60, weight=20),
            KpiRule("transfer_rate_pct", target=5, floor=20, weight=10),
            KpiRule("callback_pct", target=95, floor=70, weight=10),
            KpiRule("csat_pct", target=90, floor=60, weight=10),
        ),
    ),
}


@dataclass(frozen=True, slots=True)
class AgentTotals:
    """Raw sums for one agent (or a team) and period; ``+`` adds two of them."""

    calls: int = 0
    worked_days: int = 0
    handle_s: float = 0.0  # talk + hold + wrap-up
    hold_s: float = 0.0
    wrap_s: float = 0.0
    transfers: int = 0
    fcr_calls: int = 0  # handled inbound calls with a known customer
    fcr_resolved: int = 0
    callbacks_due: int = 0
    callbacks_done: int = 0
    qa_sum: float = 0.0
    qa_count: int = 0
    surveys: int = 0  # handled calls the caller scored in the post-call survey
    surveys_satisfied: int = 0  # of them, scored 4 or 5
    adherence_pct: tuple[float, ...] = field(default=())  # one figure per agent, when known
    short_calls: int = 0  # handled calls under min_handle_s: not real handling, not in aht_s
    short_handle_s: float = 0.0  # their talk + hold + wrap-up
    offers_answered: int = 0  # calls offered to the agent that it answered
    offers_missed: int = 0  # offers that rang out unanswered (agent.rona)

    def __add__(self, other: AgentTotals) -> AgentTotals:
        return AgentTotals(
            *(getattr(self, f.name) + getattr(other, f.name) for f in fields(AgentTotals))
        )

    def values(self) -> dict[str, float | None]:
        """KPI values; ``None`` where there is nothing to measure."""

        def ratio(num: float, den: float, scale: float = 1.0) -> float | None:
            return scale * num / den if den else None

        return {
            "calls_handled": float(self.calls),
            "answer_rate_pct": ratio(
                self.offers_answered, self.offers_answered + self.offers_missed, 100.0
            ),
            "aht_s": ratio(self.handle_s - self.short_handle_s, self.calls - self.short_calls),
            "hold_s": ratio(self.hold_s, self.calls),
            "acw_s": ratio(self.wrap_s, self.calls),
            "qa_score": ratio(self.qa_sum, self.qa_count),
            "adherence_pct": (
                math.fsum(self.adherence_pct) / len(self.adherence_pct)
                if self.adherence_pct
                else None
            ),
            "fcr_pct": ratio(self.fcr_resolved, self.fcr_calls, 100.0),
            "transfer_rate_pct": ratio(self.transfers, self.calls, 100.0),
            "callback_pct": ratio(self.callbacks_done, self.callbacks_due, 100.0),
            "csat_pct": ratio(self.surveys_satisfied, self.surveys, 100.0),
        }

    def scored_value(self, kpi: str) -> float | None:
        """The figure a rule scores: calls handled per worked day, else the KPI value."""
        if kpi == "calls_handled":
            return self.calls / self.worked_days if self.worked_days else None
        return self.values()[kpi]


def kpi_score(value: float | None, rule: KpiRule) -> float | None:
    """0 at ``floor``, 100 at ``target``, linear between, capped; works for lower-is-better."""
    if value is None:
        return None
    share = (value - rule.floor) / (rule.target - rule.floor)
    return 100.0 * min(1.0, max(0.0, share))


@dataclass(frozen=True, slots=True)
class ScoredKpi:
    kpi: str
    value: float | None
    score: float | None
    weight: float
    target: float
    floor: float
    note: str | None = None  # what the value leaves out, said plainly

    @property
    def missing(self) -> bool:
        return self.score is None


@dataclass(frozen=True, slots=True)
class Scorecard:
    agent_id: str
    team: str | None
    role: str
    kpis: tuple[ScoredKpi, ...]
    total: float | None
    rank: int | None = None

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(k.kpi for k in self.kpis if k.missing)


def _note(totals: AgentTotals, kpi: str) -> str | None:
    if kpi == "aht_s" and totals.short_calls:
        return (
            f"leaves out {totals.short_calls} of {totals.calls} calls shorter than "
            "min_handle_s (not real handling)"
        )
    return None


def score_totals(
    totals: AgentTotals, rules: Iterable[KpiRule]
) -> tuple[tuple[ScoredKpi, ...], float | None]:
    values = totals.values()
    scored = []
    for rule in rules:
        s = kpi_score(totals.scored_value(rule.kpi), rule)
        scored.append(
            ScoredKpi(
                rule.kpi,
                values[rule.kpi],
                s,
                rule.weight,
                rule.target,
                rule.floor,
                _note(totals, rule.kpi),
            )
        )
    present = [k for k in scored if k.score is not None]
    weight = math.fsum(k.weight for k in present)
    total = math.fsum(k.weight * k.score for k in present) / weight if weight else None  # type: ignore[operator]
    return tuple(scored), total


def rank(cards: Sequence[Scorecard]) -> list[Scorecard]:
    """Competition ranks (1, 2, 2, 4) within each (team, role); cards without a total: no rank."""
    groups: dict[tuple[str | None, str], list[Scorecard]] = {}
    for card in cards:
        groups.setdefault((card.team, card.role), []).append(card)
    ranks: dict[int, int] = {}
    for members in groups.values():
        scored = sorted((c for c in members if c.total is not None), key=lambda c: -c.total)  # type: ignore[operator]
        for i, card in enumerate(scored):
            prev = scored[i - 1] if i else None
            if prev is not None and math.isclose(prev.total, card.total, abs_tol=1e-9):  # type: ignore[arg-type]
                ranks[id(card)] = ranks[id(prev)]
            else:
                ranks[id(card)] = i + 1
    return [Scorecard(c.agent_id, c.team, c.role, c.kpis, c.total, ranks.get(id(c))) for c in cards]


def build_scorecards(
    totals: Mapping[str, AgentTotals],
    teams: Mapping[str, str | None],
    roles: Mapping[str, str] | None = None,
    role_rules: Mapping[str, RoleRules] | None = None,
) -> list[Scorecard]:
    """One ranked scorecard per agent in ``totals`` (agent id order).

    ``teams`` maps agent id -> team; ``roles`` agent id -> role (default "agent"). A role with
    scope "team" is scored on the sum of its team's totals (every agent of the team).
    """
    roles = roles or {}
    role_rules = role_rules or DEFAULT_ROLES
    team_totals: dict[str | None, AgentTotals] = {}
    for agent_id, t in totals.items():
        team = teams.get(agent_id)
        team_totals[team] = team_totals.get(team, AgentTotals()) + t
    cards = []
    for agent_id in sorted(totals):
        role = roles.get(agent_id, "agent")
        if role not in role_rules:
            raise ValueError(f"agent {agent_id!r}: no scorecard rules for role {role!r}")
        rr = role_rules[role]
        team = teams.get(agent_id)
        basis = team_totals[team] if rr.scope == "team" else totals[agent_id]
        kpis, total = score_totals(basis, rr.rules)
        cards.append(Scorecard(agent_id, team, role, kpis, total))
    return rank(cards)
