"""A call too short to be real handling does not earn full AHT marks (pure)."""

from __future__ import annotations

from qa.scorecard import AgentTotals, KpiRule, score_totals

AHT = KpiRule("aht_s", target=300, floor=480, weight=1)


def test_a_four_second_call_is_not_scored_as_handling() -> None:
    only_short = AgentTotals(calls=1, handle_s=4, short_calls=1, short_handle_s=4)
    (kpi,), total = score_totals(only_short, [AHT])
    assert kpi.value is None and kpi.score is None and total is None  # nothing to measure
    assert kpi.note == "leaves out 1 of 1 calls shorter than min_handle_s (not real handling)"
    mixed = AgentTotals(calls=3, handle_s=4 + 480 + 480, short_calls=1, short_handle_s=4)
    (kpi,), _ = score_totals(mixed, [AHT])
    assert kpi.value == 480 and kpi.score == 0  # not (4 + 960) / 3 = 321 s
    both = mixed + only_short
    assert (both.short_calls, both.values()["aht_s"]) == (2, 480)
    (kpi,), _ = score_totals(AgentTotals(calls=2, handle_s=600), [AHT])
    assert kpi.note is None and kpi.value == 300
