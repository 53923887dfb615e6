"""The answer rate (接通率, ``answer_rate_pct``) from the router's events written through the
store writer, on SQLite and PostgreSQL, against hand computation (callcenter_testkit.offers), and
the default agent scorecard of the manuals' 座席员考核方案."""

from __future__ import annotations

import pytest
from callcenter_testkit.offers import ANSWER_RATE, offer_events
from sqlalchemy.ext.asyncio import AsyncEngine

from qa.kpi_store import read_totals
from qa.periods import parse_period
from qa.scorecard import DEFAULT_ROLES, AgentTotals, build_scorecards
from store.writer import write_events


async def test_answer_rate_from_the_events(engine: AsyncEngine) -> None:
    events = offer_events()
    async with engine.begin() as conn:
        assert await write_events(conn, events) == len(events)
    totals, _ = await read_totals(engine, parse_period("2026-11"))
    a1, a2 = totals["a1"], totals["a2"]
    assert (a1.offers_answered, a1.offers_missed) == (2, 1)
    assert (a2.offers_answered, a2.offers_missed) == (1, 0)
    assert a1.values()["answer_rate_pct"] == pytest.approx(ANSWER_RATE["a1"])
    assert a2.values()["answer_rate_pct"] == ANSWER_RATE["a2"]
    assert (a1 + a2).values()["answer_rate_pct"] == 75.0  # a team: 3 of 4
    october, _ = await read_totals(engine, parse_period("2026-10"))
    assert october["a1"].values()["answer_rate_pct"] == 100.0  # c0 only

    cards = {c.agent_id: c for c in build_scorecards(totals | {"b1": AgentTotals()}, {})}
    rate = {c: next(k for k in cards[c].kpis if k.kpi == "answer_rate_pct") for c in cards}
    assert rate["a1"].score == 0.0  # under the floor (85 %)
    assert rate["a2"].score == 100.0
    assert rate["b1"].value is None and "answer_rate_pct" in cards["b1"].missing


def test_the_default_agent_scorecard_follows_the_manuals_plan() -> None:
    """座席员考核方案: 接通率, 平均处理时长, 质检得分, 出勤遵守率, 一次解决率, 客户满意度."""
    rules = DEFAULT_ROLES["agent"].rules
    assert [r.kpi for r in rules] == [
        "answer_rate_pct",
        "aht_s",
        "qa_score",
        "adherence_pct",
        "fcr_pct",
        "csat_pct",
    ]
    assert sum(r.weight for r in rules) == 100
    assert DEFAULT_ROLES["agent"].scope == "own"
