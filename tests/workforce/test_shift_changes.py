"""Time off and swaps on a roster, and the check a planner sees (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from workforce.planner import Activity
from workforce.roster import RosterRules
from workforce.shift_changes import check_change, rule_breaks, swap, time_off

MON = datetime(2026, 12, 14, tzinfo=UTC)


def day(agent: str, d: int, start_h: int = 8, hours: int = 8) -> list[Activity]:
    s = MON + timedelta(days=d, hours=start_h)
    return [
        Activity(agent, "shift", s, s + timedelta(hours=hours)),
        Activity(agent, "break", s + timedelta(hours=2), s + timedelta(hours=2, minutes=15)),
    ]


ROSTER = day("a1", 0) + day("a1", 1) + day("a2", 0, 14) + day("a2", 2)
REQUIRED = pd.Series(1.0, index=pd.date_range(MON, periods=7 * 24, freq="60min"))


def test_time_off_removes_the_shift_and_its_breaks() -> None:
    after = time_off(ROSTER, "a1", MON + timedelta(hours=8))
    assert [a for a in after if a.agent_id == "a1"] == day("a1", 1)
    assert len(after) == len(ROSTER) - 2
    with pytest.raises(ValueError, match="shift_start_at: agent a1 has no shift"):
        time_off(ROSTER, "a1", MON)


def test_swap_gives_the_shift_and_takes_one_in_exchange() -> None:
    given = swap(ROSTER, "a1", MON + timedelta(days=1, hours=8), "a2")
    assert all(Activity("a2", x.activity, x.start_at, x.end_at) in given for x in day("a1", 1))
    assert [a for a in given if a.agent_id == "a1"] == day("a1", 0)
    exchanged = swap(
        ROSTER, "a1", MON + timedelta(days=1, hours=8), "a2", MON + timedelta(days=2, hours=8)
    )
    a1 = sorted(a.start_at for a in exchanged if a.agent_id == "a1" and a.activity == "shift")
    assert a1 == [MON + timedelta(hours=8), MON + timedelta(days=2, hours=8)]
    with pytest.raises(ValueError, match="with_agent_id"):
        swap(ROSTER, "a1", MON + timedelta(hours=8), "a1")


def test_rule_breaks_name_overlap_rest_hours_and_days_in_a_row() -> None:
    rules = RosterRules()
    # a2 taking a1's Monday shift overlaps a2's own Monday 14:00 shift
    clash = swap(ROSTER, "a1", MON + timedelta(hours=8), "a2")
    assert rule_breaks(clash, ["a2"], 40, rules) == ["a2: shifts overlap at Mon 14 Dec 14:00"]
    late = day("a3", 0, 14) + day("a3", 1, 6)  # ends 22:00, starts 06:00: 8 h rest
    assert rule_breaks(late, ["a3"], 40, rules) == [
        "a3: less than 11 h rest before Tue 15 Dec 06:00"
    ]
    six = [a for d in range(6) for a in day("a4", d)]
    assert rule_breaks(six, ["a4"], 40, rules) == [
        "a4: 48 h on shift, above 40 h a week",
        "a4: 6 working days in a row, above 5",
    ]


def test_check_change_reports_rules_and_coverage() -> None:
    after = time_off(ROSTER, "a1", MON + timedelta(hours=8))
    c = check_change(ROSTER, after, ["a1"], REQUIRED, 60, 40)
    # 8 h less its break, but 14:00-16:00 a2 still covers (two were on then)
    assert c.allowed and c.short_after_h == pytest.approx(c.short_before_h + 6 - 0.25)
    assert (
        c.text() == "Labour rules hold; +5.8 agent-hours short of the requirement (139.0 → 144.8)."
    )
