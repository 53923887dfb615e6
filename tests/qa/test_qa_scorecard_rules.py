"""Scorecard arithmetic (pure): linear scoring, weights, missing KPIs, ranks, team scope."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qa.scorecard import AgentTotals, KpiRule, RoleRules, build_scorecards, kpi_score

AHT = KpiRule("aht_s", target=300, floor=480, weight=2)
QA = KpiRule("qa_score", target=90, floor=60, weight=1)
ADH = KpiRule("adherence_pct", target=95, floor=80, weight=1)


@pytest.mark.parametrize(
    ("value", "rule", "expected"),
    [
        (390, AHT, 50.0),  # (390-480)/(300-480) = 0.5
        (300, AHT, 100.0),
        (250, AHT, 100.0),  # capped
        (480, AHT, 0.0),
        (600, AHT, 0.0),  # capped
        (84, QA, 80.0),  # (84-60)/30
        (95, QA, 100.0),
        (None, QA, None),
    ],
)
def test_linear_capped(value, rule, expected) -> None:
    assert (
        kpi_score(value, rule) == pytest.approx(expected)
        if expected is not None
        else (kpi_score(value, rule) is None)
    )


@given(st.floats(-1e6, 1e6), st.floats(-1e3, 1e3), st.floats(-1e3, 1e3))
def test_score_always_in_0_100(value, target, floor) -> None:
    if target == floor:
        return
    s = kpi_score(value, KpiRule("aht_s", target, floor, 1))
    assert 0.0 <= s <= 100.0


def test_weighted_total_missing_kpi_and_ranks() -> None:
    roles = {"agent": RoleRules("own", (AHT, QA, ADH))}
    totals = {
        # aht = 3900/10 = 390 -> 50; qa = 84 -> 80; adherence 87.5 -> 50
        # total = (2*50 + 80 + 50) / 4 = 57.5
        "a1": AgentTotals(
            calls=10, worked_days=2, handle_s=3900, qa_sum=168, qa_count=2, adherence_pct=(87.5,)
        ),
        # aht 300 -> 100; qa 60 -> 0; adherence missing -> total over weights 3: 200/3
        "a2": AgentTotals(calls=4, worked_days=1, handle_s=1200, qa_sum=60, qa_count=1),
        # no calls, no evaluations: aht and qa missing, adherence 95 -> 100: total 100
        "a3": AgentTotals(adherence_pct=(95.0,)),
        # other team, same figures as a1
        "b1": AgentTotals(
            calls=10, worked_days=2, handle_s=3900, qa_sum=168, qa_count=2, adherence_pct=(87.5,)
        ),
        # nothing at all: no total, no rank
        "a4": AgentTotals(),
    }
    teams = {"a1": "red", "a2": "red", "a3": "red", "a4": "red", "b1": "blue"}
    cards = {c.agent_id: c for c in build_scorecards(totals, teams, role_rules=roles)}
    assert cards["a1"].total == pytest.approx(57.5)
    assert cards["a2"].total == pytest.approx(200 / 3) and cards["a2"].missing == ("adherence_pct",)
    assert cards["a3"].total == pytest.approx(100.0)
    assert cards["a4"].total is None and cards["a4"].rank is None
    assert [cards[a].rank for a in ("a3", "a2", "a1", "b1")] == [1, 2, 3, 1]
    a1 = {k.kpi: (k.value, k.score) for k in cards["a1"].kpis}
    assert a1 == {"aht_s": (390.0, 50.0), "qa_score": (84.0, 80.0), "adherence_pct": (87.5, 50.0)}


def test_ties_share_a_rank() -> None:
    roles = {"agent": RoleRules("own", (QA,))}
    totals = {
        a: AgentTotals(qa_sum=q, qa_count=1)
        for a, q in {"x": 90.0, "y": 75.0, "z": 75.0, "w": 60.0}.items()
    }
    cards = build_scorecards(totals, {a: "t" for a in totals}, role_rules=roles)
    assert {c.agent_id: c.rank for c in cards} == {"x": 1, "y": 2, "z": 2, "w": 4}


def test_team_lead_is_scored_on_the_team() -> None:
    roles = {
        "agent": RoleRules("own", (AHT,)),
        "team_lead": RoleRules("team", (AHT, KpiRule("transfer_rate_pct", 5, 20, 1))),
    }
    totals = {
        "a1": AgentTotals(calls=10, handle_s=3000, transfers=1),  # 300 s
        "a2": AgentTotals(calls=10, handle_s=4800, transfers=3),  # 480 s
        "lead": AgentTotals(),
    }
    teams = {"a1": "red", "a2": "red", "lead": "red"}
    cards = {
        c.agent_id: c
        for c in build_scorecards(totals, teams, roles={"lead": "team_lead"}, role_rules=roles)
    }
    lead = {k.kpi: (k.value, k.score) for k in cards["lead"].kpis}
    # team: 7800 s / 20 calls = 390 s -> 50; 4/20 = 20 % transfers -> 0; total (50*2 + 0)/3
    assert lead == {"aht_s": (390.0, 50.0), "transfer_rate_pct": (20.0, 0.0)}
    assert cards["lead"].total == pytest.approx(100 / 3) and cards["lead"].rank == 1
    assert cards["a1"].rank == 1 and cards["a2"].rank == 2


def test_calls_handled_scored_per_worked_day() -> None:
    rule = KpiRule("calls_handled", target=40, floor=20, weight=1)
    cards = build_scorecards(
        {"a": AgentTotals(calls=150, worked_days=5)},
        {"a": None},
        role_rules={"agent": RoleRules("own", (rule,))},
    )
    kpi = cards[0].kpis[0]
    assert kpi.value == 150 and kpi.score == pytest.approx(50.0)  # 30 a day: halfway
