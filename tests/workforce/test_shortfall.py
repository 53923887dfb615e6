"""The shortfall of a roster and the solver's figures as shown (pure)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workforce.shortfall import explain, shortfall, solver_figures

IDX = pd.date_range("2026-12-14 08:00", periods=4, freq="30min", tz="Asia/Shanghai")


def test_shortfall_per_interval_and_in_agent_hours() -> None:
    sf = shortfall(pd.Series([3, 4, 0, 2], index=IDX), np.array([3.0, 2.5, 1.0, 0.0]), 30)
    assert [(x.start, x.short) for x in sf.intervals] == [(IDX[1], 1.5), (IDX[3], 2.0)]
    assert sf.agent_h == pytest.approx((1.5 + 2.0) * 0.5)  # over-staffing does not offset
    assert sf.required_h == pytest.approx(4.5) and not sf.met
    assert sf.worst(1)[0].start == IDX[3]
    text = explain(sf, n_agents=1, max_hours_each=4)
    assert "1.8 agent-hours short over 2 intervals" in text
    assert "worst Mon 14 Dec 09:30: 0.0 of 2 agents" in text
    assert "1 agents at most 4 h each give at most 4 h" in text  # 4.5 h needed
    assert "would suffice in total" in explain(sf, n_agents=2, max_hours_each=40)


def test_a_covered_requirement_is_met() -> None:
    sf = shortfall(pd.Series([1, 2, 0, 0], index=IDX), np.array([1.0, 2.0, 0.0, 0.5]), 30)
    assert sf.met and sf.agent_h == 0
    assert explain(sf, 1, 40).startswith("The roster meets the requirement")
    with pytest.raises(ValueError, match="coverage has 3 intervals"):
        shortfall(pd.Series([1, 2, 0, 0], index=IDX), np.zeros(3), 30)


@pytest.mark.parametrize(
    "bound, best, shown",
    [
        (0.0, 250.0, (None, 250.0, None, None)),  # 0 proves nothing: no bound, no gap, no bar
        (None, None, (None, None, None, None)),
        (200.0, 250.0, (200.0, 250.0, 0.2, 0.8)),
        (250.0, 250.0, (250.0, 250.0, 0.0, 1.0)),
        (0.0, 0.0, (0.0, 0.0, 0.0, 1.0)),  # a roster with no cost is optimal
    ],
)
def test_solver_figures_never_show_a_zero_bound_as_proven(
    bound: float | None, best: float | None, shown: tuple
) -> None:
    f = solver_figures(bound, best)
    assert (f.bound, f.best, f.gap, f.done_fraction) == pytest.approx(shown)
