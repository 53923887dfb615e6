"""QA services the web and the command line share: sampling rules and scorecard roles from the
settings, scorecards for a period (with the workforce package's adherence), scorecards as CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from kernel.settings import QaSettings, Settings
from qa.kpi_store import KpiOptions, read_totals
from qa.periods import Period
from qa.sampling import SamplingRules
from qa.scorecard import (
    DEFAULT_ROLES,
    KPIS,
    AgentTotals,
    KpiRule,
    RoleRules,
    Scorecard,
    build_scorecards,
)
from workforce.store_io import agent_adherence_pct


def sampling_rules(q: QaSettings, per_agent: int | None, percent: float | None) -> SamplingRules:
    if per_agent is None and percent is None:
        per_agent, percent = q.sample_per_agent, q.sample_percent
    return SamplingRules(
        per_agent=per_agent,
        per_agent_pct=percent,
        strata=tuple(q.sample_strata),
        always_dispositions=frozenset(q.always_dispositions),
        short_talk_s=q.short_talk_s,
        long_talk_s=q.long_talk_s,
        always_transfers=q.always_transfers,
    )


def role_rules(q: QaSettings) -> dict[str, RoleRules]:
    configured = {
        role: RoleRules(
            cfg.scope, tuple(KpiRule(r.kpi, r.target, r.floor, r.weight) for r in cfg.kpis)
        )
        for role, cfg in q.scorecard.items()
    }
    return {**DEFAULT_ROLES, **configured}


AdherenceSource = Callable[[AsyncEngine, datetime, datetime], Awaitable[dict[str, float]]]
"""Percent adherence per agent over [start_at, end_at): ``workforce.store_io.agent_adherence_pct``."""


async def compute_scorecards(
    engine: AsyncEngine,
    settings: Settings,
    period: Period,
    adherence_source: AdherenceSource | None = agent_adherence_pct,
) -> tuple[list[Scorecard], bool]:
    """Scorecards for every agent (store and settings); second value: adherence available (from
    the workforce package's rosters and agent states unless ``adherence_source`` is None)."""
    q = settings.qa
    adherence = None
    if adherence_source is not None:
        adherence = dict(await adherence_source(engine, period.start_at, period.end_at))
    options = KpiOptions(
        fcr_window_days=q.fcr_window_days,
        callback_dispositions=tuple(q.callback_dispositions),
        callback_window_h=q.callback_window_h,
        timezone=settings.timezone,
        min_handle_s=q.min_handle_s,
    )
    totals, teams = await read_totals(engine, period, options, adherence)
    for agent in settings.agents:
        totals.setdefault(agent.id, AgentTotals())
        if teams.get(agent.id) is None:
            teams[agent.id] = agent.team
    roles = {agent_id: "team_lead" for agent_id in q.team_leads}
    cards = build_scorecards(totals, teams, roles, role_rules(q))
    return cards, adherence is not None


def scorecards_csv(cards: list[Scorecard]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(
        ["agent_id", "team", "role"]
        + [c for k in KPIS for c in (k, f"{k}_score")]
        + ["total", "rank", "missing"]
    )
    for card in cards:
        by_kpi = {k.kpi: k for k in card.kpis}
        row: list[Any] = [card.agent_id, card.team or "", card.role]
        for k in KPIS:
            scored = by_kpi.get(k)
            row += [
                "" if scored is None or scored.value is None else round(scored.value, 3),
                "" if scored is None or scored.score is None else round(scored.score, 2),
            ]
        row += [
            "" if card.total is None else round(card.total, 2),
            "" if card.rank is None else card.rank,
            " ".join(card.missing),
        ]
        writer.writerow(row)
    return buf.getvalue()
