"""CSV formats (errors name line and column), forecast and adherence against hand computation,
and the roster tables in the store (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import numpy as np
import pandas as pd
import pytest

from workforce.adherence import adherence
from workforce.errors import FormatError
from workforce.forecast import fill_unknown, forecast_calls, holdout_error
from workforce.formats import (
    AgentSpec,
    read_agents_csv,
    read_requirements_csv,
    write_agents_csv,
)
from workforce.store_io import read_shifts, save_roster

AGENTS = (
    "agent_id,weekly_hours_min,weekly_hours_max,earliest_start,latest_end,days_off_wanted,skills\n"
    "a1,32,40,07:00,22:00,Sat;Sun,support:5;sales\n"
    "a2,16,24,09:00,24:00,,support\n"
)


def test_agents_csv_round_trip() -> None:
    agents = read_agents_csv(AGENTS)
    assert agents[0] == AgentSpec(
        "a1", 32, 40, time(7), time(22), frozenset({5, 6}), {"support": 5, "sales": 1}
    )
    assert agents[1].latest_end is None
    assert read_agents_csv(write_agents_csv(agents)) == agents


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        (AGENTS.replace("07:00", "7am"), 2, "earliest_start"),
        (AGENTS.replace("Sat;Sun", "Sat;Sunday"), 2, "days_off_wanted"),
        (AGENTS.replace("16,24", "24,16"), 3, "weekly_hours_max"),
        (AGENTS.replace("a2,", "a1,"), 3, "agent_id"),
        (AGENTS.replace("support\n", "support:11\n"), 3, "skills"),
        (AGENTS.replace("agent_id,", "agent,"), 1, "agent_id"),
    ],
)
def test_agents_csv_errors_name_line_and_column(text: str, line: int, column: str) -> None:
    with pytest.raises(FormatError) as err:
        read_agents_csv(text, "agents.csv")
    assert (err.value.line, err.value.column) == (line, column)
    assert f"agents.csv:{line}, column {column}" in str(err.value)


def test_requirements_csv() -> None:
    text = (
        "interval_start,required\n2025-03-03T09:00:00+08:00,3\n"
        "2025-03-03T09:30:00+08:00,4\n2025-03-03T10:00:00+08:00,0\n"
    )
    req = read_requirements_csv(text)  # completed to the whole day: closed time needs nobody
    assert req.tolist() == [0] * 18 + [3, 4, 0] + [0] * 27
    with pytest.raises(FormatError) as err:
        read_requirements_csv(text.replace("10:00:00+08:00", "10:15:00+08:00"))
    assert (err.value.line, err.value.column) == (4, "interval_start")
    with pytest.raises(FormatError) as err:
        read_requirements_csv(text.replace("09:30:00+08:00,4", "09:30:00,4"))
    assert (err.value.line, err.value.column) == (3, "interval_start")
    with pytest.raises(FormatError) as err:
        read_requirements_csv(text.replace(",4\n", ",4.5\n"))
    assert (err.value.line, err.value.column) == (3, "required")


def _history(weeks: int, level: list[float]) -> pd.DataFrame:
    idx = pd.date_range("2025-03-03T00:00:00+00:00", periods=weeks * 7 * 24, freq="1h")
    shape = np.tile(np.arange(7 * 24) % 24 + 1.0, weeks)  # calls = hour + 1, every day
    calls = shape * np.repeat(level, 7 * 24)
    return pd.DataFrame({"calls": calls, "aht_s": 200.0}, index=idx)


def test_forecast_profile_level_and_overrides() -> None:
    hist = _history(3, [1.0, 1.0, 2.0])
    fc = forecast_calls(hist, 7, alpha=0.5, overrides={date(2025, 3, 25): 0.0})
    # level: 1 → 0.5·1 + 0.5·1 = 1 → 0.5·2 + 0.5·1 = 1.5 (in weekly totals); profile exact.
    weekly = 7 * sum(range(1, 25))
    assert fc["calls"].sum() == pytest.approx(1.5 * weekly * 6 / 7)  # one day overridden to 0
    assert fc["calls"].iloc[5] == pytest.approx(1.5 * 6)
    assert (fc["aht_s"] == 200.0).all()
    assert fc.index[0] == pd.Timestamp("2025-03-24T00:00:00+00:00")


def test_a_gap_is_left_out_of_the_training_not_read_as_zero_calls() -> None:
    """Two identical weeks; in the second, a day nobody heard Asterisk (NaN, a telephony gap):
    the forecast is the same as without the gap. Read as zeros, that day would have lowered
    the level and carved the day out of the profile."""
    hist = _history(2, [1.0, 1.0])
    with_gap = hist.copy()
    day = slice(7 * 24 + 24, 7 * 24 + 48)  # the second week's Tuesday
    with_gap.iloc[day, with_gap.columns.get_loc("calls")] = np.nan
    with_gap.iloc[day, with_gap.columns.get_loc("aht_s")] = np.nan
    zeros = hist.copy()
    zeros.iloc[day, zeros.columns.get_loc("calls")] = 0.0
    expected = forecast_calls(hist, 7, alpha=0.5)
    got = forecast_calls(with_gap, 7, alpha=0.5)
    assert got["calls"].to_numpy() == pytest.approx(expected["calls"].to_numpy())
    assert got["aht_s"].to_numpy() == pytest.approx(expected["aht_s"].to_numpy())
    assert forecast_calls(zeros, 7, alpha=0.5)["calls"].sum() < expected["calls"].sum() - 1
    # the held-out week's gap is not scored: a perfect forecast elsewhere has no error
    err = holdout_error(with_gap)
    assert err is not None and (err.mape, err.wape) == pytest.approx((0.0, 0.0), abs=1e-12)


def test_fill_unknown_takes_the_same_interval_of_the_other_weeks() -> None:
    calls = np.array([[1.0, np.nan, 3.0], [3.0, np.nan, np.nan], [5.0, np.nan, 1.0]])
    assert fill_unknown(calls).tolist() == [[1.0, 0.0, 3.0], [3.0, 0.0, 2.0], [5.0, 0.0, 1.0]]


def test_holdout_error_by_hand() -> None:
    hist = _history(2, [1.0, 1.1])
    err = holdout_error(hist)
    assert err is not None
    # Forecast of week 2 = week 1 exactly; actual is 10 % higher everywhere.
    assert err.mape == pytest.approx(0.1 / 1.1)
    assert err.wape == pytest.approx(0.1 / 1.1)
    assert holdout_error(_history(1, [1.0])) is None


def test_adherence_by_hand() -> None:
    t = lambda hh, mm=0: pd.Timestamp(datetime(2025, 3, 3, hh, mm, tzinfo=UTC))  # noqa: E731
    roster = pd.DataFrame(
        [("a1", "shift", t(9), t(13)), ("a1", "break", t(11), t(11, 15))],
        columns=["agent_id", "activity", "start", "end"],
    )
    states = pd.DataFrame(
        [
            ("a1", "ready", None, t(9, 10), t(10)),  # 10 min late
            ("a1", "on_call", None, t(10), t(11)),
            ("a1", "not_ready", "break", t(11), t(11, 30)),  # 15 min long
            ("a1", "wrap_up", None, t(11, 30), None),  # still going at now
        ],
        columns=["agent_id", "state", "reason", "start_at", "end_at"],
    )
    df = adherence(roster, states, t(0).to_pydatetime(), t(14).to_pydatetime())
    row = df.loc["a1"]
    assert row["scheduled_min"] == 240
    assert row["logged_in_min"] == 14 * 60 - (9 * 60 + 10)
    # In adherence: 9:10-11:00 phones (110) + 11:00-11:15 break (15) + 11:30-13:00 phones (90).
    assert row["in_adherence_min"] == 215
    assert row["adherence"] == pytest.approx(215 / 240)
    # Phone minutes 9:10-11:00 and 11:30-14:00 = 260; busy = 60 + 150.
    assert row["occupancy"] == pytest.approx(210 / 260)


async def test_roster_stored_and_read_back(engine) -> None:
    t = lambda hh: pd.Timestamp(datetime(2025, 3, 3, hh, tzinfo=UTC))  # noqa: E731
    roster = pd.DataFrame(
        [("a1", "shift", t(9), t(17)), ("a1", "lunch", t(12), t(13))],
        columns=["agent_id", "activity", "start", "end"],
    )
    common = dict(
        period_start_at=t(0).to_pydatetime(),
        period_end_at=t(23).to_pydatetime(),
        created_at=t(0).to_pydatetime(),
    )
    await save_roster(engine, roster, name="draft", **common)
    assert (await read_shifts(engine, t(0).to_pydatetime(), t(23).to_pydatetime())).empty
    rid = await save_roster(engine, roster, name="week 10", published=True, **common)
    assert rid > 0
    back = await read_shifts(engine, t(0).to_pydatetime(), t(23).to_pydatetime())
    assert back["activity"].tolist() == ["shift", "lunch"]
    assert pd.Timestamp(back["start"].iloc[0]) == t(9)
