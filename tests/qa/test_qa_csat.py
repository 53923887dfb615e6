"""The scorecard's satisfaction KPI (``csat_pct``) from the store against hand computation, on
SQLite and PostgreSQL: the month of tests/qa/conftest.py with post-call survey scores.

a1: c1 5, c2 3, c3 no score (the caller pressed nothing) -> 1 of 2 scored 4-5: 50 %.
a2: c4 4, c5 5, c6 1 -> 2 of 3: 66.7 %.       b1: no survey -> csat_pct missing.
c11 (October, a1) scored 5: outside the period.
"""

from __future__ import annotations

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from qa.kpi_store import KpiOptions, read_totals
from qa.periods import parse_period
from qa.scorecard import KpiRule, RoleRules, build_scorecards
from store.models.core import Call

SCORES = {"c1": 5, "c2": 3, "c3": None, "c4": 4, "c5": 5, "c6": 1, "c11": 5}


async def add_scores(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        for call_id, score in SCORES.items():
            reason = "answered" if score is not None else "no_answer"
            await conn.execute(
                update(Call)
                .where(Call.call_id == call_id)
                .values(survey_score=score, survey_reason=reason)
            )


async def test_csat_matches_hand_computation(month: AsyncEngine) -> None:
    await add_scores(month)
    totals, teams = await read_totals(month, parse_period("2026-11"), KpiOptions())
    assert (totals["a1"].surveys, totals["a1"].surveys_satisfied) == (2, 1)
    assert (totals["a2"].surveys, totals["a2"].surveys_satisfied) == (3, 2)
    assert (totals["b1"].surveys, totals["b1"].surveys_satisfied) == (0, 0)
    assert totals["a1"].values()["csat_pct"] == 50.0
    assert totals["a2"].values()["csat_pct"] == pytest.approx(200 / 3)
    assert totals["b1"].values()["csat_pct"] is None
    # a team lead's figure is the team's sum: red = a1 + a2 -> 3 of 5
    assert (totals["a1"] + totals["a2"]).values()["csat_pct"] == 60.0
    rules = RoleRules("own", (KpiRule("csat_pct", target=90, floor=60, weight=1),))
    cards = {c.agent_id: c for c in build_scorecards(totals, teams, role_rules={"agent": rules})}
    # 50 % is under the floor: 0; 66.7 % -> (66.7 - 60) / 30 = 22.2; b1: missing, no total
    assert cards["a1"].total == 0.0
    assert cards["a2"].total == pytest.approx(100 * (200 / 3 - 60) / 30)
    assert cards["b1"].total is None and cards["b1"].missing == ("csat_pct",)
