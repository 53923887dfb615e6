"""The planner pages' pure computations: coverage of a roster per slot (hand-computed), a shift
moved by hand (breaks follow), the forecast's held-out week."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from callcenter_testkit.history import history_csv
from hypothesis import given
from hypothesis import strategies as st

from workforce.errors import InputError
from workforce.formats import read_history_csv
from workforce.planner import Activity, coverage, forecast_week, move_shift

T0 = datetime(2026, 11, 16, tzinfo=UTC)


def at(h: float) -> datetime:
    return T0 + timedelta(hours=h)


@pytest.mark.parametrize(
    "acts, expected",
    [
        # one 2 h shift over four 30-minute slots from 00:00
        ([("shift", 0, 2)], [1, 1, 1, 1, 0, 0]),
        # a 15-minute break takes half a slot
        ([("shift", 0, 2), ("break", 0.5, 0.75)], [1, 0.5, 1, 1, 0, 0]),
        # a lunch of an hour takes two slots; a shift starting mid-slot counts half
        ([("shift", 0.25, 3), ("lunch", 1, 2)], [0.5, 1, 0, 0, 1, 1]),
        # two agents overlap
        ([("shift", 0, 1), ("shift", 0.5, 1.5)], [1, 2, 1, 0, 0, 0]),
    ],
)
def test_coverage_by_hand(acts: list[tuple[str, float, float]], expected: list[float]) -> None:
    activities = [Activity(f"a{i}", kind, at(s), at(e)) for i, (kind, s, e) in enumerate(acts)]
    # breaks belong to the first agent's shift
    activities = [
        Activity("a0" if a.activity != "shift" else a.agent_id, a.activity, a.start_at, a.end_at)
        for a in activities
    ]
    assert list(coverage(activities, T0, 30, 6)) == pytest.approx(expected)


def test_move_shift_moves_its_breaks() -> None:
    acts = [
        Activity("a1", "shift", at(8), at(16)),
        Activity("a1", "break", at(10), at(10.25)),
        Activity("a1", "lunch", at(12), at(13)),
        Activity("a2", "shift", at(8), at(12)),
    ]
    moved = move_shift(acts, "a1", at(8), at(9), at(17))
    mine = sorted((a.activity, a.start_at) for a in moved if a.agent_id == "a1")
    assert mine == [("break", at(11)), ("lunch", at(13)), ("shift", at(9))]
    assert [a for a in moved if a.agent_id == "a2"] == [acts[3]]


def test_shorter_shift_keeps_breaks_inside() -> None:
    acts = [Activity("a1", "shift", at(8), at(16)), Activity("a1", "lunch", at(14), at(15))]
    moved = move_shift(acts, "a1", at(8), at(8), at(12))
    lunch = next(a for a in moved if a.activity == "lunch")
    assert at(8) <= lunch.start_at and lunch.end_at <= at(12)


@pytest.mark.parametrize(
    "start, end, field",
    [
        (at(10), at(9), "end"),
        (at(0), at(13), "end"),
        (at(33), at(34), "start"),
        (at(20), at(28), "end"),  # ends 4 h before the next shift (11 h rest)
    ],
)
def test_move_shift_names_the_field(start: datetime, end: datetime, field: str) -> None:
    acts = [Activity("a1", "shift", at(8), at(16)), Activity("a1", "shift", at(32), at(40))]
    with pytest.raises(ValueError, match=f"^{field}: "):
        move_shift(acts, "a1", at(8), start, end)
    with pytest.raises(ValueError, match="^shift_start_at: "):
        move_shift(acts, "a1", at(9), at(9), at(10))


@given(st.lists(st.tuples(st.integers(0, 40), st.integers(1, 16)), max_size=12))
def test_coverage_counts_every_agent_hour(shifts: list[tuple[int, int]]) -> None:
    acts = [
        Activity(f"a{i}", "shift", at(s / 2), at(s / 2 + n / 2)) for i, (s, n) in enumerate(shifts)
    ]
    cov = coverage(acts, T0, 30, 48)
    expected = sum(min(n, 48 - s) for s, n in shifts if s < 48)
    assert cov.sum() == pytest.approx(expected)
    assert (cov >= 0).all()


def test_forecast_holds_out_the_last_week() -> None:
    f = forecast_week(read_history_csv(history_csv(3)))
    assert len(f.forecast) == 7 * 48 and len(f.holdout_actual) == 7 * 48
    assert f.forecast.index[0] == f.history.index[-1] + timedelta(minutes=30)
    assert f.wape is not None and 0 <= f.wape < 0.2
    with pytest.raises(InputError) as err:
        forecast_week(read_history_csv(history_csv(1)))
    assert err.value.field == "interval_start"


def test_move_shift_keeps_the_rest_between_shifts() -> None:
    """Rest is measured from the previous shift's end and to the next one's start (11 h)."""
    acts = [
        Activity("a1", "shift", at(8), at(16)),  # day 1
        Activity("a1", "shift", at(32), at(40)),  # day 2, 08:00-16:00
        Activity("a1", "shift", at(56), at(64)),  # day 3
    ]
    with pytest.raises(ValueError, match="^start: less than 11 h rest after .*T16:00"):
        move_shift(acts, "a1", at(32), at(26), at(34))
    with pytest.raises(ValueError, match="^end: less than 11 h rest before .*T08:00"):
        move_shift(acts, "a1", at(32), at(38), at(46))
    moved = move_shift(acts, "a1", at(32), at(27), at(35))  # exactly 11 h after day 1
    assert Activity("a1", "shift", at(27), at(35)) in moved
    assert move_shift(acts, "a1", at(32), at(30), at(38), min_rest_h=8)
