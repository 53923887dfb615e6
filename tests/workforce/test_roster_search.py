"""The neighbourhood search: a step never makes the roster worse, the rows it decodes to keep
every hard rule (the independent checker of test_roster) and cover what the search counted."""

from __future__ import annotations

import numpy as np
import pytest
from callcenter_testkit.roster_checks import (
    RULES,
    check_roster,
    coverage_of,
    team,
    week_requirements,
)
from scipy.optimize import milp

from workforce.roster import assign_agents, build_problem, deal_greedily, split_solution
from workforce.roster_search import (
    SearchModel,
    pick_neighbourhood,
    state_break_starts,
    state_from_pairs,
    state_pairs,
)


@pytest.fixture(scope="module")
def start():
    req = week_requirements(peak=9)
    agents = team(18, seed=5)
    problem = build_problem(req, agents, RULES)
    res = milp(
        problem.c,
        integrality=problem.integrality,
        bounds=problem.bounds,
        constraints=problem.constraints,
        options={"time_limit": 10},
    )
    y, break_starts = split_solution(problem, res.x)
    pairs, _ = deal_greedily(problem, y)
    model = SearchModel(problem)
    return req, agents, problem, y, model, state_from_pairs(problem, pairs, break_starts)


def test_steps_never_make_it_worse_and_match_the_rows(start) -> None:
    req, agents, problem, y, model, state = start
    rng = np.random.default_rng(7)
    value = model.objective(state)[0]
    for _ in range(4):
        free_agents, days = pick_neighbourhood(model, state, rng, 5)
        # solved to optimality (the current state is feasible for the sub-problem, so the
        # optimum is never worse); a short limit on a loaded machine could stop HiGHS first
        new = model.resolve(state, free_agents, days, time_limit_s=120)
        assert new is not None
        assert model.objective(new)[0] <= value + 1e-6
        state, value = new, model.objective(new)[0]
    roster, coverage, _ = assign_agents(
        problem, y, state_break_starts(problem, state), state_pairs(state)
    )
    assert check_roster(roster, agents, RULES) == []
    assert np.allclose(coverage_of(roster, req), model.coverage(state))
